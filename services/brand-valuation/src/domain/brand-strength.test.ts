import { describe, expect, it } from 'vitest';
import {
  brandStrengthIndex,
  checkBrandStrengthWeights,
  ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS,
  royaltyRateFor,
  type BrandStrengthWeights,
} from './brand-strength.js';
import { Exact } from './money.js';

const text = (d: Exact): string => d.toFixed();

describe('brand strength index', () => {
  it('weighs the five element scores with the illustrative weights', () => {
    // 60×0.20 + 40×0.25 + 50×0.20 + 60×0.15 + 45×0.20 = 12 + 10 + 10 + 9 + 9 = 50; ×10 = 500
    const bsi = brandStrengthIndex({ tangible: '60', quality: '40', innovation: '50', service: '60', intangible: '45' });

    expect(text(bsi.index)).toBe('50');
    expect(text(bsi.listScale)).toBe('500');
    expect(Object.fromEntries(Object.entries(bsi.contributions).map(([k, v]) => [k, text(v)]))).toEqual({
      tangible: '12',
      quality: '10',
      innovation: '10',
      service: '9',
      intangible: '9',
    });
  });

  it('keeps decimal scores exact', () => {
    // 82.5×0.20 + 90×0.25 + 77.25×0.20 + 60×0.15 + 88×0.20 = 16.5 + 22.5 + 15.45 + 9 + 17.6 = 81.05
    const bsi = brandStrengthIndex({ tangible: '82.5', quality: '90', innovation: '77.25', service: '60', intangible: '88' });

    expect(text(bsi.index)).toBe('81.05');
    expect(text(bsi.listScale)).toBe('810.5');
  });

  it('runs from 0 to 100 (0 to 1000 on the list scale)', () => {
    const all = (score: string) => ({ tangible: score, quality: score, innovation: score, service: score, intangible: score });
    expect(text(brandStrengthIndex(all('0')).index)).toBe('0');
    expect(text(brandStrengthIndex(all('100')).index)).toBe('100');
    expect(text(brandStrengthIndex(all('100')).listScale)).toBe('1000');
  });

  it('takes other weights as configuration', () => {
    const equal: BrandStrengthWeights = { tangible: '0.2', quality: '0.2', innovation: '0.2', service: '0.2', intangible: '0.2' };
    // (60 + 40 + 50 + 60 + 45) / 5 = 255 / 5 = 51
    const bsi = brandStrengthIndex({ tangible: '60', quality: '40', innovation: '50', service: '60', intangible: '45' }, equal);
    expect(text(bsi.index)).toBe('51');
  });

  it('the illustrative weights are usable: each in [0, 1], summing to exactly 1', () => {
    expect(checkBrandStrengthWeights(ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS)).toEqual([]);
  });

  it('refuses weights that do not sum to 1, or are not fractions', () => {
    const off = { ...ILLUSTRATIVE_BRAND_STRENGTH_WEIGHTS, service: '0.16' };
    expect(checkBrandStrengthWeights(off)).toEqual(['the weights sum to 1.01, not 1']);
    expect(checkBrandStrengthWeights({ ...off, quality: '-0.1', tangible: 'x' })).toEqual([
      'the tangible weight must be a decimal string such as "0.20"',
      'the quality weight -0.1 is outside 0–1',
    ]);
    const scores = { tangible: '1', quality: '1', innovation: '1', service: '1', intangible: '1' };
    expect(() => brandStrengthIndex(scores, off)).toThrow(RangeError);
  });

  it('refuses a score outside 0–100', () => {
    const scores = { tangible: '60', quality: '100.01', innovation: '50', service: '60', intangible: '45' };
    expect(() => brandStrengthIndex(scores)).toThrow(/quality score/);
  });
});

describe('royalty rate from the index', () => {
  it('is linear in the index: low at 0, high at 100', () => {
    const low = new Exact('0.03');
    const high = new Exact('0.05');
    expect(text(royaltyRateFor(new Exact(0), low, high))).toBe('0.03');
    expect(text(royaltyRateFor(new Exact(100), low, high))).toBe('0.05');
    // 0.03 + 50/100 × 0.02 = 0.04
    expect(text(royaltyRateFor(new Exact(50), low, high))).toBe('0.04');
    // 0.03 + 0.8105 × 0.02 = 0.03 + 0.01621 = 0.04621
    expect(text(royaltyRateFor(new Exact('81.05'), low, high))).toBe('0.04621');
  });
});
