import { describe, expect, it } from 'vitest';
import { PortalLookups } from './lookups.js';

describe('the search box', () => {
  it('sends each kind of query where it belongs', () => {
    expect(PortalLookups.searchTarget(' 6934567801036 ')).toBe('/01/06934567801036');
    expect(PortalLookups.searchTarget('pz-g-2026-ce0a9d10bc2da8f664902b62')).toBe('/certificates/PZ-G-2026-CE0A9D10BC2DA8F664902B62');
    expect(PortalLookups.searchTarget('PZ-SC-2026-chengyu-coat-eu')).toBe('/certificates/PZ-SC-2026-chengyu-coat-eu');
    expect(PortalLookups.searchTarget('91320500ma1n7d4b8t')).toBe('/same-line?enterprise=91320500MA1N7D4B8T');
    expect(PortalLookups.searchTarget('澄羽')).toBe(`/brands?q=${encodeURIComponent('澄羽')}`);
  });

  it('refuses an empty, overlong or wrong-check-digit query with the field named', () => {
    for (const query of ['', 'x'.repeat(101), '6934567801037']) {
      expect(() => PortalLookups.searchTarget(query)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});
