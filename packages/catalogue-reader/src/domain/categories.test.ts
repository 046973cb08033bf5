import { describe, expect, it } from 'vitest';
import {
  PRODUCT_CATEGORIES,
  TARGET_GROUPS,
  gb18401Category,
  isProductCategory,
  isTextileCategory,
  meetsGb18401Category,
  validateCategoryAndTargetGroup,
  validateProductCategory,
  validateTargetGroup,
} from './categories.js';

describe('product categories', () => {
  it('holds the closed list, each with a description', () => {
    expect(PRODUCT_CATEGORIES.map((c) => c.id)).toEqual(
      expect.arrayContaining(['down-garment', 'down-bedding', 'apparel', 'infant-apparel', 'home-textile', 'footwear', 'furniture']),
    );
    for (const category of PRODUCT_CATEGORIES) expect(category.description.length).toBeGreaterThan(10);
    for (const group of TARGET_GROUPS) expect(group.description.length).toBeGreaterThan(10);
  });

  it('treats footwear and furniture as outside GB 18401', () => {
    expect(isTextileCategory('footwear')).toBe(false);
    expect(isTextileCategory('furniture')).toBe(false);
    expect(isTextileCategory('down-garment')).toBe(true);
    expect(isTextileCategory('infant-apparel')).toBe(true);
  });

  it('validates category names', () => {
    expect(isProductCategory('apparel')).toBe(true);
    expect(isProductCategory('toys')).toBe(false);
    expect(validateProductCategory('toys', 'product.category')).toEqual([expect.objectContaining({ field: 'product.category', reason: 'UNKNOWN_CATEGORY' })]);
    expect(validateTargetGroup('adult', 'product.target_group')[0]?.reason).toBe('UNKNOWN_TARGET_GROUP');
  });

  it('keeps infant clothing for infants and other clothing for everyone else', () => {
    const field = { category: 'p.category', targetGroup: 'p.target_group' };
    expect(validateCategoryAndTargetGroup('infant-apparel', 'infant', field)).toEqual([]);
    expect(validateCategoryAndTargetGroup('infant-apparel', 'other', field)[0]).toMatchObject({
      field: 'p.target_group',
      reason: 'TARGET_GROUP_NOT_ALLOWED',
    });
    expect(validateCategoryAndTargetGroup('apparel', 'infant', field)[0]?.reason).toBe('TARGET_GROUP_NOT_ALLOWED');
    expect(validateCategoryAndTargetGroup('down-garment', 'infant', field)).toEqual([]);
  });
});

describe('GB 18401 categories', () => {
  it('maps target groups to the least strict category allowed', () => {
    expect(gb18401Category('infant')).toBe('A');
    expect(gb18401Category('skin-contact')).toBe('B');
    expect(gb18401Category('other')).toBe('C');
  });

  it('orders categories by strictness', () => {
    expect(meetsGb18401Category('A', 'B')).toBe(true);
    expect(meetsGb18401Category('B', 'B')).toBe(true);
    expect(meetsGb18401Category('C', 'B')).toBe(false);
  });
});
