/**
 * CNAS accreditation numbers (中国合格评定国家认可委员会). pinzhi needs two kinds: the
 * certification bodies that issue grades and 三同 evaluations (`CNAS C001-P`), and the
 * laboratories whose test reports they rely on (`CNAS L0192`).
 */
import { violation, type Result, type Violation } from './violation.js';

export type CnasBodyType = 'certification-body' | 'laboratory';

/** What a certification body's suffix says it is accredited for. */
export type CnasCertificationScheme = 'product' | 'management-system' | 'other';

export type CnasNumber = {
  type: CnasBodyType;
  /** `CNAS C001-P`, `CNAS L0192`: upper case, one space after CNAS. */
  canonical: string;
  /** The sequence number as printed, zeros kept: `001`, `0192`. */
  sequence: string;
  /** Certification bodies only: the letter after the hyphen and what it stands for. */
  suffix?: string;
  scheme?: CnasCertificationScheme;
};

const SCHEME_BY_SUFFIX: Readonly<Record<string, CnasCertificationScheme>> = {
  P: 'product',
  M: 'management-system',
};

export function parseCnasNumber(value: string, field = 'cnas_number'): Result<CnasNumber> {
  const text = value.trim().toUpperCase().replace(/\s+/g, ' ');
  if (text.length === 0) return fail(field, 'REQUIRED', 'a CNAS accreditation number is required');

  const match = /^CNAS ?([A-Z]+)(\d+)(?:-([A-Z]))?$/.exec(text);
  if (!match) {
    return fail(field, 'INVALID_FORMAT', `'${value}' is not a CNAS number like CNAS C001-P or CNAS L0192`);
  }
  const [, letters = '', sequence = '', suffix] = match;

  if (letters === 'C') {
    if (sequence.length !== 3) {
      return fail(field, 'INVALID_FORMAT', `a certification body number has three digits after C, e.g. CNAS C001-P`);
    }
    if (suffix === undefined) {
      return fail(field, 'MISSING_SCHEME_SUFFIX', `a certification body number ends in the scheme letter, e.g. CNAS C${sequence}-P (product)`);
    }
    return {
      ok: true,
      value: {
        type: 'certification-body',
        canonical: `CNAS C${sequence}-${suffix}`,
        sequence,
        suffix,
        scheme: SCHEME_BY_SUFFIX[suffix] ?? 'other',
      },
    };
  }

  if (letters === 'L') {
    // Laboratory numbers passed L9999 long ago, so five digits are as valid as four.
    if (sequence.length < 4 || sequence.length > 5) {
      return fail(field, 'INVALID_FORMAT', `a laboratory number has four or five digits after L, e.g. CNAS L0192`);
    }
    if (suffix !== undefined) {
      return fail(field, 'INVALID_FORMAT', `a laboratory number has no suffix: CNAS L${sequence}`);
    }
    return { ok: true, value: { type: 'laboratory', canonical: `CNAS L${sequence}`, sequence } };
  }

  return fail(field, 'UNSUPPORTED_ACCREDITATION_TYPE', `'${letters}' numbers are not handled: pinzhi takes certification bodies (C…) and laboratories (L…)`);
}

/** Violations of `value`; pass `expectedType` where only one kind of body makes sense. */
export function validateCnasNumber(value: string, field: string, expectedType?: CnasBodyType): Violation[] {
  const result = parseCnasNumber(value, field);
  if (!result.ok) return result.violations;
  if (expectedType !== undefined && result.value.type !== expectedType) {
    return [violation(field, 'WRONG_ACCREDITATION_TYPE', `${result.value.canonical} is a ${result.value.type}, expected a ${expectedType}`)];
  }
  return [];
}

function fail(field: string, reason: string, description: string): Result<CnasNumber> {
  return { ok: false, violations: [violation(field, reason, description)] };
}
