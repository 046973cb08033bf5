import { describe, expect, it } from 'vitest';
import { exampleInput, historicalYear } from './test-inputs.js';
import { InvalidValuationInputError, valueBrand, type SensitivityCell, type ValuationReport } from './valuation-engine.js';

const cny = (amount: string) => ({ currency: 'CNY', amount });
const values = (cells: SensitivityCell[]): (string | null)[] => cells.map((c) => (c.valid ? c.value.amount : null));

/*
 * The worked example (test-inputs.ts): revenue ¥100 m in each forecast year 2025–2029,
 * τ = 25 % (2024's rate), r = 10 %, g = 2 %, BSI 50 → ρ = 0.03 + 50/100 × (0.05 − 0.03) = 0.04.
 * Discounting is end-of-year: (1+r)^t = 1.1, 1.21, 1.331, 1.4641, 1.61051 for t = 1..5.
 */
describe('relief from royalty, by hand', () => {
  const report = valueBrand(exampleInput());
  const rfr = report.reliefFromRoyalty;

  it('uses ρ = 4 % from the BSI of 50', () => {
    expect(report.brandStrength.index).toBe('50');
    expect(report.brandStrength.listScale).toBe('500');
    expect(rfr.royaltyRate).toBe('0.04');
    expect(report.assumptions.royaltyRate).toBe('0.04');
  });

  it('each year: royalty 100 m × 0.04 = 4 m, tax 1 m, cash flow 3 m, PV = 3 m / (1.1)^t', () => {
    // 3 000 000 / 1.1     = 2 727 272.7272…  → 2 727 272.73   factor 0.9090909… → 0.909091
    // 3 000 000 / 1.21    = 2 479 338.8429…  → 2 479 338.84   factor 0.8264462… → 0.826446
    // 3 000 000 / 1.331   = 2 253 944.4027…  → 2 253 944.40   factor 0.7513148… → 0.751315
    // 3 000 000 / 1.4641  = 2 049 040.3660…  → 2 049 040.37   factor 0.6830134… → 0.683013
    // 3 000 000 / 1.61051 = 1 862 763.9691…  → 1 862 763.97   factor 0.6209213… → 0.620921
    expect(rfr.years).toEqual([
      {
        fiscalYear: 2025,
        period: 1,
        revenue: cny('100000000.00'),
        royaltyIncome: cny('4000000.00'),
        incomeTax: cny('1000000.00'),
        cashFlow: cny('3000000.00'),
        discountFactor: '0.909091',
        presentValue: cny('2727272.73'),
      },
      {
        fiscalYear: 2026,
        period: 2,
        revenue: cny('100000000.00'),
        royaltyIncome: cny('4000000.00'),
        incomeTax: cny('1000000.00'),
        cashFlow: cny('3000000.00'),
        discountFactor: '0.826446',
        presentValue: cny('2479338.84'),
      },
      {
        fiscalYear: 2027,
        period: 3,
        revenue: cny('100000000.00'),
        royaltyIncome: cny('4000000.00'),
        incomeTax: cny('1000000.00'),
        cashFlow: cny('3000000.00'),
        discountFactor: '0.751315',
        presentValue: cny('2253944.40'),
      },
      {
        fiscalYear: 2028,
        period: 4,
        revenue: cny('100000000.00'),
        royaltyIncome: cny('4000000.00'),
        incomeTax: cny('1000000.00'),
        cashFlow: cny('3000000.00'),
        discountFactor: '0.683013',
        presentValue: cny('2049040.37'),
      },
      {
        fiscalYear: 2029,
        period: 5,
        revenue: cny('100000000.00'),
        royaltyIncome: cny('4000000.00'),
        incomeTax: cny('1000000.00'),
        cashFlow: cny('3000000.00'),
        discountFactor: '0.620921',
        presentValue: cny('1862763.97'),
      },
    ]);
  });

  it('terminal value 3 m × 1.02 / (0.10 − 0.02) = 38.25 m, PV 38.25 m / 1.61051; total', () => {
    // Σ PV = 3 m × (1 − 1.1^−5) / 0.1 = 3 m × 3.7907867694… = 11 372 360.3082…  → 11 372 360.31
    // TV = 3 060 000 / 0.08 = 38 250 000; PV = 38 250 000 / 1.61051 = 23 750 240.6070… → 23 750 240.61
    // value = 11 372 360.3082… + 23 750 240.6070… = 35 122 600.9152… → 35 122 600.92
    expect(rfr.sumOfPresentValues).toEqual(cny('11372360.31'));
    expect(rfr.terminalValue).toEqual({ value: cny('38250000.00'), discountFactor: '0.620921', presentValue: cny('23750240.61') });
    expect(rfr.value).toEqual(cny('35122600.92'));
    expect(report.headlineMethod).toBe('relief_from_royalty');
    expect(report.value).toEqual(cny('35122600.92'));
    expect(report.baseFiscalYear).toBe(2024);
  });

  it('rounds only when shown: the total is the exact sum rounded, not the sum of rounded lines', () => {
    // Revenue ¥100 000 001: cash flow 100 000 001 × 0.04 × 0.75 = 3 000 000.03 a year.
    // PVs 2 727 272.7545…, 2 479 338.8677…, 2 253 944.4252…, 2 049 040.3865…, 1 862 763.9878…
    // rounded: .75 + .87 + .43 + .39 + .99 → 11 372 360.43, but the exact sum 11 372 360.4219… → .42
    const input = exampleInput({
      forecastYears: exampleInput().forecastYears.map((y) => ({ ...y, revenue: '100000001.00' })),
    });
    const drift = valueBrand(input).reliefFromRoyalty;
    expect(drift.years.map((y) => y.presentValue.amount)).toEqual(['2727272.75', '2479338.87', '2253944.43', '2049040.39', '1862763.99']);
    expect(drift.sumOfPresentValues).toEqual(cny('11372360.42'));
  });

  it('carries an exact half fen through to the headline and rounds it half-even', () => {
    // ρ = 5 % (range 5–5 %), τ = 25 %, r = 25 %, g = 0: discount factors 0.8^t are exact, and
    // Σ 0.8^t (t = 1..5) = 2.68928 plus the terminal 0.8^5 / 0.25 = 1.31072 make exactly 4 × CF.
    // Revenue 1 000.30: CF = 1 000.30 × 0.05 × 0.75 = 37.51125; value 150.045 → 150.04 (4 is even)
    // Revenue 1 000.10: CF = 37.50375; value 150.015 → 150.02 (1 is odd)
    const tiny = (revenue: string) =>
      valueBrand(
        exampleInput({
          forecastYears: exampleInput().forecastYears.map((y) => ({ ...y, revenue })),
          discountRate: '0.25',
          terminalGrowthRate: '0',
          royaltyRateRange: { low: '0.05', high: '0.05' },
        }),
      ).value;
    expect(tiny('1000.30')).toEqual(cny('150.04'));
    expect(tiny('1000.10')).toEqual(cny('150.02'));
  });
});

