/**
 * A product standard as pinzhi grades against it: ordered grade levels and, per indicator,
 * the limit each level demands.
 *
 * One shape serves three purposes, so the rule engine needs a single code path:
 * - `grading`: levels are quality grades, best first (SUPERIOR, FIRST, QUALIFIED); a product
 *   gets the best level whose every limit it meets.
 * - `safety-gate`: a mandatory standard such as GB 18401-2010 whose "levels" are its safety
 *   categories, strictest first (A, B, C); a product must meet the category its target
 *   group requires before any grade applies.
 * - `conformity`: a pass/fail standard, typically a foreign one used to compare against
 *   (same standard, 三同), with the single level CONFORMING.
 * In every case the first level is the strictest, so the limit-order checks are the same.
 */
import {
  GB18401_CATEGORIES,
  TARGET_GROUPS,
  gb18401Category,
  isProductCategory,
  isTextileCategory,
  isTargetGroup,
  meetsGb18401Category,
  type Gb18401Category,
  type ProductCategory,
  type TargetGroup,
} from './categories.js';
import { parseStandardCode, type StandardCode } from './standard-code.js';
import { violation, type Violation } from './violation.js';

export const INDICATOR_DIRECTIONS = ['higher-is-better', 'lower-is-better', 'within-range', 'pass-fail'] as const;
export type IndicatorDirection = (typeof INDICATOR_DIRECTIONS)[number];

export const STANDARD_PURPOSES = ['grading', 'safety-gate', 'conformity'] as const;
export type StandardPurpose = (typeof STANDARD_PURPOSES)[number];

/**
 * How a measured value with expanded uncertainty U is compared with a limit (ILAC-G8:09/2019):
 * `simple` compares the value itself, `guarded` first moves it by U towards failing.
 */
export const DECISION_RULES = ['simple', 'guarded'] as const;
export type DecisionRule = (typeof DECISION_RULES)[number];

/** Level name of a conformity standard's single level. */
export const CONFORMING_LEVEL = 'CONFORMING';

/**
 * What one grade level demands of one indicator. Bounds are inclusive. Every limit names its
 * source; `verified: false` marks a value that is illustrative (secondary source or
 * placeholder), never the standard's text.
 */
export type Limit = {
  min?: number;
  max?: number;
  pass?: true;
  /** The level imposes nothing on this indicator (GB 18401 asks saliva fastness of category A only). */
  notRequired?: true;
  source: string;
  verified: boolean;
};

export type Indicator = {
  /** kebab-case, unique within the standard; shared across standards so they can be compared. */
  id: string;
  name: string;
  unit: string;
  direction: IndicatorDirection;
  testMethod: string;
  /** One limit for every grade level, keyed by level name. */
  limits: Record<string, Limit>;
};

/** The mandatory safety standard a graded product must pass first, and at which category. */
export type SafetyGateReference = {
  standardCode: string;
  categoryByTargetGroup: Record<TargetGroup, string>;
};

export type Standard = {
  /** Canonical standard number, e.g. `GB/T 14272-2021`. */
  code: string;
  title: string;
  /** The title as published in Chinese, where there is one. */
  titleZh?: string;
  purpose: StandardPurpose;
  categories: ProductCategory[];
  /** Strictest first: best grade first for grading, category A first for GB 18401. */
  gradeLevels: string[];
  indicators: Indicator[];
  safetyGate?: SafetyGateReference;
  defaultDecisionRule: DecisionRule;
  /** ISO dates (YYYY-MM-DD). */
  publishedOn?: string;
  effectiveFrom?: string;
  withdrawnOn?: string;
  /** Standard numbers of the editions or standards this one replaces. */
  replaces?: string[];
};

