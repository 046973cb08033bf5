import type { Result, Standard, Violation } from '@pinzhi/catalogue-reader/model';
import { describe, expect, it } from 'vitest';
import {
  compileStandard,
  gradeProduct,
  NONCONFORMING,
  type GradingInput,
  type GradingOutcome,
  type IndicatorVerdict,
  type Measurement,
} from './grading-engine.js';
import { downJacketMeasurements, gradingStandard, indicator, levels, limit, loadSeededStandards, report } from './test-standards.js';

const { gb18401, downGarments, athleticShoes, en12935 } = loadSeededStandards();

function downJacket(overrides: Partial<GradingInput> = {}, measurements: Record<string, Measurement | undefined> = {}): GradingInput {
  const merged: Record<string, Measurement> = {};
  for (const [id, m] of Object.entries({ ...downJacketMeasurements(), ...measurements })) if (m !== undefined) merged[id] = m;
  return {
    standard: downGarments,
    safetyGate: gb18401,
    product: { category: 'down-garment', targetGroup: 'skin-contact' },
    report: report(merged),
    ...overrides,
  };
}

function outcomeOf(result: Result<GradingOutcome>): GradingOutcome {
  if (!result.ok) throw new Error(`expected an outcome, got ${JSON.stringify(result.violations, null, 2)}`);
  return result.value;
}

function violationsOf(result: Result<GradingOutcome>): Violation[] {
  if (result.ok) throw new Error(`expected violations, got level ${result.value.level}`);
  return result.violations;
}

function verdict(list: readonly IndicatorVerdict[], id: string): IndicatorVerdict {
  const found = list.find((v) => v.indicatorId === id);
  if (found === undefined) throw new Error(`no verdict for ${id}`);
  return found;
}

function without(measurements: Record<string, Measurement>, ...ids: string[]): Record<string, Measurement> {
  return Object.fromEntries(Object.entries(measurements).filter(([id]) => !ids.includes(id)));
}

const limitingIds = (outcome: GradingOutcome): string[] => outcome.limitingIndicators.map((l) => `${l.standardCode} ${l.indicatorId}`);