/*
 * Excess earnings on the same example: operating profit 100 m × 20 % = 20 m, tax 5 m, after tax
 * 15 m; contributory charge 40 m × 3 % + 60 m × 3.5 % = 1.2 m + 2.1 m = 3.3 m (revenue is flat,
 * so the assets stay at 2024's level); excess 11.7 m; brand share 30 % → 3.51 m a year.
 */
describe('multi-period excess earnings, by hand', () => {
  const report = valueBrand(exampleInput());
  const mpeem = report.excessEarnings;

  it('each year: 15 m − 3.3 m = 11.7 m excess, × 0.3 = 3.51 m, PV = 3.51 m / (1.1)^t', () => {
    // 3 510 000 / 1.1 = 3 190 909.0909… → .09;  / 1.21 = 2 900 826.4462… → .45;  / 1.331 = 2 637 114.9511… → .95
    // / 1.4641 = 2 397 377.2283… → .23;  / 1.61051 = 2 179 433.8439… → .84
    const line = {
      revenue: cny('100000000.00'),
      operatingMargin: '0.2',
      operatingProfit: cny('20000000.00'),
      incomeTax: cny('5000000.00'),
      afterTaxOperatingProfit: cny('15000000.00'),
      currentAssets: cny('40000000.00'),
      nonCurrentAssets: cny('60000000.00'),
      contributoryCharge: cny('3300000.00'),
      excessEarnings: cny('11700000.00'),
      cashFlow: cny('3510000.00'),
    };
    expect(mpeem.years).toEqual([
      { fiscalYear: 2025, period: 1, ...line, discountFactor: '0.909091', presentValue: cny('3190909.09') },
      { fiscalYear: 2026, period: 2, ...line, discountFactor: '0.826446', presentValue: cny('2900826.45') },
      { fiscalYear: 2027, period: 3, ...line, discountFactor: '0.751315', presentValue: cny('2637114.95') },
      { fiscalYear: 2028, period: 4, ...line, discountFactor: '0.683013', presentValue: cny('2397377.23') },
      { fiscalYear: 2029, period: 5, ...line, discountFactor: '0.620921', presentValue: cny('2179433.84') },
    ]);
    expect(mpeem.brandAttributableShare).toBe('0.3');
    expect(mpeem.assetBasis).toBe('scaled_with_revenue');
  });

  it('terminal value 3.51 m × 1.02 / 0.08 = 44.7525 m; total', () => {
    // Σ PV = 3.51 m × 3.7907867694… = 13 305 661.5608… → 13 305 661.56
    // TV PV = 44 752 500 / 1.61051 = 27 787 781.5101… → 27 787 781.51
    // value = 41 093 443.0708… → 41 093 443.07
    expect(mpeem.sumOfPresentValues).toEqual(cny('13305661.56'));
    expect(mpeem.terminalValue).toEqual({ value: cny('44752500.00'), discountFactor: '0.620921', presentValue: cny('27787781.51') });
    expect(mpeem.value).toEqual(cny('41093443.07'));
  });

  it('scales contributory assets with revenue', () => {
    // 2025 revenue 110 m = 1.1 × 2024's 100 m: assets 44 m and 66 m; charge 44 m × 3 % + 66 m × 3.5 %
    // = 1.32 m + 2.31 m = 3.63 m; after-tax profit 110 m × 20 % × 75 % = 16.5 m; excess 12.87 m; × 30 % = 3.861 m
    const forecast = exampleInput().forecastYears.map((y, t) => (t === 0 ? { ...y, revenue: '110000000.00' } : y));
    const first = valueBrand(exampleInput({ forecastYears: forecast })).excessEarnings.years[0]!;
    expect(first).toMatchObject({
      currentAssets: cny('44000000.00'),
      nonCurrentAssets: cny('66000000.00'),
      contributoryCharge: cny('3630000.00'),
      afterTaxOperatingProfit: cny('16500000.00'),
      excessEarnings: cny('12870000.00'),
      cashFlow: cny('3861000.00'),
    });
  });
});

