/**
 * GS1 Global Trade Item Numbers: GTIN-8, -12, -13 and -14.
 *
 * pinzhi stores every GTIN as 14 digits (left-padded with zeros) because that is the form
 * GS1 Digital Link URIs use (`/01/{GTIN14}`) and it makes one GTIN one key whatever length
 * was printed on the pack.
 */
import { violation, type Result, type Violation } from './violation.js';

export const GTIN_LENGTHS: readonly number[] = [8, 12, 13, 14];

/** GS1 prefixes 690–699 are assigned to GS1 China. */
export const CHINA_GS1_PREFIX_RANGE = { from: 690, to: 699 } as const;

/**
 * Check digit for the digits before it: weights 3, 1, 3, … counted from the right.
 * Throws RangeError on non-digits: callers validate first, as `validateGtin` does.
 */
export function gtinCheckDigit(bodyDigits: string): number {
  if (!/^\d+$/.test(bodyDigits)) throw new RangeError('a GTIN body must be digits only');
  let sum = 0;
  for (let fromRight = 0; fromRight < bodyDigits.length; fromRight++) {
    const digit = Number(bodyDigits.charAt(bodyDigits.length - 1 - fromRight));
    sum += digit * (fromRight % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** The 14-digit form of a valid GTIN, or why it is not one. */
export function normaliseGtin(code: string, field = 'gtin'): Result<string> {
  const trimmed = code.trim();
  if (trimmed.length === 0) {
    return { ok: false, violations: [violation(field, 'REQUIRED', 'a GTIN is required')] };
  }
  if (!/^\d+$/.test(trimmed)) {
    return {
      ok: false,
      violations: [violation(field, 'NOT_DIGITS', 'a GTIN is digits only, without spaces or separators')],
    };
  }
  if (!GTIN_LENGTHS.includes(trimmed.length)) {
    return {
      ok: false,
      violations: [violation(field, 'INVALID_LENGTH', `a GTIN has 8, 12, 13 or 14 digits, got ${trimmed.length}`)],
    };
  }
  const expected = gtinCheckDigit(trimmed.slice(0, -1));
  const actual = Number(trimmed.slice(-1));
  if (expected !== actual) {
    return {
      ok: false,
      violations: [violation(field, 'CHECK_DIGIT_MISMATCH', `check digit is ${actual} but the other digits give ${expected}`)],
    };
  }
  // Padding with zeros keeps the check digit valid: leading zeros add nothing to the sum.
  return { ok: true, value: trimmed.padStart(14, '0') };
}

export function validateGtin(code: string, field: string): Violation[] {
  const result = normaliseGtin(code, field);
  return result.ok ? [] : result.violations;
}

/**
 * Whether a GTIN was issued under a GS1 China prefix. Only GTIN-13s (and GTIN-14s wrapping
 * one) carry a three-digit GS1 prefix; the answer for an invalid GTIN is false.
 */
export function hasChinaGs1Prefix(code: string): boolean {
  const result = normaliseGtin(code);
  if (!result.ok) return false;
  const prefix = Number(result.value.slice(1, 4));
  return prefix >= CHINA_GS1_PREFIX_RANGE.from && prefix <= CHINA_GS1_PREFIX_RANGE.to;
}
