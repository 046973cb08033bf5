/**
 * The valuation engine: one application in, one report out — relief from royalty and
 * multi-period excess earnings (the shape of GB/T 29188), the headline one chosen by the
 * application and the other as its cross-check, plus a sensitivity grid for the headline.
 *
 * All arithmetic is exact decimal (see money.ts); figures are rounded to the fen only as the
 * report is written. Cash flows arrive at each year's end, so year t is discounted by (1+r)^t.
 */
import {
  BRAND_ELEMENTS,
  brandStrengthIndex,
  ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS,
  royaltyRateFor,
  type BrandElement,
  type BrandStrengthWeights,
} from './brand-strength.js';
import type { FieldViolation } from './field-violation.js';
import {
  Exact,
  NonFiniteResultError,
  ONE,
  parseDecimal,
  toDisplayString,
  toExactString,
  toMoney,
  ZERO,
  type Money,
} from './money.js';
import {
  DEFAULT_HEADLINE_METHOD,
  discountRateOf,
  validateValuationInput,
  type Sector,
  type ValuationInput,
  type ValuationMethod,
} from './valuation-input.js';

/** Step either side of the base value in the sensitivity grid, each a fraction as a decimal string. */
export type SensitivitySteps = {
  discountRate: string;
  terminalGrowthRate: string;
  royaltyRate: string;
};

/** ±1 pp on r, ±0.5 pp on g and on the royalty rate. */
export const DEFAULT_SENSITIVITY_STEPS: SensitivitySteps = Object.freeze({
  discountRate: '0.01',
  terminalGrowthRate: '0.005',
  royaltyRate: '0.005',
});

export type ValuationOptions = {
  /** Defaults to ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS (not a standard's figures). */
  brandStrengthWeights?: BrandStrengthWeights;
  sensitivitySteps?: Partial<SensitivitySteps>;
};

/**
 * How the excess-earnings method sizes contributory assets in forecast years: last historical
 * year's current and non-current assets scaled by forecast revenue ÷ that year's revenue.
 * Holding them flat would hand the brand, for free, growth that needs working capital and plant.
 */
export const ASSET_BASIS = 'scaled_with_revenue';

/** Thrown by `valueBrand` for input that `validateValuationInput` refuses. */
export class InvalidValuationInputError extends Error {
  readonly violations: readonly FieldViolation[];

  constructor(violations: readonly FieldViolation[]) {
    super(`the valuation input is invalid: ${violations.map((v) => `${v.field}: ${v.description}`).join('; ')}`);
    this.name = 'InvalidValuationInputError';
    this.violations = violations;
  }
}

export type RoyaltyYear = {
  fiscalYear: number;
  /** t: discounted by (1+r)^t. */
  period: number;
  revenue: Money;
  /** Revenue × royalty rate: what a licensee would pay for the brand. */
  royaltyIncome: Money;
  incomeTax: Money;
  cashFlow: Money;
  /** 1/(1+r)^t, 6 decimals, for display; the exact factor is used in the sums. */
  discountFactor: string;
  presentValue: Money;
};

export type ExcessEarningsYear = {
  fiscalYear: number;
  period: number;
  revenue: Money;
  operatingMargin: string;
  operatingProfit: Money;
  incomeTax: Money;
  afterTaxOperatingProfit: Money;
  currentAssets: Money;
  nonCurrentAssets: Money;
  /** Current assets × 1-year lending rate + non-current assets × 5-year lending rate. */
  contributoryCharge: Money;
  excessEarnings: Money;
  /** Excess earnings × brand attributable share. */
  cashFlow: Money;
  discountFactor: string;
  presentValue: Money;
};

/** Gordon growth on the last forecast year: CF_N·(1+g)/(r−g), discounted by (1+r)^N. */
export type TerminalValue = {
  value: Money;
  discountFactor: string;
  presentValue: Money;
};

export type ReliefFromRoyaltyResult = {
  method: 'relief_from_royalty';
  royaltyRate: string;
  years: RoyaltyYear[];
  sumOfPresentValues: Money;
  terminalValue: TerminalValue;
  value: Money;
};

export type ExcessEarningsResult = {
  method: 'excess_earnings';
  brandAttributableShare: string;
  assetBasis: typeof ASSET_BASIS;
  years: ExcessEarningsYear[];
  sumOfPresentValues: Money;
  terminalValue: TerminalValue;
  value: Money;
};

export type CrossCheck = {
  method: ValuationMethod;
  value: Money;
  /** Cross-check value − headline value. */
  difference: Money;
  /** difference ÷ headline value, 6 decimals; null when the headline value is zero. */
  relativeDifference: string | null;
};