describe('headline and cross-check', () => {
  it('relief from royalty heads by default, excess earnings cross-checks', () => {
    // 41 093 443.0708… − 35 122 600.9152… = 5 970 842.1556… → 5 970 842.16;
    // ÷ 35 122 600.9152… = 0.17 exactly (3.51 m / 3 m = 1.17 on every line)
    expect(valueBrand(exampleInput()).crossCheck).toEqual({
      method: 'excess_earnings',
      value: cny('41093443.07'),
      difference: cny('5970842.16'),
      relativeDifference: '0.170000',
    });
  });

  it('excess earnings can head instead', () => {
    // −5 970 842.1556… ÷ 41 093 443.0708… = −0.145299…
    const report = valueBrand(exampleInput({ headlineMethod: 'excess_earnings' }));
    expect(report.headlineMethod).toBe('excess_earnings');
    expect(report.value).toEqual(cny('41093443.07'));
    expect(report.crossCheck).toEqual({
      method: 'relief_from_royalty',
      value: cny('35122600.92'),
      difference: cny('-5970842.16'),
      relativeDifference: '-0.145299',
    });
  });

  it('gives no relative difference against a zero headline', () => {
    const report = valueBrand(exampleInput({ royaltyRateRange: { low: '0', high: '0' } }));
    expect(report.value).toEqual(cny('0.00'));
    expect(report.crossCheck.relativeDifference).toBeNull();
  });
});

describe('discount rate build-up', () => {
  it('sums risk-free rate and premia: 2.5 % + 5 % + 2.5 % = 10 %, the same value as r = 10 %', () => {
    const report = valueBrand(
      exampleInput({
        discountRate: undefined,
        discountRateBuildUp: {
          riskFreeRate: '0.025',
          premia: [
            { name: 'equity risk', rate: '0.05' },
            { name: 'brand-specific', rate: '0.025' },
          ],
        },
      }),
    );
    expect(report.assumptions.discountRate).toBe('0.1');
    expect(report.assumptions.discountRateBuildUp).toEqual({
      riskFreeRate: '0.025',
      premia: [
        { name: 'equity risk', rate: '0.05' },
        { name: 'brand-specific', rate: '0.025' },
      ],
    });
    expect(report.value).toEqual(cny('35122600.92'));
  });

  it('shows no build-up when the rate was given directly', () => {
    expect(valueBrand(exampleInput()).assumptions).toEqual({
      discountRate: '0.1',
      discountRateBuildUp: null,
      terminalGrowthRate: '0.02',
      incomeTaxRate: '0.25',
      royaltyRateRange: { low: '0.03', high: '0.05' },
      royaltyRate: '0.04',
      oneYearLendingRate: '0.03',
      fiveYearLendingRate: '0.035',
      brandAttributableShare: '0.3',
    });
  });
});

