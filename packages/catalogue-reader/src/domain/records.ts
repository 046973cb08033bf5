/**
 * The catalogue's records as every service sees them, and their field rules. Shapes follow
 * the seed files (seeds/catalogue/*.json) so seeds, live input and other services' reads all
 * pass the same checks. Cross-record rules (the brand exists, the lines belong to the same
 * enterprise) need the store and live in the catalogue service's use cases.
 */
import {
  isProductCategory,
  isTextileCategory,
  validateCategoryAndTargetGroup,
  validateProductCategory,
  type ProductCategory,
  type TargetGroup,
} from './categories.js';
import { validateCnasNumber } from './cnas-number.js';
import { validateCreditCode, type CreditCodeCheckOverride } from './credit-code.js';
import { normaliseGtin } from './gtin.js';
import type { Standard } from './standard.js';
import { validateStandardCode } from './standard-code.js';
import { violation, type Violation } from './violation.js';

export type Audit = { createdBy: string; createdAt: Date; updatedBy: string; updatedAt: Date };

export type EnterpriseState = 'active' | 'suspended' | 'deregistered';
export type ActiveState = 'active' | 'inactive';
export type ProductState = 'active' | 'withdrawn';
export type StandardState = 'active' | 'superseded' | 'withdrawn';
export type CertificationBodyState = 'active' | 'suspended' | 'withdrawn';
export type Market = 'domestic' | 'export';

/** What a certification body may do in pinzhi. */
export const ACTIVITIES = ['grading', 'same-line', 'brand-valuation'] as const;
export type Activity = (typeof ACTIVITIES)[number];

export type Enterprise = {
  creditCode: string;
  name: string;
  nameZh: string;
  /** GB/T 2260 area code, six digits. */
  areaCode: string;
  city?: string;
  address?: string;
  contact?: { person?: string; phone?: string; email?: string };
  state: EnterpriseState;
  /** Set when an admin accepted a legal legacy code that fails its check character. */
  creditCodeOverride?: { reason: string; approvedBy: string; approvedAt: Date };
  fictional?: boolean;
};

export type Brand = {
  id: string;
  name: string;
  nameZh?: string;
  ownerEnterpriseId: string;
  trademarkNumber?: string;
  categories: ProductCategory[];
  state: ActiveState;
  fictional?: boolean;
};

export type Product = {
  gtin14: string;
  /** As registered (8, 12, 13 or 14 digits). */
  gtin: string;
  name: string;
  nameZh?: string;
  model: string;
  brandId: string;
  enterpriseId: string;
  category: ProductCategory;
  targetGroup?: TargetGroup;
  market: Market;
  destinationMarket?: string;
  standardCodes: string[];
  productionLineIds: string[];
  twinProductId?: string;
  declared?: Record<string, string | number | boolean>;
  state: ProductState;
};

export type ProductionLine = {
  id: string;
  enterpriseId: string;
  name: string;
  nameZh?: string;
  site?: string;
  areaCode?: string;
  categories: ProductCategory[];
  state: ActiveState;
};

export type CatalogueStandard = Standard & {
  state: StandardState;
  supersededBy?: string;
  /** Months a grade against this standard stays valid; absent means 12. */
  gradeValidityMonths?: number;
};

export type CertificationBody = {
  creditCode: string;
  cnasNumber: string;
  name: string;
  nameZh?: string;
  accreditedActivities: Activity[];
  accreditedCategories: ProductCategory[];
  accreditedStandardCodes: string[];
  laboratories: { name: string; cnasNumber: string }[];
  state: CertificationBodyState;
  fictional?: boolean;
};

/**
 * A record as stored: its id, audit fields and a version (incremented by every write, used
 * for optimistic concurrency) beside the record's own fields.
 */
export type Stored<T> = T & { _id: string; audit: Audit; version: number };

export type EnterpriseDocument = Stored<Enterprise>;
export type BrandDocument = Stored<Brand>;
export type ProductDocument = Stored<Product>;
export type ProductionLineDocument = Stored<ProductionLine>;
export type StandardDocument = Stored<CatalogueStandard>;
export type CertificationBodyDocument = Stored<CertificationBody>;

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const AREA_CODE = /^\d{6}$/;
const MARKET_CODE = /^(?:[A-Z]{2}|EU)$/;

const required = (value: string | undefined, field: string, what: string): Violation[] =>
  value === undefined || value.trim() === '' ? [violation(field, 'REQUIRED', `${what} is required`)] : [];

const maxLength = (value: string | undefined, field: string, max: number): Violation[] =>
  value !== undefined && value.length > max ? [violation(field, 'TOO_LONG', `at most ${max} characters`)] : [];

const oneOf = <T extends string>(value: string, allowed: readonly T[], field: string): Violation[] =>
  (allowed as readonly string[]).includes(value) ? [] : [violation(field, 'UNKNOWN_VALUE', `'${value}' is not one of ${allowed.join(', ')}`)];

function categoriesOf(values: readonly string[], field: string, atLeastOne: boolean): Violation[] {
  const violations = values.flatMap((c, i) => validateProductCategory(c, `${field}[${i}]`));
  if (atLeastOne && values.length === 0) violations.push(violation(field, 'REQUIRED', 'name at least one category'));
  return violations;
}

/** A server- or client-chosen id: lowercase letters, digits and hyphens, 1-63 characters. */
export function validateSlug(value: string, field: string): Violation[] {
  return SLUG.test(value) ? [] : [violation(field, 'INVALID_ID', 'use 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit')];
}

