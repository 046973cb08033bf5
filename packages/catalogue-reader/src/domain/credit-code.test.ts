import { describe, expect, it } from 'vitest';
import { creditCodeCheckCharacter, parseCreditCode, validateCreditCode } from './credit-code.js';

describe('creditCodeCheckCharacter', () => {
  it('computes the GB 32100-2015 check character of a published example', () => {
    expect(creditCodeCheckCharacter('91350100M000100Y4')).toBe('3');
  });

  it('maps check values above 9 onto the letter alphabet', () => {
    expect(creditCodeCheckCharacter('91350100MA2XK7N3Q')).toBe('U');
  });

  it('refuses input it cannot sum', () => {
    expect(() => creditCodeCheckCharacter('91350100M000100Y')).toThrow(RangeError);
    expect(() => creditCodeCheckCharacter('91350100M000100O4')).toThrow(RangeError);
  });
});

describe('validateCreditCode', () => {
  it('accepts a valid code', () => {
    expect(validateCreditCode('91350100M000100Y43', 'enterprise.credit_code')).toEqual([]);
  });

  it('normalises case and surrounding space', () => {
    expect(validateCreditCode('  91350100m000100y43 ', 'code')).toEqual([]);
  });

  it('reports a changed last character and names the expected one', () => {
    const violations = validateCreditCode('91350100M000100Y44', 'enterprise.credit_code');
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ field: 'enterprise.credit_code', reason: 'CHECK_CHARACTER_MISMATCH' });
    expect(violations[0]?.description).toContain("'3'");
  });

  it('reports a typo in the body as a check mismatch', () => {
    expect(validateCreditCode('91350100M000101Y43', 'c')[0]?.reason).toBe('CHECK_CHARACTER_MISMATCH');
  });

  it('reports length, alphabet and emptiness distinctly', () => {
    expect(validateCreditCode('91350100M000100Y4', 'c').map((v) => v.reason)).toEqual(['INVALID_LENGTH']);
    expect(validateCreditCode('91350100M0001O0Y43', 'c').map((v) => v.reason)).toEqual(['INVALID_CHARACTER']);
    expect(validateCreditCode('', 'c').map((v) => v.reason)).toEqual(['REQUIRED']);
    expect(validateCreditCode('9135010OM00I100Y4', 'c').map((v) => v.reason)).toEqual(['INVALID_LENGTH', 'INVALID_CHARACTER']);
  });

  it('names the offending positions of letters outside the alphabet', () => {
    expect(validateCreditCode('91350100M0001O0Y43', 'c')[0]?.description).toContain("'O' at position 14");
  });

  it('rejects an area code that is not six digits', () => {
    const body = '913501A0M000100Y4';
    const code = body + creditCodeCheckCharacter(body);
    expect(validateCreditCode(code, 'c').map((v) => v.reason)).toEqual(['INVALID_AREA_CODE']);
  });

  it('accepts a failing check only with a complete, audited override', () => {
    const pilot = '91350100M000100Y44';
    expect(validateCreditCode(pilot, 'c', { checkOverride: { approvedBy: 'reviewer-7', reason: 'pilot code, registry extract on file' } })).toEqual([]);
    expect(validateCreditCode(pilot, 'c', { checkOverride: { approvedBy: ' ', reason: 'pilot' } })[0]?.reason).toBe('OVERRIDE_INCOMPLETE');
  });

  it('an override does not excuse other faults', () => {
    const override = { approvedBy: 'reviewer-7', reason: 'pilot' };
    expect(validateCreditCode('91350100M000100Y4', 'c', { checkOverride: override })[0]?.reason).toBe('INVALID_LENGTH');
  });
});

describe('parseCreditCode', () => {
  it('splits a code into its GB 32100 parts', () => {
    const result = parseCreditCode('91350100M000100Y43', 'c');
    expect(result).toEqual({
      ok: true,
      value: {
        code: '91350100M000100Y43',
        registrationAuthority: '9',
        organisationType: '1',
        areaCode: '350100',
        organisationCode: 'M000100Y4',
        checkCharacter: '3',
      },
    });
  });

  it('returns the violations of an invalid code', () => {
    expect(parseCreditCode('91350100M000100Y44', 'c').ok).toBe(false);
  });
});
