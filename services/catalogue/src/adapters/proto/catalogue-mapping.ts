/**
 * Translation between the API messages (protos/pinzhi/catalogue/v1) and the catalogue
 * records. Output-only fields are derived here; input that cannot even be translated (an
 * unknown enum value, a malformed resource name) becomes a field violation.
 */
import {
  gb18401Category,
  isTextileCategory,
  normaliseGtin,
  parseStandardCode,
  type Audit,
  type Brand,
  type CatalogueStandard,
  type CertificationBody,
  type Enterprise,
  type Indicator as IndicatorRecord,
  type Limit as LimitRecord,
  type Product,
  type ProductCategory,
  type ProductionLine,
  type Stored,
  type TargetGroup as TargetGroupRecord,
  type Violation,
} from '@pinzhi/catalogue-reader';
import type { AuditInfo } from '@pinzhi/contracts/pinzhi/common/v1/resource';
import {
  ActiveState,
  CertificationBodyState,
  DecisionRule,
  EnterpriseState,
  IndicatorDirection,
  Market,
  ProductState,
  StandardPurpose,
  StandardState,
  TargetGroup,
  type Brand as BrandMessage,
  type CertificationBody as CertificationBodyMessage,
  type Enterprise as EnterpriseMessage,
  type Indicator,
  type Limit,
  type Product as ProductMessage,
  type ProductionLine as ProductionLineMessage,
  type Standard as StandardMessage,
} from '@pinzhi/contracts/pinzhi/catalogue/v1/resources';
import { assertNoViolations, checkIdentifier, checkText } from '@pinzhi/platform';
import { parseResourceName, resourceName, type ResourceKind } from '../../domain/resource-names.js';

/**
 * The free-text fields of the catalogue API and the most characters (Unicode code points,
 * after NFC normalisation) each accepts. Text is also refused with control characters other
 * than line feed and tab, bidirectional overrides or lone surrogates (checkText in
 * @pinzhi/platform). The longest seed values are far below: names 53, titles 59, limit
 * sources 161. Identifiers (credit codes, GTINs, standard codes, region codes) are checked by
 * their own grammar in the domain, not here.
 */
export const textLimits = {
  'enterprise.display_name_zh': 200,
  'enterprise.display_name_en': 200,
  'enterprise.address': 500,
  'enterprise.contact.person': 100,
  'enterprise.contact.phone': 100,
  'enterprise.contact.email': 100,
  'brand.display_name': 200,
  'brand.display_name_zh': 200,
  'brand.trademark_number': 64,
  'product.display_name': 200,
  'product.display_name_zh': 200,
  'product.model': 100,
  'production_line.display_name': 200,
  'production_line.display_name_zh': 200,
  'production_line.site': 200,
  'standard.title': 300,
  'standard.title_zh': 300,
  'standard.indicators[].display_name': 200,
  'standard.indicators[].unit': 32,
  'standard.indicators[].test_method': 200,
  'standard.indicators[].limits.*.source': 300,
  'certification_body.display_name': 200,
  'certification_body.display_name_zh': 200,
  'certification_body.laboratories[].display_name': 200,
} as const;
export type TextField = keyof typeof textLimits;

/**
 * Checked here because nothing else checks them and a domestic product or any standard
 * stored whatever came: a 70 000-character destination market, a validity of -1 or 2^31
 * months (which no date can hold). The security suite found both.
 */
const MARKET_CODE = /^(?:[A-Z]{2}|EU)$/;
const MAX_GRADE_VALIDITY_MONTHS = 120;

/** Collects translation problems so a request reports all of them at once. */
export class Translation {
  readonly violations: Violation[] = [];

  /**
   * A free-text field, NFC-normalised; a violation when it breaks the text policy or its
   * limit in textLimits. `at` fills the field's `[]` and `*` (index, map key) in order.
   */
  text(value: string | undefined, field: TextField, ...at: Array<string | number>): string {
    let path: string = field;
    for (const part of at) path = path.replace(/\[\]|\*/, (hole) => (hole === '*' ? String(part) : `[${part}]`));
    const checked = checkText(path, value ?? '', { maxChars: textLimits[field] });
    this.violations.push(...checked.violations);
    return checked.value;
  }

