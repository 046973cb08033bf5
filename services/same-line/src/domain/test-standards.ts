/** Hand-made standards for the unit tests (not seeds: every number is invented for the test). */
import type { Indicator, IndicatorDirection, Limit, Standard } from '@pinzhi/catalogue-reader/model';

const limit = (l: Omit<Limit, 'source' | 'verified'>): Limit => ({ ...l, source: 'unit test', verified: false });

export function indicator(id: string, direction: IndicatorDirection, unit: string, limits: Record<string, Omit<Limit, 'source' | 'verified'>>): Indicator {
  return { id, name: id, unit, direction, testMethod: 'test', limits: Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, limit(v)])) };
}

/** A conformity (pass/fail) standard, e.g. the export market's. */
export function conformity(code: string, indicators: Indicator[]): Standard {
  return {
    code,
    title: code,
    purpose: 'conformity',
    categories: ['apparel', 'down-garment'],
    gradeLevels: ['CONFORMING'],
    indicators,
    defaultDecisionRule: 'simple',
  };
}

/** A graded standard with SUPERIOR / FIRST / QUALIFIED levels. */
export function graded(code: string, indicators: Indicator[]): Standard {
  return {
    code,
    title: code,
    purpose: 'grading',
    categories: ['apparel', 'down-garment'],
    gradeLevels: ['SUPERIOR', 'FIRST', 'QUALIFIED'],
    indicators,
    defaultDecisionRule: 'simple',
  };
}

/** All three levels alike. */
export const same = (l: Omit<Limit, 'source' | 'verified'>) => ({ SUPERIOR: l, FIRST: l, QUALIFIED: l });