const GRADE_LEVEL_PATTERN = /^[A-Z][A-Z0-9_]*$/;
const INDICATOR_ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Violations of one standard, with paths under `field` such as `standard.indicators[2].limits.FIRST.max`. */
export function validateStandard(std: Standard, field = 'standard'): Violation[] {
  const violations: Violation[] = [];
  const at = (path: string): string => `${field}.${path}`;

  const parsed = parseStandardCode(std.code ?? '', at('code'));
  if (!parsed.ok) violations.push(...parsed.violations);
  const code = parsed.ok ? parsed.value : undefined;
  const isGb18401 = code !== undefined && isGb18401Code(code);

  if (!nonEmpty(std.title)) violations.push(violation(at('title'), 'REQUIRED', 'a standard needs a title'));

  if (!(STANDARD_PURPOSES as readonly string[]).includes(std.purpose)) {
    violations.push(violation(at('purpose'), 'UNKNOWN_PURPOSE', `'${std.purpose}' is not one of ${STANDARD_PURPOSES.join(', ')}`));
  }

  if (!(DECISION_RULES as readonly string[]).includes(std.defaultDecisionRule)) {
    violations.push(violation(at('defaultDecisionRule'), 'UNKNOWN_DECISION_RULE', `'${std.defaultDecisionRule}' is not one of ${DECISION_RULES.join(', ')}`));
  }

  const gatedByGb18401 = std.safetyGate !== undefined && isGb18401Reference(std.safetyGate.standardCode);
  violations.push(...validateCategories(std.categories, at('categories'), isGb18401 || gatedByGb18401));

  const levelViolations = validateGradeLevels(std, at('gradeLevels'), isGb18401);
  violations.push(...levelViolations);
  // Limits are keyed by level, so checking them against broken levels would only echo the same fault.
  if (levelViolations.length === 0) violations.push(...validateIndicators(std, at('indicators')));

  if (std.safetyGate !== undefined) {
    violations.push(...validateSafetyGate(std.safetyGate, code, at('safetyGate')));
  }

  violations.push(...validateDates(std, code, field));

  (std.replaces ?? []).forEach((replaced, i) => {
    const path = at(`replaces[${i}]`);
    const old = parseStandardCode(replaced, path);
    if (!old.ok) {
      violations.push(...old.violations);
      return;
    }
    const sameSeries = code !== undefined && old.value.prefix === code.prefix && old.value.number === code.number;
    if (sameSeries && (old.value.year ?? 0) >= (code?.year ?? 0)) {
      violations.push(violation(path, 'REPLACES_NEWER_EDITION', `${old.value.canonical} is not an earlier edition of ${code?.canonical}`));
    }
  });

  return violations;
}

/**
 * Violations across a set of standards: each one on its own, duplicate codes, and safety-gate
 * references that do not resolve to a safety-gate standard with the named categories.
 */
export function validateStandardCatalogue(standards: readonly Standard[], field = 'standards'): Violation[] {
  const violations: Violation[] = [];
  const byCode = new Map<string, Standard>();

  standards.forEach((std, i) => {
    violations.push(...validateStandard(std, `${field}[${i}]`));
    const parsed = parseStandardCode(std.code ?? '');
    if (!parsed.ok) return;
    if (byCode.has(parsed.value.canonical)) {
      violations.push(violation(`${field}[${i}].code`, 'DUPLICATE_STANDARD_CODE', `${parsed.value.canonical} appears more than once`));
    }
    byCode.set(parsed.value.canonical, std);
  });

  standards.forEach((std, i) => {
    if (std.safetyGate === undefined) return;
    const path = `${field}[${i}].safetyGate`;
    const parsed = parseStandardCode(std.safetyGate.standardCode ?? '');
    if (!parsed.ok) return; // already reported by validateStandard
    const gate = byCode.get(parsed.value.canonical);
    if (gate === undefined) {
      violations.push(violation(`${path}.standardCode`, 'UNKNOWN_STANDARD_REFERENCE', `${parsed.value.canonical} is not in the catalogue`));
      return;
    }
    if (gate.purpose !== 'safety-gate') {
      violations.push(violation(`${path}.standardCode`, 'NOT_A_SAFETY_GATE', `${parsed.value.canonical} is a ${gate.purpose} standard, not a safety gate`));
      return;
    }
    for (const [group, category] of Object.entries(std.safetyGate.categoryByTargetGroup ?? {})) {
      if (!gate.gradeLevels.includes(category)) {
        violations.push(
          violation(
            `${path}.categoryByTargetGroup.${group}`,
            'UNKNOWN_SAFETY_CATEGORY',
            `${parsed.value.canonical} has no category '${category}'; it has ${gate.gradeLevels.join(', ')}`,
          ),
        );
      }
    }
  });

  return violations;
}

function isGb18401Code(code: StandardCode): boolean {
  return code.prefix === 'GB' && code.number === '18401';
}

function isGb18401Reference(standardCode: string): boolean {
  const parsed = parseStandardCode(standardCode ?? '');
  return parsed.ok && isGb18401Code(parsed.value);
}

