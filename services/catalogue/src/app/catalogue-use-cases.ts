import {
  validateBrand,
  validateCertificationBody,
  validateEnterprise,
  validateProduct,
  validateProductionLine,
  validateStandard,
  validateStandardCatalogue,
  violation,
  type Audit,
  type Brand,
  type CatalogueStandard,
  type CertificationBody,
  type Enterprise,
  type Product,
  type ProductionLine,
  type Stored,
  type Violation,
} from '@pinzhi/catalogue-reader/model';
import {
  AlreadyExistsError,
  assertNoViolations,
  decodePageToken,
  encodePageToken,
  NotFoundError,
  pageSizeOf,
  PermissionDeniedError,
  type Caller,
} from '@pinzhi/platform';
import { collectionIds, resourceName, type ResourceKind } from '../domain/resource-names.js';
import { applyUpdateMask, snakeCase } from '../domain/update-mask.js';
import type { CatalogueEvent, CatalogueStore, RecordFilter, RecordOf } from './catalogue-store.js';

export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

export interface ListRequest {
  pageSize: number;
  pageToken: string;
  filter: RecordFilter;
}

/** API path → record key of the fields an update may change, per kind. Everything else is fixed. */
const mutableFields: { [K in ResourceKind]: Readonly<Record<string, keyof RecordOf[K]>> } = {
  enterprise: {
    display_name_zh: 'nameZh',
    display_name_en: 'name',
    region_code: 'areaCode',
    address: 'address',
    contact: 'contact',
    state: 'state',
  },
  brand: {
    display_name: 'name',
    display_name_zh: 'nameZh',
    trademark_number: 'trademarkNumber',
    categories: 'categories',
    state: 'state',
  },
  product: {
    display_name: 'name',
    display_name_zh: 'nameZh',
    model: 'model',
    target_group: 'targetGroup',
    destination_market: 'destinationMarket',
    standard_codes: 'standardCodes',
    production_lines: 'productionLineIds',
    twin: 'twinProductId',
    state: 'state',
  },
  productionLine: {
    display_name: 'name',
    display_name_zh: 'nameZh',
    site: 'site',
    region_code: 'areaCode',
    categories: 'categories',
    state: 'state',
  },
  standard: {
    title: 'title',
    title_zh: 'titleZh',
    purpose: 'purpose',
    categories: 'categories',
    grade_levels: 'gradeLevels',
    indicators: 'indicators',
    safety_gate: 'safetyGate',
    default_decision_rule: 'defaultDecisionRule',
    published_on: 'publishedOn',
    effective_from: 'effectiveFrom',
    withdrawn_on: 'withdrawnOn',
    state: 'state',
    grade_validity_months: 'gradeValidityMonths',
  },
  certificationBody: {
    display_name: 'name',
    display_name_zh: 'nameZh',
    activities: 'accreditedActivities',
    categories: 'accreditedCategories',
    standard_codes: 'accreditedStandardCodes',
    laboratories: 'laboratories',
    state: 'state',
  },
};

/** Domain validators name fields in camelCase; the API speaks snake_case. */
function assertValid(violations: readonly Violation[], what: string): void {
  assertNoViolations(
    violations.map((v) => ({ ...v, field: snakeCase(v.field) })),
    `invalid ${what}`,
  );
}

const isAdmin = (caller: Caller) => caller.role === 'admin';

/**
 * Enterprises act only on what they own; admins act on everything. `owner` is the credit
 * code of the owning enterprise.
 */
function assertOwner(caller: Caller, owner: string, what: string): void {
  if (isAdmin(caller)) return;
  if (caller.role === 'enterprise' && caller.org === owner) return;
  throw new PermissionDeniedError(`${caller.role} ${caller.org} may not change ${what} of enterprise ${owner}`);
}

function assertAdmin(caller: Caller, what: string): void {
  if (!isAdmin(caller)) throw new PermissionDeniedError(`only an admin may change ${what}`);
}

/**
 * The catalogue's use cases. Every write validates the whole record and its references
 * before touching the store, so a rejected request stores nothing and emits nothing.
 */
export class CatalogueUseCases {
  constructor(
    private readonly store: CatalogueStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  #audit(caller: Caller): Audit {
    const now = this.clock();
    return { createdBy: caller.subject, createdAt: now, updatedBy: caller.subject, updatedAt: now };
  }

