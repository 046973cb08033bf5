import { describe, expect, it } from 'vitest';
import { readValue } from './measured-value.js';
import { compareLevels, requirementsOf } from './requirements.js';
import { checkSameQuality, effectiveRequirements, type LabReport } from './same-quality-check.js';
import { conformity, graded, indicator, same } from './test-standards.js';

const C = (l: object) => ({ CONFORMING: l });
const domesticStandard = graded('GB/T 1-2020', [
  indicator('formaldehyde', 'lower-is-better', 'mg/kg', same({ max: 20 })),
  indicator('ph', 'within-range', 'pH', same({ min: 4.0, max: 7.5 })),
  indicator('colour-fastness-water', 'higher-is-better', 'grade (1–5)', same({ min: 3 })),
  indicator('odour', 'pass-fail', '', same({ pass: true })),
  indicator('fat-content', 'lower-is-better', '%', same({ max: 1.2 })),
]);
const exportStandard = conformity('EN 1:2001', [
  indicator('formaldehyde', 'lower-is-better', 'mg/kg', C({ max: 30 })),
  indicator('ph', 'within-range', 'pH', C({ min: 4.5, max: 7.0 })),
  indicator('colour-fastness-water', 'higher-is-better', 'grade (1–5)', C({ min: 3.5 })),
  indicator('odour', 'pass-fail', '', C({ pass: true })),
]);

function sides() {
  const levels = compareLevels([domesticStandard], [exportStandard], {});
  if (!levels.ok) throw new Error('levels');
  return { domestic: requirementsOf(levels.domestic), export: requirementsOf(levels.export) };
}

function report(number: string, values: Record<string, string | [string, number]>): LabReport {
  return {
    laboratoryCnasNumber: 'CNAS L99501',
    reportNumber: number,
    sampleId: `S-${number}`,
    testedOn: '2026-10-01',
    measurements: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? { value: v[0], uncertainty: v[1] } : { value: v }])),
  };
}

const good = { formaldehyde: '15', ph: '6.0', 'colour-fastness-water': '4', odour: 'pass', 'fat-content': '0.8' };

describe('same quality: domestic results against the stricter limit', () => {
  it('holds each result to the stricter of the two limits per indicator', () => {
    const effective = effectiveRequirements(sides().domestic, sides().export);
    expect(effective.map((r) => [r.indicatorId, r.min, r.max, r.pass])).toEqual([
      ['formaldehyde', undefined, 20, undefined],
      ['ph', 4.5, 7.0, undefined],
      ['colour-fastness-water', 3.5, undefined, undefined],
      ['odour', undefined, undefined, true],
      ['fat-content', undefined, 1.2, undefined],
    ]);
  });

  it('passes a report that meets every stricter limit', () => {
    const outcome = checkSameQuality({ ...sides(), domesticReports: [report('R1', good)], exportReports: [], decisionRule: 'simple' });
    expect(outcome.passed, JSON.stringify(outcome.items.filter((i) => !i.passed))).toBe(true);
    expect(outcome.items).toHaveLength(5);
  });

  it('fails a result that meets the domestic limit but not the export one (pH 7.2: inside 4.0–7.5, outside 4.5–7.0)', () => {
    const outcome = checkSameQuality({ ...sides(), domesticReports: [report('R1', { ...good, ph: '7.2' })], exportReports: [], decisionRule: 'simple' });
    const gaps = outcome.items.filter((i) => !i.passed);
    expect(gaps).toEqual([expect.objectContaining({ subject: 'R1#ph', gap: 'LIMIT_NOT_MET', field: 'domestic_reports[0].measurements' })]);
  });

  it('reads colour-fastness half grades: 3-4 meets min 3.5, 3 does not', () => {
    expect(readValue('3-4', 'grade')).toBe(3.5);
    expect(
      checkSameQuality({ ...sides(), domesticReports: [report('R1', { ...good, 'colour-fastness-water': '3-4' })], exportReports: [], decisionRule: 'simple' })
        .passed,
    ).toBe(true);
    expect(
      checkSameQuality({ ...sides(), domesticReports: [report('R1', { ...good, 'colour-fastness-water': '3' })], exportReports: [], decisionRule: 'simple' })
        .passed,
    ).toBe(false);
  });

  it('guarded acceptance moves the value by U towards failing; simple does not', () => {
    const borderline = report('R1', { ...good, formaldehyde: ['18', 3] });
    expect(checkSameQuality({ ...sides(), domesticReports: [borderline], exportReports: [], decisionRule: 'simple' }).passed).toBe(true);
    const guarded = checkSameQuality({ ...sides(), domesticReports: [borderline], exportReports: [], decisionRule: 'guarded' });
    expect(guarded.items.find((i) => !i.passed)).toMatchObject({ subject: 'R1#formaldehyde', gap: 'LIMIT_NOT_MET' });
    expect(guarded.items.find((i) => !i.passed)!.explanation).toContain('guarded 21');
  });

  it('requires every export indicator in every domestic report, but not the domestic-only ones', () => {
    const { formaldehyde: _f, 'fat-content': _fat, ...rest } = good;
    const outcome = checkSameQuality({ ...sides(), domesticReports: [report('R1', rest)], exportReports: [], decisionRule: 'simple' });
    expect(outcome.items.filter((i) => !i.passed).map((i) => [i.subject, i.gap])).toEqual([['R1#formaldehyde', 'RESULT_MISSING']]);
  });

  it('names an unreadable value and a failed verdict', () => {
    const outcome = checkSameQuality({
      ...sides(),
      domesticReports: [report('R1', { ...good, ph: 'neutral', odour: 'fail' })],
      exportReports: [],
      decisionRule: 'simple',
    });
    expect(outcome.items.filter((i) => !i.passed).map((i) => i.gap)).toEqual(['RESULT_UNREADABLE', 'LIMIT_NOT_MET']);
  });

  it('without domestic evidence, fails', () => {
    expect(checkSameQuality({ ...sides(), domesticReports: [], exportReports: [], decisionRule: 'simple' }).items[0]).toMatchObject({
      gap: 'NO_DOMESTIC_EVIDENCE',
    });
  });
});

