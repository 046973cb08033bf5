/**
 * Exact arithmetic for brand valuation, and the one rule by which figures are rounded.
 *
 * Inputs are read, and checked, as decimal.js values from a private clone, so no other code in
 * the process can change our precision or rounding by configuring the global `Decimal`. The
 * valuation engine computes in exact fractions (fraction.ts); both are rounded here, by one rule.
 *
 * THE ROUNDING RULE: an amount is rounded to the fen (2 decimal places) with ROUND_HALF_EVEN
 * (banker's rounding) only when it is stored or shown — `toMoneyString` / `toMoney`. Nothing is
 * rounded mid-calculation, so a total is the fen-rounded sum of exact present values, and may
 * differ by a fen from the sum of the rounded lines printed above it. Half-even rather than
 * half-up so that rounding a long column of figures does not drift upwards.
 * Ratios that are not money (discount factors, relative differences) are shown with
 * `toDisplayString`, the same half-even rule at a coarser scale, again for display only.
 */
import { Decimal } from 'decimal.js';
import { Fraction } from './fraction.js';
import { NonFiniteResultError } from './non-finite-result-error.js';

export { NonFiniteResultError };

/**
 * 50 significant digits: a ¥10^15 amount discounted over decades keeps ~35 digits below the
 * fen, so the rounding at the end, not the arithmetic, decides every printed figure.
 * Divisions are the only inexact steps; the valuation engine does its own in fractions.
 */
export const Exact = Decimal.clone({
  precision: 50,
  rounding: Decimal.ROUND_HALF_EVEN,
  // Never switch to exponent notation, so toString() is always a plain decimal.
  toExpNeg: -9e15,
  toExpPos: 9e15,
});

/** A value of the private clone. decimal.js types every clone's instances as `Decimal`. */
export type Exact = Decimal;

export const CURRENCY = 'CNY';
export const FEN_DECIMAL_PLACES = 2;
/** Scale at which discount factors and relative differences are shown. */
export const DISPLAY_RATIO_DECIMAL_PLACES = 6;

/** An amount as stored or shown: yuan to the fen as a plain decimal string, e.g. `123456789.12`. */
export type Money = { currency: typeof CURRENCY; amount: string };

export const ZERO: Exact = new Exact(0);
export const ONE: Exact = new Exact(1);
export const HUNDRED: Exact = new Exact(100);

const NEGATIVE_ZERO = /^-0(?:\.0*)?$/;

/** Rounds half-even to `places` decimals and prints plainly; `-0.00` prints as `0.00`. */
function roundedString(value: Exact | Fraction, places: number, what: string): string {
  // A fraction is always finite: dividing one by zero throws.
  if (value instanceof Fraction) return value.toFixedHalfEven(places);
  if (!value.isFinite()) throw new NonFiniteResultError(what);
  const text = value.toFixed(places, Decimal.ROUND_HALF_EVEN);
  // A tiny negative rounds to negative zero; a sign on zero would only confuse a reader.
  return NEGATIVE_ZERO.test(text) ? text.slice(1) : text;
}

/** Yuan to the fen, half-even: the one rounding rule for money (see the module comment). */
export function toMoneyString(value: Exact | Fraction): string {
  return roundedString(value, FEN_DECIMAL_PLACES, 'an amount');
}

export function toMoney(value: Exact | Fraction): Money {
  return { currency: CURRENCY, amount: toMoneyString(value) };
}

/** A non-money ratio rounded half-even for display, by default to 6 decimals. */
export function toDisplayString(value: Exact | Fraction, places: number = DISPLAY_RATIO_DECIMAL_PLACES): string {
  return roundedString(value, places, 'a ratio');
}

/** An exact value printed in full, without rounding (rates, scores: they are exact decimals). */
export function toExactString(value: Exact | Fraction): string {
  if (value instanceof Fraction) return value.toExactString();
  if (!value.isFinite()) throw new NonFiniteResultError('a rate');
  return (value.isZero() ? ZERO : value).toFixed();
}

// decimal.js would also read hex, binary, exponents, 'Infinity' and 'NaN': none is an amount.
const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?$/;
const AMOUNT_TEXT = /^-?\d+(?:\.\d{1,2})?$/;
/** Generous for any real figure; bounds the work a hostile input can cause. */
export const MAX_NUMBER_TEXT_LENGTH = 40;

/** A plain decimal string (`-12.5`, `0.035`) read exactly; undefined for anything else. */
export function parseDecimal(text: unknown): Exact | undefined {
  if (typeof text !== 'string' || text.length > MAX_NUMBER_TEXT_LENGTH || !DECIMAL_TEXT.test(text)) return undefined;
  return new Exact(text);
}

/** Yuan with at most two decimals (a statement is kept to the fen); undefined for anything else. */
export function parseAmount(text: unknown): Exact | undefined {
  if (typeof text !== 'string' || text.length > MAX_NUMBER_TEXT_LENGTH || !AMOUNT_TEXT.test(text)) return undefined;
  return new Exact(text);
}

/** `parseDecimal`, read as an exact fraction for the valuation engine. */
export function readDecimal(text: unknown): Fraction | undefined {
  if (typeof text !== 'string' || text.length > MAX_NUMBER_TEXT_LENGTH || !DECIMAL_TEXT.test(text)) return undefined;
  return Fraction.parse(text);
}

/** `parseAmount`, read as an exact fraction for the valuation engine. */
export function readAmount(text: unknown): Fraction | undefined {
  if (typeof text !== 'string' || text.length > MAX_NUMBER_TEXT_LENGTH || !AMOUNT_TEXT.test(text)) return undefined;
  return Fraction.parse(text);
}