  /** An identifier checked against its grammar; the value itself is not echoed. */
  identifier(value: string, field: string, grammar: RegExp, expected: string): string {
    this.violations.push(...checkIdentifier(field, value, grammar, expected));
    return value;
  }

  /** A whole number within [min, max]. */
  range(value: number, field: string, min: number, max: number): number {
    if (!Number.isInteger(value) || value < min || value > max) {
      this.violations.push({ field, reason: 'OUT_OF_RANGE', description: `a whole number from ${min} to ${max}` });
    }
    return value;
  }

  /**
   * A protobuf map as decoded: a `__proto__` key does not become an entry but replaces the
   * object's prototype, so the entry silently vanished. Refused instead, like any key that
   * is not what the map is for.
   */
  plainMap<V>(map: Record<string, V> | undefined, field: string): Record<string, V> {
    if (map !== undefined && Object.getPrototypeOf(map) !== Object.prototype) {
      this.violations.push({ field: `${field}.__proto__`, reason: 'RESERVED_KEY', description: "'__proto__' cannot be a key" });
    }
    return map ?? {};
  }

  enumValue<R extends string>(value: number, table: Readonly<Record<number, R>>, field: string, fallback?: R): R {
    const mapped = table[value];
    if (mapped !== undefined) return mapped;
    if (fallback !== undefined && value === 0) return fallback;
    this.violations.push({ field, reason: 'INVALID_ENUM', description: `choose one of ${Object.values(table).join(', ')}` });
    return (fallback ?? Object.values(table)[0]) as R;
  }

  reference(kind: ResourceKind, name: string, field: string): string {
    const parsed = parseResourceName(kind, name, field);
    if (parsed.ok) return parsed.value;
    this.violations.push(...parsed.violations);
    return '';
  }

  /** Throws INVALID_ARGUMENT when anything could not be translated. */
  done(what: string): void {
    assertNoViolations(this.violations, `invalid ${what}`);
  }
}

// --- enum tables (API number ↔ record word) ------------------------------------------------

const enterpriseStates = {
  [EnterpriseState.ENTERPRISE_STATE_ACTIVE]: 'active',
  [EnterpriseState.ENTERPRISE_STATE_SUSPENDED]: 'suspended',
  [EnterpriseState.ENTERPRISE_STATE_DEREGISTERED]: 'deregistered',
} as const;
const activeStates = { [ActiveState.ACTIVE_STATE_ACTIVE]: 'active', [ActiveState.ACTIVE_STATE_INACTIVE]: 'inactive' } as const;
const productStates = {
  [ProductState.PRODUCT_STATE_ACTIVE]: 'active',
  [ProductState.PRODUCT_STATE_WITHDRAWN]: 'withdrawn',
} as const;
const markets = { [Market.MARKET_DOMESTIC]: 'domestic', [Market.MARKET_EXPORT]: 'export' } as const;
const targetGroups = {
  [TargetGroup.TARGET_GROUP_INFANT]: 'infant',
  [TargetGroup.TARGET_GROUP_SKIN_CONTACT]: 'skin-contact',
  [TargetGroup.TARGET_GROUP_OTHER]: 'other',
} as const;
const purposes = {
  [StandardPurpose.STANDARD_PURPOSE_GRADING]: 'grading',
  [StandardPurpose.STANDARD_PURPOSE_SAFETY_GATE]: 'safety-gate',
  [StandardPurpose.STANDARD_PURPOSE_CONFORMITY]: 'conformity',
} as const;
const standardStates = {
  [StandardState.STANDARD_STATE_ACTIVE]: 'active',
  [StandardState.STANDARD_STATE_SUPERSEDED]: 'superseded',
  [StandardState.STANDARD_STATE_WITHDRAWN]: 'withdrawn',
} as const;
const decisionRules = { [DecisionRule.DECISION_RULE_SIMPLE]: 'simple', [DecisionRule.DECISION_RULE_GUARDED]: 'guarded' } as const;
const directions = {
  [IndicatorDirection.INDICATOR_DIRECTION_HIGHER_IS_BETTER]: 'higher-is-better',
  [IndicatorDirection.INDICATOR_DIRECTION_LOWER_IS_BETTER]: 'lower-is-better',
  [IndicatorDirection.INDICATOR_DIRECTION_WITHIN_RANGE]: 'within-range',
  [IndicatorDirection.INDICATOR_DIRECTION_PASS_FAIL]: 'pass-fail',
} as const;
const bodyStates = {
  [CertificationBodyState.CERTIFICATION_BODY_STATE_ACTIVE]: 'active',
  [CertificationBodyState.CERTIFICATION_BODY_STATE_SUSPENDED]: 'suspended',
  [CertificationBodyState.CERTIFICATION_BODY_STATE_WITHDRAWN]: 'withdrawn',
} as const;

