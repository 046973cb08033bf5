/**
 * The grading engine: a test report against a product standard, behind the mandatory textile
 * safety gate (GB 18401-2010) where the product is a textile.
 *
 * A standard is compiled once into flat per-level bounds so that grading a report is a few
 * comparisons per indicator. Every level is checked independently rather than assuming that
 * passing a strict level implies passing the looser ones, so the verdicts show exactly what
 * was met even for a standard whose levels are not nested.
 */
import {
  DECISION_RULES,
  gb18401Category,
  isProductCategory,
  isTargetGroup,
  isTextileCategory,
  parseStandardCode,
  targetGroupsOf,
  TARGET_GROUPS,
  validateCnasNumber,
  validateStandard,
  violation,
  type DecisionRule,
  type Indicator,
  type ProductCategory,
  type Result,
  type Standard,
  type TargetGroup,
  type Violation,
} from '@pinzhi/catalogue-reader/model';
import { measurementScaleOf, parseMeasurement, readMeasurement, type MeasuredValue, type MeasurementScale } from './measurement.js';

/** The outcome of a product below the lowest level, or of one that fails its safety gate. */
export const NONCONFORMING = 'NONCONFORMING';

/** Levels are tracked as bits of a 32-bit integer. */
export const MAX_GRADE_LEVELS = 30;

/** One reported result: the value and, where the lab gives one, its expanded uncertainty U. */
export type Measurement = { value: MeasuredValue; uncertainty?: number };

export type TestReport = {
  /** The testing laboratory's accreditation, e.g. `CNAS L0192`. */
  laboratoryCnasNumber: string;
  reportNumber: string;
  /** The sample or production batch the report covers. */
  sampleId: string;
  /** ISO date (YYYY-MM-DD). */
  testedOn: string;
  /** Keyed by indicator id; covers the grading standard's indicators and, for textiles, the gate's. */
  measurements: Readonly<Record<string, Measurement>>;
};

export type ProductUnderTest = {
  category: ProductCategory;
  /** Required for textiles: it decides the GB 18401 category. */
  targetGroup?: TargetGroup;
};

/** What changes from one grading to the next against the same standard. */
export type GradingRequest = {
  product: ProductUnderTest;
  /** Defaults to the grading standard's `defaultDecisionRule`; applies to the gate as well. */
  decisionRule?: DecisionRule;
  report: TestReport;
};

export type GradingInput = GradingRequest & {
  standard: Standard;
  /** The safety-gate standard (GB 18401-2010); needed whenever the product is a textile. */
  safetyGate?: Standard;
};

export type LevelCheck = { readonly level: string; readonly passed: boolean };

/**
 * What the decision rule compared with the limits: a number against a one-sided limit,
 * `{ low, high }` for a range (low against min, high against max; equal under simple
 * acceptance), a boolean for pass/fail.
 */
export type ValueUsed = number | boolean | { readonly low: number; readonly high: number };

export type IndicatorVerdict = {
  indicatorId: string;
  /** As reported, e.g. `3-4`. */
  measured: MeasuredValue;
  /** As read: `3-4` is 3.5, `pass` is true. */
  value: number | boolean;
  uncertainty: number | undefined;
  valueUsed: ValueUsed;
  /** The first (strictest) level this indicator alone meets, or NONCONFORMING. */
  bestLevel: string;
  /** Every level of the standard, strictest first. */
  levels: readonly LevelCheck[];
};

export type GateIndicatorVerdict = IndicatorVerdict & {
  /** Whether this indicator meets the required category. */
  passed: boolean;
};

export type SafetyGateResult = {
  standardCode: string;
  requiredCategory: string;
  /** The strictest category every indicator meets, or NONCONFORMING. */
  achievedCategory: string;
  /** Gate indicators that were reported; one not needed for the required category may be absent. */
  indicators: GateIndicatorVerdict[];
  passed: boolean;
};

/** Indicator ids are shared across standards (both GB/T 14272 and GB 18401 test odour), so the standard is named too. */
export type LimitingIndicator = { readonly standardCode: string; readonly indicatorId: string };