describe('same quality: domestic batches not systematically worse than export batches', () => {
  const check = (domestic: LabReport[], exported: LabReport[]) =>
    checkSameQuality({ ...sides(), domesticReports: domestic, exportReports: exported, decisionRule: 'simple' });

  it('is a gap when every domestic result is worse by more than the combined uncertainty', () => {
    const outcome = check(
      [report('D1', { ...good, formaldehyde: ['16', 1] }), report('D2', { ...good, formaldehyde: ['17', 1] })],
      [report('E1', { ...good, formaldehyde: ['10', 1] })],
    );
    const worse = outcome.items.find((i) => i.gap === 'SYSTEMATICALLY_WORSE');
    expect(worse).toMatchObject({ subject: 'formaldehyde', field: 'export_reports' });
    expect(worse!.explanation).toContain('domestic mean 16.5');
  });

  it('is no gap within the stated uncertainty', () => {
    const outcome = check([report('D1', { ...good, formaldehyde: ['16', 3] })], [report('E1', { ...good, formaldehyde: ['14', 2] })]);
    expect(outcome.passed).toBe(true);
    expect(outcome.items.find((i) => i.subject === 'formaldehyde')!.explanation).toContain('within the combined uncertainty');
  });

  it('is no gap when the batches overlap (not every domestic result is worse)', () => {
    const outcome = check(
      [report('D1', { ...good, formaldehyde: '16' }), report('D2', { ...good, formaldehyde: '9' })],
      [report('E1', { ...good, formaldehyde: '10' })],
    );
    expect(outcome.passed).toBe(true);
  });

  it('reads "worse" by direction: lower fastness, pH further from the middle of the range', () => {
    const fastness = check([report('D1', { ...good, 'colour-fastness-water': '4' })], [report('E1', { ...good, 'colour-fastness-water': '5' })]);
    expect(fastness.items.find((i) => i.subject === 'colour-fastness-water')).toMatchObject({ gap: 'SYSTEMATICALLY_WORSE' });
    const ph = check([report('D1', { ...good, ph: '5.75' })], [report('E1', { ...good, ph: '6.9' })]);
    // Range 4.5–7.0 (stricter): middle 5.75; domestic sits on it, export near the edge.
    expect(ph.passed).toBe(true);
  });
});