describe('sensitivity grid', () => {
  it('is 3 × 3 over r ± 1 pp and g ± 0.5 pp, with the headline in the centre', () => {
    // Each cell re-discounts the same 3 m cash flows, e.g. r = 9 %, g = 1.5 %:
    // Σ 3 m / 1.09^t + 3 m × 1.015 / 0.075 / 1.09^5 = 38 056 168.07
    const grid = valueBrand(exampleInput()).sensitivity;
    expect(grid.method).toBe('relief_from_royalty');
    expect(grid.discountRates).toEqual(['0.09', '0.1', '0.11']);
    expect(grid.terminalGrowthRates).toEqual(['0.015', '0.02', '0.025']);
    expect(grid.discountRateByTerminalGrowth.map(values)).toEqual([
      ['38056168.07', '40080240.11', '42415707.83'],
      ['33615953.59', '35122600.92', '36830134.55'],
      ['30109367.83', '31265036.21', '32556665.57'],
    ]);
    expect(grid.discountRateByTerminalGrowth[0]![2]).toEqual({
      discountRate: '0.09',
      terminalGrowthRate: '0.025',
      royaltyRate: '0.04',
      valid: true,
      value: cny('42415707.83'),
    });
  });

  it('has a royalty row ρ ± 0.5 pp for relief from royalty', () => {
    // ρ = 3.5 %: cash flow 100 m × 0.035 × 0.75 = 2.625 m, value 35 122 600.9152… × 2.625 / 3 = 30 732 275.80
    const grid = valueBrand(exampleInput()).sensitivity;
    expect(grid.royaltyRates).toEqual(['0.035', '0.04', '0.045']);
    expect(values(grid.byRoyaltyRate!)).toEqual(['30732275.80', '35122600.92', '39512926.03']);
  });

  it('follows excess earnings when it heads, without a royalty row', () => {
    const grid = valueBrand(exampleInput({ headlineMethod: 'excess_earnings' })).sensitivity;
    expect(grid.method).toBe('excess_earnings');
    expect(grid.discountRateByTerminalGrowth.map(values)).toEqual([
      ['44525716.65', '46893880.92', '49626378.17'],
      ['39330665.70', '41093443.07', '43091257.43'],
      ['35227960.36', '36580092.36', '38091298.71'],
    ]);
    expect(grid.discountRateByTerminalGrowth[1]![1]!.royaltyRate).toBeNull();
    expect(grid.royaltyRates).toBeNull();
    expect(grid.byRoyaltyRate).toBeNull();
  });

  it('marks cells where r ≤ g invalid instead of throwing', () => {
    // r = 3 %, g = 2.5 %: r − 1 pp = 2 % is ≤ every g in {2 %, 2.5 %, 3 %}, and r = 3 % ≤ g + 0.5 pp = 3 %
    const grid = valueBrand(exampleInput({ discountRate: '0.03', terminalGrowthRate: '0.025' })).sensitivity;
    expect(grid.discountRateByTerminalGrowth.map(values)).toEqual([
      [null, null, null],
      ['277697409.58', '544243523.96', null],
      ['139110314.33', '181850523.88', '267330942.98'],
    ]);
    expect(grid.discountRateByTerminalGrowth[1]![2]).toEqual({
      discountRate: '0.03',
      terminalGrowthRate: '0.03',
      royaltyRate: '0.04',
      valid: false,
      reason: 'discount rate 0.03 does not exceed terminal growth rate 0.03',
    });
  });

  it('marks a cell with a discount rate at or below zero invalid', () => {
    const grid = valueBrand(exampleInput({ discountRate: '0.005', terminalGrowthRate: '-0.02' })).sensitivity;
    expect(grid.discountRateByTerminalGrowth[0]![0]).toMatchObject({ discountRate: '-0.005', valid: false, reason: 'discount rate -0.005 is outside (0, 1)' });
  });

  it('marks a negative royalty rate invalid', () => {
    // range 0–0.4 %, BSI 50 → ρ = 0.2 %; ρ − 0.5 pp = −0.3 %
    const grid = valueBrand(exampleInput({ royaltyRateRange: { low: '0', high: '0.004' } })).sensitivity;
    expect(grid.royaltyRates).toEqual(['-0.003', '0.002', '0.007']);
    expect(grid.byRoyaltyRate![0]).toEqual({
      discountRate: '0.1',
      terminalGrowthRate: '0.02',
      royaltyRate: '-0.003',
      valid: false,
      reason: 'royalty rate -0.003 is outside [0, 1]',
    });
    expect(values(grid.byRoyaltyRate!)).toEqual([null, '1756130.05', '6146455.16']);
  });

  it('takes other steps as options', () => {
    const grid = valueBrand(exampleInput(), { sensitivitySteps: { discountRate: '0.02' } }).sensitivity;
    expect(grid.discountRates).toEqual(['0.08', '0.1', '0.12']);
    expect(grid.terminalGrowthRates).toEqual(['0.015', '0.02', '0.025']);
    expect(() => valueBrand(exampleInput(), { sensitivitySteps: { royaltyRate: '0' } })).toThrow(RangeError);
  });
});

