import { describe, expect, it } from 'vitest';
import { exampleInput, historicalYear } from './test-inputs.js';
import { validateValuationInput, type ForecastYear, type ValuationInput } from './valuation-input.js';

const fields = (input: ValuationInput): string[] => validateValuationInput(input).map((v) => v.field);

function forecast(from: number, count = 5): ForecastYear[] {
  return Array.from({ length: count }, (_, i) => ({ fiscalYear: from + i, revenue: '100000000.00', operatingMargin: '0.20' }));
}

describe('validateValuationInput', () => {
  it('accepts the worked example', () => {
    expect(validateValuationInput(exampleInput())).toEqual([]);
  });

  describe('discount rate and terminal growth', () => {
    it('refuses r = g and r < g: the terminal value would be infinite or negative', () => {
      expect(validateValuationInput(exampleInput({ discountRate: '0.02' }))).toEqual([
        { field: 'discount_rate', description: 'the discount rate 0.02 must exceed the terminal growth rate 0.02' },
      ]);
      expect(fields(exampleInput({ discountRate: '0.05', terminalGrowthRate: '0.06' }))).toEqual(['discount_rate']);
    });

    it('refuses a discount rate outside (0, 1)', () => {
      expect(fields(exampleInput({ discountRate: '0', terminalGrowthRate: '-0.01' }))).toEqual(['discount_rate']);
      expect(fields(exampleInput({ discountRate: '1' }))).toEqual(['discount_rate']);
    });

    it('refuses a terminal growth rate at or below −100 %', () => {
      expect(fields(exampleInput({ terminalGrowthRate: '-1' }))).toEqual(['terminal_growth_rate']);
    });

    it('accepts a build-up instead of the rate, and checks r > g against its sum', () => {
      const buildUp = {
        riskFreeRate: '0.025',
        premia: [
          { name: 'equity risk', rate: '0.05' },
          { name: 'brand-specific', rate: '0.025' },
        ],
      };
      expect(fields(exampleInput({ discountRate: undefined, discountRateBuildUp: buildUp }))).toEqual([]);
      // 0.01 + 0.005 + 0.005 = 0.02 = g
      const low = {
        riskFreeRate: '0.01',
        premia: [
          { name: 'a', rate: '0.005' },
          { name: 'b', rate: '0.005' },
        ],
      };
      expect(validateValuationInput(exampleInput({ discountRate: undefined, discountRateBuildUp: low }))).toEqual([
        { field: 'discount_rate_build_up', description: 'the discount rate 0.02 must exceed the terminal growth rate 0.02' },
      ]);
    });

    it('names the failing part of a build-up', () => {
      const buildUp = {
        riskFreeRate: 'two percent',
        premia: [
          { name: ' ', rate: '0.05' },
          { name: 'size', rate: '5%' },
        ],
      };
      expect(fields(exampleInput({ discountRate: undefined, discountRateBuildUp: buildUp }))).toEqual([
        'discount_rate_build_up.risk_free_rate',
        'discount_rate_build_up.premia[0].name',
        'discount_rate_build_up.premia[1].rate',
      ]);
    });

    it('wants exactly one of the rate and its build-up', () => {
      const buildUp = { riskFreeRate: '0.025', premia: [] };
      expect(fields(exampleInput({ discountRateBuildUp: buildUp }))).toEqual(['discount_rate']);
      expect(fields(exampleInput({ discountRate: undefined }))).toEqual(['discount_rate']);
    });
  });

  describe('historical years', () => {
    it('refuses fewer than 3', () => {
      const input = exampleInput({ historicalYears: [historicalYear(2023), historicalYear(2024)] });
      expect(validateValuationInput(input)).toEqual([{ field: 'historical_years', description: 'at least 3 consecutive fiscal years are required, not 2' }]);
    });

    it('refuses a gap, naming the year after it', () => {
      const input = exampleInput({ historicalYears: [historicalYear(2021), historicalYear(2023), historicalYear(2024)] });
      expect(validateValuationInput(input)).toEqual([
        { field: 'historical_years[1].fiscal_year', description: 'years must be consecutive, oldest first: 2023 follows 2021, expected 2022' },
      ]);
    });

    it('refuses years out of order', () => {
      const input = exampleInput({ historicalYears: [historicalYear(2024), historicalYear(2023), historicalYear(2022)] });
      expect(fields(input)).toContain('historical_years[1].fiscal_year');
    });

    it('refuses a fiscal year that is not a whole year', () => {
      const input = exampleInput({ historicalYears: [historicalYear(2022), historicalYear(2023.5), historicalYear(2024)] });
      expect(fields(input)).toContain('historical_years[1].fiscal_year');
    });

    it('refuses negative assets and revenue, but not a loss', () => {
      const input = exampleInput({
        historicalYears: [
          historicalYear(2022, { currentAssets: '-1.00', revenue: '-5' }),
          historicalYear(2023, { nonCurrentAssets: '-0.01', netProfit: '-3000000.00', operatingProfit: '-1' }),
          historicalYear(2024),
        ],
      });
      expect(fields(input)).toEqual(['historical_years[0].revenue', 'historical_years[0].current_assets', 'historical_years[1].non_current_assets']);
    });

    it('refuses a last year without revenue: forecast assets scale from it', () => {
      const input = exampleInput({ historicalYears: [historicalYear(2022), historicalYear(2023), historicalYear(2024, { revenue: '0' })] });
      expect(fields(input)).toEqual(['historical_years[2].revenue']);
    });

    it('refuses a tax rate outside [0, 1)', () => {
      const input = exampleInput({
        historicalYears: [
          historicalYear(2022, { incomeTaxRate: '1' }),
          historicalYear(2023, { incomeTaxRate: '-0.1' }),
          historicalYear(2024, { incomeTaxRate: '0' }),
        ],
      });
      expect(validateValuationInput(input)).toEqual([
        { field: 'historical_years[0].income_tax_rate', description: 'rate 1 must be in [0, 1)' },
        { field: 'historical_years[1].income_tax_rate', description: 'rate -0.1 must be in [0, 1)' },
      ]);
    });

    it.each(['abc', '1e6', 'Infinity', 'NaN', '0x10', '', '12,000.00', '100.001'])('refuses the amount %j', (text) => {
      const input = exampleInput({ historicalYears: [historicalYear(2022), historicalYear(2023, { netProfit: text }), historicalYear(2024)] });
      expect(validateValuationInput(input)).toEqual([
        {
          field: 'historical_years[1].net_profit',
          description: `must be an amount in yuan as a decimal string with at most 2 decimals, e.g. "123456789.12", not "${text}"`,
        },
      ]);
    });

    it('refuses a number where a decimal string belongs', () => {
      const year = { ...historicalYear(2023), revenue: 100000000 } as unknown as ReturnType<typeof historicalYear>;
      const input = exampleInput({ historicalYears: [historicalYear(2022), year, historicalYear(2024)] });
      expect(validateValuationInput(input)[0]?.description).toMatch(/, not a number$/);
    });
  });

  describe('forecast years', () => {
    it('refuses other than exactly 5', () => {
      expect(validateValuationInput(exampleInput({ forecastYears: forecast(2025, 4) }))).toEqual([
        { field: 'forecast_years', description: 'exactly 5 forecast years are required, not 4' },
      ]);
      expect(fields(exampleInput({ forecastYears: forecast(2025, 6) }))).toEqual(['forecast_years']);
    });

    it('refuses a forecast not starting the year after the last historical year', () => {
      expect(fields(exampleInput({ forecastYears: forecast(2026) }))).toEqual([
        'forecast_years[0].fiscal_year',
        'forecast_years[1].fiscal_year',
        'forecast_years[2].fiscal_year',
        'forecast_years[3].fiscal_year',
        'forecast_years[4].fiscal_year',
      ]);
    });

    it('refuses a gap in the forecast', () => {
      const years = forecast(2025);
      years[3] = { ...years[3]!, fiscalYear: 2029 };
      years[4] = { ...years[4]!, fiscalYear: 2030 };
      expect(validateValuationInput(exampleInput({ forecastYears: years }))[0]).toEqual({
        field: 'forecast_years[3].fiscal_year',
        description: 'the forecast must run consecutively from the year after the last historical year (2024): expected 2028, not 2029',
      });
    });

    it('refuses a margin outside [−1, 1] and a negative revenue', () => {
      const years = forecast(2025);
      years[1] = { ...years[1]!, operatingMargin: '1.5' };
      years[2] = { ...years[2]!, revenue: '-1.00' };
      expect(fields(exampleInput({ forecastYears: years }))).toEqual(['forecast_years[1].operating_margin', 'forecast_years[2].revenue']);
    });
  });

  describe('royalty rate range', () => {
    it('refuses a bound outside 0–100 %', () => {
      expect(validateValuationInput(exampleInput({ royaltyRateRange: { low: '0.03', high: '1.2' } }))).toEqual([
        { field: 'royalty_rate_range.high', description: 'rate 1.2 must be in [0, 1]' },
      ]);
      expect(fields(exampleInput({ royaltyRateRange: { low: '-0.01', high: '0.05' } }))).toEqual(['royalty_rate_range.low']);
    });

    it('refuses an inverted range', () => {
      expect(validateValuationInput(exampleInput({ royaltyRateRange: { low: '0.05', high: '0.03' } }))).toEqual([
        { field: 'royalty_rate_range.high', description: 'the range is inverted: high 0.03 is below low 0.05' },
      ]);
    });

    it('accepts a range of one rate, and the full 0–100 %', () => {
      expect(fields(exampleInput({ royaltyRateRange: { low: '0.04', high: '0.04' } }))).toEqual([]);
      expect(fields(exampleInput({ royaltyRateRange: { low: '0', high: '1' } }))).toEqual([]);
    });
  });

  describe('brand strength', () => {
    it.each(['-1', '100.01', '1000', 'eighty'])('refuses the score %j', (score) => {
      const input = exampleInput();
      input.brandStrength.quality.score = score;
      expect(fields(input)).toEqual(['brand_strength.quality.score']);
    });

    it.each(['0', '100', '82.5', '99.99'])('accepts the score %j', (score) => {
      const input = exampleInput();
      input.brandStrength.quality.score = score;
      expect(fields(input)).toEqual([]);
    });

    it('refuses missing or blank evidence', () => {
      const input = exampleInput();
      input.brandStrength.service.evidence = '  \n ';
      (input.brandStrength.innovation as { evidence?: string }).evidence = undefined;
      expect(validateValuationInput(input)).toEqual([
        { field: 'brand_strength.innovation.evidence', description: 'the evidence behind the score is required' },
        { field: 'brand_strength.service.evidence', description: 'the evidence behind the score is required' },
      ]);
    });

    it('counts evidence in characters: 2000 Chinese characters or emoji pass, 2001 do not', () => {
      const input = exampleInput();
      input.brandStrength.tangible.evidence = '证'.repeat(2000);
      input.brandStrength.quality.evidence = '🏭'.repeat(2000); // 4000 UTF-16 units, 2000 characters
      expect(fields(input)).toEqual([]);
      input.brandStrength.tangible.evidence = '证'.repeat(2001);
      expect(fields(input)).toEqual(['brand_strength.tangible.evidence']);
    });

    it('refuses a missing element', () => {
      const input = exampleInput();
      delete (input.brandStrength as Partial<Record<string, unknown>>).service;
      expect(fields(input)).toEqual(['brand_strength.service']);
    });
  });

  it('refuses lending rates outside [0, 1) and a share outside [0, 1]', () => {
    expect(fields(exampleInput({ oneYearLendingRate: '1', fiveYearLendingRate: '-0.01', brandAttributableShare: '1.01' }))).toEqual([
      'one_year_lending_rate',
      'five_year_lending_rate',
      'brand_attributable_share',
    ]);
  });

  it('refuses an unknown sector or headline method', () => {
    expect(validateValuationInput(exampleInput({ sector: 'mining' as never, headlineMethod: 'dcf' as never }))).toEqual([
      { field: 'sector', description: 'must be one of agriculture, manufacturing, services, not "mining"' },
      { field: 'headline_method', description: 'must be one of relief_from_royalty, excess_earnings, not "dcf"' },
    ]);
  });

  it('returns every violation at once', () => {
    const input = exampleInput({
      historicalYears: [historicalYear(2023, { incomeTaxRate: '1.5' }), historicalYear(2024, { currentAssets: '-1' })],
      forecastYears: forecast(2025, 3),
      discountRate: '0.02',
      terminalGrowthRate: '0.03',
      royaltyRateRange: { low: '0.06', high: '0.05' },
      brandAttributableShare: 'half',
    });
    input.brandStrength.intangible.score = '101';
    expect(fields(input)).toEqual([
      'historical_years',
      'historical_years[0].income_tax_rate',
      'historical_years[1].current_assets',
      'forecast_years',
      'discount_rate',
      'royalty_rate_range.high',
      'brand_strength.intangible.score',
      'brand_attributable_share',
    ]);
  });

  it('never throws, even for input of the wrong shape', () => {
    expect(fields(null as unknown as ValuationInput)).toEqual(['']);
    expect(fields({} as ValuationInput)).toEqual([
      'sector',
      'historical_years',
      'forecast_years',
      'discount_rate',
      'terminal_growth_rate',
      'royalty_rate_range',
      'brand_strength',
      'one_year_lending_rate',
      'five_year_lending_rate',
      'brand_attributable_share',
    ]);
    const odd = exampleInput({ historicalYears: [null, 7, historicalYear(2024)] as never, forecastYears: [null] as never });
    expect(fields(odd)).toEqual(['historical_years[0]', 'historical_years[1]', 'forecast_years', 'forecast_years[0]']);
  });
});