describe('the GB 18401-2010 safety gate', () => {
  it('a skin-contact down jacket with formaldehyde 80 mg/kg fails category B: NONCONFORMING though every GB/T 14272 indicator passes', () => {
    const outcome = outcomeOf(gradeProduct(downJacket({}, { formaldehyde: { value: 80 } })));

    expect(outcome.level).toBe(NONCONFORMING);
    expect(outcome.indicators.map((v) => v.bestLevel)).toEqual(Array(8).fill('SUPERIOR'));
    expect(outcome.safetyGate).toMatchObject({
      standardCode: 'GB 18401-2010',
      requiredCategory: 'B',
      achievedCategory: 'C', // 80 ≤ 300
      passed: false,
    });
    const formaldehyde = verdict(outcome.safetyGate!.indicators, 'formaldehyde');
    expect(formaldehyde).toMatchObject({ passed: false, bestLevel: 'C', valueUsed: 80 });
    expect(formaldehyde.levels).toEqual([
      { level: 'A', passed: false },
      { level: 'B', passed: false },
      { level: 'C', passed: true },
    ]);
    expect(limitingIds(outcome)).toEqual(['GB 18401-2010 formaldehyde']);
  });

  it('the same jacket with formaldehyde 70 mg/kg passes B and takes its grade', () => {
    const outcome = outcomeOf(gradeProduct(downJacket({}, { formaldehyde: { value: 70 } })));

    expect(outcome.level).toBe('SUPERIOR');
    expect(outcome.limitingIndicators).toEqual([]);
    expect(outcome.safetyGate).toMatchObject({ requiredCategory: 'B', achievedCategory: 'B', passed: true });
    expect(outcome.safetyGate!.indicators.every((v) => v.passed)).toBe(true);
    // Saliva fastness is asked of category A only, so a skin-contact report may leave it out.
    expect(outcome.safetyGate!.indicators.map((v) => v.indicatorId)).not.toContain('colour-fastness-saliva');
  });

  it('an infant product needs category A: formaldehyde 25 mg/kg fails A though it passes B', () => {
    const infant = (formaldehyde: number) =>
      gradeProduct(
        downJacket(
          { product: { category: 'down-garment', targetGroup: 'infant' } },
          {
            formaldehyde: { value: formaldehyde },
            'colour-fastness-saliva': { value: 4 },
          },
        ),
      );

    const failed = outcomeOf(infant(25));
    expect(failed.level).toBe(NONCONFORMING);
    expect(failed.safetyGate).toMatchObject({ requiredCategory: 'A', achievedCategory: 'B', passed: false });
    expect(verdict(failed.safetyGate!.indicators, 'formaldehyde')).toMatchObject({ bestLevel: 'B', passed: false });
    expect(limitingIds(failed)).toEqual(['GB 18401-2010 formaldehyde']);

    const passed = outcomeOf(infant(15));
    expect(passed.level).toBe('SUPERIOR');
    expect(passed.safetyGate).toMatchObject({ requiredCategory: 'A', achievedCategory: 'A', passed: true });
  });

  it('an infant product must report saliva fastness, which category A asks for', () => {
    const result = gradeProduct(downJacket({ product: { category: 'down-garment', targetGroup: 'infant' } }, { formaldehyde: { value: 15 } }));
    expect(violationsOf(result)).toEqual([
      { field: 'report.measurements.colour-fastness-saliva', reason: 'MISSING_INDICATOR', description: expect.any(String) },
    ]);
  });

  it('reports every missing gate measurement of a textile', () => {
    const result = gradeProduct(downJacket({}, { formaldehyde: undefined, ph: undefined }));
    expect(violationsOf(result).map((v) => [v.field, v.reason])).toEqual([
      ['report.measurements.formaldehyde', 'MISSING_INDICATOR'],
      ['report.measurements.ph', 'MISSING_INDICATOR'],
    ]);
  });

  it('a textile cannot be graded without the gate standard or a target group', () => {
    const withoutGate = gradeProduct(downJacket({ safetyGate: undefined }));
    expect(violationsOf(withoutGate).map((v) => [v.field, v.reason])).toContainEqual(['safetyGate', 'SAFETY_GATE_REQUIRED']);

    const withoutGroup = gradeProduct(downJacket({ product: { category: 'down-garment' } }));
    expect(violationsOf(withoutGroup).map((v) => [v.field, v.reason])).toEqual([['product.targetGroup', 'REQUIRED']]);
  });

  it('refuses a target group the category is not sold for, which would pick a laxer category', () => {
    const standard = gradingStandard({
      categories: ['infant-apparel'],
      indicators: [indicator({ id: 'pilling', unit: 'grade', direction: 'higher-is-better', limits: levels({ min: 4 }, { min: 3.5 }, { min: 3 }) })],
    });
    const result = gradeProduct({
      standard,
      safetyGate: gb18401,
      product: { category: 'infant-apparel', targetGroup: 'other' },
      report: report({ pilling: { value: 4 } }),
    });
    expect(violationsOf(result).map((v) => [v.field, v.reason])).toEqual([['product.targetGroup', 'TARGET_GROUP_NOT_ALLOWED']]);
  });

  it("takes the category from the grading standard's own mapping when it has one", () => {
    // A standard that holds even outerwear to category B.
    const strict: Standard = {
      ...downGarments,
      code: 'T/CFIA 001-2024',
      effectiveFrom: '2024-06-01',
      safetyGate: { standardCode: 'GB 18401-2010', categoryByTargetGroup: { infant: 'A', 'skin-contact': 'B', other: 'B' } },
    };
    const input = downJacket({ standard: strict, product: { category: 'down-garment', targetGroup: 'other' } }, { formaldehyde: { value: 100 } });
    const outcome = outcomeOf(gradeProduct(input));
    expect(outcome.safetyGate).toMatchObject({ requiredCategory: 'B', passed: false });
    expect(outcome.level).toBe(NONCONFORMING);

    const usual = outcomeOf(gradeProduct({ ...input, standard: downGarments }));
    expect(usual.safetyGate).toMatchObject({ requiredCategory: 'C', passed: true });
    expect(usual.level).toBe('SUPERIOR');
  });

  it('colour fastness 3-4 passes a ≥ 3 limit and fails a ≥ 4 limit', () => {
    const outcome = outcomeOf(gradeProduct(downJacket({}, { 'colour-fastness-dry-rubbing': { value: '3-4' } })));
    const rubbing = verdict(outcome.safetyGate!.indicators, 'colour-fastness-dry-rubbing');
    expect(rubbing).toMatchObject({ measured: '3-4', value: 3.5, valueUsed: 3.5, bestLevel: 'B', passed: true });
    expect(rubbing.levels).toEqual([
      { level: 'A', passed: false }, // ≥ 4
      { level: 'B', passed: true }, // ≥ 3
      { level: 'C', passed: true },
    ]);
  });

  it('lists gate failures first and grade failures after when both sink the product', () => {
    const outcome = outcomeOf(gradeProduct(downJacket({}, { formaldehyde: { value: 80 }, 'down-cluster-content': { value: 45 } })));
    expect(outcome.level).toBe(NONCONFORMING);
    expect(limitingIds(outcome)).toEqual(['GB 18401-2010 formaldehyde', 'GB/T 14272-2021 down-cluster-content']);
  });
});

