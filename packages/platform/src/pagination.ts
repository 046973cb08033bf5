import { createHash } from 'node:crypto';
import { PageCursor } from '@pinzhi/contracts/pinzhi/common/v1/pagination';
import { InvalidArgumentError } from './errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** AIP-158 page size: 0 means the default; negative is an error; above the maximum is capped. */
export function pageSizeOf(requested: number, field = 'page_size'): number {
  if (!Number.isInteger(requested) || requested < 0) {
    throw new InvalidArgumentError('page_size must not be negative', [
      { field, description: 'must be 0 (default) or a positive number', reason: 'INVALID_PAGE_SIZE' },
    ]);
  }
  return requested === 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
}

/**
 * A fingerprint of the listing (e.g. the RPC name) and its filter, so a token is only valid
 * for the listing that issued it. The filter alone is not enough: two listings with empty
 * filters hash alike, and a ListEnterprises token would page through ListBrands.
 */
export function filterHash(listing: string, filter: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([listing, filter ?? null]))
    .digest('base64url')
    .slice(0, 16);
}

/** An opaque token: a base64url-encoded pinzhi.common.v1.PageCursor. `listing` names what is listed, e.g. 'ListBrands'. */
export function encodePageToken(after: string, listing: string, filter: unknown): string {
  return Buffer.from(PageCursor.encode({ after, filterHash: filterHash(listing, filter) }).finish()).toString('base64url');
}

/** The id to continue after, or undefined for the first page; rejects tokens of another listing or filter. */
export function decodePageToken(token: string, listing: string, filter: unknown, field = 'page_token'): string | undefined {
  if (token === '') return undefined;
  let cursor: PageCursor;
  try {
    cursor = PageCursor.decode(Buffer.from(token, 'base64url'));
  } catch (error) {
    throw new InvalidArgumentError('page_token is not valid', [{ field, description: 'not a token this server issued', reason: 'INVALID_PAGE_TOKEN' }], {
      cause: error,
    });
  }
  if (cursor.after === '' || cursor.filterHash !== filterHash(listing, filter)) {
    throw new InvalidArgumentError('page_token does not belong to this listing', [
      { field, description: 'the token was issued for a different listing or filter; start again without it', reason: 'PAGE_TOKEN_MISMATCH' },
    ]);
  }
  return cursor.after;
}

/**
 * Keyset tokens for lists sorted by a number, then id (a value, a date): the cursor is
 * `{number}:{id}`, bound to its listing and filter like any page token.
 */
export function encodeKeysetToken(key: number, id: string, listing: string, filter: unknown): string {
  return encodePageToken(`${key}:${id}`, listing, filter);
}

export function decodeKeysetToken(token: string, listing: string, filter: unknown, field = 'page_token'): { key: number; id: string } | undefined {
  const after = decodePageToken(token, listing, filter, field);
  if (after === undefined) return undefined;
  const [key, ...id] = after.split(':');
  if (!/^\d+$/.test(key ?? '') || id.length === 0) {
    throw new InvalidArgumentError('page_token is not valid', [{ field, description: 'not a token this server issued', reason: 'INVALID_PAGE_TOKEN' }]);
  }
  return { key: Number(key), id: id.join(':') };
}
