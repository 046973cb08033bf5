import { describe, expect, it } from 'vitest';
import { compareLevels, requirementsOf } from './requirements.js';
import { checkSameStandard, compareIndicator } from './same-standard-check.js';
import { conformity, graded, indicator, same } from './test-standards.js';

const C = (l: object) => ({ CONFORMING: l });

/** Domestic standard (graded, compared at QUALIFIED) against an export conformity standard, one indicator each. */
function compare(domestic: ReturnType<typeof indicator> | undefined, exported: ReturnType<typeof indicator>) {
  const d = graded('GB/T 1-2020', domestic ? [domestic] : [indicator('other', 'lower-is-better', 'mg/kg', same({ max: 1 }))]);
  const e = conformity('EN 1:2001', [exported]);
  const levels = compareLevels([d], [e], {});
  if (!levels.ok) throw new Error('levels');
  return checkSameStandard({
    category: 'apparel',
    domestic: { standards: levels.domestic, appliedByProduct: [d.code] },
    export: { standards: levels.export, appliedByProduct: [e.code] },
  });
}

describe('same standard, the issue’s hand-made pairs', () => {
  it('formaldehyde: domestic max 100 vs export max 30 is a gap', () => {
    const outcome = compare(
      indicator('formaldehyde', 'lower-is-better', 'mg/kg', same({ max: 100 })),
      indicator('formaldehyde', 'lower-is-better', 'mg/kg', C({ max: 30 })),
    );
    expect(outcome.passed).toBe(false);
    expect(outcome.items).toHaveLength(1);
    expect(outcome.items[0]).toMatchObject({ subject: 'formaldehyde', passed: false, gap: 'DOMESTIC_LIMIT_LOOSER', field: 'domestic_standard_codes' });
    expect(outcome.items[0]!.explanation).toContain('max 100 mg/kg');
    expect(outcome.items[0]!.explanation).toContain('max 30 mg/kg');
  });

  it('pH: domestic 4.5–7.0 inside export 4.0–7.5 is no gap', () => {
    const outcome = compare(
      indicator('ph', 'within-range', 'pH', same({ min: 4.5, max: 7.0 })),
      indicator('ph', 'within-range', 'pH', C({ min: 4.0, max: 7.5 })),
    );
    expect(outcome.passed).toBe(true);
    expect(outcome.items[0]!.explanation).toContain('inside');
  });

  it('pH: domestic 4.0–9.0 against export 4.0–7.5 is a gap', () => {
    const outcome = compare(
      indicator('ph', 'within-range', 'pH', same({ min: 4.0, max: 9.0 })),
      indicator('ph', 'within-range', 'pH', C({ min: 4.0, max: 7.5 })),
    );
    expect(outcome.items[0]).toMatchObject({ passed: false, gap: 'RANGE_NOT_CONTAINED' });
  });

  it('an indicator the domestic standard lacks is a gap', () => {
    const outcome = compare(undefined, indicator('nickel-release', 'lower-is-better', 'µg/cm²/week', C({ max: 0.5 })));
    expect(outcome.items[0]).toMatchObject({ subject: 'nickel-release', passed: false, gap: 'INDICATOR_MISSING' });
  });

  it('higher-is-better colour fastness: domestic 3 against export 4 is a gap', () => {
    const outcome = compare(
      indicator('colour-fastness-water', 'higher-is-better', 'grade (1–5)', same({ min: 3 })),
      indicator('colour-fastness-water', 'higher-is-better', 'grade (1–5)', C({ min: 4 })),
    );
    expect(outcome.items[0]).toMatchObject({ passed: false, gap: 'DOMESTIC_LIMIT_LOOSER' });
  });

  it('higher-is-better: domestic 4 against export 3-4 is no gap', () => {
    const outcome = compare(
      indicator('colour-fastness-water', 'higher-is-better', 'grade (1–5)', same({ min: 4 })),
      indicator('colour-fastness-water', 'higher-is-better', 'grade (1–5)', C({ min: 3.5 })),
    );
    expect(outcome.passed).toBe(true);
  });
});