function toNumber<R extends string>(table: Readonly<Record<number, R>>, word: string | undefined): number {
  const entry = Object.entries(table).find(([, w]) => w === word);
  return entry ? Number(entry[0]) : 0;
}

/** Parses the API spelling of an enum filter ("ACTIVE") into the record word ("active"). */
export const filterWord = (value: string) => (value === '' ? undefined : value.toLowerCase().replace(/_/g, '-'));

const optional = (value: string) => (value === '' ? undefined : value);

function auditInfo(audit: Audit): AuditInfo {
  return { createdBy: audit.createdBy, createTime: audit.createdAt, updatedBy: audit.updatedBy, updateTime: audit.updatedAt };
}

// --- enterprises ---------------------------------------------------------------------------

export function enterpriseFromMessage(m: EnterpriseMessage | undefined, t: Translation): Enterprise {
  const e = m ?? ({} as EnterpriseMessage);
  const person = t.text(e.contact?.person, 'enterprise.contact.person');
  const phone = t.text(e.contact?.phone, 'enterprise.contact.phone');
  const email = t.text(e.contact?.email, 'enterprise.contact.email');
  const contact =
    person || phone || email
      ? {
          ...(person ? { person } : {}),
          ...(phone ? { phone } : {}),
          ...(email ? { email } : {}),
        }
      : undefined;
  const address = t.text(e.address, 'enterprise.address');
  return {
    creditCode: (e.creditCode ?? '').trim().toUpperCase(),
    name: t.text(e.displayNameEn, 'enterprise.display_name_en'),
    nameZh: t.text(e.displayNameZh, 'enterprise.display_name_zh'),
    areaCode: e.regionCode ?? '',
    ...(optional(address) ? { address } : {}),
    ...(contact ? { contact } : {}),
    state: t.enumValue(e.state ?? 0, enterpriseStates, 'enterprise.state', 'active'),
  };
}

export function enterpriseToMessage(e: Stored<Enterprise>): EnterpriseMessage {
  return {
    name: resourceName('enterprise', e._id),
    creditCode: e.creditCode,
    displayNameZh: e.nameZh,
    displayNameEn: e.name ?? '',
    regionCode: e.areaCode,
    address: e.address ?? e.city ?? '',
    contact: { person: e.contact?.person ?? '', phone: e.contact?.phone ?? '', email: e.contact?.email ?? '' },
    state: toNumber(enterpriseStates, e.state),
    creditCodeOverride: e.creditCodeOverride
      ? { reason: e.creditCodeOverride.reason, approvedBy: e.creditCodeOverride.approvedBy, approveTime: e.creditCodeOverride.approvedAt }
      : undefined,
    audit: auditInfo(e.audit),
  };
}

// --- brands --------------------------------------------------------------------------------

