/**
 * Lab values as test reports write them, read into what the limits compare against.
 *
 * Reading is split in two so the grading hot path stays allocation-free: `readMeasurement`
 * returns a plain number (NaN when the value is unusable) and only the rare failure goes
 * through `parseMeasurement`, which says what is wrong. Both share one set of rules, so the
 * fast path can never accept what the explaining path would refuse.
 */
import { violation, type Indicator, type Result, type Violation } from '@pinzhi/catalogue-reader/model';

/** A value as the lab reported it: a number, a text such as `3-4` or `pass`, or a boolean verdict. */
export type MeasuredValue = number | string | boolean;

/**
 * How an indicator's values are read:
 * - `pass-fail`: a verdict (`pass`/`fail`, or a boolean);
 * - `grade`: a grey-scale grade in half steps on 1–5, written `3-4` for 3.5;
 * - `non-negative`: a quantity that cannot be below zero (a concentration in mg/kg or %);
 * - `real`: any finite number (a deviation such as fill weight −3 % of declared may be negative).
 */
export type MeasurementScale = 'pass-fail' | 'grade' | 'non-negative' | 'real';

export const GRADE_MIN = 1;
export const GRADE_MAX = 5;

/**
 * Units whose values are amounts of a substance. Only the exact unit counts: `% of declared`
 * is a deviation and may well be negative.
 */
const NON_NEGATIVE_UNITS: ReadonlySet<string> = new Set(['mg/kg', '%']);

// Standards print grades as `3-4`; Chinese typesetting often uses an en dash or a full-width hyphen.
const HALF_GRADE = /^\s*([1-4])\s*[-–－]\s*([2-5])\s*$/;
// Stricter than Number(): '' and '0x10' would otherwise read as 0 and 16.
const DECIMAL = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** The scale an indicator's values are read on, decided by its direction, unit and id. */
export function measurementScaleOf(indicator: Pick<Indicator, 'id' | 'unit' | 'direction'>): MeasurementScale {
  if (indicator.direction === 'pass-fail') return 'pass-fail';
  // Catalogue units read `grade (1–5)`; the id prefix catches a standard that left the unit loose.
  if (/^grade\b/i.test(indicator.unit) || indicator.id.startsWith('colour-fastness')) return 'grade';
  if (NON_NEGATIVE_UNITS.has(indicator.unit.trim())) return 'non-negative';
  return 'real';
}

/**
 * The number a limit is compared with: the value itself, a grade (`3-4` → 3.5), or 1/0 for
 * pass/fail. NaN when the value is unusable on this scale; `parseMeasurement` says why.
 */
export function readMeasurement(raw: MeasuredValue, scale: MeasurementScale): number {
  if (scale === 'pass-fail') return readPassFail(raw);
  let value: number;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string') value = scale === 'grade' ? readGradeText(raw) : readDecimal(raw);
  else return Number.NaN;
  if (!Number.isFinite(value)) return Number.NaN;
  switch (scale) {
    case 'grade':
      return isHalfStepGrade(value) ? value : Number.NaN;
    case 'non-negative':
      return value >= 0 ? value : Number.NaN;
    case 'real':
      return value;
  }
}

/** The value on its scale (a number, or a boolean for pass/fail), or why it cannot be used. */
export function parseMeasurement(raw: MeasuredValue, scale: MeasurementScale, field: string): Result<number | boolean> {
  const value = readMeasurement(raw, scale);
  if (!Number.isNaN(value)) return { ok: true, value: scale === 'pass-fail' ? value === 1 : value };
  return { ok: false, violations: [explainUnreadable(raw, scale, field)] };
}

/** A grey-scale grade: `3-4` (3.5), `3.5`, `4` or the number itself, in half steps on 1–5. */
export function parseColourFastnessGrade(raw: number | string, field: string): Result<number> {
  return narrow(parseMeasurement(raw, 'grade', field));
}

/** `pass`/`fail` in any case, or a boolean. */
export function parsePassFail(raw: MeasuredValue, field: string): Result<boolean> {
  const parsed = parseMeasurement(raw, 'pass-fail', field);
  return parsed.ok ? { ok: true, value: parsed.value === true } : parsed;
}

function narrow(parsed: Result<number | boolean>): Result<number> {
  if (!parsed.ok) return parsed;
  return { ok: true, value: Number(parsed.value) };
}

function readPassFail(raw: MeasuredValue): number {
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw !== 'string') return Number.NaN;
  const word = raw.trim().toLowerCase();
  if (word === 'pass') return 1;
  if (word === 'fail') return 0;
  return Number.NaN;
}

function readDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : Number.NaN;
}

function readGradeText(text: string): number {
  const range = HALF_GRADE.exec(text);
  if (range === null) return readDecimal(text);
  const low = Number(range[1]);
  // `3-5` is not a grade: the two sides of a half step are adjacent whole grades.
  return Number(range[2]) === low + 1 ? low + 0.5 : Number.NaN;
}

function isHalfStepGrade(value: number): boolean {
  return value >= GRADE_MIN && value <= GRADE_MAX && Number.isInteger(value * 2);
}

function explainUnreadable(raw: MeasuredValue, scale: MeasurementScale, field: string): Violation {
  const shown = typeof raw === 'string' ? `'${raw}'` : String(raw);
  if (scale === 'pass-fail') {
    return violation(field, 'NOT_PASS_FAIL', `${shown} is not a pass/fail verdict; expected 'pass', 'fail' or a boolean`);
  }
  if (typeof raw === 'boolean') {
    return violation(field, 'NOT_A_NUMBER', `a pass/fail verdict (${shown}) cannot stand for a measured number`);
  }
  if (scale === 'grade') {
    const value = typeof raw === 'number' ? raw : readGradeText(raw);
    if (typeof raw === 'string' && HALF_GRADE.test(raw)) {
      return violation(field, 'INVALID_GRADE', `${shown} is not a half step: write adjacent grades such as 3-4`);
    }
    if (Number.isNaN(value) || !Number.isFinite(value)) {
      return violation(field, 'INVALID_GRADE', `${shown} is not a colour-fastness grade; expected e.g. 4, 3.5 or 3-4`);
    }
    if (value < GRADE_MIN || value > GRADE_MAX) {
      return violation(field, 'OUT_OF_RANGE', `grade ${shown} is outside the ${GRADE_MIN}–${GRADE_MAX} scale`);
    }
    return violation(field, 'INVALID_GRADE', `grade ${shown} is not a half step on the ${GRADE_MIN}–${GRADE_MAX} scale`);
  }
  const value = typeof raw === 'number' ? raw : readDecimal(raw);
  if (!Number.isFinite(value)) {
    return violation(field, 'NOT_A_NUMBER', `${shown} is not a finite number`);
  }
  if (scale === 'non-negative' && value < 0) {
    return violation(field, 'OUT_OF_RANGE', `${shown} is negative; a concentration cannot be below zero`);
  }
  // Only reachable if readMeasurement grows a rule this function does not know yet.
  return violation(field, 'INVALID_MEASUREMENT', `${shown} cannot be used as a measurement`);
}
