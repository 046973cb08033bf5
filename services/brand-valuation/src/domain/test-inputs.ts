/**
 * The worked example the tests (and the bench) value. Test and benchmark support: it is built
 * only because the package's ./testing face exports the engine bench, which values these.
 *
 * Manufacturing, three flat historical years 2022–2024 and a flat five-year forecast 2025–2029:
 * revenue ¥100 m a year, operating margin 20 %, tax 25 %, current assets ¥40 m, non-current
 * assets ¥60 m; r = 10 %, g = 2 %; royalty range 3–5 %; element scores giving BSI 50, so
 * ρ = 4 %; lending rates 3 % and 3.5 %; brand attributable share 30 %.
 */
import type { HistoricalYear, ValuationInput } from './valuation-input.js';

export function historicalYear(fiscalYear: number, overrides: Partial<HistoricalYear> = {}): HistoricalYear {
  return {
    fiscalYear,
    revenue: '100000000.00',
    operatingProfit: '20000000.00',
    netProfit: '15000000.00',
    incomeTaxRate: '0.25',
    currentAssets: '40000000.00',
    nonCurrentAssets: '60000000.00',
    ...overrides,
  };
}

/** A fresh copy each call, so a test may mutate its input freely. */
export function exampleInput(overrides: Partial<ValuationInput> = {}): ValuationInput {
  return {
    sector: 'manufacturing',
    historicalYears: [historicalYear(2022), historicalYear(2023), historicalYear(2024)],
    forecastYears: [2025, 2026, 2027, 2028, 2029].map((fiscalYear) => ({ fiscalYear, revenue: '100000000.00', operatingMargin: '0.20' })),
    discountRate: '0.10',
    terminalGrowthRate: '0.02',
    royaltyRateRange: { low: '0.03', high: '0.05' },
    brandStrength: {
      tangible: { score: '60', evidence: '12 production bases; ISO 9001 since 2009' },
      quality: { score: '40', evidence: 'Two provincial spot-check failures in 2023' },
      innovation: { score: '50', evidence: '38 invention patents, R&D 3.1 % of revenue' },
      service: { score: '60', evidence: '48-hour after-sales response in 300 cities' },
      intangible: { score: '45', evidence: '中国驰名商标; brand founded 1998' },
    },
    oneYearLendingRate: '0.03',
    fiveYearLendingRate: '0.035',
    brandAttributableShare: '0.3',
    ...overrides,
  };
}
