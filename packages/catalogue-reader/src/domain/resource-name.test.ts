import { describe, expect, it } from 'vitest';
import { formatResourceName, parseResourceName } from './resource-name.js';

describe('formatResourceName', () => {
  it('URL-encodes the id so a standard number stays one path segment', () => {
    expect(formatResourceName('standards', 'GB/T 14272-2021')).toBe('standards/GB%2FT%2014272-2021');
    expect(formatResourceName('products', '06934567801012')).toBe('products/06934567801012');
  });
});

describe('parseResourceName', () => {
  it('gives back the decoded id of a formatted name', () => {
    expect(parseResourceName('standards', 'standards/GB%2FT%2014272-2021', 'name')).toEqual({ ok: true, value: 'GB/T 14272-2021' });
    expect(parseResourceName('grades', formatResourceName('grades', 'g-42'), 'name')).toEqual({ ok: true, value: 'g-42' });
  });

  it.each([
    ['another collection', 'brands/anta'],
    ['no id', 'grades/'],
    ['no collection', 'g-42'],
    ['an empty name', ''],
  ])('refuses %s with a violation on the field', (_what, name) => {
    expect(parseResourceName('grades', name, 'grade')).toEqual({
      ok: false,
      violations: [{ field: 'grade', reason: 'INVALID_RESOURCE_NAME', description: `expected a resource name like 'grades/{id}', got '${name}'` }],
    });
  });

  it('quotes at most 32 characters of a long name', () => {
    const parsed = parseResourceName('grades', `brands/${'x'.repeat(70_000)}`, 'grade');
    expect(parsed).toMatchObject({ ok: false, violations: [{ field: 'grade', reason: 'INVALID_RESOURCE_NAME' }] });
    const description = parsed.ok ? '' : parsed.violations[0]!.description;
    expect(description).toBe(`expected a resource name like 'grades/{id}', got 'brands/${'x'.repeat(25)}…'`);
  });

  it('answers a malformed percent-escape with a violation, not a URIError', () => {
    const parsed = parseResourceName('grades', 'grades/%E0%A4%A', 'name');
    expect(parsed).toMatchObject({ ok: false, violations: [{ field: 'name', reason: 'INVALID_RESOURCE_NAME' }] });
    expect(parsed.ok || parsed.violations[0]!.description).toContain('not valid URL encoding');
  });
});
