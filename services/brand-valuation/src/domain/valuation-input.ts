/**
 * What a brand-valuation application carries, and every reason it cannot be valued.
 *
 * Amounts are yuan as decimal strings (`"123456789.12"`), rates and shares are fractions as
 * decimal strings (`"0.12"` for 12 %), so nothing passes through a binary double before the
 * exact engine reads it. Violations name fields in the snake_case of the future proto message.
 */
import { BRAND_ELEMENTS, SCORE_MAX, SCORE_MIN, type BrandElement } from './brand-strength.js';
import type { FieldViolation } from './field-violation.js';
import { Fraction } from './fraction.js';
import { Exact, MAX_NUMBER_TEXT_LENGTH, parseDecimal, readAmount, readDecimal, toExactString } from './money.js';

export const SECTORS = ['agriculture', 'manufacturing', 'services'] as const;
export type Sector = (typeof SECTORS)[number];

export const VALUATION_METHODS = ['relief_from_royalty', 'excess_earnings'] as const;
export type ValuationMethod = (typeof VALUATION_METHODS)[number];
export const DEFAULT_HEADLINE_METHOD: ValuationMethod = 'relief_from_royalty';

export const MIN_HISTORICAL_YEARS = 3;
export const FORECAST_YEARS = 5;
export const MAX_EVIDENCE_CHARACTERS = 2000;

/** One audited fiscal year. */
export type HistoricalYear = {
  fiscalYear: number;
  revenue: string;
  operatingProfit: string;
  netProfit: string;
  /** Effective income-tax rate, a fraction in [0, 1). */
  incomeTaxRate: string;
  currentAssets: string;
  nonCurrentAssets: string;
};

export type ForecastYear = {
  fiscalYear: number;
  revenue: string;
  /** Operating profit ÷ revenue, a fraction in [−1, 1]. */
  operatingMargin: string;
};

/** A discount rate shown as its build-up; r is the plain sum of the parts. */
export type DiscountRateBuildUp = {
  riskFreeRate: string;
  /** E.g. equity risk premium × β, size premium, brand-specific risk premium. */
  premia: readonly { name: string; rate: string }[];
};

export type RoyaltyRateRange = { low: string; high: string };

/** A score on 0–100 (decimals allowed) and the evidence the evaluator relied on. */
export type ElementScore = { score: string; evidence: string };

export type ValuationInput = {
  sector: Sector;
  /** At least 3 consecutive fiscal years, oldest first. */
  historicalYears: readonly HistoricalYear[];
  /** Exactly 5 consecutive years starting the year after the last historical year. */
  forecastYears: readonly ForecastYear[];
  /** Give either the rate or its build-up, not both. */
  discountRate?: string;
  discountRateBuildUp?: DiscountRateBuildUp;
  terminalGrowthRate: string;
  /** Fractions in [0, 1], low ≤ high; the BSI places the rate used within it. */
  royaltyRateRange: RoyaltyRateRange;
  brandStrength: Readonly<Record<BrandElement, ElementScore>>;
  /** Charge on current assets in the excess-earnings method (1-year lending rate). */
  oneYearLendingRate: string;
  /** Charge on non-current assets in the excess-earnings method (5-year lending rate). */
  fiveYearLendingRate: string;
  /** Share of excess earnings due to the brand rather than other intangibles, a fraction in [0, 1]. */
  brandAttributableShare: string;
  /** Defaults to relief from royalty; the other method is always computed as the cross-check. */
  headlineMethod?: ValuationMethod;
};

/**
 * An input's figures, each read exactly once by `readValuationInput` — what the valuation engine
 * computes with, so it never reads a string twice.
 */
