import { violation, type Result } from './violation.js';

/**
 * `collection/{id}` (AIP-122), e.g. `products/06934567801012`. Ids are URL-encoded, since
 * standard numbers hold `/`, spaces and colons: `standards/GB%2FT%2014272-2021`.
 */
export function formatResourceName(collection: string, id: string): string {
  return `${collection}/${encodeURIComponent(id)}`;
}

/**
 * The id inside a `collection/{id}` name, or a violation naming the field. A malformed
 * percent-escape is the caller's mistake like any other bad name, so it comes back as a
 * violation rather than the URIError decodeURIComponent throws.
 */
export function parseResourceName(collection: string, name: string, field: string): Result<string> {
  const prefix = `${collection}/`;
  const expected = `expected a resource name like '${prefix}{id}', got '${quoted(name)}'`;
  if (!name.startsWith(prefix) || name.length === prefix.length) {
    return { ok: false, violations: [violation(field, 'INVALID_RESOURCE_NAME', expected)] };
  }
  try {
    return { ok: true, value: decodeURIComponent(name.slice(prefix.length)) };
  } catch {
    return { ok: false, violations: [violation(field, 'INVALID_RESOURCE_NAME', `${expected}: the id is not valid URL encoding`)] };
  }
}

/** Quoted input stops at 32 characters: the whole of a 70 000-character name made the error too large to deliver. */
const QUOTED_CHARS = 32;

function quoted(name: string): string {
  if (name.length <= QUOTED_CHARS) return name;
  const cut = /[\uD800-\uDBFF]/.test(name[QUOTED_CHARS - 1]!) ? QUOTED_CHARS - 1 : QUOTED_CHARS;
  return `${name.slice(0, cut)}…`;
}
