import { describe, expect, it } from 'vitest';
import { exampleInput } from './test-inputs.js';
import { valueBrand, type SensitivityCell } from './valuation-engine.js';
import { valueBrandFloat } from './valuation-engine-float.js';
import type { ValuationInput } from './valuation-input.js';

/** Within a millionth of a percent: the floor must compute the same thing, only less exactly. */
function close(actual: number | null, expected: string | null): void {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - Number(expected)) / Math.abs(Number(expected))).toBeLessThan(1e-8);
}

const amount = (cell: SensitivityCell): string | null => (cell.valid ? cell.value.amount : null);

function agrees(input: ValuationInput): void {
  const exact = valueBrand(input);
  const float = valueBrandFloat(input);
  close(float.headline, exact.value.amount);
  close(float.reliefFromRoyalty.value, exact.reliefFromRoyalty.value.amount);
  close(float.excessEarnings.value, exact.excessEarnings.value.amount);
  close(float.reliefFromRoyalty.terminalPresentValue, exact.reliefFromRoyalty.terminalValue.presentValue.amount);
  float.excessEarnings.presentValues.forEach((pv, t) => close(pv, exact.excessEarnings.years[t]!.presentValue.amount));
  float.discountRateByTerminalGrowth.forEach((row, i) => row.forEach((v, j) => close(v, amount(exact.sensitivity.discountRateByTerminalGrowth[i]![j]!))));
  if (exact.sensitivity.byRoyaltyRate === null) expect(float.byRoyaltyRate).toBeNull();
  else float.byRoyaltyRate!.forEach((v, k) => close(v, amount(exact.sensitivity.byRoyaltyRate![k]!)));
}

describe('the plain-doubles benchmark floor', () => {
  it('computes what the exact engine computes, for either headline', () => {
    agrees(exampleInput());
    agrees(exampleInput({ headlineMethod: 'excess_earnings' }));
  });

  it('agrees with a build-up, growing revenue and invalid grid cells', () => {
    const forecastYears = exampleInput().forecastYears.map((y, t) => ({ ...y, revenue: `${100 + 7 * t}000000.00`, operatingMargin: `0.${18 + t}` }));
    agrees(
      exampleInput({
        forecastYears,
        discountRate: undefined,
        discountRateBuildUp: { riskFreeRate: '0.01', premia: [{ name: 'equity', rate: '0.02' }] },
        terminalGrowthRate: '0.025',
        royaltyRateRange: { low: '0', high: '0.004' },
      }),
    );
  });
});
