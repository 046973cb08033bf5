/**
 * Exact rational numbers on BigInt: the valuation engine's arithmetic.
 *
 * Every input is a decimal and the engine only adds, subtracts, multiplies and divides, so every
 * figure it computes is a fraction, held here exactly: there is no precision to choose, and
 * nothing is rounded until money.ts rounds it for showing. (decimal.js at 50 digits approximated
 * this: its divisions rounded.) Any rearrangement of a sum gives the identical value, so the
 * engine is free to share work between lines, methods and grid cells.
 *
 * Why not decimal.js here: a report is ~450 operations and ~130 printed figures, and decimal.js
 * spends ~0.7 µs on each (it copies both operands into new objects and normalises every result);
 * on BigInt they cost ~0.05–0.3 µs (measured with engine-bench.ts).
 *
 * A value is n / (m·10^e). Inputs are decimals (m = 1), and the engine's other denominators —
 * (1+r)^t, r − g, last year's revenue — each enter through a division, so m stays one of a few
 * factors and sums over it need no gcd and no division: only the powers of ten are aligned.
 * Fractions are never reduced; they stay at a few hundred bits.
 */
import { NonFiniteResultError } from './non-finite-result-error.js';

const POWERS_OF_TEN: bigint[] = [1n];
function powerOfTen(k: number): bigint {
  while (POWERS_OF_TEN.length <= k) POWERS_OF_TEN.push(POWERS_OF_TEN.at(-1)! * 10n);
  return POWERS_OF_TEN[k]!;
}

const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

export class Fraction {
  /** n / (m·10^e), with m ≥ 1 and e ≥ 0. */
  private constructor(
    private readonly n: bigint,
    private readonly m: bigint,
    private readonly e: number,
  ) {}

  static readonly ZERO = new Fraction(0n, 1n, 0);
  static readonly ONE = new Fraction(1n, 1n, 0);

  static of(whole: bigint): Fraction {
    return new Fraction(whole, 1n, 0);
  }

  /** A plain decimal string (`-12.50`, `0.035`), read exactly. Throws RangeError for anything else. */
  static parse(text: string): Fraction {
    if (!PLAIN_DECIMAL.test(text)) throw new RangeError(`not a plain decimal: ${JSON.stringify(text)}`);
    const point = text.indexOf('.');
    if (point < 0) return new Fraction(BigInt(text), 1n, 0);
    return new Fraction(BigInt(text.slice(0, point) + text.slice(point + 1)), 1n, text.length - point - 1);
  }

  plus(other: Fraction): Fraction {
    const { n: a, m: am, e: ae } = this;
    const { n: b, m: bm, e: be } = other;
    if (am === bm) {
      if (ae === be) return new Fraction(a + b, am, ae);
      return ae > be ? new Fraction(a + b * powerOfTen(ae - be), am, ae) : new Fraction(a * powerOfTen(be - ae) + b, am, be);
    }
    // Different factors: over m_a·m_b, still aligning only the powers of ten.
    const e = ae > be ? ae : be;
    const left = (bm === 1n ? a : a * bm) * powerOfTen(e - ae);
    const right = (am === 1n ? b : b * am) * powerOfTen(e - be);
    return new Fraction(left + right, am === 1n ? bm : bm === 1n ? am : am * bm, e);
  }

  minus(other: Fraction): Fraction {
    return this.plus(new Fraction(-other.n, other.m, other.e));
  }

  times(other: Fraction): Fraction {
    const m = this.m === 1n ? other.m : other.m === 1n ? this.m : this.m * other.m;
    return new Fraction(this.n * other.n, m, this.e + other.e);
  }

  /** Throws NonFiniteResultError for a zero divisor: such a value is never computed, let alone shown. */
  div(other: Fraction): Fraction {
    if (other.n === 0n) throw new NonFiniteResultError('a quotient by zero');
    // (a / (am·10^ae)) / (b / (bm·10^be)) = a·bm·10^be / (am·b·10^ae)
    let n = other.m === 1n ? this.n : this.n * other.m;
    let e = this.e - other.e;
    if (e < 0) {
      n *= powerOfTen(-e);
      e = 0;
    }
    const b = other.n < 0n ? -other.n : other.n;
    return new Fraction(other.n < 0n ? -n : n, this.m === 1n ? b : this.m * b, e);
  }

  /** 1/this. */
  reciprocal(): Fraction {
    return Fraction.ONE.div(this);
  }

  /** Negative, zero or positive as this is below, equal to or above `other`. */
  compare(other: Fraction): number {
    // Most comparisons are range checks against 0 and 1; these need no arithmetic.
    if (other.n === 0n) return this.n < 0n ? -1 : this.n > 0n ? 1 : 0;
    if (this.m === 1n && other.m === 1n && this.e === other.e) return this.n < other.n ? -1 : this.n > other.n ? 1 : 0;
    const difference = this.minus(other).n;
    return difference < 0n ? -1 : difference > 0n ? 1 : 0;
  }

  lt(other: Fraction): boolean {
    return this.compare(other) < 0;
  }

  lte(other: Fraction): boolean {
    return this.compare(other) <= 0;
  }

  gt(other: Fraction): boolean {
    return this.compare(other) > 0;
  }

  isZero(): boolean {
    return this.n === 0n;
  }

