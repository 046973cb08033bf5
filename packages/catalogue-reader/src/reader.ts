import { findById } from '@pinzhi/platform';
import type { Collection, Db, Document, Filter } from 'mongodb';
import type {
  BrandDocument,
  CertificationBodyDocument,
  EnterpriseDocument,
  ProductDocument,
  ProductionLineDocument,
  StandardDocument,
} from './domain/records.js';

/**
 * The shared catalogue collections. Only the catalogue service writes them; every other
 * service reads them directly through CatalogueReader (DESIGN.md).
 */
export const catalogueCollections = {
  enterprises: 'enterprises',
  brands: 'brands',
  products: 'products',
  productionLines: 'production_lines',
  standards: 'standards',
  certificationBodies: 'certification_bodies',
} as const;

// The outbox is the catalogue service's business; readers never see it.
const withoutOutbox = { projection: { _outbox: 0 } } as const;

export interface CatalogueReaderOptions {
  /**
   * How long standards and certification bodies (reference data that changes a few times a
   * year) are kept in memory; 0 reads them every time. A change made in the catalogue is
   * seen by this reader within this time. Products, brands and the rest are always read.
   */
  referenceTtlMs?: number;
  /** The clock the TTL is measured with (tests). */
  now?: () => number;
}

/** Typed, read-only access to the catalogue for every service. */
export class CatalogueReader {
  readonly #reference = new Map<string, { at: number; value: Promise<unknown> }>();
  readonly #referenceTtlMs: number;
  readonly #now: () => number;

  constructor(
    private readonly db: Db,
    options: CatalogueReaderOptions = {},
  ) {
    this.#referenceTtlMs = options.referenceTtlMs ?? 0;
    this.#now = options.now ?? Date.now;
  }

  /** One read per key and TTL; concurrent callers share it, and a failed read is not kept. */
  #remembered<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (this.#referenceTtlMs <= 0) return read();
    const now = this.#now();
    const hit = this.#reference.get(key);
    if (hit && now - hit.at < this.#referenceTtlMs) return hit.value as Promise<T>;
    const value = read();
    this.#reference.set(key, { at: now, value });
    value.catch(() => this.#reference.delete(key));
    return value;
  }

  #collection<T extends Document>(name: string): Collection<T> {
    return this.db.collection<T>(name);
  }

  #one<T extends Document>(name: string, filter: Filter<T>): Promise<T | null> {
    return this.#collection<T>(name).findOne(filter, withoutOutbox) as Promise<T | null>;
  }

  enterprise(creditCode: string): Promise<EnterpriseDocument | null> {
    return this.#one(catalogueCollections.enterprises, { _id: creditCode });
  }

  brand(id: string): Promise<BrandDocument | null> {
    return this.#one(catalogueCollections.brands, { _id: id });
  }

  /** By GTIN-14 (the product id). */
  product(gtin14: string): Promise<ProductDocument | null> {
    // With the reads of the moment in one command (many IssueGrade calls, one IssueGrades).
    return findById<ProductDocument>(this.db, catalogueCollections.products, gtin14, withoutOutbox.projection);
  }

  productionLine(id: string): Promise<ProductionLineDocument | null> {
    return this.#one(catalogueCollections.productionLines, { _id: id });
  }

  /** By canonical standard number, e.g. `GB/T 14272-2021`. */
  standard(code: string): Promise<StandardDocument | null> {
    return this.#remembered(`standard/${code}`, () => this.#one(catalogueCollections.standards, { _id: code }));
  }

  certificationBody(creditCode: string): Promise<CertificationBodyDocument | null> {
    return this.#one(catalogueCollections.certificationBodies, { _id: creditCode });
  }

  /** Certifiers' tokens name their CNAS number, so grading looks bodies up by it. */
  certificationBodyByCnas(cnasNumber: string): Promise<CertificationBodyDocument | null> {
    return this.#remembered(`body/${cnasNumber}`, () => this.#one(catalogueCollections.certificationBodies, { cnasNumber }));
  }

  /** The product registered as this product's twin, whichever side recorded the link. */
  async twinOf(product: ProductDocument): Promise<ProductDocument | null> {
    if (product.twinProductId) return this.product(product.twinProductId);
    return this.#one(catalogueCollections.products, { twinProductId: product._id });
  }
}
