/**
 * Lab values as test reports write them, read into what limits compare against: a decimal
 * ("80", "-1.5"), a colour-fastness grade in half steps on 1–5 ("3-4" is 3.5), or a pass/fail
 * verdict.
 *
 * Grading has the full reader (services/grading/src/domain/measurement.ts) but keeps it in its
 * own src, which no other package may import; this is the minimal reading 三同 needs, with the
 * same rules for the values the seeds and labs use. If a third service needs it, it belongs in
 * @pinzhi/catalogue-reader/model beside the indicator model.
 */
import type { IndicatorDirection } from '@pinzhi/catalogue-reader/model';

export type MeasurementScale = 'pass-fail' | 'grade' | 'number';

/** One reported result: the value as written and, where the lab gives one, its expanded uncertainty U. */
export type Measurement = { value: string; uncertainty?: number };

const DECIMAL = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const HALF_GRADE = /^\s*([1-4])\s*[-–－]\s*([2-5])\s*$/;

export function scaleOf(indicator: { indicatorId: string; unit: string; direction: IndicatorDirection }): MeasurementScale {
  if (indicator.direction === 'pass-fail') return 'pass-fail';
  if (/^grade\b/i.test(indicator.unit) || indicator.indicatorId.startsWith('colour-fastness')) return 'grade';
  return 'number';
}

/** The value on its scale (pass = 1, fail = 0), or NaN when it cannot be read on that scale. */
export function readValue(raw: string, scale: MeasurementScale): number {
  if (scale === 'pass-fail') {
    const word = raw.trim().toLowerCase();
    return word === 'pass' ? 1 : word === 'fail' ? 0 : Number.NaN;
  }
  if (scale === 'grade') {
    const half = HALF_GRADE.exec(raw);
    const value = half ? (Number(half[2]) === Number(half[1]) + 1 ? Number(half[1]) + 0.5 : Number.NaN) : DECIMAL.test(raw) ? Number(raw) : Number.NaN;
    return value >= 1 && value <= 5 && Number.isInteger(value * 2) ? value : Number.NaN;
  }
  return DECIMAL.test(raw) ? Number(raw) : Number.NaN;
}
