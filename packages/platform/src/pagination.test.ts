import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { decodePageToken, encodePageToken, pageSizeOf } from './pagination.js';

describe('page tokens', () => {
  it('round-trip the position for the same listing and filter', () => {
    const token = encodePageToken('06934567801012', 'ListProducts', { brand: 'b1' });
    expect(decodePageToken(token, 'ListProducts', { brand: 'b1' })).toBe('06934567801012');
    expect(decodePageToken('', 'ListProducts', { brand: 'b1' })).toBeUndefined();
  });

  it('reject a token issued for another filter, or garbage', () => {
    const token = encodePageToken('x', 'ListProducts', { brand: 'b1' });
    expect(() => decodePageToken(token, 'ListProducts', { brand: 'b2' })).toThrow(InvalidArgumentError);
    expect(() => decodePageToken('%%%not-a-token', 'ListProducts', {})).toThrow(InvalidArgumentError);
  });

  it('reject a token of another listing with the same (empty) filter', () => {
    const token = encodePageToken('enterprise-1', 'ListEnterprises', {});
    const error = (() => {
      try {
        decodePageToken(token, 'ListBrands', {});
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).violations).toEqual([expect.objectContaining({ field: 'page_token', reason: 'PAGE_TOKEN_MISMATCH' })]);
  });

  it('default, cap and reject page sizes', () => {
    expect(pageSizeOf(0)).toBe(50);
    expect(pageSizeOf(10_000)).toBe(500);
    expect(() => pageSizeOf(-1)).toThrow(InvalidArgumentError);
  });
});