export type ValuationFigures = {
  /** The last historical year's revenue, tax rate and assets. */
  lastRevenue: Fraction;
  incomeTaxRate: Fraction;
  currentAssets: Fraction;
  nonCurrentAssets: Fraction;
  forecastRevenues: Fraction[];
  operatingMargins: Fraction[];
  /** Given directly, or the sum of its build-up. */
  discountRate: Fraction;
  terminalGrowthRate: Fraction;
  royaltyRateLow: Fraction;
  royaltyRateHigh: Fraction;
  scores: Record<BrandElement, Fraction>;
  oneYearLendingRate: Fraction;
  fiveYearLendingRate: Fraction;
  brandAttributableShare: Fraction;
};

/** Filled in as the checks read each figure; complete when no violation was found. */
type Draft = Partial<Omit<ValuationFigures, 'scores'>> & {
  forecastRevenues: Fraction[];
  operatingMargins: Fraction[];
  scores: Partial<Record<BrandElement, Fraction>>;
};

/** The rate the input states, directly or as a build-up; undefined if neither reads. */
export function discountRateOf(input: Pick<ValuationInput, 'discountRate' | 'discountRateBuildUp'>): Exact | undefined {
  if (input.discountRate !== undefined) return parseDecimal(input.discountRate);
  const buildUp = input.discountRateBuildUp;
  if (buildUp === undefined) return undefined;
  let sum = parseDecimal(buildUp.riskFreeRate);
  for (const premium of Array.isArray(buildUp.premia) ? buildUp.premia : []) {
    const rate = parseDecimal(premium?.rate);
    sum = sum === undefined || rate === undefined ? undefined : sum.plus(rate);
  }
  return sum;
}

const MIN_FISCAL_YEAR = 1900;
const MAX_FISCAL_YEAR = 2999;
const NON_BLANK = /\S/;

// Values are checked as exact fractions: reading and comparing them is several times cheaper
// than in decimal.js, and the valuation engine reads the same way.
type Bound = { value: number; exact: Fraction; inclusive: boolean };
const closed = (value: number): Bound => ({ value, exact: Fraction.of(BigInt(value)), inclusive: true });
const open = (value: number): Bound => ({ value, exact: Fraction.of(BigInt(value)), inclusive: false });
const MINUS_ONE_INCLUSIVE = closed(-1);
const MINUS_ONE_EXCLUSIVE = open(-1);
const ZERO_INCLUSIVE = closed(0);
const ZERO_EXCLUSIVE = open(0);
const ONE_INCLUSIVE = closed(1);
const ONE_EXCLUSIVE = open(1);
const SCORE_LOWEST = closed(SCORE_MIN);
const SCORE_HIGHEST = closed(SCORE_MAX);

function rangeText(min: Bound | undefined, max: Bound | undefined): string {
  if (min !== undefined && max !== undefined) {
    return `in ${min.inclusive ? '[' : '('}${min.value}, ${max.value}${max.inclusive ? ']' : ')'}`;
  }
  if (min !== undefined) return min.inclusive ? `≥ ${min.value}` : `> ${min.value}`;
  return max!.inclusive ? `≤ ${max!.value}` : `< ${max!.value}`;
}

/** Collects violations; each reader returns the parsed value, or undefined after reporting why not. */
class Checker {
  readonly violations: FieldViolation[] = [];

  add(field: string, description: string): void {
    this.violations.push({ field, description });
  }

  private inRange(field: string, value: Fraction, text: string, min?: Bound, max?: Bound, what = 'value'): Fraction | undefined {
    const belowMin = min !== undefined && (min.inclusive ? value.lt(min.exact) : value.lte(min.exact));
    const aboveMax = max !== undefined && (max.inclusive ? value.gt(max.exact) : !value.lt(max.exact));
    if (belowMin || aboveMax) {
      this.add(field, `${what} ${text} must be ${rangeText(min, max)}`);
      return undefined;
    }
    return value;
  }

  /** Yuan to the fen. */
  amount(field: string, text: unknown, min?: Bound): Fraction | undefined {
    const value = readAmount(text);
    if (value === undefined) {
      this.add(field, `must be an amount in yuan as a decimal string with at most 2 decimals, e.g. "123456789.12"${describe(text)}`);
      return undefined;
    }
    return this.inRange(field, value, text as string, min, undefined, 'amount');
  }