export function brandFromMessage(m: BrandMessage | undefined, id: string, t: Translation): Brand {
  const b = m ?? ({} as BrandMessage);
  const nameZh = t.text(b.displayNameZh, 'brand.display_name_zh');
  const trademarkNumber = t.text(b.trademarkNumber, 'brand.trademark_number');
  return {
    id,
    name: t.text(b.displayName, 'brand.display_name'),
    ...(optional(nameZh) ? { nameZh } : {}),
    ownerEnterpriseId: t.reference('enterprise', b.enterprise ?? '', 'brand.enterprise'),
    ...(optional(trademarkNumber) ? { trademarkNumber } : {}),
    categories: (b.categories ?? []) as ProductCategory[],
    state: t.enumValue(b.state ?? 0, activeStates, 'brand.state', 'active'),
  };
}

export function brandToMessage(b: Stored<Brand>): BrandMessage {
  return {
    name: resourceName('brand', b._id),
    enterprise: resourceName('enterprise', b.ownerEnterpriseId),
    displayName: b.name,
    displayNameZh: b.nameZh ?? '',
    trademarkNumber: b.trademarkNumber ?? '',
    categories: b.categories,
    state: toNumber(activeStates, b.state),
    audit: auditInfo(b.audit),
  };
}

// --- products ------------------------------------------------------------------------------

/** `enterpriseId` is left empty: the owner is the brand's enterprise, found by the use case. */
export function productFromMessage(m: ProductMessage | undefined, t: Translation): Product {
  const p = m ?? ({} as ProductMessage);
  const gtin = normaliseGtin(p.gtin ?? '', 'product.gtin');
  const targetGroup = p.targetGroup ? t.enumValue(p.targetGroup, targetGroups, 'product.target_group') : undefined;
  const nameZh = t.text(p.displayNameZh, 'product.display_name_zh');
  return {
    gtin14: gtin.ok ? gtin.value : '',
    gtin: p.gtin ?? '',
    name: t.text(p.displayName, 'product.display_name'),
    ...(optional(nameZh) ? { nameZh } : {}),
    model: t.text(p.model, 'product.model'),
    brandId: t.reference('brand', p.brand ?? '', 'product.brand'),
    enterpriseId: '',
    category: (p.category ?? '') as ProductCategory,
    ...(targetGroup ? { targetGroup: targetGroup as TargetGroupRecord } : {}),
    market: t.enumValue(p.market ?? 0, markets, 'product.market'),
    ...(optional(p.destinationMarket ?? '')
      ? { destinationMarket: t.identifier(p.destinationMarket!.toUpperCase(), 'product.destination_market', MARKET_CODE, 'an ISO 3166 alpha-2 code or EU') }
      : {}),
    standardCodes: (p.standardCodes ?? []).map((c) => {
      const parsed = parseStandardCode(c);
      return parsed.ok ? parsed.value.canonical : c;
    }),
    productionLineIds: (p.productionLines ?? []).map((n, i) => t.reference('productionLine', n, `product.production_lines[${i}]`)),
    ...(optional(p.twin ?? '') ? { twinProductId: twinId(t.reference('product', p.twin, 'product.twin')) } : {}),
    state: t.enumValue(p.state ?? 0, productStates, 'product.state', 'active'),
  };
}

function twinId(id: string): string {
  const gtin = normaliseGtin(id, 'product.twin');
  return gtin.ok ? gtin.value : id;
}

export function productToMessage(p: Stored<Product>): ProductMessage {
  return {
    name: resourceName('product', p._id),
    gtin: p.gtin14,
    brand: resourceName('brand', p.brandId),
    enterprise: resourceName('enterprise', p.enterpriseId),
    category: p.category,
    model: p.model,
    displayName: p.name,
    displayNameZh: p.nameZh ?? '',
    market: toNumber(markets, p.market),
    destinationMarket: p.destinationMarket ?? '',
    targetGroup: toNumber(targetGroups, p.targetGroup),
    gb18401Category: p.targetGroup && isTextileCategory(p.category) ? gb18401Category(p.targetGroup) : '',
    standardCodes: p.standardCodes,
    productionLines: p.productionLineIds.map((id) => resourceName('productionLine', id)),
    twin: p.twinProductId ? resourceName('product', p.twinProductId) : '',
    state: toNumber(productStates, p.state),
    audit: auditInfo(p.audit),
  };
}

// --- production lines ----------------------------------------------------------------------

