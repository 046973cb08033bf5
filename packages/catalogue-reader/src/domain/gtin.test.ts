import { describe, expect, it } from 'vitest';
import { gtinCheckDigit, hasChinaGs1Prefix, normaliseGtin, validateGtin } from './gtin.js';

// A sample GTIN-13 under the GS1 China prefix 690; its check digit 2 is computed below.
const GTIN13 = '6901234567892';

describe('gtinCheckDigit', () => {
  it('weights 3, 1, 3 … from the right', () => {
    expect(gtinCheckDigit('690123456789')).toBe(2);
    expect(gtinCheckDigit('693456780101')).toBe(2);
  });

  it('works for every GTIN length', () => {
    expect(gtinCheckDigit('9638507')).toBe(4); // GTIN-8 96385074
    expect(gtinCheckDigit('03600029145')).toBe(2); // GTIN-12 036000291452
    expect(gtinCheckDigit('1690123456789')).toBe(9); // GTIN-14 16901234567899: a case (indicator 1) of 6901234567892
  });

  it('gives 0 when the sum is already a multiple of ten', () => {
    expect(gtinCheckDigit('695678900206')).toBe(0);
  });
});

describe('normaliseGtin', () => {
  it('pads a valid GTIN-13 to 14 digits', () => {
    expect(normaliseGtin(GTIN13)).toEqual({ ok: true, value: '06901234567892' });
  });

  it('pads GTIN-8 and GTIN-12 and keeps GTIN-14', () => {
    expect(normaliseGtin('96385074')).toEqual({ ok: true, value: '00000096385074' });
    expect(normaliseGtin('036000291452')).toEqual({ ok: true, value: '00036000291452' });
    expect(normaliseGtin('16901234567899')).toEqual({ ok: true, value: '16901234567899' });
  });

  it('rejects a GTIN-13 with one digit changed', () => {
    const result = normaliseGtin('6901234567882', 'product.gtin');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.violations).toEqual([
        { field: 'product.gtin', reason: 'CHECK_DIGIT_MISMATCH', description: 'check digit is 2 but the other digits give 5' },
      ]);
    }
  });

  it('reports non-digits, wrong lengths and emptiness distinctly', () => {
    expect(validateGtin('690123456789X', 'g').map((v) => v.reason)).toEqual(['NOT_DIGITS']);
    expect(validateGtin('690-1234-5678', 'g').map((v) => v.reason)).toEqual(['NOT_DIGITS']);
    expect(validateGtin('69012345678', 'g').map((v) => v.reason)).toEqual(['INVALID_LENGTH']);
    expect(validateGtin('  ', 'g').map((v) => v.reason)).toEqual(['REQUIRED']);
  });

  it('ignores surrounding space', () => {
    expect(validateGtin(` ${GTIN13} `, 'g')).toEqual([]);
  });
});

describe('hasChinaGs1Prefix', () => {
  it('recognises 690–699 in GTIN-13 and GTIN-14 form', () => {
    expect(hasChinaGs1Prefix(GTIN13)).toBe(true);
    expect(hasChinaGs1Prefix('06972043154016')).toBe(true);
    expect(hasChinaGs1Prefix('16901234567899')).toBe(true);
  });

  it('is false for other prefixes and invalid GTINs', () => {
    expect(hasChinaGs1Prefix('4006381333931')).toBe(false); // German 400–440 range
    expect(hasChinaGs1Prefix('036000291452')).toBe(false);
    expect(hasChinaGs1Prefix('6901234567893')).toBe(false);
  });
});