export function validateEnterprise(e: Enterprise, field = 'enterprise', options: { checkOverride?: CreditCodeCheckOverride } = {}): Violation[] {
  return [
    ...validateCreditCode(e.creditCode, `${field}.credit_code`, options),
    ...required(e.nameZh, `${field}.display_name_zh`, 'the registered Chinese name'),
    ...maxLength(e.nameZh, `${field}.display_name_zh`, 200),
    ...maxLength(e.name, `${field}.display_name_en`, 200),
    ...(AREA_CODE.test(e.areaCode ?? '') ? [] : [violation(`${field}.region_code`, 'INVALID_AREA_CODE', 'a GB/T 2260 area code has six digits')]),
    ...(e.contact?.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e.contact.email)
      ? [violation(`${field}.contact.email`, 'INVALID_EMAIL', 'not an e-mail address')]
      : []),
    ...oneOf(e.state, ['active', 'suspended', 'deregistered'], `${field}.state`),
  ];
}

export function validateBrand(b: Brand, field = 'brand'): Violation[] {
  return [
    ...validateSlug(b.id, `${field}.name`),
    ...required(b.name, `${field}.display_name`, 'the brand name'),
    ...maxLength(b.name, `${field}.display_name`, 200),
    ...validateCreditCode(b.ownerEnterpriseId, `${field}.enterprise`),
    ...categoriesOf(b.categories, `${field}.categories`, true),
    ...oneOf(b.state, ['active', 'inactive'], `${field}.state`),
  ];
}

export function validateProduct(p: Product, field = 'product'): Violation[] {
  const gtin = normaliseGtin(p.gtin, `${field}.gtin`);
  const violations: Violation[] = gtin.ok ? [] : [...gtin.violations];
  if (gtin.ok && gtin.value !== p.gtin14) {
    violations.push(violation(`${field}.gtin`, 'GTIN14_MISMATCH', `the GTIN-14 of ${p.gtin} is ${gtin.value}`));
  }
  violations.push(
    ...required(p.name, `${field}.display_name`, 'the product name'),
    ...required(p.model, `${field}.model`, 'the model'),
    ...validateSlug(p.brandId, `${field}.brand`),
  );
  if (!isProductCategory(p.category)) {
    violations.push(...validateProductCategory(p.category, `${field}.category`));
  } else if (p.targetGroup !== undefined) {
    violations.push(
      ...validateCategoryAndTargetGroup(p.category, p.targetGroup, {
        category: `${field}.category`,
        targetGroup: `${field}.target_group`,
      }),
    );
  } else if (isTextileCategory(p.category)) {
    violations.push(violation(`${field}.target_group`, 'REQUIRED', 'a textile product needs a target group (it decides the GB 18401 category)'));
  }
  violations.push(...oneOf(p.market, ['domestic', 'export'], `${field}.market`));
  if (p.market === 'export' && !MARKET_CODE.test(p.destinationMarket ?? '')) {
    violations.push(violation(`${field}.destination_market`, 'REQUIRED', 'an export product needs its destination: ISO 3166-1 alpha-2 or EU'));
  }
  p.standardCodes.forEach((code, i) => violations.push(...validateStandardCode(code, `${field}.standard_codes[${i}]`)));
  p.productionLineIds.forEach((id, i) => violations.push(...validateSlug(id, `${field}.production_lines[${i}]`)));
  if (p.twinProductId !== undefined) {
    const twin = normaliseGtin(p.twinProductId, `${field}.twin`);
    if (!twin.ok) violations.push(...twin.violations);
    else if (twin.value === p.gtin14) violations.push(violation(`${field}.twin`, 'SELF_TWIN', 'a product cannot be its own twin'));
  }
  violations.push(...oneOf(p.state, ['active', 'withdrawn'], `${field}.state`));
  return violations;
}

export function validateProductionLine(l: ProductionLine, field = 'production_line'): Violation[] {
  return [
    ...validateSlug(l.id, `${field}.name`),
    ...validateCreditCode(l.enterpriseId, `${field}.enterprise`),
    ...required(l.name, `${field}.display_name`, 'the line name'),
    ...(l.areaCode !== undefined && l.areaCode !== '' && !AREA_CODE.test(l.areaCode)
      ? [violation(`${field}.region_code`, 'INVALID_AREA_CODE', 'a GB/T 2260 area code has six digits')]
      : []),
    ...categoriesOf(l.categories, `${field}.categories`, true),
    ...oneOf(l.state, ['active', 'inactive'], `${field}.state`),
  ];
}

export function validateCertificationBody(b: CertificationBody, field = 'certification_body'): Violation[] {
  return [
    ...validateCreditCode(b.creditCode, `${field}.credit_code`),
    ...validateCnasNumber(b.cnasNumber, `${field}.cnas_number`, 'certification-body'),
    ...required(b.name, `${field}.display_name`, 'the body name'),
    ...(b.accreditedActivities.length === 0
      ? [violation(`${field}.activities`, 'REQUIRED', 'name at least one accredited activity')]
      : b.accreditedActivities.flatMap((a, i) => oneOf(a, ACTIVITIES, `${field}.activities[${i}]`))),
    ...categoriesOf(b.accreditedCategories, `${field}.categories`, true),
    ...b.accreditedStandardCodes.flatMap((c, i) => validateStandardCode(c, `${field}.standard_codes[${i}]`)),
    ...b.laboratories.flatMap((l, i) => [
      ...required(l.name, `${field}.laboratories[${i}].display_name`, 'the laboratory name'),
      ...validateCnasNumber(l.cnasNumber, `${field}.laboratories[${i}].cnas_number`, 'laboratory'),
    ]),
    ...oneOf(b.state, ['active', 'suspended', 'withdrawn'], `${field}.state`),
  ];
}