export type ReportReference = Pick<TestReport, 'laboratoryCnasNumber' | 'reportNumber' | 'sampleId' | 'testedOn'>;

export type GradingOutcome = {
  standardCode: string;
  /** The strictest grade level whose every limit is met, or NONCONFORMING. */
  level: string;
  decisionRule: DecisionRule;
  /** Reported indicators of the grading standard, in the standard's order. */
  indicators: IndicatorVerdict[];
  /**
   * What kept the product from the next level up: empty at the top level; for NONCONFORMING,
   * the failed gate indicators and the indicators that miss the lowest grade level.
   */
  limitingIndicators: LimitingIndicator[];
  /** Null when the gate does not apply (the product is not a textile). */
  safetyGate: SafetyGateResult | null;
  report: ReportReference;
};

/** A standard (and its gate) prepared for repeated grading. */
export type StandardEvaluator = {
  readonly standard: Standard;
  readonly safetyGate: Standard | undefined;
  grade(request: GradingRequest): Result<GradingOutcome>;
};

type CompiledIndicator = {
  readonly id: string;
  readonly scale: MeasurementScale;
  readonly isPassFail: boolean;
  readonly isRange: boolean;
  readonly isMin: boolean;
  /** Per level; -Infinity / +Infinity where the level sets no such bound. Pass/fail reads as min 1. */
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly notRequiredMask: number;
  readonly field: string;
  readonly valueField: string;
  readonly uncertaintyField: string;
  readonly limiting: LimitingIndicator;
};

type CompiledStandard = {
  readonly standard: Standard;
  readonly code: string;
  readonly levels: readonly string[];
  readonly allLevels: number;
  readonly levelIndex: ReadonlyMap<string, number>;
  readonly indicators: readonly CompiledIndicator[];
  readonly ids: ReadonlySet<string>;
  readonly categories: ReadonlySet<string>;
  /** Shared, frozen level checks per pass mask, filled on first use so verdicts allocate none. */
  readonly checksByMask: (readonly LevelCheck[] | undefined)[];
  /** Scratch pass masks per indicator; safe to reuse because grading is synchronous. */
  readonly masks: Int32Array;
};

type CompiledGate = CompiledStandard & {
  /** Level index of the category each target group needs. */
  readonly requiredIndexByGroup: ReadonlyMap<TargetGroup, number>;
};

/** `evaluateAll` modes besides a gate's required level index. */
const GRADING = -1;
const GATE_CATEGORY_UNKNOWN = -2;

const LAB_CNAS_CANONICAL = /^CNAS L\d{4,5}$/;
const NON_BLANK = /\S/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Prepares `standard`, and the safety gate textiles must pass first, for repeated grading.
 * Both are validated once here, so grading never runs against malformed limits.
 * Standards are treated as immutable from here on.
 */
export function compileStandard(standard: Standard, safetyGate?: Standard): Result<StandardEvaluator> {
  const violations = checkStandard(standard, 'standard');
  if (safetyGate !== undefined) violations.push(...checkGate(standard, safetyGate));
  if (violations.length > 0) return { ok: false, violations };

  const compiled = compileLimits(standard);
  const gate = safetyGate === undefined ? undefined : compileGate(standard, safetyGate);
  return {
    ok: true,
    value: {
      standard,
      safetyGate,
      grade: (request) => grade(compiled, gate, request),
    },
  };
}

const NO_GATE: object = {};
const evaluators = new WeakMap<Standard, WeakMap<object, Result<StandardEvaluator>>>();

/**
 * Grades a product's test report against a standard, behind the safety gate for textiles.
 * Every problem with the input is reported together; nothing is thrown for bad input.
 * Compiled standards are cached per standard object, so repeated calls cost no recompilation.
 */
export function gradeProduct(input: GradingInput): Result<GradingOutcome> {
  let byGate = evaluators.get(input.standard);
  if (byGate === undefined) {
    byGate = new WeakMap();
    evaluators.set(input.standard, byGate);
  }
  const gateKey = input.safetyGate ?? NO_GATE;
  let evaluator = byGate.get(gateKey);
  if (evaluator === undefined) {
    evaluator = compileStandard(input.standard, input.safetyGate);
    byGate.set(gateKey, evaluator);
  }
  return evaluator.ok ? evaluator.value.grade(input) : evaluator;
}

