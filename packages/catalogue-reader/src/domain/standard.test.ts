import { describe, expect, it } from 'vitest';
import { validateStandard, validateStandardCatalogue, type Indicator, type Limit, type Standard } from './standard.js';

const LEVELS = ['SUPERIOR', 'FIRST', 'QUALIFIED'];

function limit(bounds: Omit<Limit, 'source' | 'verified'>, verified = false): Limit {
  return { ...bounds, source: 'test fixture', verified };
}

function indicator(overrides: Partial<Indicator> & Pick<Indicator, 'id' | 'direction' | 'limits'>): Indicator {
  return { name: overrides.id, unit: 'mg/kg', testMethod: 'fixture method', ...overrides };
}

function downGarmentStandard(): Standard {
  return {
    code: 'GB/T 14272-2021',
    title: 'Down garments',
    purpose: 'grading',
    categories: ['down-garment'],
    gradeLevels: [...LEVELS],
    defaultDecisionRule: 'simple',
    effectiveFrom: '2022-04-01',
    replaces: ['GB/T 14272-2011'],
    safetyGate: { standardCode: 'GB 18401-2010', categoryByTargetGroup: { infant: 'A', 'skin-contact': 'B', other: 'C' } },
    indicators: [
      indicator({
        id: 'down-cluster-content',
        unit: '%',
        direction: 'higher-is-better',
        limits: { SUPERIOR: limit({ min: 90 }), FIRST: limit({ min: 80 }), QUALIFIED: limit({ min: 50 }, true) },
      }),
      indicator({
        id: 'oxygen-number',
        unit: 'mg/100 g',
        direction: 'lower-is-better',
        limits: { SUPERIOR: limit({ max: 4 }), FIRST: limit({ max: 4.8 }), QUALIFIED: limit({ max: 5.6 }) },
      }),
      indicator({
        id: 'ph',
        unit: 'pH',
        direction: 'within-range',
        limits: {
          SUPERIOR: limit({ min: 5, max: 7 }),
          FIRST: limit({ min: 4.5, max: 7.5 }),
          QUALIFIED: limit({ min: 4, max: 8.5 }),
        },
      }),
      indicator({
        id: 'odour',
        unit: '',
        direction: 'pass-fail',
        limits: { SUPERIOR: limit({ pass: true }), FIRST: limit({ pass: true }), QUALIFIED: limit({ pass: true }) },
      }),
    ],
  };
}

function gb18401(): Standard {
  const same = (bounds: Omit<Limit, 'source' | 'verified'>): Record<string, Limit> => ({
    A: limit(bounds, true),
    B: limit(bounds, true),
    C: limit(bounds, true),
  });
  return {
    code: 'GB 18401-2010',
    title: 'National general safety technical code for textile products',
    purpose: 'safety-gate',
    categories: ['down-garment', 'apparel'],
    gradeLevels: ['A', 'B', 'C'],
    defaultDecisionRule: 'simple',
    effectiveFrom: '2011-08-01',
    indicators: [
      indicator({
        id: 'formaldehyde',
        direction: 'lower-is-better',
        limits: { A: limit({ max: 20 }, true), B: limit({ max: 75 }, true), C: limit({ max: 300 }, true) },
      }),
      indicator({
        id: 'colour-fastness-saliva',
        unit: 'grade',
        direction: 'higher-is-better',
        limits: { A: limit({ min: 4 }, true), B: limit({ notRequired: true }, true), C: limit({ notRequired: true }, true) },
      }),
      indicator({ id: 'odour', unit: '', direction: 'pass-fail', limits: same({ pass: true }) }),
    ],
  };
}

function reasonsAt(std: Standard): Array<[string, string]> {
  return validateStandard(std).map((v) => [v.field, v.reason]);
}