describe('valueBrand', () => {
  it('refuses invalid input with every violation', () => {
    const input = exampleInput({ discountRate: '0.02', historicalYears: [historicalYear(2023), historicalYear(2024)] });
    let error: unknown;
    try {
      valueBrand(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidValuationInputError);
    expect((error as InvalidValuationInputError).violations.map((v) => v.field)).toEqual(['historical_years', 'discount_rate']);
  });

  it('uses the last historical year’s tax rate', () => {
    // τ = 15 %: cash flow 100 m × 0.04 × 0.85 = 3.4 m a year
    const years = [historicalYear(2022), historicalYear(2023), historicalYear(2024, { incomeTaxRate: '0.15' })];
    const report = valueBrand(exampleInput({ historicalYears: years }));
    expect(report.assumptions.incomeTaxRate).toBe('0.15');
    expect(report.reliefFromRoyalty.years[0]!.cashFlow).toEqual(cny('3400000.00'));
  });

  it('uses configured brand-strength weights', () => {
    // equal weights: (60 + 40 + 50 + 60 + 45) / 5 = 51 → ρ = 0.03 + 0.51 × 0.02 = 0.0402
    const weights = { tangible: '0.2', quality: '0.2', innovation: '0.2', service: '0.2', intangible: '0.2' };
    const report = valueBrand(exampleInput(), { brandStrengthWeights: weights });
    expect(report.brandStrength.index).toBe('51');
    expect(report.reliefFromRoyalty.royaltyRate).toBe('0.0402');
    expect(() => valueBrand(exampleInput(), { brandStrengthWeights: { ...weights, service: '0.3' } })).toThrow(RangeError);
  });

  it('reports each element’s score, weight and contribution', () => {
    expect(valueBrand(exampleInput()).brandStrength.elements).toEqual([
      { element: 'tangible', score: '60', weight: '0.2', contribution: '12' },
      { element: 'quality', score: '40', weight: '0.25', contribution: '10' },
      { element: 'innovation', score: '50', weight: '0.2', contribution: '10' },
      { element: 'service', score: '60', weight: '0.15', contribution: '9' },
      { element: 'intangible', score: '45', weight: '0.2', contribution: '9' },
    ]);
  });

  it('keeps large amounts exact to the fen', () => {
    // Revenue ¥987 654 321 098 765.43 a year; cash flow × 0.04 × 0.75 = × 0.03 = 29 629 629 632 962.9629
    // (a double has ~16 significant digits and could not carry the fen here)
    const forecast = exampleInput().forecastYears.map((y) => ({ ...y, revenue: '987654321098765.43' }));
    const report = valueBrand(exampleInput({ forecastYears: forecast }));
    expect(report.reliefFromRoyalty.years[0]!.cashFlow).toEqual(cny('29629629632962.96'));
    expect(report.reliefFromRoyalty.years[0]!.royaltyIncome).toEqual(cny('39506172843950.62'));
  });

  it('gives an identical report on every run', () => {
    const runs: ValuationReport[] = Array.from({ length: 3 }, () => valueBrand(exampleInput({ headlineMethod: 'excess_earnings' })));
    expect(runs[1]).toEqual(runs[0]);
    expect(JSON.stringify(runs[2])).toBe(JSON.stringify(runs[0]));
  });

  it('does not change its input', () => {
    const input = exampleInput();
    const before = JSON.stringify(input);
    valueBrand(input);
    expect(JSON.stringify(input)).toBe(before);
  });
});