function grade(std: CompiledStandard, gate: CompiledGate | undefined, request: GradingRequest): Result<GradingOutcome> {
  const violations: Violation[] = [];
  const { product, report } = request;

  let rule = request.decisionRule ?? std.standard.defaultDecisionRule;
  if (rule !== 'simple' && rule !== 'guarded') {
    violations.push(violation('decisionRule', 'UNKNOWN_DECISION_RULE', `'${String(rule)}' is not one of ${DECISION_RULES.join(', ')}`));
    rule = std.standard.defaultDecisionRule;
  }
  const guarded = rule === 'guarded';

  const category = product.category;
  if (!std.categories.has(category)) {
    violations.push(
      violation('product.category', 'CATEGORY_NOT_COVERED', `${std.code} does not cover '${category}'; it covers ${[...std.categories].join(', ')}`),
    );
  }
  const textile = isProductCategory(category) && isTextileCategory(category);
  const requiredGateIndex = textile ? resolveGateCategory(std, gate, product, violations) : -1;

  checkReportReference(report, violations);
  const measurements = report.measurements ?? {};

  const indicators: IndicatorVerdict[] = [];
  let gradeMask = evaluateAll(std, measurements, guarded, GRADING, indicators, violations);

  let gateResult: SafetyGateResult | null = null;
  if (textile && gate !== undefined) {
    const gateVerdicts: GateIndicatorVerdict[] = [];
    const mode = requiredGateIndex >= 0 ? requiredGateIndex : GATE_CATEGORY_UNKNOWN;
    const gateMask = evaluateAll(gate, measurements, guarded, mode, gateVerdicts, violations);
    if (requiredGateIndex >= 0) {
      gateResult = {
        standardCode: gate.code,
        requiredCategory: gate.levels[requiredGateIndex] ?? '',
        achievedCategory: levelName(gate, gateMask),
        indicators: gateVerdicts,
        passed: (gateMask & (1 << requiredGateIndex)) !== 0,
      };
    }
  }

  checkUnknownIndicators(std, textile ? gate : undefined, measurements, violations);
  if (violations.length > 0) return { ok: false, violations };

  const limitingIndicators: LimitingIndicator[] = [];
  const gatePassed = gateResult === null || gateResult.passed;
  if (!gatePassed && gate !== undefined) collectFailures(gate, 1 << requiredGateIndex, limitingIndicators);
  if (!gatePassed) gradeMask = 0;
  const levelIndex = gradeMask === 0 ? -1 : lowestBit(gradeMask);
  if (levelIndex !== 0) {
    // The next level up is the one just above the level reached; for NONCONFORMING it is the lowest level.
    const missed = levelIndex === -1 ? std.levels.length - 1 : levelIndex - 1;
    collectFailures(std, 1 << missed, limitingIndicators);
  }

  return {
    ok: true,
    value: {
      standardCode: std.code,
      level: levelIndex === -1 ? NONCONFORMING : (std.levels[levelIndex] ?? NONCONFORMING),
      decisionRule: rule,
      indicators,
      limitingIndicators,
      safetyGate: gateResult,
      report: {
        laboratoryCnasNumber: report.laboratoryCnasNumber,
        reportNumber: report.reportNumber,
        sampleId: report.sampleId,
        testedOn: report.testedOn,
      },
    },
  };
}

