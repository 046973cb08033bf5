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
import { InvalidArgumentError } from '@pinzhi/platform';
import { parseResourceName, resourceName, type ResourceKind } from '../../domain/resource-names.js';

/** Collects translation problems so a request reports all of them at once. */
export class Translation {
  readonly violations: Violation[] = [];

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
    if (this.violations.length > 0) {
      throw new InvalidArgumentError(`invalid ${what}: ${this.violations.map((v) => `${v.field}: ${v.description}`).join('; ')}`, this.violations);
    }
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
  const contact = e.contact && (e.contact.person || e.contact.phone || e.contact.email) ? {
    ...(e.contact.person ? { person: e.contact.person } : {}),
    ...(e.contact.phone ? { phone: e.contact.phone } : {}),
    ...(e.contact.email ? { email: e.contact.email } : {}),
  } : undefined;
  return {
    creditCode: (e.creditCode ?? '').trim().toUpperCase(),
    name: e.displayNameEn ?? '',
    nameZh: e.displayNameZh ?? '',
    areaCode: e.regionCode ?? '',
    ...(optional(e.address ?? '') ? { address: e.address } : {}),
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
  return {
    id,
    name: b.displayName ?? '',
    ...(optional(b.displayNameZh ?? '') ? { nameZh: b.displayNameZh } : {}),
    ownerEnterpriseId: t.reference('enterprise', b.enterprise ?? '', 'brand.enterprise'),
    ...(optional(b.trademarkNumber ?? '') ? { trademarkNumber: b.trademarkNumber } : {}),
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
  return {
    gtin14: gtin.ok ? gtin.value : '',
    gtin: p.gtin ?? '',
    name: p.displayName ?? '',
    ...(optional(p.displayNameZh ?? '') ? { nameZh: p.displayNameZh } : {}),
    model: p.model ?? '',
    brandId: t.reference('brand', p.brand ?? '', 'product.brand'),
    enterpriseId: '',
    category: (p.category ?? '') as ProductCategory,
    ...(targetGroup ? { targetGroup: targetGroup as TargetGroupRecord } : {}),
    market: t.enumValue(p.market ?? 0, markets, 'product.market'),
    ...(optional(p.destinationMarket ?? '') ? { destinationMarket: p.destinationMarket!.toUpperCase() } : {}),
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
  return {
    id,
    enterpriseId: t.reference('enterprise', l.enterprise ?? '', 'production_line.enterprise'),
    name: l.displayName ?? '',
    ...(optional(l.displayNameZh ?? '') ? { nameZh: l.displayNameZh } : {}),
    ...(optional(l.site ?? '') ? { site: l.site } : {}),
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

function limitFromMessage(l: Limit): LimitRecord {
  return {
    ...(l.min !== undefined ? { min: l.min } : {}),
    ...(l.max !== undefined ? { max: l.max } : {}),
    ...(l.pass ? { pass: true as const } : {}),
    ...(l.notRequired ? { notRequired: true as const } : {}),
    source: l.source,
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
    name: i.displayName,
    unit: i.unit,
    direction: t.enumValue(i.direction, directions, `standard.indicators[${n}].direction`),
    testMethod: i.testMethod,
    limits: Object.fromEntries(Object.entries(i.limits ?? {}).map(([level, limit]) => [level, limitFromMessage(limit)])),
  }));
  return {
    code: parsed.ok ? parsed.value.canonical : (s.code ?? ''),
    title: s.title ?? '',
    ...(optional(s.titleZh ?? '') ? { titleZh: s.titleZh } : {}),
    purpose: t.enumValue(s.purpose ?? 0, purposes, 'standard.purpose', 'grading'),
    categories: (s.categories ?? []) as ProductCategory[],
    gradeLevels: s.gradeLevels ?? [],
    indicators,
    ...(s.safetyGate?.standardCode
      ? {
          safetyGate: {
            standardCode: s.safetyGate.standardCode,
            categoryByTargetGroup: s.safetyGate.categoryByTargetGroup as Record<TargetGroupRecord, string>,
          },
        }
      : {}),
    defaultDecisionRule: t.enumValue(s.defaultDecisionRule ?? 0, decisionRules, 'standard.default_decision_rule', 'simple'),
    ...(optional(s.publishedOn ?? '') ? { publishedOn: s.publishedOn } : {}),
    ...(optional(s.effectiveFrom ?? '') ? { effectiveFrom: s.effectiveFrom } : {}),
    ...(optional(s.withdrawnOn ?? '') ? { withdrawnOn: s.withdrawnOn } : {}),
    ...((s.supersedes ?? []).length > 0 ? { replaces: s.supersedes } : {}),
    state: t.enumValue(s.state ?? 0, standardStates, 'standard.state', 'active'),
    ...(s.gradeValidityMonths ? { gradeValidityMonths: s.gradeValidityMonths } : {}),
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
    safetyGate: s.safetyGate
      ? { standardCode: s.safetyGate.standardCode, categoryByTargetGroup: { ...s.safetyGate.categoryByTargetGroup } }
      : undefined,
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
  return {
    creditCode: (b.creditCode ?? '').trim().toUpperCase(),
    cnasNumber: (b.cnasNumber ?? '').trim(),
    name: b.displayName ?? '',
    ...(optional(b.displayNameZh ?? '') ? { nameZh: b.displayNameZh } : {}),
    accreditedActivities: (b.activities ?? []) as CertificationBody['accreditedActivities'],
    accreditedCategories: (b.categories ?? []) as ProductCategory[],
    accreditedStandardCodes: b.standardCodes ?? [],
    laboratories: (b.laboratories ?? []).map((l) => ({ name: l.displayName, cnasNumber: l.cnasNumber })),
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