  /** A fraction or score as a decimal string. */
  decimal(field: string, text: unknown, min?: Bound, max?: Bound, what = 'rate'): Fraction | undefined {
    const value = readDecimal(text);
    if (value === undefined) {
      this.add(field, `must be a decimal string such as "0.12"${describe(text)}`);
      return undefined;
    }
    return this.inRange(field, value, text as string, min, max, what);
  }

  fiscalYear(field: string, year: unknown): number | undefined {
    if (typeof year !== 'number' || !Number.isInteger(year) || year < MIN_FISCAL_YEAR || year > MAX_FISCAL_YEAR) {
      this.add(field, `must be a whole fiscal year in ${MIN_FISCAL_YEAR}–${MAX_FISCAL_YEAR}, not ${String(year)}`);
      return undefined;
    }
    return year;
  }
}

function describe(text: unknown): string {
  if (typeof text !== 'string') return text === undefined ? '; it is missing' : `, not a ${typeof text}`;
  if (text.length > MAX_NUMBER_TEXT_LENGTH) return `; it is longer than ${MAX_NUMBER_TEXT_LENGTH} characters`;
  return `, not "${text}"`;
}

function checkHistoricalYears(c: Checker, years: readonly HistoricalYear[] | undefined, draft: Draft): { lastYear?: number } {
  if (!Array.isArray(years)) {
    c.add('historical_years', `at least ${MIN_HISTORICAL_YEARS} consecutive fiscal years are required; none were given`);
    return {};
  }
  if (years.length < MIN_HISTORICAL_YEARS) {
    c.add('historical_years', `at least ${MIN_HISTORICAL_YEARS} consecutive fiscal years are required, not ${years.length}`);
  }
  let previous: number | undefined;
  years.forEach((year, i) => {
    const at = `historical_years[${i}]`;
    if (year === null || typeof year !== 'object') {
      c.add(at, 'must be a fiscal year with its figures');
      previous = undefined;
      return;
    }
    const fiscalYear = c.fiscalYear(`${at}.fiscal_year`, year.fiscalYear);
    if (fiscalYear !== undefined && previous !== undefined && fiscalYear !== previous + 1) {
      c.add(`${at}.fiscal_year`, `years must be consecutive, oldest first: ${fiscalYear} follows ${previous}, expected ${previous + 1}`);
    }
    previous = fiscalYear;
    const isLast = i === years.length - 1;
    // The excess-earnings method scales last year's assets by forecast revenue ÷ this revenue.
    const revenue = c.amount(`${at}.revenue`, year.revenue, isLast ? ZERO_EXCLUSIVE : ZERO_INCLUSIVE);
    c.amount(`${at}.operating_profit`, year.operatingProfit);
    c.amount(`${at}.net_profit`, year.netProfit);
    const incomeTaxRate = c.decimal(`${at}.income_tax_rate`, year.incomeTaxRate, ZERO_INCLUSIVE, ONE_EXCLUSIVE);
    const currentAssets = c.amount(`${at}.current_assets`, year.currentAssets, ZERO_INCLUSIVE);
    const nonCurrentAssets = c.amount(`${at}.non_current_assets`, year.nonCurrentAssets, ZERO_INCLUSIVE);
    if (isLast) Object.assign(draft, { lastRevenue: revenue, incomeTaxRate, currentAssets, nonCurrentAssets });
  });
  const last = years.at(-1)?.fiscalYear;
  return { lastYear: typeof last === 'number' && Number.isInteger(last) ? last : undefined };
}

