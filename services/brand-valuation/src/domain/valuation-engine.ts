/**
 * The valuation engine: one application in, one report out — relief from royalty and
 * multi-period excess earnings (the shape of GB/T 29188), the headline one chosen by the
 * application and the other as its cross-check, plus a sensitivity grid for the headline.
 *
 * All arithmetic is exact: every figure is a fraction (fraction.ts), rounded to the fen only as
 * the report is written (money.ts). Because nothing is rounded on the way, sums may be rearranged
 * and shared — between the lines, the two methods and the cells of the grid — without changing
 * a printed figure. Cash flows arrive at each year's end, so year t is discounted by (1+r)^t.
 */
import {
  BRAND_ELEMENTS,
  ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS,
  royaltyRateFor,
  weighBrandStrength,
  type BrandElement,
  type BrandStrengthWeights,
} from './brand-strength.js';
import type { FieldViolation } from './field-violation.js';
import { Fraction } from './fraction.js';
import { parseDecimal, toDisplayString, toExactString, toMoney, type Money } from './money.js';
import {
  DEFAULT_HEADLINE_METHOD,
  readValuationInput,
  type Sector,
  type ValuationFigures,
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

/** A discount rate prepared for one set of sums: 1+r and (1+r)^t for t = 1..N. */
type Discounting = {
  rate: Fraction;
  growthFactor: Fraction;
  compound: Fraction[];
};

const ONE = Fraction.ONE;
const ZERO = Fraction.ZERO;
const MINUS_ONE = Fraction.of(-1n);

function discounting(rate: Fraction, n: number): Discounting {
  const growthFactor = ONE.plus(rate);
  const compound: Fraction[] = [growthFactor];
  for (let t = 1; t < n; t++) compound.push(compound[t - 1]!.times(growthFactor));
  return { rate, growthFactor, compound };
}

/** Σ CF_t·(1+r)^(N−t): every year's cash flow carried forward to year N, by Horner's rule. */
function carriedForward(cashFlows: readonly Fraction[], d: Discounting): Fraction {
  let carried = cashFlows[0]!;
  for (let t = 1; t < cashFlows.length; t++) carried = carried.times(d.growthFactor).plus(cashFlows[t]!);
  return carried;
}

/**
 * Σ CF_t/(1+r)^t + CF_N·(1+g)/((r−g)·(1+r)^N), over the common denominator (1+r)^N·(r−g):
 * (carried·(r−g) + CF_N·(1+g)) / ((1+r)^N·(r−g)). One division instead of N+2; `carried`
 * depends on r alone and CF_N·(1+g) on g alone, so the grid shares them along its rows and columns.
 */
function totalValue(carried: Fraction, terminalCashFlow: Fraction, finalCompound: Fraction, spread: Fraction): Fraction {
  return carried.times(spread).plus(terminalCashFlow).div(finalCompound.times(spread));
}

type Discounted = {
  cashFlows: readonly Fraction[];
  presentValues: Fraction[];
  sumOfPresentValues: Fraction;
  terminalValue: Fraction;
  terminalPresentValue: Fraction;
  /** Σ CF_t·(1+r)^(N−t), kept for the grid's centre row. */
  carried: Fraction;
  total: Fraction;
};

/** The lines of the report, plus the total. */
function discount(cashFlows: readonly Fraction[], d: Discounting, growth: Fraction): Discounted {
  const finalCompound = d.compound.at(-1)!;
  const carried = carriedForward(cashFlows, d);
  const spread = d.rate.minus(growth);
  const terminalCashFlow = cashFlows.at(-1)!.times(ONE.plus(growth));
  const terminalValue = terminalCashFlow.div(spread);
  return {
    cashFlows,
    presentValues: cashFlows.map((cf, t) => cf.div(d.compound[t]!)),
    sumOfPresentValues: carried.div(finalCompound),
    terminalValue,
    terminalPresentValue: terminalValue.div(finalCompound),
    carried,
    total: totalValue(carried, terminalCashFlow, finalCompound, spread),
  };
}

function terminalOf(d: Discounted, discountFactors: readonly string[]): TerminalValue {
  return {
    value: toMoney(d.terminalValue),
    discountFactor: discountFactors.at(-1)!,
    presentValue: toMoney(d.terminalPresentValue),
  };
}

type Steps = { discountRate: Fraction; terminalGrowthRate: Fraction; royaltyRate: Fraction };

function readSteps(steps: Partial<SensitivitySteps> | undefined): Steps {
  const read = (key: keyof SensitivitySteps): Fraction => {
    const text = steps?.[key] ?? DEFAULT_SENSITIVITY_STEPS[key];
    const value = parseDecimal(text) === undefined ? undefined : Fraction.parse(text as string);
    if (value === undefined || value.lte(ZERO) || !value.lt(ONE)) {
      throw new RangeError(`the ${key} sensitivity step must be a fraction in (0, 1), not ${String(text)}`);
    }
    return value;
  };
  return { discountRate: read('discountRate'), terminalGrowthRate: read('terminalGrowthRate'), royaltyRate: read('royaltyRate') };
}

// Read once: most valuations use the default steps.
const DEFAULT_STEPS = readSteps(undefined);

/**
 * Why the rates cannot be valued, the same limits `validateValuationInput` applies; undefined
 * when they can. `spread` is rate − growth, which the cell needs anyway.
 */
function rateProblem(rate: Fraction, growth: Fraction, spread: Fraction, rateText: string, growthText: string): string | undefined {
  if (rate.lte(ZERO) || !rate.lt(ONE)) return `discount rate ${rateText} is outside (0, 1)`;
  if (growth.lte(MINUS_ONE)) return `terminal growth rate ${growthText} is at or below −100 %`;
  if (spread.lte(ZERO)) return `discount rate ${rateText} does not exceed terminal growth rate ${growthText}`;
  return undefined;
}

/** The figures as the methods use them, plus what both derive from them. */
type Prepared = {
  tax: Fraction;
  afterTax: Fraction;
  rate: Fraction;
  growth: Fraction;
  low: Fraction;
  high: Fraction;
  revenues: Fraction[];
  margins: Fraction[];
  lastRevenue: Fraction;
  currentAssets: Fraction;
  nonCurrentAssets: Fraction;
  oneYear: Fraction;
  fiveYear: Fraction;
  /** The last historical year's contributory charge: current × 1-year + non-current × 5-year rate. */
  baseCharge: Fraction;
  share: Fraction;
};

function prepare(f: ValuationFigures): Prepared {
  return {
    tax: f.incomeTaxRate,
    afterTax: ONE.minus(f.incomeTaxRate),
    rate: f.discountRate,
    growth: f.terminalGrowthRate,
    low: f.royaltyRateLow,
    high: f.royaltyRateHigh,
    revenues: f.forecastRevenues,
    margins: f.operatingMargins,
    lastRevenue: f.lastRevenue,
    currentAssets: f.currentAssets,
    nonCurrentAssets: f.nonCurrentAssets,
    oneYear: f.oneYearLendingRate,
    fiveYear: f.fiveYearLendingRate,
    baseCharge: f.currentAssets.times(f.oneYearLendingRate).plus(f.nonCurrentAssets.times(f.fiveYearLendingRate)),
    share: f.brandAttributableShare,
  };
}

function reliefFromRoyalty(
  input: ValuationInput,
  p: Prepared,
  royaltyRate: Fraction,
  base: Discounting,
  discountFactors: readonly string[],
): [ReliefFromRoyaltyResult, Discounted] {
  const royaltyIncomes = p.revenues.map((revenue) => revenue.times(royaltyRate));
  const cashFlows = royaltyIncomes.map((income) => income.times(p.afterTax));
  const d = discount(cashFlows, base, p.growth);
  const years = input.forecastYears.map((y, t): RoyaltyYear => ({
    fiscalYear: y.fiscalYear,
    period: t + 1,
    revenue: toMoney(p.revenues[t]!),
    royaltyIncome: toMoney(royaltyIncomes[t]!),
    incomeTax: toMoney(royaltyIncomes[t]!.times(p.tax)),
    cashFlow: toMoney(cashFlows[t]!),
    discountFactor: discountFactors[t]!,
    presentValue: toMoney(d.presentValues[t]!),
  }));
  const result: ReliefFromRoyaltyResult = {
    method: 'relief_from_royalty',
    royaltyRate: toExactString(royaltyRate),
    years,
    sumOfPresentValues: toMoney(d.sumOfPresentValues),
    terminalValue: terminalOf(d, discountFactors),
    value: toMoney(d.total),
  };
  return [result, d];
}

function excessEarnings(input: ValuationInput, p: Prepared, base: Discounting, discountFactors: readonly string[]): [ExcessEarningsResult, Discounted] {
  const lines = p.revenues.map((revenue, t) => {
    const operatingProfit = revenue.times(p.margins[t]!);
    const incomeTax = operatingProfit.times(p.tax);
    const afterTaxOperatingProfit = operatingProfit.minus(incomeTax);
    const scale = revenue.div(p.lastRevenue);
    const contributoryCharge = p.baseCharge.times(scale);
    const excess = afterTaxOperatingProfit.minus(contributoryCharge);
    return { revenue, operatingProfit, incomeTax, afterTaxOperatingProfit, scale, contributoryCharge, excess, cashFlow: excess.times(p.share) };
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
    currentAssets: toMoney(p.currentAssets.times(l.scale)),
    nonCurrentAssets: toMoney(p.nonCurrentAssets.times(l.scale)),
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
  return [result, d];
}

/**
 * A cell of the grid. Its fields are written out rather than spread from a shared heading:
 * V8 spreads an object into a literal ~10× slower than it builds one, which was a tenth of a report.
 */
function cell(rate: string, growth: string, royalty: string | null, value: Fraction | string): SensitivityCell {
  return typeof value === 'string'
    ? { discountRate: rate, terminalGrowthRate: growth, royaltyRate: royalty, valid: false, reason: value }
    : { discountRate: rate, terminalGrowthRate: growth, royaltyRate: royalty, valid: true, value: toMoney(value) };
}

function sensitivityGrid(method: ValuationMethod, p: Prepared, steps: Steps, base: Discounting, headline: Discounted, royaltyRate: Fraction): SensitivityGrid {
  const n = headline.cashFlows.length;
  const lastCashFlow = headline.cashFlows[n - 1]!;
  const rates = [p.rate.minus(steps.discountRate), p.rate, p.rate.plus(steps.discountRate)];
  const growths = [p.growth.minus(steps.terminalGrowthRate), p.growth, p.growth.plus(steps.terminalGrowthRate)];
  const rateTexts = rates.map(toExactString);
  const growthTexts = growths.map(toExactString);
  const terminalCashFlows = growths.map((growth) => lastCashFlow.times(ONE.plus(growth)));
  const isRoyalty = method === 'relief_from_royalty';
  const royaltyText = isRoyalty ? toExactString(royaltyRate) : null;

  const grid = rates.map((rate, i) => {
    // Prepared when the row's first valid cell needs it; the centre row reuses the headline's.
    let row: { finalCompound: Fraction; carried: Fraction } | undefined;
    return growths.map((growth, j) => {
      const spread = rate.minus(growth);
      const problem = rateProblem(rate, growth, spread, rateTexts[i]!, growthTexts[j]!);
      if (problem !== undefined) return cell(rateTexts[i]!, growthTexts[j]!, royaltyText, problem);
      if (i === 1 && j === 1) return cell(rateTexts[i]!, growthTexts[j]!, royaltyText, headline.total);
      if (row === undefined) {
        const d = i === 1 ? base : discounting(rate, n);
        row = { finalCompound: d.compound.at(-1)!, carried: i === 1 ? headline.carried : carriedForward(headline.cashFlows, d) };
      }
      return cell(rateTexts[i]!, growthTexts[j]!, royaltyText, totalValue(row.carried, terminalCashFlows[j]!, row.finalCompound, spread));
    });
  });

  let royaltyRates: string[] | null = null;
  let byRoyaltyRate: SensitivityCell[] | null = null;
  if (isRoyalty) {
    const royalties = [royaltyRate.minus(steps.royaltyRate), royaltyRate, royaltyRate.plus(steps.royaltyRate)];
    const texts = royalties.map(toExactString);
    // A royalty cash flow is revenue × ρ × (1 − τ), so the value at ρ is the value of the
    // revenues themselves times ρ × (1 − τ).
    let valuePerRoyalty: Fraction | undefined;
    byRoyaltyRate = royalties.map((royalty, k) => {
      if (royalty.lt(ZERO) || royalty.gt(ONE)) return cell(rateTexts[1]!, growthTexts[1]!, texts[k]!, `royalty rate ${texts[k]} is outside [0, 1]`);
      if (k === 1) return cell(rateTexts[1]!, growthTexts[1]!, texts[k]!, headline.total);
      valuePerRoyalty ??= totalValue(
        carriedForward(p.revenues, base),
        p.revenues[n - 1]!.times(ONE.plus(p.growth)),
        base.compound.at(-1)!,
        p.rate.minus(p.growth),
      ).times(p.afterTax);
      return cell(rateTexts[1]!, growthTexts[1]!, texts[k]!, valuePerRoyalty.times(royalty));
    });
    royaltyRates = texts;
  }
  return {
    method,
    discountRates: rateTexts,
    terminalGrowthRates: growthTexts,
    discountRateByTerminalGrowth: grid,
    royaltyRates,
    byRoyaltyRate,
  };
}

function crossCheckOf(method: ValuationMethod, value: Fraction, headline: Fraction): CrossCheck {
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
  const { violations, figures } = readValuationInput(input);
  if (figures === undefined) throw new InvalidValuationInputError(violations);
  const weights = options.brandStrengthWeights ?? ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS;
  const steps = options.sensitivitySteps === undefined ? DEFAULT_STEPS : readSteps(options.sensitivitySteps);

  const p = prepare(figures);
  const bsi = weighBrandStrength(figures.scores, weights);
  const royaltyRate = royaltyRateFor(bsi.index, p.low, p.high);

  const base = discounting(p.rate, p.revenues.length);
  // Shown on both methods' lines; the sums divide by (1+r)^t instead of using these.
  const discountFactors = base.compound.map((c) => toDisplayString(c.reciprocal()));
  const [rfr, rfrDiscounted] = reliefFromRoyalty(input, p, royaltyRate, base, discountFactors);
  const [mpeem, mpeemDiscounted] = excessEarnings(input, p, base, discountFactors);
  const rfrValue = rfrDiscounted.total;
  const mpeemValue = mpeemDiscounted.total;

  const headlineMethod = input.headlineMethod ?? DEFAULT_HEADLINE_METHOD;
  const isRoyalty = headlineMethod === 'relief_from_royalty';
  const headline = isRoyalty ? rfrDiscounted : mpeemDiscounted;

  const buildUp = input.discountRate === undefined ? input.discountRateBuildUp : undefined;
  return {
    sector: input.sector,
    baseFiscalYear: input.historicalYears.at(-1)!.fiscalYear,
    headlineMethod,
    value: toMoney(headline.total),
    brandStrength: {
      index: toExactString(bsi.index),
      listScale: toExactString(bsi.listScale),
      elements: BRAND_ELEMENTS.map((element: BrandElement, i) => ({
        element,
        score: toExactString(figures.scores[element]),
        weight: bsi.weightTexts[i]!,
        contribution: toExactString(bsi.contributions[i]!),
      })),
    },
    assumptions: {
      discountRate: toExactString(p.rate),
      discountRateBuildUp:
        buildUp === undefined
          ? null
          : {
              riskFreeRate: toExactString(Fraction.parse(buildUp.riskFreeRate)),
              premia: buildUp.premia.map((premium) => ({ name: premium.name, rate: toExactString(Fraction.parse(premium.rate)) })),
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
    crossCheck: isRoyalty ? crossCheckOf('excess_earnings', mpeemValue, rfrValue) : crossCheckOf('relief_from_royalty', rfrValue, mpeemValue),
    sensitivity: sensitivityGrid(headlineMethod, p, steps, base, headline, royaltyRate),
  };
}
