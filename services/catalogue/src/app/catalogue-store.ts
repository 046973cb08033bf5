import type { Audit, Brand, CatalogueStandard, CertificationBody, Enterprise, Product, ProductionLine, Stored } from '@pinzhi/catalogue-reader/model';
import type { ResourceKind } from '../domain/resource-names.js';

/** The record type of each catalogue resource kind. */
export interface RecordOf {
  enterprise: Enterprise;
  brand: Brand;
  product: Product;
  productionLine: ProductionLine;
  standard: CatalogueStandard;
  certificationBody: CertificationBody;
}

export type EventVerb = 'registered' | 'updated' | 'withdrawn' | 'published' | 'superseded';

/** A catalogue change to announce; the store writes it with the change, in one document write. */
export type CatalogueEvent = {
  [K in ResourceKind]: {
    kind: K;
    verb: EventVerb;
    record: Stored<RecordOf[K]>;
    changedFields?: string[];
    supersededBy?: string;
  };
}[ResourceKind];

/** A list filter: record field → required value (an array field matches when it contains it). */
export type RecordFilter = Readonly<Record<string, string | undefined>>;

/** The port the use cases need; adapters/mongo implements it with an embedded outbox. */
export interface CatalogueStore {
  /** Inserts a new record; AlreadyExistsError when the id (or another unique key) is taken. */
  insert<K extends ResourceKind>(
    kind: K,
    id: string,
    record: RecordOf[K],
    audit: Audit,
    events: (stored: Stored<RecordOf[K]>) => CatalogueEvent[],
  ): Promise<Stored<RecordOf[K]>>;

  /**
   * Replaces a record if it still has `expectedVersion`; FailedPreconditionError when
   * another write got there first (the caller may re-read and retry).
   */
  update<K extends ResourceKind>(
    kind: K,
    current: Stored<RecordOf[K]>,
    record: RecordOf[K],
    updatedBy: string,
    events: (stored: Stored<RecordOf[K]>) => CatalogueEvent[],
  ): Promise<Stored<RecordOf[K]>>;

  get<K extends ResourceKind>(kind: K, id: string): Promise<Stored<RecordOf[K]> | null>;

  findOne<K extends ResourceKind>(kind: K, filter: RecordFilter): Promise<Stored<RecordOf[K]> | null>;

  /** Records matching the filter in id order, starting after `after`. */
  list<K extends ResourceKind>(kind: K, filter: RecordFilter, after: string | undefined, limit: number): Promise<Stored<RecordOf[K]>[]>;
}