/** The gate category's level index, or -1 after recording why it cannot be known. */
function resolveGateCategory(std: CompiledStandard, gate: CompiledGate | undefined, product: ProductUnderTest, violations: Violation[]): number {
  if (gate === undefined) {
    const code = std.standard.safetyGate?.standardCode ?? 'GB 18401-2010';
    violations.push(violation('safetyGate', 'SAFETY_GATE_REQUIRED', `a textile product must pass ${code} before it is graded; supply that standard`));
  }
  const group = product.targetGroup;
  if (group === undefined) {
    violations.push(violation('product.targetGroup', 'REQUIRED', 'a textile product needs a target group: it decides the safety category'));
    return -1;
  }
  if (!isTargetGroup(group)) {
    violations.push(violation('product.targetGroup', 'UNKNOWN_TARGET_GROUP', `'${String(group)}' is not one of ${TARGET_GROUPS.map((g) => g.id).join(', ')}`));
    return -1;
  }
  const allowed = targetGroupsOf(product.category);
  if (!allowed.includes(group)) {
    // Letting infant wear through as 'other' would hold it to category C instead of A.
    violations.push(
      violation('product.targetGroup', 'TARGET_GROUP_NOT_ALLOWED', `a ${product.category} product is for ${allowed.join(' or ')}, not '${group}'`),
    );
    return -1;
  }
  return gate?.requiredIndexByGroup.get(group) ?? -1;
}

/**
 * Evaluates every indicator of `std` the report has, appending verdicts in the standard's
 * order, and returns the levels all of them meet. `mode` is GRADING, or for a gate the
 * required category's level index (verdicts then carry `passed`), or GATE_CATEGORY_UNKNOWN
 * when no category could be resolved: values are still checked, absences are not.
 */
function evaluateAll(
  std: CompiledStandard,
  measurements: Readonly<Record<string, Measurement>>,
  guarded: boolean,
  mode: number,
  verdicts: IndicatorVerdict[],
  violations: Violation[],
): number {
  const { indicators, masks } = std;
  let all = std.allLevels;
  for (let i = 0; i < indicators.length; i++) {
    const ind = indicators[i]!;
    const m = Object.hasOwn(measurements, ind.id) ? measurements[ind.id] : undefined;
    let mask: number;
    if (m === undefined) {
      // A missing result passes only the levels that ask nothing of the indicator; whether that
      // is acceptable depends on which levels are at stake: all of them for a grade, only the
      // required category for the gate (saliva fastness is asked of category A alone).
      const needed = mode === GRADING ? ind.notRequiredMask !== std.allLevels : mode !== GATE_CATEGORY_UNKNOWN && (ind.notRequiredMask & (1 << mode)) === 0;
      if (needed) {
        violations.push(violation(ind.field, 'MISSING_INDICATOR', `${std.code} requires '${ind.id}'; the report has no result for it`));
      }
      mask = ind.notRequiredMask;
    } else {
      mask = judge(std, ind, m, guarded, mode, verdicts, violations);
    }
    masks[i] = mask;
    all &= mask;
  }
  return all;
}

/** Levels one reported indicator meets (0 when its value is unusable, after recording why). */
function judge(
  std: CompiledStandard,
  ind: CompiledIndicator,
  m: Measurement,
  guarded: boolean,
  mode: number,
  verdicts: IndicatorVerdict[],
  violations: Violation[],
): number {
  if (typeof m !== 'object' || m === null) {
    violations.push(violation(ind.field, 'INVALID_MEASUREMENT', 'a measurement is an object with a value and an optional uncertainty'));
    return 0;
  }
  const raw = m.value;
  const u: unknown = m.uncertainty;
  const value = readMeasurement(raw, ind.scale);
  let usable = true;
  if (Number.isNaN(value)) {
    const parsed = parseMeasurement(raw, ind.scale, ind.valueField);
    if (!parsed.ok) violations.push(...parsed.violations);
    usable = false;
  }
  if (u !== undefined && !(typeof u === 'number' && u >= 0 && u < Number.POSITIVE_INFINITY)) {
    violations.push(violation(ind.uncertaintyField, 'INVALID_UNCERTAINTY', `the expanded uncertainty U must be a finite number ≥ 0, not ${String(u)}`));
    usable = false;
  }
  if (!usable) return 0;

  const uncertainty = u as number | undefined;
  // Guarded acceptance moves the value towards failing by U; a pass/fail verdict has no U to apply.
  const shift = guarded && !ind.isPassFail && uncertainty !== undefined ? uncertainty : 0;
  const low = value - shift;
  const high = value + shift;
  let mask = 0;
  const { min, max } = ind;
  for (let l = 0; l < min.length; l++) {
    if (low >= min[l]! && high <= max[l]!) mask |= 1 << l;
  }

  const valueUsed: ValueUsed = ind.isPassFail ? value === 1 : ind.isRange ? { low, high } : ind.isMin ? low : high;
  const indicatorId = ind.id;
  const read = ind.isPassFail ? value === 1 : value;
  const bestLevel = levelName(std, mask);
  const levels = checksFor(std, mask);
  if (mode === GRADING) {
    verdicts.push({ indicatorId, measured: raw, value: read, uncertainty, valueUsed, bestLevel, levels });
  } else {
    const passed = mode >= 0 && (mask & (1 << mode)) !== 0;
    const verdict: GateIndicatorVerdict = { indicatorId, measured: raw, value: read, uncertainty, valueUsed, bestLevel, levels, passed };
    verdicts.push(verdict);
  }
  return mask;
}