function validateCategories(categories: readonly string[] | undefined, field: string, textileOnly: boolean): Violation[] {
  if (!Array.isArray(categories) || categories.length === 0) {
    return [violation(field, 'REQUIRED', 'a standard covers at least one product category')];
  }
  const violations: Violation[] = [];
  const seen = new Set<string>();
  categories.forEach((category, i) => {
    const path = `${field}[${i}]`;
    if (seen.has(category)) violations.push(violation(path, 'DUPLICATE_CATEGORY', `'${category}' is listed twice`));
    seen.add(category);
    if (!isProductCategory(category)) {
      violations.push(violation(path, 'UNKNOWN_CATEGORY', `'${category}' is not a product category`));
    } else if (textileOnly && !isTextileCategory(category)) {
      violations.push(violation(path, 'NOT_A_TEXTILE_CATEGORY', `GB 18401 covers textile products only; '${category}' is not one`));
    }
  });
  return violations;
}

function validateGradeLevels(std: Standard, field: string, isGb18401: boolean): Violation[] {
  const levels = std.gradeLevels;
  if (!Array.isArray(levels) || levels.length === 0) {
    return [violation(field, 'REQUIRED', 'a standard has at least one grade level')];
  }
  const violations: Violation[] = [];
  const seen = new Set<string>();
  levels.forEach((level, i) => {
    const path = `${field}[${i}]`;
    if (!GRADE_LEVEL_PATTERN.test(level)) {
      violations.push(violation(path, 'INVALID_GRADE_LEVEL', `'${level}' is not an UPPER_SNAKE level name`));
    }
    if (seen.has(level)) violations.push(violation(path, 'DUPLICATE_GRADE_LEVEL', `'${level}' is listed twice`));
    seen.add(level);
  });
  if (std.purpose === 'conformity' && (levels.length !== 1 || levels[0] !== CONFORMING_LEVEL)) {
    violations.push(violation(field, 'INVALID_GRADE_LEVELS', `a conformity standard has the single level ${CONFORMING_LEVEL}`));
  }
  // The target-group mapping (gb18401Category) speaks A/B/C, so GB 18401 must too.
  if (isGb18401 && levels.join() !== GB18401_CATEGORIES.join()) {
    violations.push(violation(field, 'INVALID_GRADE_LEVELS', `GB 18401 levels are its safety categories ${GB18401_CATEGORIES.join(', ')}, in that order`));
  }
  return violations;
}

function validateIndicators(std: Standard, field: string): Violation[] {
  const indicators = std.indicators;
  if (!Array.isArray(indicators) || indicators.length === 0) {
    return [violation(field, 'REQUIRED', 'a standard has at least one indicator')];
  }
  const violations: Violation[] = [];
  const seen = new Set<string>();
  indicators.forEach((indicator, i) => {
    const path = `${field}[${i}]`;
    if (!INDICATOR_ID_PATTERN.test(indicator.id ?? '')) {
      violations.push(violation(`${path}.id`, 'INVALID_INDICATOR_ID', `'${indicator.id}' is not a kebab-case id`));
    } else if (seen.has(indicator.id)) {
      violations.push(violation(`${path}.id`, 'DUPLICATE_INDICATOR_ID', `indicator id '${indicator.id}' is used twice`));
    }
    seen.add(indicator.id);
    if (!nonEmpty(indicator.name)) violations.push(violation(`${path}.name`, 'REQUIRED', 'an indicator needs a name'));
    if (!nonEmpty(indicator.testMethod)) {
      violations.push(violation(`${path}.testMethod`, 'REQUIRED', 'an indicator names its test method'));
    }
    if (!(INDICATOR_DIRECTIONS as readonly string[]).includes(indicator.direction)) {
      violations.push(violation(`${path}.direction`, 'UNKNOWN_DIRECTION', `'${indicator.direction}' is not one of ${INDICATOR_DIRECTIONS.join(', ')}`));
      return; // every limit check depends on the direction
    }
    if (indicator.direction !== 'pass-fail' && !nonEmpty(indicator.unit)) {
      violations.push(violation(`${path}.unit`, 'REQUIRED', 'a measured indicator needs a unit'));
    }
    violations.push(...validateLimits(indicator, std.gradeLevels, `${path}.limits`));
  });
  return violations;
}

