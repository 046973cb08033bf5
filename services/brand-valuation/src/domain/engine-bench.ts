/**
 * Micro benchmark of the exact engine against its plain-doubles floor, on one core.
 * Not a test; test/bench/brand-valuation.ts runs it through the package's ./testing face.
 * Alone, from the repo root:
 *   pnpm exec tsx -e "import('./services/brand-valuation/src/domain/engine-bench.ts').then((m) => console.log(m.benchEngine(2000)))"
 */
import { BRAND_ELEMENTS } from './brand-strength.js';
import { exampleInput, historicalYear } from './test-inputs.js';
import { valueBrand } from './valuation-engine.js';
import { valueBrandFloat } from './valuation-engine-float.js';
import type { ValuationInput } from './valuation-input.js';

export type EngineBenchResult = {
  /** Full reports from `valueBrand`: validation, both methods, grid, formatting. */
  reportsPerSecond: number;
  /** The same arithmetic in doubles, unvalidated and unformatted. */
  floatReportsPerSecond: number;
  /** floatReportsPerSecond ÷ reportsPerSecond: how many times the floor is faster. */
  ratio: number;
};

/** A spread of applications so the engines see varied digits, not one constant input. */
function inputs(count: number): ValuationInput[] {
  return Array.from({ length: count }, (_, i) => {
    const revenue = (n: number): string => `${(80_000_000 + i * 7_654_321.37 + n * 3_210_987.65).toFixed(2)}`;
    const base = exampleInput({
      historicalYears: [2022, 2023, 2024].map((year, n) => historicalYear(year, { revenue: revenue(n), incomeTaxRate: i % 2 === 0 ? '0.25' : '0.15' })),
      forecastYears: [2025, 2026, 2027, 2028, 2029].map((fiscalYear, n) => ({
        fiscalYear,
        revenue: revenue(n + 3),
        operatingMargin: `0.${18 + (i % 5)}`,
      })),
      discountRate: (0.095 + i * 0.001).toFixed(3),
      terminalGrowthRate: i % 3 === 0 ? '0.02' : '0.025',
      headlineMethod: i % 4 === 3 ? 'excess_earnings' : 'relief_from_royalty',
    });
    BRAND_ELEMENTS.forEach((element, n) => {
      base.brandStrength[element].score = `${40 + ((i * 7 + n * 11) % 55)}.${n}`;
    });
    return base;
  });
}

function rate(run: (i: number) => number, durationMs: number): number {
  // Warm up so the JIT has optimised the hot path before the clock starts.
  const warmUntil = performance.now() + Math.min(200, durationMs / 4);
  let sink = 0;
  for (let i = 0; performance.now() < warmUntil; i++) sink += run(i);
  let count = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  let now = started;
  while (now < deadline) {
    // Read the clock once per batch so timing stays out of the measurement.
    for (let b = 0; b < 64; b++) sink += run(count++);
    now = performance.now();
  }
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the results alive');
  return Math.round((count * 1000) / (now - started));
}

/** Spends about `durationMs` on each engine (plus a short warm-up) and reports the rates. */
export function benchEngine(durationMs: number): EngineBenchResult {
  const cases = inputs(16);
  const mask = cases.length - 1;
  const reportsPerSecond = rate((i) => valueBrand(cases[i & mask]!).value.amount.length, durationMs);
  const floatReportsPerSecond = rate((i) => valueBrandFloat(cases[i & mask]!).headline, durationMs);
  return { reportsPerSecond, floatReportsPerSecond, ratio: Math.round((floatReportsPerSecond / reportsPerSecond) * 10) / 10 };
}