describe('non-textile products', () => {
  const shoe = {
    'flex-resistance': { value: true },
    'aromatic-amines': { value: 5 },
    'peel-strength': { value: 52 },
    'peel-strength-microcellular': { value: 46 },
    'abrasion-mark': { value: 7 },
  };

  it('footwear skips the gate, with or without the gate standard at hand', () => {
    for (const safetyGate of [undefined, gb18401]) {
      const outcome = outcomeOf(gradeProduct({ standard: athleticShoes, safetyGate, product: { category: 'footwear' }, report: report(shoe) }));
      expect(outcome.safetyGate).toBeNull();
      // Peel strength 52 meets FIRST (50) but not SUPERIOR (55).
      expect(outcome.level).toBe('FIRST');
      expect(limitingIds(outcome)).toEqual(['GB/T 15107-2013 peel-strength']);
    }
  });

  it('a gate measurement on footwear is an indicator the grading standard does not define', () => {
    const result = gradeProduct({
      standard: athleticShoes,
      safetyGate: gb18401,
      product: { category: 'footwear' },
      report: report({ ...shoe, formaldehyde: { value: 10 } }),
    });
    expect(violationsOf(result).map((v) => [v.field, v.reason])).toEqual([['report.measurements.formaldehyde', 'UNKNOWN_INDICATOR']]);
  });

  it('a failed pass/fail indicator makes the product nonconforming', () => {
    const outcome = outcomeOf(
      gradeProduct({
        standard: athleticShoes,
        product: { category: 'footwear' },
        report: report({ ...shoe, 'flex-resistance': { value: 'fail' } }),
      }),
    );
    expect(outcome.level).toBe(NONCONFORMING);
    expect(limitingIds(outcome)).toEqual(['GB/T 15107-2013 flex-resistance']);
    expect(verdict(outcome.indicators, 'flex-resistance')).toMatchObject({ measured: 'fail', value: false, valueUsed: false, bestLevel: NONCONFORMING });
  });
});