function checkForecastYears(c: Checker, years: readonly ForecastYear[] | undefined, lastHistoricalYear: number | undefined, draft: Draft): void {
  if (!Array.isArray(years) || years.length !== FORECAST_YEARS) {
    c.add('forecast_years', `exactly ${FORECAST_YEARS} forecast years are required, not ${Array.isArray(years) ? years.length : 0}`);
    if (!Array.isArray(years)) return;
  }
  years.forEach((year, i) => {
    const at = `forecast_years[${i}]`;
    if (year === null || typeof year !== 'object') {
      c.add(at, 'must be a forecast year with its revenue and operating margin');
      return;
    }
    const fiscalYear = c.fiscalYear(`${at}.fiscal_year`, year.fiscalYear);
    if (fiscalYear !== undefined && lastHistoricalYear !== undefined && fiscalYear !== lastHistoricalYear + 1 + i) {
      c.add(
        `${at}.fiscal_year`,
        `the forecast must run consecutively from the year after the last historical year (${lastHistoricalYear}): expected ${lastHistoricalYear + 1 + i}, not ${fiscalYear}`,
      );
    }
    draft.forecastRevenues[i] = c.amount(`${at}.revenue`, year.revenue, ZERO_INCLUSIVE)!;
    draft.operatingMargins[i] = c.decimal(`${at}.operating_margin`, year.operatingMargin, MINUS_ONE_INCLUSIVE, ONE_INCLUSIVE, 'margin')!;
  });
}

function checkDiscountRate(c: Checker, input: ValuationInput): { field: string; rate?: Fraction } {
  const direct = input.discountRate;
  const buildUp = input.discountRateBuildUp;
  if (direct !== undefined && buildUp !== undefined) {
    c.add('discount_rate', 'give the discount rate or its build-up, not both');
    return { field: 'discount_rate' };
  }
  if (direct === undefined && buildUp === undefined) {
    c.add('discount_rate', 'a discount rate, or its build-up (risk-free rate + premia), is required');
    return { field: 'discount_rate' };
  }
  if (direct !== undefined) return { field: 'discount_rate', rate: c.decimal('discount_rate', direct, ZERO_EXCLUSIVE, ONE_EXCLUSIVE) };

  const field = 'discount_rate_build_up';
  if (buildUp === null || typeof buildUp !== 'object') {
    c.add(field, 'must be a risk-free rate and a list of premia');
    return { field };
  }
  let sum = c.decimal(`${field}.risk_free_rate`, buildUp.riskFreeRate);
  if (!Array.isArray(buildUp.premia)) {
    c.add(`${field}.premia`, 'must be a list of named premia (it may be empty)');
    return { field };
  }
  buildUp.premia.forEach((premium, i) => {
    const at = `${field}.premia[${i}]`;
    if (typeof premium?.name !== 'string' || !NON_BLANK.test(premium.name)) {
      c.add(`${at}.name`, 'each premium needs a name so the report can show the build-up');
    }
    // A premium may be negative (e.g. a discount for a dominant brand); only the sum is bounded.
    const rate = c.decimal(`${at}.rate`, premium?.rate);
    sum = sum === undefined || rate === undefined ? undefined : sum.plus(rate);
  });
  if (sum !== undefined && (sum.lte(Fraction.ZERO) || !sum.lt(Fraction.ONE))) {
    c.add(field, `the build-up sums to ${toExactString(sum)}; the discount rate must be in (0, 1)`);
    return { field };
  }
  return { field, rate: sum };
}

function checkBrandStrength(c: Checker, strength: ValuationInput['brandStrength'] | undefined, draft: Draft): void {
  if (strength === null || typeof strength !== 'object') {
    c.add('brand_strength', `scores and evidence for ${BRAND_ELEMENTS.join(', ')} are required`);
    return;
  }
  for (const element of BRAND_ELEMENTS) {
    const at = `brand_strength.${element}`;
    const entry = strength[element];
    if (entry === null || typeof entry !== 'object') {
      c.add(at, `a score and evidence for ${element} are required`);
      continue;
    }
    draft.scores[element] = c.decimal(`${at}.score`, entry.score, SCORE_LOWEST, SCORE_HIGHEST, 'score');
    const evidence = entry.evidence;
    if (typeof evidence !== 'string' || !NON_BLANK.test(evidence)) {
      c.add(`${at}.evidence`, 'the evidence behind the score is required');
    } else {
      // Characters as a reader counts them: a Chinese character or an emoji is one, not two UTF-16 units.
      let characters = 0;
      for (const _ of evidence) if (++characters > MAX_EVIDENCE_CHARACTERS) break;
      if (characters > MAX_EVIDENCE_CHARACTERS) {
        c.add(`${at}.evidence`, `the evidence must be at most ${MAX_EVIDENCE_CHARACTERS} characters; summarise and cite the documents instead`);
      }
    }
  }
}