/** A cell of the grid: the headline value at these rates, or why there is none. */
export type SensitivityCell = {
  discountRate: string;
  terminalGrowthRate: string;
  royaltyRate: string | null;
} & ({ valid: true; value: Money } | { valid: false; reason: string });

export type SensitivityGrid = {
  method: ValuationMethod;
  /** Row headings: r − step, r, r + step. */
  discountRates: string[];
  /** Column headings: g − step, g, g + step. */
  terminalGrowthRates: string[];
  /** [row][column]; the centre cell is the headline value. */
  discountRateByTerminalGrowth: SensitivityCell[][];
  /** ρ − step, ρ, ρ + step at the base r and g; null when the headline is excess earnings. */
  royaltyRates: string[] | null;
  byRoyaltyRate: SensitivityCell[] | null;
};

export type BrandStrengthReport = {
  /** 0–100. */
  index: string;
  /** 0–1000, the list's scale. */
  listScale: string;
  elements: { element: BrandElement; score: string; weight: string; contribution: string }[];
};

export type ValuationAssumptions = {
  discountRate: string;
  discountRateBuildUp: { riskFreeRate: string; premia: { name: string; rate: string }[] } | null;
  terminalGrowthRate: string;
  /** The last historical year's rate, applied to every forecast year. */
  incomeTaxRate: string;
  royaltyRateRange: { low: string; high: string };
  royaltyRate: string;
  oneYearLendingRate: string;
  fiveYearLendingRate: string;
  brandAttributableShare: string;
};

export type ValuationReport = {
  sector: Sector;
  /** The last historical fiscal year; values are as at its end. */
  baseFiscalYear: number;
  headlineMethod: ValuationMethod;
  value: Money;
  brandStrength: BrandStrengthReport;
  assumptions: ValuationAssumptions;
  reliefFromRoyalty: ReliefFromRoyaltyResult;
  excessEarnings: ExcessEarningsResult;
  crossCheck: CrossCheck;
  sensitivity: SensitivityGrid;
};

/** A discount rate prepared for one set of sums: (1+r)^t for t = 1..N. */
type Discounting = {
  rate: Exact;
  compound: Exact[];
};

function discounting(rate: Exact, n: number): Discounting {
  // Repeated multiplication: exact for any rate of a few decimals.
  const base = ONE.plus(rate);
  const compound: Exact[] = [];
  let factor = ONE;
  for (let t = 0; t < n; t++) {
    factor = factor.times(base);
    compound.push(factor);
  }
  return { rate, compound };
}

/**
 * Σ CF_t/(1+r)^t + CF_N·(1+g)/((r−g)·(1+r)^N), rearranged over the common denominator
 * (1+r)^N·(r−g) so that the whole value takes one division — for rates of a few decimals the
 * only inexact step — and a value that is a terminating decimal comes out exact. It is also a
 * fifth of the cost of discounting line by line, which matters across the sensitivity grid.
 */
function totalValue(cashFlows: readonly Exact[], d: Discounting, growth: Exact): Exact {
  const n = cashFlows.length;
  const spread = d.rate.minus(growth);
  // Each year's cash flow carried forward to year N: CF_t·(1+r)^(N−t).
  let carried = cashFlows[n - 1]!;
  for (let t = 0; t < n - 1; t++) carried = carried.plus(cashFlows[t]!.times(d.compound[n - t - 2]!));
  const numerator = carried.times(spread).plus(cashFlows[n - 1]!.times(ONE.plus(growth)));
  return numerator.div(d.compound[n - 1]!.times(spread));
}

type Discounted = {
  presentValues: Exact[];
  sumOfPresentValues: Exact;
  terminalValue: Exact;
  terminalPresentValue: Exact;
  total: Exact;
};

/** The lines of the report, plus the total; the lines are for showing, the total is `totalValue`. */
function discount(cashFlows: readonly Exact[], d: Discounting, growth: Exact): Discounted {
  const presentValues = cashFlows.map((cf, t) => cf.div(d.compound[t]!));
  const n = cashFlows.length;
  const terminalValue = cashFlows[n - 1]!.times(ONE.plus(growth)).div(d.rate.minus(growth));
  return {
    presentValues,
    sumOfPresentValues: presentValues.reduce((a, b) => a.plus(b), ZERO),
    terminalValue,
    terminalPresentValue: terminalValue.div(d.compound[n - 1]!),
    total: totalValue(cashFlows, d, growth),
  };
}

function terminalOf(d: Discounted, discountFactors: readonly string[]): TerminalValue {
  return {
    value: toMoney(d.terminalValue),
    discountFactor: discountFactors.at(-1)!,
    presentValue: toMoney(d.terminalPresentValue),
  };
}