function lowestBit(mask: number): number {
  return 31 - Math.clz32(mask & -mask);
}

function levelName(std: CompiledStandard, mask: number): string {
  return mask === 0 ? NONCONFORMING : (std.levels[lowestBit(mask)] ?? NONCONFORMING);
}

function checksFor(std: CompiledStandard, mask: number): readonly LevelCheck[] {
  let checks = std.checksByMask[mask];
  if (checks === undefined) {
    checks = Object.freeze(std.levels.map((level, l) => Object.freeze({ level, passed: (mask & (1 << l)) !== 0 })));
    std.checksByMask[mask] = checks;
  }
  return checks;
}

/** Appends the indicators of `std` that missed `levelBit` in the evaluation just run. */
function collectFailures(std: CompiledStandard, levelBit: number, out: LimitingIndicator[]): void {
  const { indicators, masks } = std;
  for (let i = 0; i < indicators.length; i++) {
    if ((masks[i]! & levelBit) === 0) out.push(indicators[i]!.limiting);
  }
}

function checkReportReference(report: TestReport, violations: Violation[]): void {
  const lab: unknown = report.laboratoryCnasNumber;
  // The canonical form is the common case; the full parser also accepts loose spacing and case.
  if (typeof lab !== 'string' || !LAB_CNAS_CANONICAL.test(lab)) {
    violations.push(...validateCnasNumber(typeof lab === 'string' ? lab : '', 'report.laboratoryCnasNumber', 'laboratory'));
  }
  if (!isText(report.reportNumber)) {
    violations.push(violation('report.reportNumber', 'REQUIRED', 'the test report number is required'));
  }
  if (!isText(report.sampleId)) {
    violations.push(violation('report.sampleId', 'REQUIRED', 'the sample or batch id the report covers is required'));
  }
  if (!isIsoDate(report.testedOn)) {
    violations.push(violation('report.testedOn', 'INVALID_DATE', `'${String(report.testedOn)}' is not a calendar date written YYYY-MM-DD`));
  }
}

function checkUnknownIndicators(
  std: CompiledStandard,
  gate: CompiledStandard | undefined,
  measurements: Readonly<Record<string, Measurement>>,
  violations: Violation[],
): void {
  for (const id in measurements) {
    if (!Object.hasOwn(measurements, id) || measurements[id] === undefined) continue;
    if (std.ids.has(id) || (gate !== undefined && gate.ids.has(id))) continue;
    const defined = gate === undefined ? std.code : `${std.code} or ${gate.code}`;
    violations.push(violation(`report.measurements.${id}`, 'UNKNOWN_INDICATOR', `${defined} defines no indicator '${id}'`));
  }
}

function isText(value: unknown): boolean {
  return typeof value === 'string' && NON_BLANK.test(value);
}

