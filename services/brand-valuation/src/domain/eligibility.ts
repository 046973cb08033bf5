/**
 * Whether an enterprise may be valued for the list at all: a run of profitable years and a
 * minimum average net profit for its sector. The thresholds are configuration, passed in,
 * because they are one list's rules (2014) and the next list may change them.
 */
import type { FieldViolation } from './field-violation.js';
import { Exact, parseAmount, ZERO } from './money.js';
import { SECTORS, type Sector, type ValuationInput } from './valuation-input.js';

export type EligibilityThresholds = {
  /** How many of the latest consecutive fiscal years must each show a net profit above zero. */
  consecutiveProfitableYears: number;
  /** Minimum average net profit over those years, yuan as a decimal string, per sector. */
  minimumAverageNetProfit: Readonly<Record<Sector, string>>;
};

/** The 2014 list's rules: three profitable years; ¥30 m / ¥100 m / ¥50 m average net profit. */
export const LIST_2014_ELIGIBILITY: EligibilityThresholds = Object.freeze({
  consecutiveProfitableYears: 3,
  minimumAverageNetProfit: Object.freeze({
    agriculture: '30000000',
    manufacturing: '100000000',
    services: '50000000',
  }),
});

function yuanInMillions(value: Exact): string {
  return `¥${value.div(1_000_000).toDecimalPlaces(2, Exact.ROUND_HALF_EVEN).toFixed()} m`;
}

/**
 * Every reason the application is not eligible, as field violations; empty when it is.
 * Reads only the sector and the latest `consecutiveProfitableYears` historical years, and
 * reports every loss-making year as well as a low average, so the applicant sees all of it.
 * Throws RangeError only for unusable thresholds (a configuration error, not the applicant's).
 */
export function checkEligibility(input: ValuationInput, thresholds: EligibilityThresholds): FieldViolation[] {
  const needed = thresholds.consecutiveProfitableYears;
  if (!Number.isInteger(needed) || needed < 1) {
    throw new RangeError(`consecutiveProfitableYears must be a whole number ≥ 1, not ${String(needed)}`);
  }
  const violations: FieldViolation[] = [];
  const add = (field: string, description: string): void => {
    violations.push({ field, description });
  };

  const sector = input.sector;
  let minimum: Exact | undefined;
  if (!(SECTORS as readonly unknown[]).includes(sector)) {
    add('sector', `must be one of ${SECTORS.join(', ')} to know the profit threshold`);
  } else {
    minimum = parseAmount(thresholds.minimumAverageNetProfit[sector]);
    if (minimum === undefined) throw new RangeError(`the ${sector} minimum average net profit is not an amount`);
  }

  const years = Array.isArray(input.historicalYears) ? input.historicalYears : [];
  if (years.length < needed) {
    add('historical_years', `${needed} consecutive profitable fiscal years are required; ${years.length} were given`);
  }
  const first = Math.max(0, years.length - needed);
  let sum: Exact | undefined = ZERO;
  for (let i = first; i < years.length; i++) {
    const year = years[i];
    const previous = i > first ? years[i - 1]?.fiscalYear : undefined;
    if (previous !== undefined && year?.fiscalYear !== previous + 1) {
      add(`historical_years[${i}].fiscal_year`, `the last ${needed} fiscal years must be consecutive; ${String(year?.fiscalYear)} does not follow ${previous}`);
    }
    const netProfit = parseAmount(year?.netProfit);
    if (netProfit === undefined) {
      add(`historical_years[${i}].net_profit`, 'must be an amount in yuan to know whether the year was profitable');
      sum = undefined;
      continue;
    }
    if (netProfit.lte(ZERO)) {
      add(
        `historical_years[${i}].net_profit`,
        `fiscal year ${String(year?.fiscalYear)} made no net profit (${netProfit.toFixed(2)}); each of the last ${needed} years must be profitable`,
      );
    }
    sum = sum?.plus(netProfit);
  }

  if (minimum !== undefined && sum !== undefined && years.length >= needed) {
    // Compare the sum with minimum × n rather than dividing, so no rounding enters the test.
    if (sum.lt(minimum.times(needed))) {
      add(
        'historical_years',
        `average net profit over the last ${needed} years is ${yuanInMillions(sum.div(needed))}; the ${sector} threshold is ${yuanInMillions(minimum)}`,
      );
    }
  }
  return violations;
}
