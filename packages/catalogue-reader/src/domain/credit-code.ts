/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015.
 *
 * Layout of the 18 characters: 1 registration authority, 2 organisation type, 3–8 area code
 * (GB/T 2260), 9–17 organisation code, 18 check character.
 */
import { violation, type Result, type Violation } from './violation.js';

/** The 31 characters a code may use, in value order: I, O, S, V and Z are left out. */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Weight of positions 1–17 in the check sum (3^(i-1) mod 31). */
export const CREDIT_CODE_WEIGHTS: readonly number[] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export const CREDIT_CODE_LENGTH = 18;

/**
 * Some early pilot codes fail the check and are still legal, so a caller may accept a check
 * mismatch — but only with a named approver and a reason the caller then records for audit.
 */
export type CreditCodeCheckOverride = { approvedBy: string; reason: string };

export type CreditCodeParts = {
  code: string;
  registrationAuthority: string;
  organisationType: string;
  areaCode: string;
  organisationCode: string;
  checkCharacter: string;
};

/** Upper-cases and trims, the only rewriting a typed-in code may safely get. */
export function normaliseCreditCode(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * The check character for the first 17 characters of a code.
 * Throws RangeError on malformed input: callers validate first, as `validateCreditCode` does.
 */
export function creditCodeCheckCharacter(first17: string): string {
  const body = normaliseCreditCode(first17);
  if (body.length !== CREDIT_CODE_LENGTH - 1) {
    throw new RangeError(`expected 17 characters, got ${body.length}`);
  }
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const value = CREDIT_CODE_ALPHABET.indexOf(body.charAt(i));
    if (value < 0) throw new RangeError(`character '${body.charAt(i)}' at position ${i + 1} is not allowed`);
    sum += value * (CREDIT_CODE_WEIGHTS[i] ?? 0);
  }
  return CREDIT_CODE_ALPHABET.charAt((31 - (sum % 31)) % 31);
}

export type ValidateCreditCodeOptions = { checkOverride?: CreditCodeCheckOverride };

/**
 * Violations of `code` (empty when valid). Length, alphabet, area code and check character
 * are reported with distinct reasons so a client can tell a typo from a truncated paste.
 */
export function validateCreditCode(code: string, field: string, options: ValidateCreditCodeOptions = {}): Violation[] {
  const normalised = normaliseCreditCode(code);
  if (normalised.length === 0) {
    return [violation(field, 'REQUIRED', 'a unified social credit code is required')];
  }

  const violations: Violation[] = [];
  if (normalised.length !== CREDIT_CODE_LENGTH) {
    violations.push(violation(field, 'INVALID_LENGTH', `a unified social credit code has ${CREDIT_CODE_LENGTH} characters, got ${normalised.length}`));
  }

  const badPositions = [...normalised].map((char, i) => ({ char, position: i + 1 })).filter(({ char }) => !CREDIT_CODE_ALPHABET.includes(char));
  if (badPositions.length > 0) {
    const listed = badPositions.map(({ char, position }) => `'${char}' at position ${position}`).join(', ');
    violations.push(
      violation(field, 'INVALID_CHARACTER', `${listed} not allowed; a credit code uses digits and the letters ABCDEFGHJKLMNPQRTUWXY (no I, O, S, V, Z)`),
    );
  }

  // Without the right length and alphabet the later checks would only restate the same error.
  if (violations.length > 0) return violations;

  const areaCode = normalised.slice(2, 8);
  if (!/^\d{6}$/.test(areaCode)) {
    violations.push(violation(field, 'INVALID_AREA_CODE', `positions 3–8 must be a GB/T 2260 area code of six digits, got '${areaCode}'`));
  }

  const expected = creditCodeCheckCharacter(normalised.slice(0, 17));
  const actual = normalised.charAt(17);
  if (expected !== actual) {
    const override = options.checkOverride;
    if (override === undefined) {
      violations.push(violation(field, 'CHECK_CHARACTER_MISMATCH', `check character is '${actual}' but the first 17 characters give '${expected}'`));
    } else if (override.approvedBy.trim() === '' || override.reason.trim() === '') {
      violations.push(
        violation(field, 'OVERRIDE_INCOMPLETE', `check character is '${actual}' (expected '${expected}'); an override needs both an approver and a reason`),
      );
    }
  }
  return violations;
}

/** Splits a code into its GB 32100 parts, or returns why it cannot. */
export function parseCreditCode(code: string, field: string, options: ValidateCreditCodeOptions = {}): Result<CreditCodeParts> {
  const violations = validateCreditCode(code, field, options);
  if (violations.length > 0) return { ok: false, violations };
  const normalised = normaliseCreditCode(code);
  return {
    ok: true,
    value: {
      code: normalised,
      registrationAuthority: normalised.charAt(0),
      organisationType: normalised.charAt(1),
      areaCode: normalised.slice(2, 8),
      organisationCode: normalised.slice(8, 17),
      checkCharacter: normalised.charAt(17),
    },
  };
}