describe('same standard, the other rules', () => {
  it('units must agree; the gap says so instead of converting', () => {
    const outcome = compare(
      indicator('formaldehyde', 'lower-is-better', 'mg/kg', same({ max: 20 })),
      indicator('formaldehyde', 'lower-is-better', 'ppm', C({ max: 30 })),
    );
    expect(outcome.items[0]).toMatchObject({ passed: false, gap: 'UNIT_MISMATCH' });
    expect(outcome.items[0]!.explanation).toContain('mg/kg');
    expect(outcome.items[0]!.explanation).toContain('ppm');
  });

  it('spacing and case of a unit do not make it another unit', () => {
    const outcome = compare(
      indicator('oxygen-number', 'lower-is-better', 'mg/100 g', same({ max: 5.6 })),
      indicator('oxygen-number', 'lower-is-better', 'MG/100g', C({ max: 20 })),
    );
    expect(outcome.passed).toBe(true);
  });

  it('pass/fail: an export "must pass" needs a domestic "must pass"', () => {
    const domesticPass = indicator('odour', 'pass-fail', '', same({ pass: true }));
    const exportPass = indicator('odour', 'pass-fail', '', C({ pass: true }));
    expect(compare(domesticPass, exportPass).passed).toBe(true);
    const notAsked = indicator('odour', 'pass-fail', '', { SUPERIOR: { pass: true }, FIRST: { pass: true }, QUALIFIED: { notRequired: true } });
    expect(compare(notAsked, exportPass).items[0]).toMatchObject({ gap: 'INDICATOR_MISSING' });
  });

  it('another direction is a gap', () => {
    const outcome = compare(
      indicator('turbidity', 'lower-is-better', 'mm', same({ max: 500 })),
      indicator('turbidity', 'higher-is-better', 'mm', C({ min: 300 })),
    );
    expect(outcome.items[0]).toMatchObject({ gap: 'DIRECTION_MISMATCH' });
  });

  it('indicators only the domestic standard sets are not compared (stricter is allowed)', () => {
    const d = graded('GB/T 1-2020', [
      indicator('formaldehyde', 'lower-is-better', 'mg/kg', same({ max: 20 })),
      indicator('fat-content', 'lower-is-better', '%', same({ max: 1.2 })),
    ]);
    const e = conformity('EN 1:2001', [indicator('formaldehyde', 'lower-is-better', 'mg/kg', C({ max: 30 }))]);
    const levels = compareLevels([d], [e], {});
    if (!levels.ok) throw new Error('levels');
    const outcome = checkSameStandard({
      category: 'apparel',
      domestic: { standards: levels.domestic, appliedByProduct: [d.code] },
      export: { standards: levels.export, appliedByProduct: [e.code] },
    });
    expect(outcome.items.map((i) => i.subject)).toEqual(['formaldehyde']);
    expect(outcome.passed).toBe(true);
  });

  it('a standard the product is not registered under is a gap', () => {
    const d = graded('GB/T 1-2020', [indicator('formaldehyde', 'lower-is-better', 'mg/kg', same({ max: 20 }))]);
    const e = conformity('EN 1:2001', [indicator('formaldehyde', 'lower-is-better', 'mg/kg', C({ max: 30 }))]);
    const levels = compareLevels([d], [e], {});
    if (!levels.ok) throw new Error('levels');
    const outcome = checkSameStandard({
      category: 'apparel',
      domestic: { standards: levels.domestic, appliedByProduct: ['GB 18401-2010'] },
      export: { standards: levels.export, appliedByProduct: [e.code] },
    });
    expect(outcome.items[0]).toMatchObject({ subject: 'GB/T 1-2020', gap: 'STANDARD_NOT_APPLIED', field: 'domestic_standard_codes[0]' });
  });
});

describe('the level compared', () => {
  const d = graded('GB/T 1-2020', [
    indicator('formaldehyde', 'lower-is-better', 'mg/kg', { SUPERIOR: { max: 20 }, FIRST: { max: 30 }, QUALIFIED: { max: 75 } }),
  ]);
  const e = conformity('EN 1:2001', [indicator('formaldehyde', 'lower-is-better', 'mg/kg', C({ max: 30 }))]);

  it('defaults to the lowest domestic level, and a claimed level compares that level’s limits', () => {
    const lowest = compareLevels([d], [e], {});
    const first = compareLevels([d], [e], { claimedLevel: 'FIRST' });
    if (!lowest.ok || !first.ok) throw new Error('levels');
    expect(lowest.domestic[0]!.level).toBe('QUALIFIED');
    expect(first.domestic[0]!.level).toBe('FIRST');
    expect(compareIndicator(requirementsOf(lowest.export).get('formaldehyde')!, requirementsOf(lowest.domestic).get('formaldehyde')).gap).toBe(
      'DOMESTIC_LIMIT_LOOSER',
    );
    expect(compareIndicator(requirementsOf(first.export).get('formaldehyde')!, requirementsOf(first.domestic).get('formaldehyde')).passed).toBe(true);
  });

  it('refuses a claimed level no domestic grading standard has', () => {
    const outcome = compareLevels([d], [e], { claimedLevel: 'GOLD' });
    expect(outcome.ok).toBe(false);
  });

  it('compares a safety gate at the category the target group needs, as the grading standard maps it', () => {
    const gate = {
      ...graded('GB 18401-2010', [indicator('formaldehyde', 'lower-is-better', 'mg/kg', { A: { max: 20 }, B: { max: 75 }, C: { max: 300 } })]),
      purpose: 'safety-gate' as const,
      gradeLevels: ['A', 'B', 'C'],
    };
    const gated = { ...d, safetyGate: { standardCode: 'GB 18401-2010', categoryByTargetGroup: { infant: 'A', 'skin-contact': 'B', other: 'C' } } };
    const infant = compareLevels([gated, gate], [e], { domesticTargetGroup: 'infant' });
    const other = compareLevels([gate], [e], { domesticTargetGroup: 'other' });
    if (!infant.ok || !other.ok) throw new Error('levels');
    expect(infant.domestic.map((l) => l.level)).toEqual(['QUALIFIED', 'A']);
    expect(other.domestic[0]!.level).toBe('C');
    // Two domestic standards combine into the stricter: max 20 (GB 18401 A) beats 75 (QUALIFIED).
    expect(requirementsOf(infant.domestic).get('formaldehyde')).toMatchObject({ max: 20, sources: ['GB/T 1-2020 QUALIFIED', 'GB 18401-2010 A'] });
  });
});
