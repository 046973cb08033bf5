import { describe, expect, it } from 'vitest';
import { checkEligibility, LIST_2014_ELIGIBILITY, type EligibilityThresholds } from './eligibility.js';
import { exampleInput, historicalYear } from './test-inputs.js';
import type { Sector, ValuationInput } from './valuation-input.js';

/** An application whose historical years made these net profits, oldest first, ending 2024. */
function withNetProfits(sector: Sector, ...netProfits: string[]): ValuationInput {
  const first = 2024 - netProfits.length + 1;
  return exampleInput({ sector, historicalYears: netProfits.map((netProfit, i) => historicalYear(first + i, { netProfit })) });
}

describe('eligibility under the 2014 list', () => {
  it.each([
    ['agriculture', '30000000.00', '29999999.99'],
    ['services', '50000000.00', '49999999.99'],
    ['manufacturing', '100000000.00', '99999999.99'],
  ] as const)('%s: an average of exactly %s is eligible, a fen less is not', (sector, threshold, justBelow) => {
    expect(checkEligibility(withNetProfits(sector, threshold, threshold, threshold), LIST_2014_ELIGIBILITY)).toEqual([]);
    // (t + t + (t − 0.01)) / 3 is below t by 0.0033…, so the average test fails
    expect(checkEligibility(withNetProfits(sector, threshold, threshold, justBelow), LIST_2014_ELIGIBILITY)).toEqual([
      {
        field: 'historical_years',
        description: expect.stringMatching(new RegExp(`^average net profit over the last 3 years is .*; the ${sector} threshold is`)),
      },
    ]);
  });

  it('the same profits qualify agriculture and services but not manufacturing', () => {
    // (55 + 60 + 65) / 3 = ¥60 m: ≥ 30 m, ≥ 50 m, < 100 m
    const profits = ['55000000.00', '60000000.00', '65000000.00'];
    expect(checkEligibility(withNetProfits('agriculture', ...profits), LIST_2014_ELIGIBILITY)).toEqual([]);
    expect(checkEligibility(withNetProfits('services', ...profits), LIST_2014_ELIGIBILITY)).toEqual([]);
    expect(checkEligibility(withNetProfits('manufacturing', ...profits), LIST_2014_ELIGIBILITY)).toEqual([
      {
        field: 'historical_years',
        description: 'average net profit over the last 3 years is ¥60 m; the manufacturing threshold is ¥100 m',
      },
    ]);
  });

  it('reports every reason: each unprofitable year and the low average', () => {
    // (−5 m + 0 + 40 m) / 3 = 35 m / 3 = ¥11.666… m → shown as ¥11.67 m
    const input = withNetProfits('manufacturing', '-5000000.00', '0.00', '40000000.00');
    expect(checkEligibility(input, LIST_2014_ELIGIBILITY)).toEqual([
      {
        field: 'historical_years[0].net_profit',
        description: 'fiscal year 2022 made no net profit (-5000000.00); each of the last 3 years must be profitable',
      },
      {
        field: 'historical_years[1].net_profit',
        description: 'fiscal year 2023 made no net profit (0.00); each of the last 3 years must be profitable',
      },
      {
        field: 'historical_years',
        description: 'average net profit over the last 3 years is ¥11.67 m; the manufacturing threshold is ¥100 m',
      },
    ]);
  });

  it('a loss with a high enough average is still refused for the loss', () => {
    // (−1 m + 200 m + 200 m) / 3 = ¥133 m ≥ 100 m, but 2022 lost money
    const input = withNetProfits('manufacturing', '-1000000.00', '200000000.00', '200000000.00');
    expect(checkEligibility(input, LIST_2014_ELIGIBILITY).map((v) => v.field)).toEqual(['historical_years[0].net_profit']);
  });

  it('only the latest three years count', () => {
    const input = withNetProfits('agriculture', '-9000000.00', '31000000.00', '30000000.00', '29000000.00');
    expect(checkEligibility(input, LIST_2014_ELIGIBILITY)).toEqual([]);
  });

  it('refuses fewer than three years, still naming any loss among them', () => {
    expect(checkEligibility(withNetProfits('services', '-1.00', '90000000.00'), LIST_2014_ELIGIBILITY)).toEqual([
      { field: 'historical_years', description: '3 consecutive profitable fiscal years are required; 2 were given' },
      {
        field: 'historical_years[0].net_profit',
        description: 'fiscal year 2023 made no net profit (-1.00); each of the last 3 years must be profitable',
      },
    ]);
  });

  it('refuses latest years that are not consecutive', () => {
    const input = exampleInput({
      sector: 'agriculture',
      historicalYears: [
        historicalYear(2020, { netProfit: '40000000.00' }),
        historicalYear(2023, { netProfit: '40000000.00' }),
        historicalYear(2024, { netProfit: '40000000.00' }),
      ],
    });
    expect(checkEligibility(input, LIST_2014_ELIGIBILITY)).toEqual([
      { field: 'historical_years[1].fiscal_year', description: 'the last 3 fiscal years must be consecutive; 2023 does not follow 2020' },
    ]);
  });

  it('takes other thresholds as configuration', () => {
    const thresholds: EligibilityThresholds = {
      consecutiveProfitableYears: 2,
      minimumAverageNetProfit: { agriculture: '1000000', manufacturing: '10000000', services: '5000000' },
    };
    // Last two years: (12 m + 9 m) / 2 = ¥10.5 m ≥ 10 m; the 2022 loss is outside the window
    const input = withNetProfits('manufacturing', '-1.00', '12000000.00', '9000000.00');
    expect(checkEligibility(input, thresholds)).toEqual([]);
    expect(checkEligibility(input, LIST_2014_ELIGIBILITY).map((v) => v.field)).toEqual(['historical_years[0].net_profit', 'historical_years']);
  });

  it('names an unreadable net profit and an unknown sector rather than guessing', () => {
    const input = withNetProfits('forestry' as Sector, '40000000.00', 'lots', '40000000.00');
    expect(checkEligibility(input, LIST_2014_ELIGIBILITY).map((v) => v.field)).toEqual(['sector', 'historical_years[1].net_profit']);
  });

  it('throws for unusable thresholds: a configuration error, not the applicant’s', () => {
    expect(() => checkEligibility(exampleInput(), { ...LIST_2014_ELIGIBILITY, consecutiveProfitableYears: 0 })).toThrow(RangeError);
    const broken = { ...LIST_2014_ELIGIBILITY, minimumAverageNetProfit: { ...LIST_2014_ELIGIBILITY.minimumAverageNetProfit, manufacturing: '1e8' } };
    expect(() => checkEligibility(exampleInput(), broken)).toThrow(RangeError);
  });
});