  /** Rounded half-even to `places` decimals and printed plainly; a value that rounds to zero prints unsigned. */
  toFixedHalfEven(places: number): string {
    const negative = this.n < 0n;
    const magnitude = negative ? -this.n : this.n;
    let digits: string;
    if (this.m === 1n) {
      // A decimal: round its digits as text, cheaper than a BigInt division by 10^k.
      digits = roundDigitsHalfEven(magnitude.toString(), this.e - places);
    } else {
      digits = roundQuotientFast(magnitude, this.m, places - this.e) ?? this.roundQuotientExactly(magnitude, places);
    }
    const text = withPoint(digits, places);
    return negative && digits !== '0' ? `-${text}` : text;
  }

  /** magnitude·10^places / (m·10^e), rounded half-even on the remainder. */
  private roundQuotientExactly(magnitude: bigint, places: number): string {
    let numerator = magnitude;
    let denominator = this.m;
    if (this.e > places) denominator *= powerOfTen(this.e - places);
    else numerator *= powerOfTen(places - this.e);
    let q = numerator / denominator;
    const twiceRemainder = (numerator - q * denominator) * 2n;
    if (twiceRemainder > denominator || (twiceRemainder === denominator && (q & 1n) === 1n)) q += 1n;
    return q.toString();
  }

  /**
   * Printed in full, trailing zeros dropped (`0.10` → `0.1`). Only for terminating decimals — the
   * rates and scores, which the engine builds from decimals by +, − and × — and throws RangeError
   * for any other value.
   */
  toExactString(): string {
    if (this.n === 0n) return '0';
    let digits = this.n < 0n ? -this.n : this.n;
    let places = this.e;
    if (this.m !== 1n) {
      // In lowest terms a terminating decimal's m is 2^a·5^b, which divides 10^k for k = max(a, b).
      const common = gcd(digits, this.m);
      const m = this.m / common;
      const limit = m.toString(2).length;
      let k = 0;
      while (powerOfTen(k) % m !== 0n) {
        if (++k > limit) throw new RangeError('not a terminating decimal');
      }
      digits = (digits / common) * (powerOfTen(k) / m);
      places += k;
    }
    let text = withPoint(digits.toString(), places);
    if (places > 0) {
      let end = text.length;
      while (text.charCodeAt(end - 1) === 48) end--; // '0'
      if (text.charCodeAt(end - 1) === 46) end--; // '.'
      text = text.slice(0, end);
    }
    return this.n < 0n ? `-${text}` : text;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** 10^0 … 10^22: the powers of ten a double holds exactly. */
const EXACT_DOUBLE_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
// Below 2^50 a double resolves a half with room to spare.
const FAST_QUOTIENT_LIMIT = 2 ** 50;
/**
 * The quotient in doubles: each of the 4 roundings (two conversions, the division, the scaling
 * by an exact power of ten) errs by at most 2^-53 relative, < 6e-16 together; 1e-15 leaves margin.
 */
const FAST_QUOTIENT_RELATIVE_ERROR = 1e-15;

/**
 * numerator·10^shift / denominator rounded half-even, when doubles can decide it: a BigInt
 * division costs ~4× as much, and a report rounds ~60 such quotients. Undefined when the double
 * is too large or too close to a half for its error bound to say which way the exact value
 * rounds; the caller then divides exactly.
 */
function roundQuotientFast(numerator: bigint, denominator: bigint, shift: number): string | undefined {
  const scale = EXACT_DOUBLE_POWERS_OF_TEN[shift < 0 ? -shift : shift];
  if (scale === undefined) return undefined;
  const divisor = Number(denominator);
  if (!Number.isFinite(divisor)) return undefined;
  const quotient = Number(numerator) / divisor;
  const x = shift >= 0 ? quotient * scale : quotient / scale;
  if (!(x < FAST_QUOTIENT_LIMIT)) return undefined;
  const whole = Math.floor(x);
  const aboveHalf = x - whole - 0.5; // exact in doubles
  if (Math.abs(aboveHalf) <= x * FAST_QUOTIENT_RELATIVE_ERROR) return undefined;
  return String(aboveHalf > 0 ? whole + 1 : whole);
}

/**
 * The integer `digits` ÷ 10^drop, rounded half-even (drop < 0 multiplies). Digits without
 * leading zeros in, the same out ('0' for zero).
 */
function roundDigitsHalfEven(digits: string, drop: number): string {
  if (drop <= 0) return digits === '0' ? digits : digits + '0'.repeat(-drop);
  const keep = digits.length - drop;
  const kept = keep > 0 ? digits.slice(0, keep) : '0';
  // The dropped part against one half (5 followed by zeros): above, below or exactly.
  const first = keep >= 0 ? digits.charCodeAt(keep) : 48; // '0' when the dropped part has leading zeros
  let up: boolean;
  if (keep < 0 || first < 53) up = false;
  else if (first > 53) up = true;
  else up = !/^0*$/.test(digits.slice(keep + 1)) || (kept.charCodeAt(kept.length - 1) & 1) === 1;
  return up ? incrementDigits(kept) : kept;
}

function incrementDigits(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) === 57) i--;
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - i - 1);
}

function withPoint(digits: string, places: number): string {
  if (places === 0) return digits;
  const padded = digits.length <= places ? '0'.repeat(places - digits.length + 1) + digits : digits;
  return `${padded.slice(0, -places)}.${padded.slice(-places)}`;
}