type Steps = { discountRate: Exact; terminalGrowthRate: Exact; royaltyRate: Exact };

function readSteps(steps: Partial<SensitivitySteps> | undefined): Steps {
  const read = (key: keyof SensitivitySteps): Exact => {
    const text = steps?.[key] ?? DEFAULT_SENSITIVITY_STEPS[key];
    const value = parseDecimal(text);
    if (value === undefined || value.lte(ZERO) || value.gte(ONE)) {
      throw new RangeError(`the ${key} sensitivity step must be a fraction in (0, 1), not ${String(text)}`);
    }
    return value;
  };
  return { discountRate: read('discountRate'), terminalGrowthRate: read('terminalGrowthRate'), royaltyRate: read('royaltyRate') };
}

const MINUS_ONE = new Exact(-1);

/** Why the rates cannot be valued, the same limits `validateValuationInput` applies; undefined when they can. */
function rateProblem(rate: Exact, growth: Exact): string | undefined {
  if (rate.lte(ZERO) || rate.gte(ONE)) return `discount rate ${rate.toFixed()} is outside (0, 1)`;
  if (growth.lte(MINUS_ONE)) return `terminal growth rate ${growth.toFixed()} is at or below −100 %`;
  if (rate.lte(growth)) return `discount rate ${rate.toFixed()} does not exceed terminal growth rate ${growth.toFixed()}`;
  return undefined;
}

function cell(rate: Exact, growth: Exact, royalty: Exact | null, compute: () => Exact, problem: string | undefined): SensitivityCell {
  const heading = {
    discountRate: toExactString(rate),
    terminalGrowthRate: toExactString(growth),
    royaltyRate: royalty === null ? null : toExactString(royalty),
  };
  if (problem !== undefined) return { ...heading, valid: false, reason: problem };
  const value = compute();
  if (!value.isFinite()) return { ...heading, valid: false, reason: 'the value is not finite' };
  return { ...heading, valid: true, value: toMoney(value) };
}

type Parsed = {
  tax: Exact;
  afterTax: Exact;
  rate: Exact;
  growth: Exact;
  low: Exact;
  high: Exact;
  revenues: Exact[];
  margins: Exact[];
  lastRevenue: Exact;
  currentAssets: Exact;
  nonCurrentAssets: Exact;
  oneYear: Exact;
  fiveYear: Exact;
  /** The last historical year's contributory charge: current × 1-year + non-current × 5-year rate. */
  baseCharge: Exact;
  share: Exact;
};

function parse(input: ValuationInput): Parsed {
  // Validated already: every string is a plain decimal, so the constructor cannot throw.
  const last = input.historicalYears.at(-1)!;
  const tax = new Exact(last.incomeTaxRate);
  const currentAssets = new Exact(last.currentAssets);
  const nonCurrentAssets = new Exact(last.nonCurrentAssets);
  const oneYear = new Exact(input.oneYearLendingRate);
  const fiveYear = new Exact(input.fiveYearLendingRate);
  return {
    tax,
    afterTax: ONE.minus(tax),
    rate: discountRateOf(input)!,
    growth: new Exact(input.terminalGrowthRate),
    low: new Exact(input.royaltyRateRange.low),
    high: new Exact(input.royaltyRateRange.high),
    revenues: input.forecastYears.map((y) => new Exact(y.revenue)),
    margins: input.forecastYears.map((y) => new Exact(y.operatingMargin)),
    lastRevenue: new Exact(last.revenue),
    currentAssets,
    nonCurrentAssets,
    oneYear,
    fiveYear,
    baseCharge: currentAssets.times(oneYear).plus(nonCurrentAssets.times(fiveYear)),
    share: new Exact(input.brandAttributableShare),
  };
}

function royaltyCashFlows(p: Parsed, royaltyRate: Exact): Exact[] {
  return p.revenues.map((revenue) => revenue.times(royaltyRate).times(p.afterTax));
}

