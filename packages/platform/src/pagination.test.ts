import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { decodePageToken, encodePageToken, pageSizeOf } from './pagination.js';

describe('page tokens', () => {
  it('round-trip the position for the same filter', () => {
    const token = encodePageToken('06934567801012', { brand: 'b1' });
    expect(decodePageToken(token, { brand: 'b1' })).toBe('06934567801012');
    expect(decodePageToken('', { brand: 'b1' })).toBeUndefined();
  });

  it('reject a token issued for another filter, or garbage', () => {
    const token = encodePageToken('x', { brand: 'b1' });
    expect(() => decodePageToken(token, { brand: 'b2' })).toThrow(InvalidArgumentError);
    expect(() => decodePageToken('%%%not-a-token', {})).toThrow(InvalidArgumentError);
  });

  it('default, cap and reject page sizes', () => {
    expect(pageSizeOf(0)).toBe(50);
    expect(pageSizeOf(10_000)).toBe(500);
    expect(() => pageSizeOf(-1)).toThrow(InvalidArgumentError);
  });
});