describe('validateStandard', () => {
  it('accepts a consistent graded standard and a safety gate', () => {
    expect(validateStandard(downGarmentStandard())).toEqual([]);
    expect(validateStandard(gb18401())).toEqual([]);
  });

  it('uses the caller-supplied field prefix', () => {
    const std = downGarmentStandard();
    std.code = 'GB/T 14272';
    expect(validateStandard(std, 'request.standard')[0]).toMatchObject({ field: 'request.standard.code', reason: 'MISSING_YEAR' });
  });

  it('detects a better grade with a lower minimum (higher-is-better)', () => {
    const std = downGarmentStandard();
    std.indicators[0]!.limits.FIRST = limit({ min: 95 });
    expect(reasonsAt(std)).toEqual([['standard.indicators[0].limits.SUPERIOR.min', 'LIMIT_ORDER_CONTRADICTION']]);
  });

  it('detects a better grade with a higher maximum (lower-is-better)', () => {
    const std = downGarmentStandard();
    std.indicators[1]!.limits.FIRST = limit({ max: 12 });
    const violations = validateStandard(std);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ field: 'standard.indicators[1].limits.FIRST.max', reason: 'LIMIT_ORDER_CONTRADICTION' });
    expect(violations[0]?.description).toContain('FIRST max 12 is above QUALIFIED max 5.6');
  });

  it('detects a better range that is not inside the worse one (within-range)', () => {
    const std = downGarmentStandard();
    std.indicators[2]!.limits.SUPERIOR = limit({ min: 5, max: 8 });
    expect(reasonsAt(std)).toEqual([['standard.indicators[2].limits.SUPERIOR.max', 'LIMIT_ORDER_CONTRADICTION']]);
  });

  it('detects an inverted range', () => {
    const std = downGarmentStandard();
    std.indicators[2]!.limits.QUALIFIED = limit({ min: 9, max: 4 });
    expect(reasonsAt(std)).toEqual([['standard.indicators[2].limits.QUALIFIED.min', 'RANGE_INVERTED']]);
  });

  it('requires a limit for every grade level and no others', () => {
    const std = downGarmentStandard();
    delete std.indicators[1]!.limits.FIRST;
    std.indicators[1]!.limits.EXCELLENT = limit({ max: 1 });
    expect(reasonsAt(std)).toEqual([
      ['standard.indicators[1].limits.EXCELLENT', 'UNKNOWN_GRADE_LEVEL'],
      ['standard.indicators[1].limits.FIRST', 'MISSING_LIMIT'],
    ]);
  });

  it('requires limits shaped for their direction', () => {
    const std = downGarmentStandard();
    std.indicators[0]!.limits.QUALIFIED = limit({ max: 50 });
    std.indicators[3]!.limits.FIRST = limit({});
    expect(reasonsAt(std)).toEqual([
      ['standard.indicators[0].limits.QUALIFIED.min', 'MISSING_BOUND'],
      ['standard.indicators[0].limits.QUALIFIED.max', 'UNEXPECTED_BOUND'],
      ['standard.indicators[3].limits.FIRST.pass', 'MISSING_BOUND'],
    ]);
  });

  it('rejects duplicate indicator ids', () => {
    const std = downGarmentStandard();
    std.indicators.push({ ...std.indicators[1]!, limits: { ...std.indicators[1]!.limits } });
    expect(reasonsAt(std)).toEqual([['standard.indicators[4].id', 'DUPLICATE_INDICATOR_ID']]);
  });

  it('rejects a placeholder marked verified and a limit with no source', () => {
    const std = downGarmentStandard();
    std.indicators[0]!.limits.FIRST = { min: 80, source: 'placeholder: not verified', verified: true };
    std.indicators[0]!.limits.SUPERIOR = { min: 90, source: ' ', verified: false };
    expect(reasonsAt(std)).toEqual([
      ['standard.indicators[0].limits.SUPERIOR.source', 'REQUIRED'],
      ['standard.indicators[0].limits.FIRST.verified', 'PLACEHOLDER_MARKED_VERIFIED'],
    ]);
  });

  it('lets a worse level require nothing, but not a better one', () => {
    const std = gb18401();
    std.indicators[1]!.limits = { A: limit({ notRequired: true }), B: limit({ min: 3 }), C: limit({ notRequired: true }) };
    expect(reasonsAt(std)).toEqual([['standard.indicators[1].limits.A', 'LIMIT_ORDER_CONTRADICTION']]);
  });

  it('rejects categories outside the closed list and non-textiles under GB 18401', () => {
    const std = gb18401();
    std.categories = ['down-garment', 'toys' as never, 'footwear', 'down-garment'];
    expect(reasonsAt(std)).toEqual([
      ['standard.categories[1]', 'UNKNOWN_CATEGORY'],
      ['standard.categories[2]', 'NOT_A_TEXTILE_CATEGORY'],
      ['standard.categories[3]', 'DUPLICATE_CATEGORY'],
    ]);
  });

  it('keeps GB 18401 levels as the categories A, B, C', () => {
    const std = gb18401();
    std.gradeLevels = ['C', 'B', 'A'];
    expect(reasonsAt(std)).toContainEqual(['standard.gradeLevels', 'INVALID_GRADE_LEVELS']);
  });

  it('gives a conformity standard exactly one level', () => {
    const std = downGarmentStandard();
    std.code = 'EN 12935:2001';
    std.purpose = 'conformity';
    delete std.safetyGate;
    delete std.replaces;
    expect(reasonsAt(std)).toEqual([['standard.gradeLevels', 'INVALID_GRADE_LEVELS']]);
  });

  it('checks the safety gate mapping against GB 18401', () => {
    const std = downGarmentStandard();
    std.safetyGate = { standardCode: 'GB 18401-2010', categoryByTargetGroup: { infant: 'B', 'skin-contact': 'D', other: 'C' } };
    expect(reasonsAt(std)).toEqual([
      ['standard.safetyGate.categoryByTargetGroup.infant', 'SAFETY_CATEGORY_TOO_LOOSE'],
      ['standard.safetyGate.categoryByTargetGroup.skin-contact', 'UNKNOWN_SAFETY_CATEGORY'],
    ]);
  });

  it('checks effective dates against the edition and each other', () => {
    const std = downGarmentStandard();
    std.effectiveFrom = '2020-01-01';
    std.publishedOn = '2021-02-30';
    std.withdrawnOn = '2019-12-31';
    expect(reasonsAt(std)).toEqual([
      ['standard.publishedOn', 'INVALID_DATE'],
      ['standard.effectiveFrom', 'DATE_BEFORE_EDITION_YEAR'],
      ['standard.withdrawnOn', 'DATES_OUT_OF_ORDER'],
    ]);
  });

  it('accepts publication after the edition year, as GB 18401-2010 was', () => {
    const std = gb18401();
    std.publishedOn = '2011-01-14';
    expect(validateStandard(std)).toEqual([]);
  });

  it('rejects replacing a newer edition of itself', () => {
    const std = downGarmentStandard();
    std.replaces = ['GB/T 14272-2024'];
    expect(reasonsAt(std)).toEqual([['standard.replaces[0]', 'REPLACES_NEWER_EDITION']]);
  });

  it('rejects an unknown decision rule and direction', () => {
    const std = downGarmentStandard();
    std.defaultDecisionRule = 'lenient' as never;
    std.indicators[0]!.direction = 'bigger' as never;
    expect(reasonsAt(std)).toEqual([
      ['standard.defaultDecisionRule', 'UNKNOWN_DECISION_RULE'],
      ['standard.indicators[0].direction', 'UNKNOWN_DIRECTION'],
    ]);
  });
});

describe('validateStandardCatalogue', () => {
  it('resolves safety gates within the catalogue', () => {
    expect(validateStandardCatalogue([gb18401(), downGarmentStandard()])).toEqual([]);
  });

  it('reports a missing or wrong safety gate and duplicate codes', () => {
    expect(validateStandardCatalogue([downGarmentStandard()]).map((v) => v.reason)).toEqual(['UNKNOWN_STANDARD_REFERENCE']);

    const notAGate = gb18401();
    notAGate.purpose = 'grading';
    expect(validateStandardCatalogue([notAGate, downGarmentStandard()]).map((v) => v.reason)).toEqual(['NOT_A_SAFETY_GATE']);

    expect(validateStandardCatalogue([gb18401(), gb18401()]).map((v) => [v.field, v.reason])).toEqual([['standards[1].code', 'DUPLICATE_STANDARD_CODE']]);
  });
});