describe('grade levels and limiting indicators', () => {
  it('gives the highest level every limit meets and names what blocked the next one up', () => {
    // Down cluster 85 and fill power 16 both fall short of SUPERIOR (90, 17) but meet FIRST (80, 15).
    const outcome = outcomeOf(gradeProduct(downJacket({}, { 'down-cluster-content': { value: 85 }, 'fill-power': { value: 16 } })));
    expect(outcome.level).toBe('FIRST');
    expect(limitingIds(outcome)).toEqual(['GB/T 14272-2021 down-cluster-content', 'GB/T 14272-2021 fill-power']);
    expect(verdict(outcome.indicators, 'fill-power').levels).toEqual([
      { level: 'SUPERIOR', passed: false },
      { level: 'FIRST', passed: true },
      { level: 'QUALIFIED', passed: true },
    ]);
  });

  it('a product below the lowest level is NONCONFORMING, limited by what failed that level', () => {
    const outcome = outcomeOf(gradeProduct(downJacket({}, { 'down-cluster-content': { value: 45 }, 'fill-power': { value: 14 } })));
    expect(outcome.level).toBe(NONCONFORMING);
    expect(verdict(outcome.indicators, 'down-cluster-content').bestLevel).toBe(NONCONFORMING);
    expect(verdict(outcome.indicators, 'fill-power').bestLevel).toBe('QUALIFIED');
    expect(limitingIds(outcome)).toEqual(['GB/T 14272-2021 down-cluster-content']);
  });

  it('bounds are inclusive', () => {
    const outcome = outcomeOf(
      gradeProduct(downJacket({}, { 'down-cluster-content': { value: 90 }, 'oxygen-number': { value: 5.6 }, formaldehyde: { value: 75 } })),
    );
    expect(outcome.level).toBe('SUPERIOR');
    expect(outcome.safetyGate?.passed).toBe(true);
  });

  it('echoes the report it graded and the standard it graded against', () => {
    const outcome = outcomeOf(gradeProduct(downJacket()));
    expect(outcome.standardCode).toBe('GB/T 14272-2021');
    expect(outcome.report).toEqual({
      laboratoryCnasNumber: 'CNAS L0192',
      reportNumber: 'TR-2025-00417',
      sampleId: 'BATCH-2025-11-A',
      testedOn: '2025-11-03',
    });
    expect(outcome.indicators.map((v) => v.indicatorId)).toEqual(downGarments.indicators.map((i) => i.id));
  });

  it('grades against a conformity standard with its single level', () => {
    const outcome = outcomeOf(
      gradeProduct({
        standard: en12935,
        safetyGate: gb18401,
        product: { category: 'down-bedding', targetGroup: 'other' },
        report: report({
          ...without(downJacketMeasurements(), 'down-cluster-content', 'fill-power', 'fill-weight-deviation', 'fat-content', 'alkylphenols'),
          'oxygen-number': { value: 12 },
        }),
      }),
    );
    expect(outcome.level).toBe('CONFORMING');
  });
});

describe('decision rules', () => {
  const borderline = { 'down-cluster-content': { value: 90.2, uncertainty: 0.5 } };

  it('guarded acceptance turns a borderline SUPERIOR into FIRST and names the indicator', () => {
    const simple = outcomeOf(gradeProduct(downJacket({ decisionRule: 'simple' }, borderline)));
    expect(simple.decisionRule).toBe('simple');
    expect(simple.level).toBe('SUPERIOR');
    expect(verdict(simple.indicators, 'down-cluster-content').valueUsed).toBe(90.2);

    const guarded = outcomeOf(gradeProduct(downJacket({ decisionRule: 'guarded' }, borderline)));
    expect(guarded.decisionRule).toBe('guarded');
    expect(guarded.level).toBe('FIRST');
    expect(limitingIds(guarded)).toEqual(['GB/T 14272-2021 down-cluster-content']);
    const down = verdict(guarded.indicators, 'down-cluster-content');
    expect(down.valueUsed).toBeCloseTo(89.7, 10); // 90.2 − 0.5 against min 90
    expect(down).toMatchObject({ measured: 90.2, value: 90.2, uncertainty: 0.5, bestLevel: 'FIRST' });
  });

  it('defaults to the standard’s own rule', () => {
    const outcome = outcomeOf(gradeProduct(downJacket({ standard: { ...downGarments, defaultDecisionRule: 'guarded' } }, borderline)));
    expect(outcome.decisionRule).toBe('guarded');
    expect(outcome.level).toBe('FIRST');
    expect(outcomeOf(gradeProduct(downJacket({}, borderline))).decisionRule).toBe('simple');
  });

  it('adds U to a value compared with a maximum', () => {
    // Oxygen number 5.5 ± 0.2: 5.7 > 5.6 at every level.
    const measurements = { 'oxygen-number': { value: 5.5, uncertainty: 0.2 } };
    expect(outcomeOf(gradeProduct(downJacket({ decisionRule: 'simple' }, measurements))).level).toBe('SUPERIOR');
    const guarded = outcomeOf(gradeProduct(downJacket({ decisionRule: 'guarded' }, measurements)));
    expect(guarded.level).toBe(NONCONFORMING);
    expect(verdict(guarded.indicators, 'oxygen-number').valueUsed).toBeCloseTo(5.7, 10);
    expect(limitingIds(guarded)).toEqual(['GB/T 14272-2021 oxygen-number']);
  });

  it('applies U on both sides of a range, and to the gate too', () => {
    // Infant pH 7.4 ± 0.2: 7.6 breaks category A's 7.5 under guarded acceptance.
    const input = (decisionRule: 'simple' | 'guarded') =>
      downJacket(
        { decisionRule, product: { category: 'down-garment', targetGroup: 'infant' } },
        {
          formaldehyde: { value: 15 },
          'colour-fastness-saliva': { value: '4-5' },
          ph: { value: 7.4, uncertainty: 0.2 },
        },
      );
    const simple = outcomeOf(gradeProduct(input('simple')));
    expect(simple.level).toBe('SUPERIOR');
    expect(verdict(simple.safetyGate!.indicators, 'ph').valueUsed).toEqual({ low: 7.4, high: 7.4 });

    const guarded = outcomeOf(gradeProduct(input('guarded')));
    expect(guarded.level).toBe(NONCONFORMING);
    const ph = verdict(guarded.safetyGate!.indicators, 'ph');
    expect(ph.valueUsed).toEqual({ low: expect.closeTo(7.2, 10), high: expect.closeTo(7.6, 10) });
    expect(ph.bestLevel).toBe('B');
    expect(limitingIds(guarded)).toEqual(['GB 18401-2010 ph']);
  });

  it('ignores U for a pass/fail indicator', () => {
    const outcome = outcomeOf(gradeProduct(downJacket({ decisionRule: 'guarded' }, { odour: { value: 'pass', uncertainty: 3 } })));
    expect(outcome.level).toBe('SUPERIOR');
    expect(verdict(outcome.indicators, 'odour').valueUsed).toBe(true);
  });

  it('refuses a rule it does not know', () => {
    const result = gradeProduct(downJacket({ decisionRule: 'lenient' as 'simple' }));
    expect(violationsOf(result).map((v) => [v.field, v.reason])).toEqual([['decisionRule', 'UNKNOWN_DECISION_RULE']]);
  });
});

