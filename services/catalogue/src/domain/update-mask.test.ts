import { describe, expect, it } from 'vitest';
import { applyUpdateMask } from './update-mask.js';

type Rec = { name: string; nameZh?: string; gtin: string };
const mutable = { display_name: 'name', display_name_zh: 'nameZh' } as const;

describe('applyUpdateMask', () => {
  const current: Rec = { name: 'Old', nameZh: '旧', gtin: '1' };
  const incoming: Rec = { name: 'New', gtin: '2' };

  it('copies only the masked fields and reports which changed', () => {
    const result = applyUpdateMask(current, incoming, ['display_name'], mutable);
    expect(result).toEqual({ ok: true, value: { updated: { name: 'New', nameZh: '旧', gtin: '1' }, changed: ['display_name'] } });
  });

  it('accepts camelCase paths and clears a field masked but absent', () => {
    const result = applyUpdateMask(current, incoming, ['displayNameZh'], mutable);
    expect(result).toEqual({ ok: true, value: { updated: { name: 'Old', gtin: '1' }, changed: ['display_name_zh'] } });
  });

  it('refuses immutable or unknown paths and an empty mask', () => {
    const refused = applyUpdateMask(current, incoming, ['gtin', 'display_name'], mutable);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.violations.map((v) => v.reason)).toEqual(['PATH_NOT_UPDATABLE']);
    expect(applyUpdateMask(current, incoming, [], mutable).ok).toBe(false);
  });

  it.each(['constructor', '__proto__'])("refuses the path '%s' that only the prototype has", (path) => {
    expect(applyUpdateMask(current, incoming, [path], mutable)).toEqual({
      ok: false,
      violations: [
        expect.objectContaining({ field: 'update_mask', reason: 'PATH_NOT_UPDATABLE', description: expect.stringContaining(`'${path}' cannot be updated`) }),
      ],
    });
  });

  it('quotes at most 64 characters of a refused path, never half an emoji', () => {
    const refused = applyUpdateMask(current, incoming, ['x'.repeat(70_000)], mutable);
    expect(!refused.ok && refused.violations[0]!.description).toMatch(/^'x{63}…' cannot be updated/);
    const astral = applyUpdateMask(current, incoming, [`${'x'.repeat(62)}👍👍`], mutable);
    expect(!astral.ok && astral.violations[0]!.description).toMatch(/^'x{62}…' cannot be updated/);
  });
});
