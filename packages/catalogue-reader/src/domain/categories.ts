/**
 * The closed list of product categories and target groups pinzhi grades. Closed because
 * standards, certification bodies' accredited scopes and products must agree on the same
 * words; a new category is a code change, reviewed like one.
 */
import { violation, type Violation } from './violation.js';

export const PRODUCT_CATEGORIES = [
  {
    id: 'down-garment',
    description: 'Down-filled clothing such as jackets, coats and vests (羽绒服装, GB/T 14272).',
    textile: true,
    targetGroups: ['infant', 'skin-contact', 'other'],
  },
  {
    id: 'down-bedding',
    description: 'Down-filled quilts, pillows and sleeping bags (羽绒制品; grading guide GB/T 45266-2025).',
    textile: true,
    targetGroups: ['infant', 'skin-contact', 'other'],
  },
  {
    id: 'apparel',
    description: 'Clothing for children over 36 months and adults that is not down-filled.',
    textile: true,
    targetGroups: ['skin-contact', 'other'],
  },
  {
    id: 'infant-apparel',
    description: 'Clothing and accessories for infants aged 36 months or younger (GB 18401 category A).',
    textile: true,
    targetGroups: ['infant'],
  },
  {
    id: 'home-textile',
    description: 'Bed linen, towels, curtains and other household textiles that are not down-filled.',
    textile: true,
    targetGroups: ['infant', 'skin-contact', 'other'],
  },
  {
    id: 'footwear',
    description: 'Shoes of any kind, including athletic shoes (旅游鞋, GB/T 15107); outside GB 18401.',
    textile: false,
    targetGroups: ['infant', 'skin-contact', 'other'],
  },
  {
    id: 'furniture',
    description: 'Household furniture (grading guide GB/T 44211-2024); outside GB 18401.',
    textile: false,
    targetGroups: ['infant', 'skin-contact', 'other'],
  },
] as const;

export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number]['id'];

export const TARGET_GROUPS = [
  { id: 'infant', description: 'Made for infants aged 36 months or younger.' },
  { id: 'skin-contact', description: 'Worn or used in direct contact with the skin.' },
  { id: 'other', description: 'Not in direct contact with the skin, e.g. outerwear over other layers.' },
] as const;

export type TargetGroup = (typeof TARGET_GROUPS)[number]['id'];

/** GB 18401-2010 safety category; A is the strictest. */
export type Gb18401Category = 'A' | 'B' | 'C';

/** Strictest first, so a lower index is a stricter category. */
export const GB18401_CATEGORIES: readonly Gb18401Category[] = ['A', 'B', 'C'];

const CATEGORY_IDS: readonly string[] = PRODUCT_CATEGORIES.map((c) => c.id);
const TARGET_GROUP_IDS: readonly string[] = TARGET_GROUPS.map((g) => g.id);

export function isProductCategory(value: string): value is ProductCategory {
  return CATEGORY_IDS.includes(value);
}

export function isTargetGroup(value: string): value is TargetGroup {
  return TARGET_GROUP_IDS.includes(value);
}

/** The least strict GB 18401-2010 category a product for this group must meet. */
export function gb18401Category(targetGroup: TargetGroup): Gb18401Category {
  switch (targetGroup) {
    case 'infant':
      return 'A';
    case 'skin-contact':
      return 'B';
    case 'other':
      return 'C';
  }
}

/** Whether `category` is at least as strict as `required` (A meets B's and C's needs). */
export function meetsGb18401Category(category: Gb18401Category, required: Gb18401Category): boolean {
  return GB18401_CATEGORIES.indexOf(category) <= GB18401_CATEGORIES.indexOf(required);
}

/** Whether GB 18401 applies: shoes are out of its scope, and furniture is not a textile product. */
export function isTextileCategory(category: ProductCategory): boolean {
  return PRODUCT_CATEGORIES.some((c) => c.id === category && c.textile);
}

export function validateProductCategory(value: string, field: string): Violation[] {
  if (isProductCategory(value)) return [];
  return [violation(field, 'UNKNOWN_CATEGORY', `'${value}' is not a product category; expected one of ${CATEGORY_IDS.join(', ')}`)];
}

/** Target groups a category may be sold for: infant clothing is for infants only, and so on. */
export function targetGroupsOf(category: ProductCategory): readonly TargetGroup[] {
  return PRODUCT_CATEGORIES.find((c) => c.id === category)?.targetGroups ?? [];
}

/** Violations of a product's category and target group, alone and together. */
export function validateCategoryAndTargetGroup(category: string, targetGroup: string, field: { category: string; targetGroup: string }): Violation[] {
  const violations = [...validateProductCategory(category, field.category), ...validateTargetGroup(targetGroup, field.targetGroup)];
  if (violations.length > 0 || !isProductCategory(category) || !isTargetGroup(targetGroup)) return violations;
  const allowed = targetGroupsOf(category);
  if (!allowed.includes(targetGroup)) {
    violations.push(violation(field.targetGroup, 'TARGET_GROUP_NOT_ALLOWED', `a ${category} product is for ${allowed.join(' or ')}, not '${targetGroup}'`));
  }
  return violations;
}

export function validateTargetGroup(value: string, field: string): Violation[] {
  if (isTargetGroup(value)) return [];
  return [violation(field, 'UNKNOWN_TARGET_GROUP', `'${value}' is not a target group; expected one of ${TARGET_GROUP_IDS.join(', ')}`)];
}