function isIsoDate(value: unknown): boolean {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function checkStandard(standard: Standard, field: string): Violation[] {
  const violations = validateStandard(standard, field);
  if (Array.isArray(standard.gradeLevels) && standard.gradeLevels.length > MAX_GRADE_LEVELS) {
    violations.push(
      violation(`${field}.gradeLevels`, 'TOO_MANY_GRADE_LEVELS', `the engine grades up to ${MAX_GRADE_LEVELS} levels, not ${standard.gradeLevels.length}`),
    );
  }
  return violations;
}

function checkGate(standard: Standard, gate: Standard): Violation[] {
  const violations = checkStandard(gate, 'safetyGate');
  if (gate.purpose !== 'safety-gate') {
    violations.push(violation('safetyGate.purpose', 'NOT_A_SAFETY_GATE', `${gate.code} is a ${gate.purpose} standard, not a safety gate`));
  }
  const reference = standard.safetyGate;
  if (reference !== undefined) {
    const named = parseStandardCode(reference.standardCode ?? '');
    const given = parseStandardCode(gate.code ?? '');
    if (named.ok && given.ok && named.value.canonical !== given.value.canonical) {
      violations.push(
        violation(
          'safetyGate.code',
          'SAFETY_GATE_MISMATCH',
          `${standard.code} names ${named.value.canonical} as its safety gate, not ${given.value.canonical}`,
        ),
      );
    }
  }
  const levels: readonly string[] = Array.isArray(gate.gradeLevels) ? gate.gradeLevels : [];
  for (const { id: group } of TARGET_GROUPS) {
    const mapped = reference?.categoryByTargetGroup?.[group];
    const category = mapped ?? gb18401Category(group);
    if (!levels.includes(category)) {
      const field = mapped === undefined ? 'safetyGate.gradeLevels' : `standard.safetyGate.categoryByTargetGroup.${group}`;
      violations.push(violation(field, 'UNKNOWN_SAFETY_CATEGORY', `${gate.code} has no category '${category}' for target group '${group}'`));
    }
  }
  return violations;
}

function compileLimits(standard: Standard): CompiledStandard {
  const levels = Object.freeze([...standard.gradeLevels]);
  const indicators = standard.indicators.map((indicator) => compileIndicator(standard.code, indicator, levels));
  return {
    standard,
    code: standard.code,
    levels,
    allLevels: (1 << levels.length) - 1,
    levelIndex: new Map(levels.map((level, l) => [level, l])),
    indicators,
    ids: new Set(indicators.map((ind) => ind.id)),
    categories: new Set(standard.categories),
    checksByMask: [],
    masks: new Int32Array(indicators.length),
  };
}

function compileIndicator(standardCode: string, indicator: Indicator, levels: readonly string[]): CompiledIndicator {
  const min = new Float64Array(levels.length).fill(Number.NEGATIVE_INFINITY);
  const max = new Float64Array(levels.length).fill(Number.POSITIVE_INFINITY);
  const isPassFail = indicator.direction === 'pass-fail';
  let notRequiredMask = 0;
  levels.forEach((level, l) => {
    const limit = indicator.limits[level];
    // Unbounded levels pass any value, which is what notRequired means.
    if (limit === undefined || limit.notRequired) {
      notRequiredMask |= 1 << l;
      return;
    }
    // A pass reads as 1 and a fail as 0, so `pass: true` is a minimum of 1.
    if (isPassFail) min[l] = 1;
    if (limit.min !== undefined) min[l] = limit.min;
    if (limit.max !== undefined) max[l] = limit.max;
  });
  const field = `report.measurements.${indicator.id}`;
  return {
    id: indicator.id,
    scale: measurementScaleOf(indicator),
    isPassFail,
    isRange: indicator.direction === 'within-range',
    isMin: indicator.direction === 'higher-is-better',
    min,
    max,
    notRequiredMask,
    field,
    valueField: `${field}.value`,
    uncertaintyField: `${field}.uncertainty`,
    limiting: Object.freeze({ standardCode, indicatorId: indicator.id }),
  };
}

function compileGate(standard: Standard, gate: Standard): CompiledGate {
  const compiled = compileLimits(gate);
  const requiredIndexByGroup = new Map<TargetGroup, number>();
  for (const { id: group } of TARGET_GROUPS) {
    const category = standard.safetyGate?.categoryByTargetGroup?.[group] ?? gb18401Category(group);
    const index = compiled.levelIndex.get(category);
    if (index !== undefined) requiredIndexByGroup.set(group, index);
  }
  return { ...compiled, requiredIndexByGroup };
}