function validateLimits(indicator: Indicator, levels: readonly string[], field: string): Violation[] {
  const violations: Violation[] = [];
  const limits = indicator.limits ?? {};

  for (const level of Object.keys(limits)) {
    if (!levels.includes(level)) {
      violations.push(violation(`${field}.${level}`, 'UNKNOWN_GRADE_LEVEL', `'${level}' is not a grade level of this standard`));
    }
  }

  const wellFormed = new Map<string, Limit>();
  for (const level of levels) {
    const limit = limits[level];
    if (limit === undefined) {
      violations.push(violation(`${field}.${level}`, 'MISSING_LIMIT', `indicator '${indicator.id}' has no limit for ${level}`));
      continue;
    }
    const shape = validateLimitShape(limit, indicator.direction, `${field}.${level}`);
    violations.push(...shape);
    if (shape.length === 0) wellFormed.set(level, limit);
  }

  // Adjacent pairs suffice: "at least as strict" is transitive.
  for (let i = 0; i + 1 < levels.length; i++) {
    const betterLevel = levels[i] ?? '';
    const worseLevel = levels[i + 1] ?? '';
    const better = wellFormed.get(betterLevel);
    const worse = wellFormed.get(worseLevel);
    if (better === undefined || worse === undefined) continue;
    const found = compareLimits(indicator.direction, better, worse, betterLevel, worseLevel);
    if (found !== undefined) {
      violations.push(violation(`${field}.${betterLevel}${found.bound === '' ? '' : `.${found.bound}`}`, 'LIMIT_ORDER_CONTRADICTION', found.description));
    }
  }
  return violations;
}

function validateLimitShape(limit: Limit, direction: IndicatorDirection, field: string): Violation[] {
  const violations: Violation[] = [];
  if (!nonEmpty(limit.source)) {
    violations.push(violation(`${field}.source`, 'REQUIRED', 'every limit names its source'));
  }
  if (typeof limit.verified !== 'boolean') {
    violations.push(violation(`${field}.verified`, 'REQUIRED', 'every limit says whether it is verified against the standard'));
  } else if (limit.verified && /^placeholder\b/i.test(limit.source ?? '')) {
    violations.push(violation(`${field}.verified`, 'PLACEHOLDER_MARKED_VERIFIED', 'a placeholder value cannot be marked verified'));
  }
  for (const bound of ['min', 'max'] as const) {
    const value = limit[bound];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      violations.push(violation(`${field}.${bound}`, 'NOT_A_NUMBER', `${bound} must be a finite number`));
    }
  }
  if (limit.pass !== undefined && limit.pass !== true) {
    violations.push(violation(`${field}.pass`, 'INVALID_VALUE', 'pass is either true or absent'));
  }
  if (violations.length > 0) return violations;

  const present = {
    min: limit.min !== undefined,
    max: limit.max !== undefined,
    pass: limit.pass !== undefined,
  };
  const expected: Record<'min' | 'max' | 'pass', boolean> = limit.notRequired
    ? { min: false, max: false, pass: false }
    : {
        min: direction === 'higher-is-better' || direction === 'within-range',
        max: direction === 'lower-is-better' || direction === 'within-range',
        pass: direction === 'pass-fail',
      };
  for (const bound of ['min', 'max', 'pass'] as const) {
    if (expected[bound] && !present[bound]) {
      violations.push(violation(`${field}.${bound}`, 'MISSING_BOUND', `a ${direction} limit needs ${bound}`));
    } else if (!expected[bound] && present[bound]) {
      const why = limit.notRequired ? 'a limit marked notRequired has no bounds' : `a ${direction} limit has no ${bound}`;
      violations.push(violation(`${field}.${bound}`, 'UNEXPECTED_BOUND', why));
    }
  }
  if (violations.length === 0 && direction === 'within-range' && !limit.notRequired && (limit.min ?? 0) > (limit.max ?? 0)) {
    violations.push(violation(`${field}.min`, 'RANGE_INVERTED', `min ${limit.min} is above max ${limit.max}`));
  }
  return violations;
}

/** The reason `better` is looser than `worse`, if it is; `bound` names the offending field. */
function compareLimits(
  direction: IndicatorDirection,
  better: Limit,
  worse: Limit,
  betterLevel: string,
  worseLevel: string,
): { bound: string; description: string } | undefined {
  if (worse.notRequired) return undefined;
  if (better.notRequired) {
    return {
      bound: '',
      description: `${betterLevel} requires nothing but ${worseLevel} does; a stricter level must ask at least as much`,
    };
  }
  const min = { better: better.min ?? 0, worse: worse.min ?? 0 };
  const max = { better: better.max ?? 0, worse: worse.max ?? 0 };
  switch (direction) {
    case 'higher-is-better':
    case 'within-range':
      if (min.better < min.worse) {
        return {
          bound: 'min',
          description: `${betterLevel} min ${min.better} is below ${worseLevel} min ${min.worse}; a stricter level needs a min at least as high`,
        };
      }
      if (direction === 'higher-is-better') return undefined;
      if (max.better > max.worse) {
        return {
          bound: 'max',
          description: `${betterLevel} range ${min.better}–${max.better} is not inside ${worseLevel} range ${min.worse}–${max.worse}`,
        };
      }
      return undefined;
    case 'lower-is-better':
      if (max.better > max.worse) {
        return {
          bound: 'max',
          description: `${betterLevel} max ${max.better} is above ${worseLevel} max ${max.worse}; a stricter level needs a max at least as low`,
        };
      }
      return undefined;
    case 'pass-fail':
      return undefined;
  }
}

