import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { Exact, NonFiniteResultError, parseAmount, parseDecimal, toDisplayString, toExactString, toMoney, toMoneyString } from './money.js';

describe('the rounding rule: to the fen, half-even, only when shown', () => {
  it.each([
    ['0.125', '0.12'], // tie: 2 is even, stays
    ['0.135', '0.14'], // tie: 3 is odd, goes up to 4
    ['0.145', '0.14'],
    ['0.155', '0.16'],
    ['2.675', '2.68'], // a double reads 2.675 as 2.67499…; the exact decimal is a true tie
    ['-0.125', '-0.12'],
    ['-0.135', '-0.14'],
    ['0.1251', '0.13'], // above the tie: up, whatever the parity
    ['0.1349', '0.13'],
    ['5', '5.00'],
    ['1234567890123456.785', '1234567890123456.78'], // beyond a double's 15–17 digits
  ])('%s → %s', (exact, shown) => {
    expect(toMoneyString(new Exact(exact))).toBe(shown);
  });

  it('a tiny negative rounds to 0.00, not -0.00', () => {
    expect(toMoneyString(new Exact('-0.001'))).toBe('0.00');
    expect(toMoneyString(new Exact('-0'))).toBe('0.00');
  });

  it('toMoney is the stored form: CNY and the fen-rounded string', () => {
    expect(toMoney(new Exact('123456789.125'))).toEqual({ currency: 'CNY', amount: '123456789.12' });
  });

  it('ratios are shown to 6 decimals by the same half-even rule', () => {
    expect(toDisplayString(new Exact(1).div('1.1'))).toBe('0.909091'); // 0.9090909…
    expect(toDisplayString(new Exact('0.0000005'))).toBe('0.000000'); // tie, 0 is even
    expect(toDisplayString(new Exact('0.0000015'))).toBe('0.000002'); // tie, 1 is odd
    expect(toDisplayString(new Exact('0.125'), 2)).toBe('0.12');
  });

  it('exact strings never use exponent notation', () => {
    expect(toExactString(new Exact('0.0000001'))).toBe('0.0000001');
    expect(toExactString(new Exact('1e21'))).toBe('1000000000000000000000');
    expect(toExactString(new Exact('-0'))).toBe('0');
  });

  it('refuses to show a non-finite figure', () => {
    expect(() => toMoneyString(new Exact(1).div(0))).toThrow(NonFiniteResultError);
    expect(() => toMoney(new Exact(NaN))).toThrow(NonFiniteResultError);
    expect(() => toDisplayString(new Exact(-Infinity))).toThrow(NonFiniteResultError);
    expect(() => toExactString(new Exact(Infinity))).toThrow(NonFiniteResultError);
  });
});

describe('the private decimal clone', () => {
  it('carries 50 significant digits without touching the global Decimal', () => {
    expect(Exact.precision).toBe(50);
    expect(Exact.rounding).toBe(Decimal.ROUND_HALF_EVEN);
    expect(Decimal.precision).toBe(20); // decimal.js's default, untouched
    expect(new Exact(1).div(3).toFixed()).toBe(`0.${'3'.repeat(50)}`);
  });

  it('adds fen amounts exactly where doubles would not', () => {
    expect(new Exact('0.1').plus('0.2').toFixed()).toBe('0.3');
    expect(0.1 + 0.2).not.toBe(0.3);
  });
});

describe('reading decimal strings', () => {
  it.each(['0', '0.12', '-3', '123456789.12', '0.035', '007.5'])('accepts %s', (text) => {
    expect(parseDecimal(text)?.eq(new Exact(text))).toBe(true);
  });

  it.each(['', ' 1', '1 ', '1e3', '0x10', '0b1', 'Infinity', '-Infinity', 'NaN', '1.', '.5', '+1', '1,000', '１２', 'abc'])('refuses %j', (text) => {
    expect(parseDecimal(text)).toBeUndefined();
  });

  it('refuses non-strings and overlong strings', () => {
    expect(parseDecimal(12)).toBeUndefined();
    expect(parseDecimal(undefined)).toBeUndefined();
    expect(parseDecimal(null)).toBeUndefined();
    expect(parseDecimal('1'.repeat(41))).toBeUndefined();
    expect(parseDecimal('1'.repeat(40))).toBeDefined();
  });

  it('amounts are kept to the fen: at most 2 decimals', () => {
    expect(parseAmount('123456789.12')?.toFixed()).toBe('123456789.12');
    expect(parseAmount('-5.5')?.toFixed()).toBe('-5.5');
    expect(parseAmount('1.234')).toBeUndefined();
    expect(parseAmount('1e6')).toBeUndefined();
  });
});