  async #require<K extends ResourceKind>(kind: K, id: string): Promise<Stored<RecordOf[K]>> {
    const found = await this.store.get(kind, id);
    if (!found) throw new NotFoundError(`${resourceName(kind, id)} does not exist`);
    return found;
  }

  get<K extends ResourceKind>(kind: K, id: string): Promise<Stored<RecordOf[K]>> {
    return this.#require(kind, id);
  }

  async list<K extends ResourceKind>(kind: K, request: ListRequest): Promise<Page<Stored<RecordOf[K]>>> {
    const size = pageSizeOf(request.pageSize);
    const after = decodePageToken(request.pageToken, `catalogue/${kind}`, request.filter);
    const rows = await this.store.list(kind, request.filter, after, size + 1);
    const items = rows.slice(0, size);
    const last = items.at(-1);
    return { items, nextPageToken: rows.length > size && last ? encodePageToken(last._id, `catalogue/${kind}`, request.filter) : '' };
  }

  // --- enterprises ----------------------------------------------------------------------

  async createEnterprise(caller: Caller, input: Enterprise, overrideReason = ''): Promise<Stored<Enterprise>> {
    if (overrideReason !== '' && !isAdmin(caller)) {
      throw new PermissionDeniedError('only an admin may accept a credit code that fails its check');
    }
    if (!isAdmin(caller)) assertOwner(caller, input.creditCode, 'the registration');
    const override = overrideReason === '' ? undefined : { approvedBy: caller.subject, reason: overrideReason };
    const record: Enterprise = {
      ...input,
      ...(override ? { creditCodeOverride: { ...override, approvedAt: this.clock() } } : {}),
    };
    assertValid(validateEnterprise(record, 'enterprise', { checkOverride: override }), 'enterprise');
    return this.store.insert('enterprise', record.creditCode, record, this.#audit(caller), (stored) => [
      { kind: 'enterprise', verb: 'registered', record: stored },
    ]);
  }

  async updateEnterprise(caller: Caller, id: string, incoming: Enterprise, mask: string[]): Promise<Stored<Enterprise>> {
    const current = await this.#require('enterprise', id);
    assertOwner(caller, current.creditCode, 'the registration');
    if (mask.map(snakeCase).includes('state')) assertAdmin(caller, "an enterprise's state");
    const override = current.creditCodeOverride;
    return this.#update('enterprise', caller, current, incoming, mask, (record) => validateEnterprise(record, 'enterprise', { checkOverride: override }));
  }

  // --- brands ---------------------------------------------------------------------------

  async createBrand(caller: Caller, input: Brand): Promise<Stored<Brand>> {
    assertOwner(caller, input.ownerEnterpriseId, 'brands');
    assertValid(validateBrand(input), 'brand');
    await this.#assertEnterpriseExists(input.ownerEnterpriseId, 'brand.enterprise');
    return this.store.insert('brand', input.id, input, this.#audit(caller), (stored) => [{ kind: 'brand', verb: 'registered', record: stored }]);
  }

  async updateBrand(caller: Caller, id: string, incoming: Brand, mask: string[]): Promise<Stored<Brand>> {
    const current = await this.#require('brand', id);
    assertOwner(caller, current.ownerEnterpriseId, 'brands');
    return this.#update('brand', caller, current, incoming, mask, (record) => validateBrand(record));
  }

  // --- production lines -----------------------------------------------------------------

  async createProductionLine(caller: Caller, input: ProductionLine): Promise<Stored<ProductionLine>> {
    assertOwner(caller, input.enterpriseId, 'production lines');
    assertValid(validateProductionLine(input), 'production line');
    await this.#assertEnterpriseExists(input.enterpriseId, 'production_line.enterprise');
    return this.store.insert('productionLine', input.id, input, this.#audit(caller), (stored) => [
      { kind: 'productionLine', verb: 'registered', record: stored },
    ]);
  }

  async updateProductionLine(caller: Caller, id: string, incoming: ProductionLine, mask: string[]): Promise<Stored<ProductionLine>> {
    const current = await this.#require('productionLine', id);
    assertOwner(caller, current.enterpriseId, 'production lines');
    return this.#update('productionLine', caller, current, incoming, mask, (record) => validateProductionLine(record));
  }

  // --- products -------------------------------------------------------------------------

  async createProduct(caller: Caller, input: Omit<Product, 'enterpriseId'>): Promise<Stored<Product>> {
    const brand = await this.store.get('brand', input.brandId);
    const product: Product = { ...input, enterpriseId: brand?.ownerEnterpriseId ?? '' };
    const violations = validateProduct(product);
    if (!brand && violations.length === 0) {
      violations.push(violation('product.brand', 'UNKNOWN_REFERENCE', `brands/${input.brandId} does not exist`));
    }
    assertValid(violations, 'product');
    assertOwner(caller, product.enterpriseId, 'products');
    const twin = await this.#checkProductReferences(product);
    return this.store
      .insert('product', product.gtin14, product, this.#audit(caller), (stored) => [{ kind: 'product', verb: 'registered', record: stored }])
      .then(async (stored) => {
        // The link is kept on both twins so either side finds the other; a second write, each
        // with its own event. If it fails, the twin is still found through twinProductId.
        if (twin && twin.twinProductId !== stored._id) await this.#linkTwin(caller, twin, stored._id);
        return stored;
      });
  }

  async updateProduct(caller: Caller, id: string, incoming: Product, mask: string[]): Promise<Stored<Product>> {
    const current = await this.#require('product', id);
    assertOwner(caller, current.enterpriseId, 'products');
    return this.#update(
      'product',
      caller,
      current,
      incoming,
      mask,
      (record) => validateProduct(record),
      async (record) => {
        await this.#checkProductReferences(record);
      },
    );
  }

  async #linkTwin(caller: Caller, twin: Stored<Product>, productId: string): Promise<void> {
    await this.store.update('product', twin, { ...stripStored(twin), twinProductId: productId }, caller.subject, (stored) => [
      { kind: 'product', verb: 'updated', record: stored, changedFields: ['twin'] },
    ]);
  }

  /** The references a product makes must resolve, and a twin must really be made on the same line (三同). */
  async #checkProductReferences(product: Product): Promise<Stored<Product> | undefined> {
    const violations: Violation[] = [];
    for (const [i, lineId] of product.productionLineIds.entries()) {
      const line = await this.store.get('productionLine', lineId);
      if (!line) {
        violations.push(violation(`product.production_lines[${i}]`, 'UNKNOWN_REFERENCE', `productionLines/${lineId} does not exist`));
      } else if (line.enterpriseId !== product.enterpriseId) {
        violations.push(violation(`product.production_lines[${i}]`, 'NOT_OWNER', `the line belongs to another enterprise`));
      }
    }
    for (const [i, code] of product.standardCodes.entries()) {
      if (!(await this.store.get('standard', code))) {
        violations.push(violation(`product.standard_codes[${i}]`, 'UNKNOWN_REFERENCE', `standard ${code} is not in the catalogue`));
      }
    }
    let twin: Stored<Product> | undefined;
    if (product.twinProductId) {
      twin = (await this.store.get('product', product.twinProductId)) ?? undefined;
      const problem = !twin
        ? `products/${product.twinProductId} does not exist`
        : twin.enterpriseId !== product.enterpriseId
          ? 'the twin belongs to another enterprise'
          : twin.market === product.market
            ? 'twins are one domestic and one export product'
            : twin.category !== product.category
              ? 'twins must be of the same category'
              : !twin.productionLineIds.some((l) => product.productionLineIds.includes(l))
                ? 'twins must share at least one production line (same line)'
                : twin.twinProductId && twin.twinProductId !== product.gtin14
                  ? `that product is already the twin of products/${twin.twinProductId}`
                  : undefined;
      if (problem) violations.push(violation('product.twin', 'INVALID_TWIN', problem));
    }
    assertValid(violations, 'product');
    return twin;
  }

  // --- standards ------------------------------------------------------------------------

  async createStandard(caller: Caller, input: CatalogueStandard): Promise<Stored<CatalogueStandard>> {
    assertAdmin(caller, 'standards');
    const violations = validateStandard(input);
    const superseded: Stored<CatalogueStandard>[] = [];
    if (violations.length === 0) {
      if (input.safetyGate) {
        const gate = await this.store.get('standard', input.safetyGate.standardCode);
        if (!gate) {
          violations.push(violation('standard.safety_gate.standard_code', 'UNKNOWN_REFERENCE', `${input.safetyGate.standardCode} is not in the catalogue`));
        } else {
          violations.push(
            ...validateStandardCatalogue([gate, input])
              .filter((v) => v.field.startsWith('standards[1]'))
              .map((v) => ({ ...v, field: v.field.replace('standards[1]', 'standard') })),
          );
        }
      }
      for (const [i, code] of (input.replaces ?? []).entries()) {
        const old = await this.store.get('standard', code);
        if (old) superseded.push(old);
        else violations.push(violation(`standard.supersedes[${i}]`, 'UNKNOWN_REFERENCE', `${code} is not in the catalogue`));
      }
    }
    assertValid(violations, 'standard');
    const stored = await this.store.insert('standard', input.code, input, this.#audit(caller), (s) => [{ kind: 'standard', verb: 'published', record: s }]);
    for (const old of superseded) {
      await this.store.update('standard', old, { ...stripStored(old), state: 'superseded', supersededBy: stored.code }, caller.subject, (s) => [
        { kind: 'standard', verb: 'superseded', record: s, supersededBy: stored.code },
      ]);
    }
    return stored;
  }

  async updateStandard(caller: Caller, id: string, incoming: CatalogueStandard, mask: string[]): Promise<Stored<CatalogueStandard>> {
    assertAdmin(caller, 'standards');
    const current = await this.#require('standard', id);
    return this.#update('standard', caller, current, incoming, mask, (record) => validateStandard(record));
  }

  // --- certification bodies -------------------------------------------------------------

  async createCertificationBody(caller: Caller, input: CertificationBody): Promise<Stored<CertificationBody>> {
    assertAdmin(caller, 'certification bodies');
    assertValid(validateCertificationBody(input), 'certification body');
    if (await this.store.findOne('certificationBody', { cnasNumber: input.cnasNumber })) {
      throw new AlreadyExistsError(`${input.cnasNumber} is already registered`, [
        { field: 'certification_body.cnas_number', reason: 'ALREADY_EXISTS', description: `${input.cnasNumber} is registered to another body` },
      ]);
    }
    return this.store.insert('certificationBody', input.creditCode, input, this.#audit(caller), (stored) => [
      { kind: 'certificationBody', verb: 'registered', record: stored },
    ]);
  }

  async updateCertificationBody(caller: Caller, id: string, incoming: CertificationBody, mask: string[]): Promise<Stored<CertificationBody>> {
    assertAdmin(caller, 'certification bodies');
    const current = await this.#require('certificationBody', id);
    return this.#update('certificationBody', caller, current, incoming, mask, (record) => validateCertificationBody(record));
  }

  // --- shared ---------------------------------------------------------------------------

  async #assertEnterpriseExists(creditCode: string, field: string): Promise<void> {
    if (!(await this.store.get('enterprise', creditCode))) {
      assertValid([violation(field, 'UNKNOWN_REFERENCE', `enterprises/${creditCode} does not exist`)], 'reference');
    }
  }

  async #update<K extends ResourceKind>(
    kind: K,
    caller: Caller,
    current: Stored<RecordOf[K]>,
    incoming: RecordOf[K],
    mask: string[],
    validate: (record: RecordOf[K]) => Violation[],
    checkReferences?: (record: RecordOf[K]) => Promise<void>,
  ): Promise<Stored<RecordOf[K]>> {
    const masked = applyUpdateMask(stripStored(current) as RecordOf[K], incoming, mask, mutableFields[kind]);
    if (!masked.ok) assertValid(masked.violations, 'update');
    const { updated, changed } = (masked as Extract<typeof masked, { ok: true }>).value;
    assertValid(validate(updated), collectionIds[kind]);
    if (changed.length === 0) return current;
    await checkReferences?.(updated);
    const withdrawn = kind === 'product' && changed.includes('state') && (updated as Product).state === 'withdrawn';
    return this.store.update(kind, current, updated, caller.subject, (stored) => [
      { kind, verb: withdrawn ? 'withdrawn' : 'updated', record: stored, changedFields: changed } as CatalogueEvent,
    ]);
  }
}

/** The record without its storage fields. */
export function stripStored<T>(stored: Stored<T>): T {
  const { _id: _ignoredId, audit: _ignoredAudit, version: _ignoredVersion, ...record } = stored as Stored<T> & Record<string, unknown>;
  return record as T;
}