function validateSafetyGate(gate: SafetyGateReference, own: StandardCode | undefined, field: string): Violation[] {
  const violations: Violation[] = [];
  const parsed = parseStandardCode(gate.standardCode ?? '', `${field}.standardCode`);
  if (!parsed.ok) return parsed.violations;
  if (own !== undefined && parsed.value.canonical === own.canonical) {
    violations.push(violation(`${field}.standardCode`, 'SELF_REFERENCE', 'a standard cannot be its own safety gate'));
  }
  const mapping: Record<string, string> = gate.categoryByTargetGroup ?? {};
  for (const group of Object.keys(mapping)) {
    if (!isTargetGroup(group)) {
      violations.push(violation(`${field}.categoryByTargetGroup.${group}`, 'UNKNOWN_TARGET_GROUP', `'${group}' is not a target group`));
    }
  }
  const gb18401 = isGb18401Code(parsed.value);
  for (const { id: group } of TARGET_GROUPS) {
    const path = `${field}.categoryByTargetGroup.${group}`;
    const category = mapping[group];
    if (!nonEmpty(category)) {
      violations.push(violation(path, 'MISSING_SAFETY_CATEGORY', `no safety category for target group '${group}'`));
      continue;
    }
    if (!gb18401) continue;
    if (!(GB18401_CATEGORIES as readonly string[]).includes(category)) {
      violations.push(violation(path, 'UNKNOWN_SAFETY_CATEGORY', `GB 18401 has categories A, B and C, not '${category}'`));
    } else if (!meetsGb18401Category(category as Gb18401Category, gb18401Category(group))) {
      violations.push(
        violation(path, 'SAFETY_CATEGORY_TOO_LOOSE', `GB 18401 requires at least category ${gb18401Category(group)} for '${group}' products, not ${category}`),
      );
    }
  }
  return violations;
}

function validateDates(std: Standard, code: StandardCode | undefined, field: string): Violation[] {
  const violations: Violation[] = [];
  const dates: Partial<Record<'publishedOn' | 'effectiveFrom' | 'withdrawnOn', string>> = {};
  for (const key of ['publishedOn', 'effectiveFrom', 'withdrawnOn'] as const) {
    const value = std[key];
    if (value === undefined) continue;
    if (!isIsoDate(value)) {
      violations.push(violation(`${field}.${key}`, 'INVALID_DATE', `'${value}' is not a calendar date written YYYY-MM-DD`));
      continue;
    }
    dates[key] = value;
    // The number's year is the year of approval; nothing about the edition can happen earlier.
    if (key !== 'withdrawnOn' && code?.year !== undefined && Number(value.slice(0, 4)) < code.year) {
      violations.push(violation(`${field}.${key}`, 'DATE_BEFORE_EDITION_YEAR', `${value} is before ${code.year}, the year in ${code.canonical}`));
    }
  }
  const ordered: Array<['publishedOn' | 'effectiveFrom', 'effectiveFrom' | 'withdrawnOn', boolean]> = [
    ['publishedOn', 'effectiveFrom', false],
    ['effectiveFrom', 'withdrawnOn', true],
    ['publishedOn', 'withdrawnOn', true],
  ];
  for (const [earlier, later, strict] of ordered) {
    const a = dates[earlier];
    const b = dates[later];
    if (a === undefined || b === undefined) continue;
    // publishedOn → withdrawnOn only matters when there is no effectiveFrom between them.
    if (earlier === 'publishedOn' && later === 'withdrawnOn' && dates.effectiveFrom !== undefined) continue;
    if (strict ? a >= b : a > b) {
      const relation = strict ? 'come after' : 'be on or after';
      violations.push(violation(`${field}.${later}`, 'DATES_OUT_OF_ORDER', `${later} ${b} must ${relation} ${earlier} ${a}`));
    }
  }
  return violations;
}

function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  // Date rolls 2021-02-30 over to March, so a real date must survive the round trip.
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}