/**
 * Every reason the input cannot be valued, as field violations; empty when it can.
 * Never throws, whatever shape the input arrives in.
 */
export function validateValuationInput(input: ValuationInput): FieldViolation[] {
  return readValuationInput(input).violations;
}

/**
 * `validateValuationInput`, and the figures read on the way: `figures` is there exactly when
 * `violations` is empty. Never throws.
 */
export function readValuationInput(input: ValuationInput): { violations: FieldViolation[]; figures: ValuationFigures | undefined } {
  const c = new Checker();
  if (input === null || typeof input !== 'object') {
    c.add('', 'a valuation input is required');
    return { violations: c.violations, figures: undefined };
  }
  const draft: Draft = { forecastRevenues: [], operatingMargins: [], scores: {} };
  if (!(SECTORS as readonly unknown[]).includes(input.sector)) {
    c.add('sector', `must be one of ${SECTORS.join(', ')}, not ${JSON.stringify(input.sector) ?? 'nothing'}`);
  }
  if (input.headlineMethod !== undefined && !(VALUATION_METHODS as readonly unknown[]).includes(input.headlineMethod)) {
    c.add('headline_method', `must be one of ${VALUATION_METHODS.join(', ')}, not ${JSON.stringify(input.headlineMethod)}`);
  }

  const { lastYear } = checkHistoricalYears(c, input.historicalYears, draft);
  checkForecastYears(c, input.forecastYears, lastYear, draft);

  const discount = checkDiscountRate(c, input);
  const growth = c.decimal('terminal_growth_rate', input.terminalGrowthRate, MINUS_ONE_EXCLUSIVE);
  if (discount.rate !== undefined && growth !== undefined && discount.rate.lte(growth)) {
    // The Gordon terminal value CF·(1+g)/(r−g) is meaningless (or infinite) unless r > g.
    c.add(discount.field, `the discount rate ${toExactString(discount.rate)} must exceed the terminal growth rate ${toExactString(growth)}`);
  }
  draft.discountRate = discount.rate;
  draft.terminalGrowthRate = growth;

  const range = input.royaltyRateRange;
  if (range === null || typeof range !== 'object') {
    c.add('royalty_rate_range', 'a royalty rate range {low, high} as fractions in [0, 1] is required');
  } else {
    const low = c.decimal('royalty_rate_range.low', range.low, ZERO_INCLUSIVE, ONE_INCLUSIVE);
    const high = c.decimal('royalty_rate_range.high', range.high, ZERO_INCLUSIVE, ONE_INCLUSIVE);
    if (low !== undefined && high !== undefined && low.gt(high)) {
      c.add('royalty_rate_range.high', `the range is inverted: high ${range.high} is below low ${range.low}`);
    }
    draft.royaltyRateLow = low;
    draft.royaltyRateHigh = high;
  }

  checkBrandStrength(c, input.brandStrength, draft);

  draft.oneYearLendingRate = c.decimal('one_year_lending_rate', input.oneYearLendingRate, ZERO_INCLUSIVE, ONE_EXCLUSIVE);
  draft.fiveYearLendingRate = c.decimal('five_year_lending_rate', input.fiveYearLendingRate, ZERO_INCLUSIVE, ONE_EXCLUSIVE);
  draft.brandAttributableShare = c.decimal('brand_attributable_share', input.brandAttributableShare, ZERO_INCLUSIVE, ONE_INCLUSIVE, 'share');
  // No violation means every check above read its figure.
  return { violations: c.violations, figures: c.violations.length === 0 ? (draft as ValuationFigures) : undefined };
}