describe('input violations', () => {
  it('a missing required indicator is a violation, never a pass', () => {
    const result = gradeProduct(downJacket({}, { 'fill-power': undefined }));
    expect(violationsOf(result)).toEqual([
      { field: 'report.measurements.fill-power', reason: 'MISSING_INDICATOR', description: expect.stringContaining('fill-power') },
    ]);
  });

  it('an indicator whose every level is notRequired may be left out', () => {
    const standard = gradingStandard({
      indicators: [
        indicator({ id: 'abrasion-mark', unit: 'mm', direction: 'lower-is-better', limits: levels({ max: 8 }, { max: 9 }, { max: 10 }) }),
        indicator({
          id: 'heel-height',
          unit: 'mm',
          direction: 'lower-is-better',
          limits: { SUPERIOR: limit({ notRequired: true }), FIRST: limit({ notRequired: true }), QUALIFIED: limit({ notRequired: true }) },
        }),
      ],
    });
    const outcome = outcomeOf(gradeProduct({ standard, product: { category: 'footwear' }, report: report({ 'abrasion-mark': { value: 8 } }) }));
    expect(outcome.level).toBe('SUPERIOR');
    expect(outcome.indicators.map((v) => v.indicatorId)).toEqual(['abrasion-mark']);
  });

  it('a measurement for an indicator the standards do not define is a violation', () => {
    const result = gradeProduct(downJacket({}, { 'fill-power-usa': { value: 700 } }));
    expect(violationsOf(result)).toEqual([{ field: 'report.measurements.fill-power-usa', reason: 'UNKNOWN_INDICATOR', description: expect.any(String) }]);
  });

  it('a category the standard does not cover is a violation', () => {
    const result = gradeProduct({ ...downJacket(), standard: athleticShoes, product: { category: 'down-garment', targetGroup: 'other' } });
    expect(violationsOf(result).map((v) => [v.field, v.reason])).toContainEqual(['product.category', 'CATEGORY_NOT_COVERED']);
  });

  it('a negative or non-numeric uncertainty is a violation', () => {
    const result = gradeProduct(downJacket({}, { 'fill-power': { value: 18, uncertainty: -0.1 }, turbidity: { value: 600, uncertainty: Number.NaN } }));
    expect(violationsOf(result).map((v) => [v.field, v.reason])).toEqual([
      ['report.measurements.fill-power.uncertainty', 'INVALID_UNCERTAINTY'],
      ['report.measurements.turbidity.uncertainty', 'INVALID_UNCERTAINTY'],
    ]);
  });

  it('an unreadable value is a violation named after its field', () => {
    const result = gradeProduct(downJacket({}, { formaldehyde: { value: -3 }, 'colour-fastness-water': { value: '3-5' }, odour: { value: 'ok' } }));
    expect(violationsOf(result).map((v) => [v.field, v.reason])).toEqual([
      ['report.measurements.odour.value', 'NOT_PASS_FAIL'], // grading standard first
      ['report.measurements.formaldehyde.value', 'OUT_OF_RANGE'],
      ['report.measurements.colour-fastness-water.value', 'INVALID_GRADE'],
      ['report.measurements.odour.value', 'NOT_PASS_FAIL'], // the gate reads the same odour result
    ]);
  });

  it('checks the report’s own identity', () => {
    const result = gradeProduct({
      ...downJacket(),
      report: { ...report(downJacketMeasurements()), laboratoryCnasNumber: 'CNAS C001-P', reportNumber: ' ', sampleId: '', testedOn: '2025-02-29' },
    });
    expect(violationsOf(result).map((v) => [v.field, v.reason])).toEqual([
      ['report.laboratoryCnasNumber', 'WRONG_ACCREDITATION_TYPE'],
      ['report.reportNumber', 'REQUIRED'],
      ['report.sampleId', 'REQUIRED'],
      ['report.testedOn', 'INVALID_DATE'],
    ]);
    expect(gradeProduct({ ...downJacket(), report: { ...report(downJacketMeasurements()), testedOn: '2024-02-29' } }).ok).toBe(true);
    expect(gradeProduct({ ...downJacket(), report: { ...report(downJacketMeasurements()), laboratoryCnasNumber: 'cnas  l0192' } }).ok).toBe(true);
  });

  it('reports every problem at once', () => {
    const result = gradeProduct(
      downJacket({ product: { category: 'footwear' } }, { 'fill-power': undefined, turbidity: { value: 600, uncertainty: -1 }, colour: { value: 3 } }),
    );
    expect(violationsOf(result).map((v) => v.reason)).toEqual([
      'CATEGORY_NOT_COVERED',
      'MISSING_INDICATOR',
      'INVALID_UNCERTAINTY',
      // footwear is not a textile, so the gate's measurements are foreign to this grading
      ...Array(8).fill('UNKNOWN_INDICATOR'),
    ]);
  });
});