function reliefFromRoyalty(
  input: ValuationInput,
  p: Parsed,
  royaltyRate: Exact,
  base: Discounting,
  discountFactors: readonly string[],
): [ReliefFromRoyaltyResult, Exact[], Exact] {
  const cashFlows = royaltyCashFlows(p, royaltyRate);
  const d = discount(cashFlows, base, p.growth);
  const years = input.forecastYears.map((y, t): RoyaltyYear => {
    const royaltyIncome = p.revenues[t]!.times(royaltyRate);
    return {
      fiscalYear: y.fiscalYear,
      period: t + 1,
      revenue: toMoney(p.revenues[t]!),
      royaltyIncome: toMoney(royaltyIncome),
      incomeTax: toMoney(royaltyIncome.times(p.tax)),
      cashFlow: toMoney(cashFlows[t]!),
      discountFactor: discountFactors[t]!,
      presentValue: toMoney(d.presentValues[t]!),
    };
  });
  const result: ReliefFromRoyaltyResult = {
    method: 'relief_from_royalty',
    royaltyRate: toExactString(royaltyRate),
    years,
    sumOfPresentValues: toMoney(d.sumOfPresentValues),
    terminalValue: terminalOf(d, discountFactors),
    value: toMoney(d.total),
  };
  return [result, cashFlows, d.total];
}

function excessEarnings(
  input: ValuationInput,
  p: Parsed,
  base: Discounting,
  discountFactors: readonly string[],
): [ExcessEarningsResult, Exact[], Exact] {
  const lines = p.revenues.map((revenue, t) => {
    const operatingProfit = revenue.times(p.margins[t]!);
    const incomeTax = operatingProfit.times(p.tax);
    const afterTaxOperatingProfit = operatingProfit.minus(incomeTax);
    // Multiply before dividing, once per figure, so an amount that is exact stays exact.
    const currentAssets = p.currentAssets.times(revenue).div(p.lastRevenue);
    const nonCurrentAssets = p.nonCurrentAssets.times(revenue).div(p.lastRevenue);
    const contributoryCharge = p.baseCharge.times(revenue).div(p.lastRevenue);
    const excess = afterTaxOperatingProfit.minus(contributoryCharge);
    return { revenue, operatingProfit, incomeTax, afterTaxOperatingProfit, currentAssets, nonCurrentAssets, contributoryCharge, excess, cashFlow: excess.times(p.share) };
  });
  const cashFlows = lines.map((l) => l.cashFlow);
  const d = discount(cashFlows, base, p.growth);
  const years = lines.map((l, t): ExcessEarningsYear => ({
    fiscalYear: input.forecastYears[t]!.fiscalYear,
    period: t + 1,
    revenue: toMoney(l.revenue),
    operatingMargin: toExactString(p.margins[t]!),
    operatingProfit: toMoney(l.operatingProfit),
    incomeTax: toMoney(l.incomeTax),
    afterTaxOperatingProfit: toMoney(l.afterTaxOperatingProfit),
    currentAssets: toMoney(l.currentAssets),
    nonCurrentAssets: toMoney(l.nonCurrentAssets),
    contributoryCharge: toMoney(l.contributoryCharge),
    excessEarnings: toMoney(l.excess),
    cashFlow: toMoney(l.cashFlow),
    discountFactor: discountFactors[t]!,
    presentValue: toMoney(d.presentValues[t]!),
  }));
  const result: ExcessEarningsResult = {
    method: 'excess_earnings',
    brandAttributableShare: toExactString(p.share),
    assetBasis: ASSET_BASIS,
    years,
    sumOfPresentValues: toMoney(d.sumOfPresentValues),
    terminalValue: terminalOf(d, discountFactors),
    value: toMoney(d.total),
  };
  return [result, cashFlows, d.total];
}

function sensitivityGrid(
  method: ValuationMethod,
  p: Parsed,
  steps: Steps,
  base: Discounting,
  headlineCashFlows: readonly Exact[],
  headlineValue: Exact,
  royaltyRate: Exact,
): SensitivityGrid {
  const n = headlineCashFlows.length;
  const rates = [p.rate.minus(steps.discountRate), p.rate, p.rate.plus(steps.discountRate)];
  const growths = [p.growth.minus(steps.terminalGrowthRate), p.growth, p.growth.plus(steps.terminalGrowthRate)];
  const heading = method === 'relief_from_royalty' ? royaltyRate : null;
  const grid = rates.map((rate, i) => {
    const d = i === 1 ? base : discounting(rate, n);
    return growths.map((growth, j) =>
      cell(
        rate,
        growth,
        heading,
        () => (i === 1 && j === 1 ? headlineValue : totalValue(headlineCashFlows, d, growth)),
        rateProblem(rate, growth),
      ),
    );
  });

  let royaltyRates: string[] | null = null;
  let byRoyaltyRate: SensitivityCell[] | null = null;
  if (method === 'relief_from_royalty') {
    const royalties = [royaltyRate.minus(steps.royaltyRate), royaltyRate, royaltyRate.plus(steps.royaltyRate)];
    royaltyRates = royalties.map(toExactString);
    byRoyaltyRate = royalties.map((royalty, k) =>
      cell(
        p.rate,
        p.growth,
        royalty,
        () => (k === 1 ? headlineValue : totalValue(royaltyCashFlows(p, royalty), base, p.growth)),
        royalty.lt(ZERO) || royalty.gt(ONE) ? `royalty rate ${royalty.toFixed()} is outside [0, 1]` : undefined,
      ),
    );
  }
  return {
    method,
    discountRates: rates.map(toExactString),
    terminalGrowthRates: growths.map(toExactString),
    discountRateByTerminalGrowth: grid,
    royaltyRates,
    byRoyaltyRate,
  };
}

