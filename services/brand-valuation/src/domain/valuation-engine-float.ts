/**
 * The same relief-from-royalty, excess-earnings and sensitivity computation in binary doubles,
 * with no validation and no report formatting. BENCHMARK FLOOR ONLY: it shows what the exact
 * engine costs, and must never value a brand — doubles cannot hold ¥0.10 exactly, and their
 * errors would reach the fen on large amounts.
 */
import { BRAND_ELEMENTS, ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS, type BrandStrengthWeights } from './brand-strength.js';
import { DEFAULT_SENSITIVITY_STEPS } from './valuation-engine.js';
import type { ValuationInput } from './valuation-input.js';

export type FloatMethodValuation = {
  cashFlows: number[];
  presentValues: number[];
  terminalValue: number;
  terminalPresentValue: number;
  value: number;
};

export type FloatValuation = {
  brandStrengthIndex: number;
  royaltyRate: number;
  headline: number;
  reliefFromRoyalty: FloatMethodValuation;
  excessEarnings: FloatMethodValuation;
  crossCheckDifference: number;
  /** [r − 1 pp, r, r + 1 pp][g − 0.5 pp, g, g + 0.5 pp]; null where the cell is invalid. */
  discountRateByTerminalGrowth: (number | null)[][];
  /** ρ − 0.5 pp, ρ, ρ + 0.5 pp; null for an excess-earnings headline. */
  byRoyaltyRate: (number | null)[] | null;
};

function discounted(cashFlows: number[], rate: number, growth: number): FloatMethodValuation {
  const presentValues: number[] = [];
  let compound = 1;
  let sum = 0;
  for (const cf of cashFlows) {
    compound *= 1 + rate;
    const pv = cf / compound;
    presentValues.push(pv);
    sum += pv;
  }
  const terminalValue = (cashFlows[cashFlows.length - 1]! * (1 + growth)) / (rate - growth);
  const terminalPresentValue = terminalValue / compound;
  return { cashFlows, presentValues, terminalValue, terminalPresentValue, value: sum + terminalPresentValue };
}

function total(cashFlows: readonly number[], rate: number, growth: number): number | null {
  if (rate <= 0 || rate >= 1 || growth <= -1 || rate <= growth) return null;
  let compound = 1;
  let sum = 0;
  for (const cf of cashFlows) {
    compound *= 1 + rate;
    sum += cf / compound;
  }
  const value = sum + (cashFlows[cashFlows.length - 1]! * (1 + growth)) / (rate - growth) / compound;
  return Number.isFinite(value) ? value : null;
}

/** Doubles version of `valueBrand`'s arithmetic; trusts its input completely. */
export function valueBrandFloat(input: ValuationInput, weights: BrandStrengthWeights = ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS): FloatValuation {
  const last = input.historicalYears[input.historicalYears.length - 1]!;
  const tax = Number(last.incomeTaxRate);
  const buildUp = input.discountRateBuildUp;
  const rate =
    input.discountRate !== undefined || buildUp === undefined
      ? Number(input.discountRate)
      : buildUp.premia.reduce((sum, premium) => sum + Number(premium.rate), Number(buildUp.riskFreeRate));
  const growth = Number(input.terminalGrowthRate);
  const low = Number(input.royaltyRateRange.low);
  const high = Number(input.royaltyRateRange.high);
  let bsi = 0;
  for (const element of BRAND_ELEMENTS) bsi += Number(input.brandStrength[element].score) * Number(weights[element]);
  const royaltyRate = low + (bsi / 100) * (high - low);

  const revenues = input.forecastYears.map((y) => Number(y.revenue));
  const royaltyFlows = (royalty: number): number[] => revenues.map((revenue) => revenue * royalty * (1 - tax));
  const rfrFlows = royaltyFlows(royaltyRate);

  const lastRevenue = Number(last.revenue);
  const charge = Number(last.currentAssets) * Number(input.oneYearLendingRate) + Number(last.nonCurrentAssets) * Number(input.fiveYearLendingRate);
  const share = Number(input.brandAttributableShare);
  const mpeemFlows = input.forecastYears.map((y, t) => {
    const revenue = revenues[t]!;
    return (revenue * Number(y.operatingMargin) * (1 - tax) - (charge * revenue) / lastRevenue) * share;
  });

  const reliefFromRoyalty = discounted(rfrFlows, rate, growth);
  const excessEarnings = discounted(mpeemFlows, rate, growth);
  const isRoyalty = (input.headlineMethod ?? 'relief_from_royalty') === 'relief_from_royalty';
  const headline = isRoyalty ? reliefFromRoyalty.value : excessEarnings.value;
  if (!Number.isFinite(headline)) throw new RangeError('the brand value is not finite');

  const dr = Number(DEFAULT_SENSITIVITY_STEPS.discountRate);
  const dg = Number(DEFAULT_SENSITIVITY_STEPS.terminalGrowthRate);
  const dp = Number(DEFAULT_SENSITIVITY_STEPS.royaltyRate);
  const headlineFlows = isRoyalty ? rfrFlows : mpeemFlows;
  const discountRateByTerminalGrowth = [rate - dr, rate, rate + dr].map((r) => [growth - dg, growth, growth + dg].map((g) => total(headlineFlows, r, g)));
  const byRoyaltyRate = isRoyalty
    ? [royaltyRate - dp, royaltyRate, royaltyRate + dp].map((royalty) => (royalty < 0 || royalty > 1 ? null : total(royaltyFlows(royalty), rate, growth)))
    : null;

  return {
    brandStrengthIndex: bsi,
    royaltyRate,
    headline,
    reliefFromRoyalty,
    excessEarnings,
    crossCheckDifference: (isRoyalty ? excessEarnings.value : reliefFromRoyalty.value) - headline,
    discountRateByTerminalGrowth,
    byRoyaltyRate,
  };
}