describe('compileStandard', () => {
  it('grades many reports against one compiled standard', () => {
    const compiled = compileStandard(downGarments, gb18401);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.violations));
    const product = { category: 'down-garment', targetGroup: 'skin-contact' } as const;
    const levelFor = (formaldehyde: number) =>
      outcomeOf(compiled.value.grade({ product, report: report({ ...downJacketMeasurements(), formaldehyde: { value: formaldehyde } }) })).level;
    expect([70, 80, 75, 76].map(levelFor)).toEqual(['SUPERIOR', NONCONFORMING, 'SUPERIOR', NONCONFORMING]);
  });

  it('refuses a malformed standard instead of grading against it', () => {
    const broken: Standard = {
      ...downGarments,
      indicators: [
        indicator({
          id: 'fill-power',
          direction: 'higher-is-better',
          limits: { SUPERIOR: limit({ min: 15 }), FIRST: limit({ min: 17 }), QUALIFIED: limit({ min: 13 }) },
        }),
      ],
    };
    const compiled = compileStandard(broken, gb18401);
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.violations.map((v) => v.reason)).toEqual(['LIMIT_ORDER_CONTRADICTION']);
    expect(gradeProduct(downJacket({ standard: broken })).ok).toBe(false);
  });

  it('refuses a gate that is not the one the standard names, or not a safety gate at all', () => {
    const notGate = compileStandard(downGarments, en12935);
    expect(notGate.ok).toBe(false);
    if (!notGate.ok) {
      expect(notGate.violations.map((v) => [v.field, v.reason])).toEqual(
        expect.arrayContaining([
          ['safetyGate.purpose', 'NOT_A_SAFETY_GATE'],
          ['safetyGate.code', 'SAFETY_GATE_MISMATCH'],
        ]),
      );
    }
  });
});
