import { describe, expect, it } from 'vitest';
import {
  measurementScaleOf,
  parseColourFastnessGrade,
  parseMeasurement,
  parsePassFail,
  readMeasurement,
  type MeasuredValue,
  type MeasurementScale,
} from './measurement.js';
import { loadSeededStandards } from './test-standards.js';

const FIELD = 'report.measurements.x.value';

function reasonOf(raw: MeasuredValue, scale: MeasurementScale): string | undefined {
  const parsed = parseMeasurement(raw, scale, FIELD);
  return parsed.ok ? undefined : parsed.violations.map((v) => v.reason).join();
}

describe('colour-fastness grades', () => {
  it.each([
    ['3-4', 3.5],
    ['4-5', 4.5],
    ['1-2', 1.5],
    ['3–4', 3.5], // en dash, as typeset in many reports
    [' 3 - 4 ', 3.5],
    ['3.5', 3.5],
    ['4', 4],
    [4, 4],
    [2.5, 2.5],
    ['5', 5],
    [1, 1],
  ] as const)('reads %j as %d', (raw, expected) => {
    expect(parseColourFastnessGrade(raw, FIELD)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['3-5', 'INVALID_GRADE'], // the two sides of a half step are adjacent grades
    ['4-3', 'INVALID_GRADE'],
    ['3.2', 'INVALID_GRADE'],
    [3.25, 'INVALID_GRADE'],
    ['good', 'INVALID_GRADE'],
    ['', 'INVALID_GRADE'],
    [0.5, 'OUT_OF_RANGE'],
    ['0', 'OUT_OF_RANGE'],
    [5.5, 'OUT_OF_RANGE'],
    ['6', 'OUT_OF_RANGE'],
    [Number.NaN, 'INVALID_GRADE'],
    [Number.POSITIVE_INFINITY, 'INVALID_GRADE'],
  ] as const)('rejects %j as %s', (raw, reason) => {
    const parsed = parseColourFastnessGrade(raw, FIELD);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.violations).toEqual([{ field: FIELD, reason, description: expect.any(String) }]);
  });

  it('rejects a pass/fail verdict where a grade is due', () => {
    expect(reasonOf(true, 'grade')).toBe('NOT_A_NUMBER');
  });
});

describe('pass/fail verdicts', () => {
  it.each([
    ['pass', true],
    ['PASS', true],
    [' fail ', false],
    [true, true],
    [false, false],
  ] as const)('reads %j as %s', (raw, expected) => {
    expect(parsePassFail(raw, FIELD)).toEqual({ ok: true, value: expected });
  });

  it.each(['yes', '合格', '', 1, 0] as const)('rejects %j', (raw) => {
    expect(reasonOf(raw, 'pass-fail')).toBe('NOT_PASS_FAIL');
  });

  it('reads pass as 1 and fail as 0 for the engine', () => {
    expect(readMeasurement('pass', 'pass-fail')).toBe(1);
    expect(readMeasurement(false, 'pass-fail')).toBe(0);
  });
});

describe('measured numbers', () => {
  it('reads numbers and decimal text', () => {
    expect(parseMeasurement(80, 'non-negative', FIELD)).toEqual({ ok: true, value: 80 });
    expect(parseMeasurement('80.5', 'non-negative', FIELD)).toEqual({ ok: true, value: 80.5 });
    expect(parseMeasurement('-3.0', 'real', FIELD)).toEqual({ ok: true, value: -3 });
    expect(parseMeasurement(0, 'non-negative', FIELD)).toEqual({ ok: true, value: 0 });
  });

  it('rejects a negative concentration but not a negative deviation', () => {
    expect(reasonOf(-1, 'non-negative')).toBe('OUT_OF_RANGE');
    expect(reasonOf('-0.5', 'non-negative')).toBe('OUT_OF_RANGE');
    expect(reasonOf(-5, 'real')).toBeUndefined();
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, '', ' ', '0x10', '12 mg', '<10', true] as const)('rejects %j', (raw) => {
    expect(reasonOf(raw, 'real')).toBe('NOT_A_NUMBER');
    expect(readMeasurement(raw, 'real')).toBeNaN();
  });
});

describe('measurementScaleOf', () => {
  const { gb18401, downGarments } = loadSeededStandards();
  const scaleOf = (id: string): MeasurementScale => {
    const found = [...gb18401.indicators, ...downGarments.indicators].find((i) => i.id === id);
    if (found === undefined) throw new Error(`no seeded indicator ${id}`);
    return measurementScaleOf(found);
  };

  it('reads the seeded indicators on the scale their unit implies', () => {
    expect(scaleOf('colour-fastness-water')).toBe('grade');
    expect(scaleOf('colour-fastness-saliva')).toBe('grade');
    expect(scaleOf('formaldehyde')).toBe('non-negative'); // mg/kg
    expect(scaleOf('down-cluster-content')).toBe('non-negative'); // %
    expect(scaleOf('fill-weight-deviation')).toBe('real'); // % of declared may be negative
    expect(scaleOf('ph')).toBe('real');
    expect(scaleOf('odour')).toBe('pass-fail');
  });

  it('knows a colour-fastness indicator by its id when the unit is loose', () => {
    expect(measurementScaleOf({ id: 'colour-fastness-light', unit: 'level', direction: 'higher-is-better' })).toBe('grade');
  });
});