export function productionLineFromMessage(m: ProductionLineMessage | undefined, id: string, t: Translation): ProductionLine {
  const l = m ?? ({} as ProductionLineMessage);
  const nameZh = t.text(l.displayNameZh, 'production_line.display_name_zh');
  const site = t.text(l.site, 'production_line.site');
  return {
    id,
    enterpriseId: t.reference('enterprise', l.enterprise ?? '', 'production_line.enterprise'),
    name: t.text(l.displayName, 'production_line.display_name'),
    ...(optional(nameZh) ? { nameZh } : {}),
    ...(optional(site) ? { site } : {}),
    ...(optional(l.regionCode ?? '') ? { areaCode: l.regionCode } : {}),
    categories: (l.categories ?? []) as ProductCategory[],
    state: t.enumValue(l.state ?? 0, activeStates, 'production_line.state', 'active'),
  };
}

export function productionLineToMessage(l: Stored<ProductionLine>): ProductionLineMessage {
  return {
    name: resourceName('productionLine', l._id),
    enterprise: resourceName('enterprise', l.enterpriseId),
    displayName: l.name,
    displayNameZh: l.nameZh ?? '',
    site: l.site ?? '',
    regionCode: l.areaCode ?? '',
    categories: l.categories,
    state: toNumber(activeStates, l.state),
    audit: auditInfo(l.audit),
  };
}

// --- standards -----------------------------------------------------------------------------

function limitFromMessage(l: Limit, t: Translation, indicator: number, level: string): LimitRecord {
  return {
    ...(l.min !== undefined ? { min: l.min } : {}),
    ...(l.max !== undefined ? { max: l.max } : {}),
    ...(l.pass ? { pass: true as const } : {}),
    ...(l.notRequired ? { notRequired: true as const } : {}),
    source: t.text(l.source, 'standard.indicators[].limits.*.source', indicator, level),
    verified: l.verified,
  };
}

function limitToMessage(l: LimitRecord): Limit {
  return { min: l.min, max: l.max, pass: l.pass === true, notRequired: l.notRequired === true, source: l.source, verified: l.verified };
}

export function standardFromMessage(m: StandardMessage | undefined, t: Translation): CatalogueStandard {
  const s = m ?? ({} as StandardMessage);
  const parsed = parseStandardCode(s.code ?? '');
  const indicators: IndicatorRecord[] = (s.indicators ?? []).map((i: Indicator, n) => ({
    id: i.id,
    name: t.text(i.displayName, 'standard.indicators[].display_name', n),
    unit: t.text(i.unit, 'standard.indicators[].unit', n),
    direction: t.enumValue(i.direction, directions, `standard.indicators[${n}].direction`),
    testMethod: t.text(i.testMethod, 'standard.indicators[].test_method', n),
    limits: Object.fromEntries(
      Object.entries(t.plainMap(i.limits, `standard.indicators[${n}].limits`)).map(([level, limit]) => [level, limitFromMessage(limit, t, n, level)]),
    ),
  }));
  const titleZh = t.text(s.titleZh, 'standard.title_zh');
  return {
    code: parsed.ok ? parsed.value.canonical : (s.code ?? ''),
    title: t.text(s.title, 'standard.title'),
    ...(optional(titleZh) ? { titleZh } : {}),
    purpose: t.enumValue(s.purpose ?? 0, purposes, 'standard.purpose', 'grading'),
    categories: (s.categories ?? []) as ProductCategory[],
    gradeLevels: s.gradeLevels ?? [],
    indicators,
    ...(s.safetyGate?.standardCode
      ? {
          safetyGate: {
            standardCode: s.safetyGate.standardCode,
            categoryByTargetGroup: t.plainMap(s.safetyGate.categoryByTargetGroup, 'standard.safety_gate.category_by_target_group') as Record<
              TargetGroupRecord,
              string
            >,
          },
        }
      : {}),
    defaultDecisionRule: t.enumValue(s.defaultDecisionRule ?? 0, decisionRules, 'standard.default_decision_rule', 'simple'),
    ...(optional(s.publishedOn ?? '') ? { publishedOn: s.publishedOn } : {}),
    ...(optional(s.effectiveFrom ?? '') ? { effectiveFrom: s.effectiveFrom } : {}),
    ...(optional(s.withdrawnOn ?? '') ? { withdrawnOn: s.withdrawnOn } : {}),
    ...((s.supersedes ?? []).length > 0 ? { replaces: s.supersedes } : {}),
    state: t.enumValue(s.state ?? 0, standardStates, 'standard.state', 'active'),
    ...(s.gradeValidityMonths ? { gradeValidityMonths: t.range(s.gradeValidityMonths, 'standard.grade_validity_months', 1, MAX_GRADE_VALIDITY_MONTHS) } : {}),
  };
}

