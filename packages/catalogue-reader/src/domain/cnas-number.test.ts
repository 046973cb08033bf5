import { describe, expect, it } from 'vitest';
import { parseCnasNumber, validateCnasNumber } from './cnas-number.js';

describe('parseCnasNumber', () => {
  it('classifies a product certification body', () => {
    expect(parseCnasNumber('CNAS C001-P')).toEqual({
      ok: true,
      value: { type: 'certification-body', canonical: 'CNAS C001-P', sequence: '001', suffix: 'P', scheme: 'product' },
    });
  });

  it('classifies a management-system certification body', () => {
    const result = parseCnasNumber('cnas c001-m');
    expect(result.ok && result.value).toMatchObject({ type: 'certification-body', scheme: 'management-system', canonical: 'CNAS C001-M' });
  });

  it('classifies laboratories with four or five digits', () => {
    expect(parseCnasNumber('CNAS L0192')).toEqual({
      ok: true,
      value: { type: 'laboratory', canonical: 'CNAS L0192', sequence: '0192' },
    });
    expect(parseCnasNumber('CNASL12345').ok).toBe(true);
  });

  it.each([
    ['', 'REQUIRED'],
    ['C001-P', 'INVALID_FORMAT'],
    ['CNAS C001', 'MISSING_SCHEME_SUFFIX'],
    ['CNAS C01-P', 'INVALID_FORMAT'],
    ['CNAS L192', 'INVALID_FORMAT'],
    ['CNAS L0192-P', 'INVALID_FORMAT'],
    ['CNAS IB0001', 'UNSUPPORTED_ACCREDITATION_TYPE'],
  ])('rejects %j with %s', (value, reason) => {
    const violations = validateCnasNumber(value, 'body.cnas_number');
    expect(violations.map((v) => v.reason)).toEqual([reason]);
    expect(violations[0]?.field).toBe('body.cnas_number');
  });
});

describe('validateCnasNumber', () => {
  it('checks the kind of body when asked', () => {
    expect(validateCnasNumber('CNAS C001-P', 'f', 'certification-body')).toEqual([]);
    expect(validateCnasNumber('CNAS L0192', 'f', 'certification-body').map((v) => v.reason)).toEqual(['WRONG_ACCREDITATION_TYPE']);
  });
});
