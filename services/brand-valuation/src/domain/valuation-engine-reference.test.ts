/*
 * The engine computes in exact fractions and shares work between lines, methods and grid cells.
 * Here every printed figure is recomputed the plain way — line by line, each year discounted on
 * its own — in decimal.js at 60 significant digits, and must print the same, on random inputs
 * up to the limits the engine is meant for: amounts up to ¥10^15 to the fen, rates of up to
 * 16 decimals, and r − g as small as 10^-10 (terminal values near ¥10^25).
 */
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { BRAND_ELEMENTS, ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS } from './brand-strength.js';
import { exampleInput, historicalYear } from './test-inputs.js';
import { DEFAULT_SENSITIVITY_STEPS, valueBrand, type SensitivityCell } from './valuation-engine.js';
import type { ValuationInput } from './valuation-input.js';

const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });
type D = Decimal;

function fixed(value: D, places = 2): string {
  const text = value.toFixed(places, Decimal.ROUND_HALF_EVEN);
  return /^-0(?:\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** Seeded, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomInput(next: () => number): ValuationInput {
  const between = (low: number, high: number) => low + next() * (high - low);
  const digits = (k: number) => Array.from({ length: k }, () => Math.floor(next() * 10)).join('');
  // Up to 16 decimals, within [low, high).
  const rate = (low: number, high: number, maxPlaces = 16) => {
    const text = between(low, high).toFixed(1 + Math.floor(next() * maxPlaces));
    return Number(text) >= high || Number(text) < low ? String(low) : text.replace(/^-(0\.0*)$/, '$1');
  };
  const amount = () => {
    const whole = String(BigInt(`1${digits(Math.floor(next() * 16))}`));
    const places = Math.floor(next() * 3);
    return places === 0 ? whole : `${whole}.${digits(places)}`;
  };
  const r = rate(0.002, 0.6);
  const g = next() < 0.15 ? new D(r).minus(`${1 + Math.floor(next() * 99)}e-10`).toFixed() : rate(-0.2, Math.min(Number(r), 0.1));
  const low = rate(0, 0.15, 8);
  const input = exampleInput({
    historicalYears: [2022, 2023, 2024].map((year) =>
      historicalYear(year, { revenue: amount(), incomeTaxRate: rate(0, 0.5), currentAssets: amount(), nonCurrentAssets: amount() }),
    ),
    forecastYears: [2025, 2026, 2027, 2028, 2029].map((fiscalYear) => ({ fiscalYear, revenue: amount(), operatingMargin: rate(-0.5, 0.6) })),
    discountRate: r,
    terminalGrowthRate: new D(g).gte(r) ? '0' : g,
    royaltyRateRange: { low, high: new D(low).plus(rate(0, 0.1, 8)).toFixed() },
    oneYearLendingRate: rate(0, 0.2),
    fiveYearLendingRate: rate(0, 0.2),
    brandAttributableShare: rate(0, 1),
    headlineMethod: next() < 0.5 ? 'excess_earnings' : 'relief_from_royalty',
  });
  for (const element of BRAND_ELEMENTS) input.brandStrength[element].score = rate(0, 100, 4);
  return input;
}

/** Σ CF_t/(1+r)^t + CF_N·(1+g)/(r−g)/(1+r)^N, one line at a time. */
function plainValue(cashFlows: D[], rate: D, growth: D) {
  const compound = cashFlows.map((_, t) => rate.plus(1).pow(t + 1));
  const presentValues = cashFlows.map((cf, t) => cf.div(compound[t]!));
  const sum = presentValues.reduce((a, b) => a.plus(b), new D(0));
  const terminalValue = cashFlows.at(-1)!.times(growth.plus(1)).div(rate.minus(growth));
  const terminalPresentValue = terminalValue.div(compound.at(-1)!);
  return { compound, presentValues, sum, terminalValue, terminalPresentValue, value: sum.plus(terminalPresentValue) };
}

const shown = (cells: SensitivityCell[]) => cells.map((c) => (c.valid ? c.value.amount : c.reason));

describe('valueBrand against a plain 60-digit computation', () => {
  it('prints every figure the same on random inputs', () => {
    const next = random(20250101);
    for (let i = 0; i < 150; i++) {
      const input = randomInput(next);
      const report = valueBrand(input);

      const last = input.historicalYears.at(-1)!;
      const tax = new D(last.incomeTaxRate);
      const r = new D(input.discountRate!);
      const g = new D(input.terminalGrowthRate);
      const revenues = input.forecastYears.map((y) => new D(y.revenue));
      const bsi = BRAND_ELEMENTS.reduce(
        (sum, element) => sum.plus(new D(input.brandStrength[element].score).times(ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS[element])),
        new D(0),
      );
      const low = new D(input.royaltyRateRange.low);
      const rho = low.plus(bsi.div(100).times(new D(input.royaltyRateRange.high).minus(low)));

      const royaltyFlows = (royalty: D) => revenues.map((revenue) => revenue.times(royalty).minus(revenue.times(royalty).times(tax)));
      const rfrFlows = royaltyFlows(rho);
      const rfr = plainValue(rfrFlows, r, g);
      expect(
        report.reliefFromRoyalty.years.map((y) => [y.royaltyIncome.amount, y.incomeTax.amount, y.cashFlow.amount, y.discountFactor, y.presentValue.amount]),
      ).toEqual(
        revenues.map((revenue, t) => [
          fixed(revenue.times(rho)),
          fixed(revenue.times(rho).times(tax)),
          fixed(rfrFlows[t]!),
          fixed(new D(1).div(rfr.compound[t]!), 6),
          fixed(rfr.presentValues[t]!),
        ]),
      );
      expect([
        report.reliefFromRoyalty.sumOfPresentValues.amount,
        report.reliefFromRoyalty.terminalValue.value.amount,
        report.reliefFromRoyalty.terminalValue.presentValue.amount,
        report.reliefFromRoyalty.value.amount,
      ]).toEqual([fixed(rfr.sum), fixed(rfr.terminalValue), fixed(rfr.terminalPresentValue), fixed(rfr.value)]);

      const lastRevenue = new D(last.revenue);
      const lines = revenues.map((revenue, t) => {
        const operatingProfit = revenue.times(input.forecastYears[t]!.operatingMargin);
        const afterTax = operatingProfit.minus(operatingProfit.times(tax));
        const currentAssets = new D(last.currentAssets).times(revenue).div(lastRevenue);
        const nonCurrentAssets = new D(last.nonCurrentAssets).times(revenue).div(lastRevenue);
        const charge = currentAssets.times(input.oneYearLendingRate).plus(nonCurrentAssets.times(input.fiveYearLendingRate));
        const excess = afterTax.minus(charge);
        return [operatingProfit, afterTax, currentAssets, nonCurrentAssets, charge, excess, excess.times(input.brandAttributableShare)] as const;
      });
      const mpeemFlows = lines.map((l) => l[6]);
      const mpeem = plainValue(mpeemFlows, r, g);
      expect(
        report.excessEarnings.years.map((y) =>
          [
            y.operatingProfit,
            y.afterTaxOperatingProfit,
            y.currentAssets,
            y.nonCurrentAssets,
            y.contributoryCharge,
            y.excessEarnings,
            y.cashFlow,
            y.presentValue,
          ].map((m) => m.amount),
        ),
      ).toEqual(lines.map((l, t) => [...l.map((v) => fixed(v)), fixed(mpeem.presentValues[t]!)]));
      expect([
        report.excessEarnings.sumOfPresentValues.amount,
        report.excessEarnings.terminalValue.value.amount,
        report.excessEarnings.terminalValue.presentValue.amount,
        report.excessEarnings.value.amount,
      ]).toEqual([fixed(mpeem.sum), fixed(mpeem.terminalValue), fixed(mpeem.terminalPresentValue), fixed(mpeem.value)]);

      const isRoyalty = report.headlineMethod === 'relief_from_royalty';
      const [headline, other] = isRoyalty ? [rfr.value, mpeem.value] : [mpeem.value, rfr.value];
      expect(report.value.amount).toBe(fixed(headline));
      expect(report.crossCheck.difference.amount).toBe(fixed(other.minus(headline)));
      expect(report.crossCheck.relativeDifference).toBe(headline.isZero() ? null : fixed(other.minus(headline).div(headline), 6));

      const flows = isRoyalty ? rfrFlows : mpeemFlows;
      const dr = new D(DEFAULT_SENSITIVITY_STEPS.discountRate);
      const dg = new D(DEFAULT_SENSITIVITY_STEPS.terminalGrowthRate);
      const grid = [r.minus(dr), r, r.plus(dr)].map((rate) =>
        [g.minus(dg), g, g.plus(dg)].map((growth) => (rate.lte(0) || rate.lte(growth) ? null : fixed(plainValue(flows, rate, growth).value))),
      );
      expect(report.sensitivity.discountRateByTerminalGrowth.map((row) => row.map((c) => (c.valid ? c.value.amount : null)))).toEqual(grid);
      if (isRoyalty) {
        const dp = new D(DEFAULT_SENSITIVITY_STEPS.royaltyRate);
        const row = [rho.minus(dp), rho, rho.plus(dp)].map((royalty) =>
          royalty.lt(0) ? `royalty rate ${royalty.toFixed()} is outside [0, 1]` : fixed(plainValue(royaltyFlows(royalty), r, g).value),
        );
        expect(shown(report.sensitivity.byRoyaltyRate!)).toEqual(row);
      }
    }
  });
});
