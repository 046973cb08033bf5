import { violation, type Result } from '@pinzhi/catalogue-reader/model';

/**
 * `displayNameZh` → `display_name_zh`; clients may send either spelling. Upper-case words
 * such as grade levels (`limits.SUPERIOR`) are left alone.
 */
export function snakeCase(path: string): string {
  return path.replace(/([a-z0-9])([A-Z])/g, (_, before: string, upper: string) => `${before}_${upper.toLowerCase()}`);
}

/**
 * Copies the masked fields from `incoming` onto `current` (AIP-134). `mutable` maps each
 * updatable API path to the record key it sets; any other path (unknown, output-only or
 * immutable) is refused, and so is an empty mask, so a client never changes a field by accident.
 */
export function applyUpdateMask<R extends object>(
  current: R,
  incoming: R,
  paths: readonly string[],
  mutable: Readonly<Record<string, keyof R>>,
  field = 'update_mask',
): Result<{ updated: R; changed: string[] }> {
  if (paths.length === 0) {
    return { ok: false, violations: [violation(field, 'REQUIRED', `name the fields to change: ${Object.keys(mutable).join(', ')}`)] };
  }
  const normalised = [...new Set(paths.map(snakeCase))];
  // Own keys only: `p in mutable` let 'constructor' and '__proto__' through (Object.prototype
  // has them) and the update silently did nothing.
  const refused = normalised.filter((p) => !Object.hasOwn(mutable, p));
  if (refused.length > 0) {
    return {
      ok: false,
      violations: refused.map((p) => violation(field, 'PATH_NOT_UPDATABLE', `'${quoted(p)}' cannot be updated; updatable: ${Object.keys(mutable).join(', ')}`)),
    };
  }
  const updated = { ...current };
  const changed: string[] = [];
  for (const path of normalised) {
    const key = mutable[path]!;
    if (JSON.stringify(current[key]) !== JSON.stringify(incoming[key])) changed.push(path);
    if (incoming[key] === undefined) delete updated[key];
    else updated[key] = incoming[key];
  }
  return { ok: true, value: { updated, changed } };
}

/**
 * A path as quoted back: at most 64 characters, since the whole violation travels in the
 * status; never cut inside a surrogate pair (half an emoji cannot be sent as grpc-message).
 */
function quoted(path: string): string {
  if (path.length <= 64) return path;
  const cut = /[\uD800-\uDBFF]/.test(path[62]!) ? 62 : 63;
  return `${path.slice(0, cut)}…`;
}