function crossCheckOf(method: ValuationMethod, value: Exact, headline: Exact): CrossCheck {
  const difference = value.minus(headline);
  return {
    method,
    value: toMoney(value),
    difference: toMoney(difference),
    relativeDifference: headline.isZero() ? null : toDisplayString(difference.div(headline)),
  };
}

/**
 * Values a brand by both methods and reports the chosen one as the headline.
 * Throws InvalidValuationInputError (with every field violation) for input that
 * `validateValuationInput` refuses, RangeError for unusable options, and NonFiniteResultError
 * rather than ever reporting an infinite or NaN figure. Eligibility is a separate question:
 * see `checkEligibility`. Deterministic: the same input gives an identical report.
 */
export function valueBrand(input: ValuationInput, options: ValuationOptions = {}): ValuationReport {
  const violations = validateValuationInput(input);
  if (violations.length > 0) throw new InvalidValuationInputError(violations);
  const weights = options.brandStrengthWeights ?? ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS;
  const steps = readSteps(options.sensitivitySteps);

  const p = parse(input);
  const scores = {} as Record<BrandElement, string>;
  for (const element of BRAND_ELEMENTS) scores[element] = input.brandStrength[element].score;
  const bsi = brandStrengthIndex(scores, weights);
  const royaltyRate = royaltyRateFor(bsi.index, p.low, p.high);

  const base = discounting(p.rate, p.revenues.length);
  // Shown on both methods' lines; the sums divide by (1+r)^t instead of using these.
  const discountFactors = base.compound.map((c) => toDisplayString(ONE.div(c)));
  const [rfr, rfrCashFlows, rfrValue] = reliefFromRoyalty(input, p, royaltyRate, base, discountFactors);
  const [mpeem, mpeemCashFlows, mpeemValue] = excessEarnings(input, p, base, discountFactors);

  const headlineMethod = input.headlineMethod ?? DEFAULT_HEADLINE_METHOD;
  const isRoyalty = headlineMethod === 'relief_from_royalty';
  const headline = isRoyalty ? rfrValue : mpeemValue;
  if (!headline.isFinite()) throw new NonFiniteResultError('the brand value');

  const buildUp = input.discountRate === undefined ? input.discountRateBuildUp : undefined;
  return {
    sector: input.sector,
    baseFiscalYear: input.historicalYears.at(-1)!.fiscalYear,
    headlineMethod,
    value: toMoney(headline),
    brandStrength: {
      index: toExactString(bsi.index),
      listScale: toExactString(bsi.listScale),
      elements: BRAND_ELEMENTS.map((element) => ({
        element,
        score: toExactString(new Exact(scores[element])),
        weight: toExactString(new Exact(weights[element])),
        contribution: toExactString(bsi.contributions[element]),
      })),
    },
    assumptions: {
      discountRate: toExactString(p.rate),
      discountRateBuildUp:
        buildUp === undefined
          ? null
          : {
              riskFreeRate: toExactString(new Exact(buildUp.riskFreeRate)),
              premia: buildUp.premia.map((premium) => ({ name: premium.name, rate: toExactString(new Exact(premium.rate)) })),
            },
      terminalGrowthRate: toExactString(p.growth),
      incomeTaxRate: toExactString(p.tax),
      royaltyRateRange: { low: toExactString(p.low), high: toExactString(p.high) },
      royaltyRate: toExactString(royaltyRate),
      oneYearLendingRate: toExactString(p.oneYear),
      fiveYearLendingRate: toExactString(p.fiveYear),
      brandAttributableShare: toExactString(p.share),
    },
    reliefFromRoyalty: rfr,
    excessEarnings: mpeem,
    crossCheck: isRoyalty
      ? crossCheckOf('excess_earnings', mpeemValue, rfrValue)
      : crossCheckOf('relief_from_royalty', rfrValue, mpeemValue),
    sensitivity: sensitivityGrid(headlineMethod, p, steps, base, isRoyalty ? rfrCashFlows : mpeemCashFlows, headline, royaltyRate),
  };
}