export function standardToMessage(s: Stored<CatalogueStandard>): StandardMessage {
  const parsed = parseStandardCode(s.code);
  return {
    name: resourceName('standard', s._id),
    code: s.code,
    title: s.title,
    titleZh: s.titleZh ?? '',
    kind: parsed.ok ? parsed.value.kind : '',
    purpose: toNumber(purposes, s.purpose),
    categories: s.categories,
    gradeLevels: s.gradeLevels,
    indicators: s.indicators.map((i) => ({
      id: i.id,
      displayName: i.name,
      unit: i.unit,
      direction: toNumber(directions, i.direction),
      testMethod: i.testMethod,
      limits: Object.fromEntries(Object.entries(i.limits).map(([level, limit]) => [level, limitToMessage(limit)])),
    })),
    safetyGate: s.safetyGate ? { standardCode: s.safetyGate.standardCode, categoryByTargetGroup: { ...s.safetyGate.categoryByTargetGroup } } : undefined,
    defaultDecisionRule: toNumber(decisionRules, s.defaultDecisionRule),
    publishedOn: s.publishedOn ?? '',
    effectiveFrom: s.effectiveFrom ?? '',
    withdrawnOn: s.withdrawnOn ?? '',
    supersedes: s.replaces ?? [],
    state: toNumber(standardStates, s.state),
    supersededBy: s.supersededBy ?? '',
    gradeValidityMonths: s.gradeValidityMonths ?? 12,
    audit: auditInfo(s.audit),
  };
}

// --- certification bodies ------------------------------------------------------------------

export function certificationBodyFromMessage(m: CertificationBodyMessage | undefined, t: Translation): CertificationBody {
  const b = m ?? ({} as CertificationBodyMessage);
  const nameZh = t.text(b.displayNameZh, 'certification_body.display_name_zh');
  return {
    creditCode: (b.creditCode ?? '').trim().toUpperCase(),
    cnasNumber: (b.cnasNumber ?? '').trim(),
    name: t.text(b.displayName, 'certification_body.display_name'),
    ...(optional(nameZh) ? { nameZh } : {}),
    accreditedActivities: (b.activities ?? []) as CertificationBody['accreditedActivities'],
    accreditedCategories: (b.categories ?? []) as ProductCategory[],
    accreditedStandardCodes: b.standardCodes ?? [],
    laboratories: (b.laboratories ?? []).map((l, n) => ({
      name: t.text(l.displayName, 'certification_body.laboratories[].display_name', n),
      cnasNumber: l.cnasNumber,
    })),
    state: t.enumValue(b.state ?? 0, bodyStates, 'certification_body.state', 'active'),
  };
}

export function certificationBodyToMessage(b: Stored<CertificationBody>): CertificationBodyMessage {
  return {
    name: resourceName('certificationBody', b._id),
    creditCode: b.creditCode,
    cnasNumber: b.cnasNumber,
    displayName: b.name,
    displayNameZh: b.nameZh ?? '',
    activities: b.accreditedActivities,
    categories: b.accreditedCategories,
    standardCodes: b.accreditedStandardCodes,
    laboratories: b.laboratories.map((l) => ({ displayName: l.name, cnasNumber: l.cnasNumber })),
    state: toNumber(bodyStates, b.state),
    audit: auditInfo(b.audit),
  };
}
