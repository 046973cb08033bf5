import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { Fraction } from './fraction.js';
import { NonFiniteResultError } from './non-finite-result-error.js';

// The yardstick: decimal.js at 100 digits, far beyond any figure compared here.
const Wide = Decimal.clone({ precision: 100, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });
const f = (text: string) => Fraction.parse(text);
const wideFixed = (value: Decimal, places: number) => {
  const text = value.toFixed(places, Decimal.ROUND_HALF_EVEN);
  return /^-0(?:\.0*)?$/.test(text) ? text.slice(1) : text;
};

/** Seeded, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function decimalText(next: () => number): string {
  const digits = (k: number) => Array.from({ length: k }, () => Math.floor(next() * 10)).join('');
  const whole = String(BigInt(`1${digits(Math.floor(next() * 16))}`) - 1n);
  const places = Math.floor(next() * 17);
  const sign = next() < 0.3 ? '-' : '';
  return places === 0 ? `${sign}${whole}` : `${sign}${whole}.${digits(places)}`;
}

describe('Fraction', () => {
  it('reads plain decimals exactly and prints them without trailing zeros', () => {
    expect(f('0.10').toExactString()).toBe('0.1');
    expect(f('-0.005').toExactString()).toBe('-0.005');
    expect(f('100').toExactString()).toBe('100');
    expect(f('100.000').toExactString()).toBe('100');
    expect(f('-0').toExactString()).toBe('0');
    expect(f('007').toExactString()).toBe('7');
    expect(f('0.0000001').toExactString()).toBe('0.0000001');
    expect(() => f('1e5')).toThrow(RangeError);
    expect(() => f('.5')).toThrow(RangeError);
  });

  it('adds, subtracts and multiplies exactly', () => {
    const next = random(1);
    for (let i = 0; i < 1000; i++) {
      const a = decimalText(next);
      const b = decimalText(next);
      expect(f(a).plus(f(b)).toExactString()).toBe(new Wide(a).plus(b).toFixed());
      expect(f(a).minus(f(b)).toExactString()).toBe(new Wide(a).minus(b).toFixed());
      expect(f(a).times(f(b)).toExactString()).toBe(new Wide(a).times(b).toFixed());
      expect(Math.sign(f(a).compare(f(b)))).toBe(new Wide(a).cmp(b));
    }
  });

  it('divides exactly: quotients round half-even as a 100-digit decimal does', () => {
    const next = random(2);
    for (let i = 0; i < 1000; i++) {
      const a = decimalText(next);
      const b = decimalText(next);
      if (new Wide(b).isZero()) continue;
      const quotient = f(a)
        .div(f(b))
        .times(f(a).plus(f('1')));
      const expected = new Wide(a).div(b).times(new Wide(a).plus(1));
      for (const places of [0, 2, 6]) expect(quotient.toFixedHalfEven(places)).toBe(wideFixed(expected, places));
    }
  });

  it('rounds exact ties half-even, also when doubles could not tell a tie from a near one', () => {
    const eighth = Fraction.ONE.div(f('8')); // 0.125, held as 1/8
    expect(eighth.toFixedHalfEven(2)).toBe('0.12');
    expect(f('3').div(f('8')).toFixedHalfEven(2)).toBe('0.38');
    expect(f('-1').div(f('8')).toFixedHalfEven(2)).toBe('-0.12');
    expect(f('0.125').toFixedHalfEven(2)).toBe('0.12');
    expect(f('0.135').toFixedHalfEven(2)).toBe('0.14');
    // 1/8 + 10^-30 is a hair above the tie: a double reads it as the tie, the exact check does not
    const hairAbove = eighth
      .plus(f(`0.${'0'.repeat(29)}1`))
      .times(f('7'))
      .div(f('7'));
    expect(hairAbove.toFixedHalfEven(2)).toBe('0.13');
    const hairBelow = eighth
      .minus(f(`0.${'0'.repeat(29)}1`))
      .times(f('7'))
      .div(f('7'));
    expect(hairBelow.toFixedHalfEven(2)).toBe('0.12');
  });

  it('rounds quotients too large for doubles exactly', () => {
    const huge = f('98765432109876543210987654321.12').div(f('3'));
    expect(huge.toFixedHalfEven(2)).toBe(wideFixed(new Wide('98765432109876543210987654321.12').div(3), 2));
    expect(
      f('1')
        .div(f('3'))
        .times(f(`1${'0'.repeat(40)}`))
        .toFixedHalfEven(2),
    ).toBe(`${'3'.repeat(40)}.33`);
  });

  it('prints a value that rounds to zero without a sign', () => {
    expect(f('-0.001').toFixedHalfEven(2)).toBe('0.00');
    expect(f('-1').div(f('1000')).toFixedHalfEven(2)).toBe('0.00');
    expect(Fraction.ZERO.toFixedHalfEven(2)).toBe('0.00');
  });

  it('prints terminating quotients in full and refuses others', () => {
    expect(Fraction.ONE.div(f('8')).toExactString()).toBe('0.125');
    expect(f('3').div(f('3')).toExactString()).toBe('1');
    expect(f('-0.3').div(f('0.06')).toExactString()).toBe('-5');
    expect(() => Fraction.ONE.div(f('3')).toExactString()).toThrow(RangeError);
  });

  it('refuses to divide by zero', () => {
    expect(() => Fraction.ONE.div(f('0.00'))).toThrow(NonFiniteResultError);
  });
});
