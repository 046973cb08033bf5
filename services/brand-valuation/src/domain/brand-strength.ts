/**
 * The brand strength index (BSI): the evaluators' five element scores folded into one figure
 * that places the royalty rate within its range.
 */
import { Fraction } from './fraction.js';
import { Exact, ONE, parseDecimal, ZERO } from './money.js';

/** The five elements a brand is scored on (有形要素, 质量, 创新, 服务, 无形要素). */
export const BRAND_ELEMENTS = ['tangible', 'quality', 'innovation', 'service', 'intangible'] as const;
export type BrandElement = (typeof BRAND_ELEMENTS)[number];

/** Fractions of the index, one per element, summing to exactly 1; decimal strings like every rate. */
export type BrandStrengthWeights = Readonly<Record<BrandElement, string>>;

/**
 * ILLUSTRATIVE CONFIGURATION, NOT A STANDARD'S FIGURES. Whether and how GB/T 29186 weights the
 * five elements is [U] unverified here; these weights only lean towards quality because the
 * list is about quality brands. An evaluation body sets its own through `ValuationOptions`.
 */
export const ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS: BrandStrengthWeights = Object.freeze({
  tangible: '0.20',
  quality: '0.25',
  innovation: '0.20',
  service: '0.15',
  intangible: '0.20',
});

export const SCORE_MIN = 0;
export const SCORE_MAX = 100;
const LOWEST_SCORE = new Exact(SCORE_MIN);
const HIGHEST_SCORE = new Exact(SCORE_MAX);
/** The published list states brand strength on 0–1000; the index is computed on 0–100. */
export const LIST_SCALE_FACTOR = 10;

export type BrandStrengthIndex = {
  /** 0–100, exact. */
  index: Exact;
  /** The same on the list's 0–1000 scale (index × 10). */
  listScale: Exact;
  /** Each element's score × weight; they sum to `index`. */
  contributions: Readonly<Record<BrandElement, Exact>>;
};

/** Scores as the application carries them (decimal strings 0–100) or already read. */
export type BrandStrengthScores = Readonly<Record<BrandElement, string | Exact>>;

/** The index as the valuation engine uses it: exact fractions, contributions in BRAND_ELEMENTS order. */
export type BrandStrengthFractions = {
  index: Fraction;
  listScale: Fraction;
  contributions: readonly Fraction[];
  /** Each weight printed in full, as the report shows it. */
  weightTexts: readonly string[];
};

type ParsedWeights = { fractions: readonly Fraction[]; texts: readonly string[] };
// Weights are configuration: read and checked once per weights object, not once per valuation.
const parsedWeights = new WeakMap<BrandStrengthWeights, ParsedWeights>();

/**
 * Why these weights cannot be used, one sentence per problem; empty when they are fine.
 * Weights must each be in [0, 1] and sum to exactly 1 so the index stays on 0–100.
 */
export function checkBrandStrengthWeights(weights: BrandStrengthWeights): string[] {
  const problems: string[] = [];
  let sum = ZERO;
  for (const element of BRAND_ELEMENTS) {
    const weight = parseDecimal(weights?.[element]);
    if (weight === undefined) problems.push(`the ${element} weight must be a decimal string such as "0.20"`);
    else if (weight.lt(ZERO) || weight.gt(ONE)) problems.push(`the ${element} weight ${weights[element]} is outside 0–1`);
    else sum = sum.plus(weight);
  }
  if (problems.length === 0 && !sum.eq(ONE)) problems.push(`the weights sum to ${sum.toFixed()}, not 1`);
  return problems;
}

function readWeights(weights: BrandStrengthWeights): ParsedWeights {
  let parsed = parsedWeights.get(weights);
  if (parsed === undefined) {
    const problems = checkBrandStrengthWeights(weights);
    if (problems.length > 0) throw new RangeError(`invalid brand strength weights: ${problems.join('; ')}`);
    const fractions = BRAND_ELEMENTS.map((element) => Fraction.parse(weights[element]));
    parsed = { fractions, texts: fractions.map((weight) => weight.toExactString()) };
    parsedWeights.set(weights, parsed);
  }
  return parsed;
}

function readScore(element: BrandElement, score: string | Exact | undefined): Fraction {
  const value = typeof score === 'string' ? parseDecimal(score) : score;
  if (value === undefined || !value.isFinite() || value.lt(LOWEST_SCORE) || value.gt(HIGHEST_SCORE)) {
    throw new RangeError(`the ${element} score must be a decimal in ${SCORE_MIN}–${SCORE_MAX}, not ${String(score)}`);
  }
  return Fraction.parse(value.toFixed());
}

const toExact = (value: Fraction): Exact => new Exact(value.toExactString());

/**
 * BSI = Σ weight × score over the five elements, exact. Throws RangeError for a score outside
 * 0–100 or unusable weights; `validateValuationInput` reports bad scores as field violations first.
 */
export function brandStrengthIndex(scores: BrandStrengthScores, weights: BrandStrengthWeights = ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS): BrandStrengthIndex {
  const read = {} as Record<BrandElement, Fraction>;
  for (const element of BRAND_ELEMENTS) read[element] = readScore(element, scores[element]);
  const bsi = weighBrandStrength(read, weights);
  const contributions = {} as Record<BrandElement, Exact>;
  BRAND_ELEMENTS.forEach((element, i) => (contributions[element] = toExact(bsi.contributions[i]!)));
  return { index: toExact(bsi.index), listScale: toExact(bsi.listScale), contributions };
}

/**
 * `brandStrengthIndex` for scores already read and checked (0–100), as `readValuationInput`
 * gives them. Throws RangeError for unusable weights.
 */
export function weighBrandStrength(
  scores: Readonly<Record<BrandElement, Fraction>>,
  weights: BrandStrengthWeights = ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS,
): BrandStrengthFractions {
  const w = readWeights(weights);
  let index = Fraction.ZERO;
  const contributions = BRAND_ELEMENTS.map((element, i) => {
    const contribution = scores[element].times(w.fractions[i]!);
    index = index.plus(contribution);
    return contribution;
  });
  return { index, listScale: index.times(FRACTION_LIST_SCALE), contributions, weightTexts: w.texts };
}

const FRACTION_LIST_SCALE = Fraction.of(BigInt(LIST_SCALE_FACTOR));
// × 0.01 rather than ÷ 100: the same value, kept as a decimal so that it prints without a search.
const ONE_HUNDREDTH = Fraction.parse('0.01');

/** Where the index places the royalty rate: low at BSI 0, high at BSI 100, linear between. */
export function royaltyRateFor(index: Exact, low: Exact, high: Exact): Exact;
export function royaltyRateFor(index: Fraction, low: Fraction, high: Fraction): Fraction;
export function royaltyRateFor(index: Exact | Fraction, low: Exact | Fraction, high: Exact | Fraction): Exact | Fraction {
  if (!(index instanceof Fraction && low instanceof Fraction && high instanceof Fraction)) {
    const read = (value: Exact | Fraction) => (value instanceof Fraction ? value : Fraction.parse(value.toFixed()));
    return toExact(royaltyRateFor(read(index), read(low), read(high)));
  }
  return low.plus(index.times(ONE_HUNDREDTH).times(high.minus(low)));
}
