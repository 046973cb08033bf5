import { catalogueCollections, type Audit, type Stored } from '@pinzhi/catalogue-reader';
import { AlreadyExistsError, FailedPreconditionError, OUTBOX_FIELD, OutboxCollection, ensureQueryIndex, type OutboxRelay } from '@pinzhi/platform';
import type { Collection, Db, Document, Filter } from 'mongodb';
import type { CatalogueEvent, CatalogueStore, RecordFilter, RecordOf } from '../../app/catalogue-store.js';
import type { ResourceKind } from '../../domain/resource-names.js';
import { encodeCatalogueEvent } from '../events/catalogue-events.js';

type StoredDocument = Document & { _id: string };

export const collectionOf: Record<ResourceKind, string> = {
  enterprise: catalogueCollections.enterprises,
  brand: catalogueCollections.brands,
  product: catalogueCollections.products,
  productionLine: catalogueCollections.productionLines,
  standard: catalogueCollections.standards,
  certificationBody: catalogueCollections.certificationBodies,
};

/** The field whose duplicate a unique-key error stands for, per kind (the id unless stated). */
const idField: Record<ResourceKind, string> = {
  enterprise: 'enterprise.credit_code',
  brand: 'brand.name',
  product: 'product.gtin',
  productionLine: 'production_line.name',
  standard: 'standard.code',
  certificationBody: 'certification_body.credit_code',
};

/** Unique keys besides _id (MongoDB and FerretDB alike), and the indexes lists use on MongoDB. */
export async function ensureCatalogueIndexes(db: Db): Promise<void> {
  await db.collection(catalogueCollections.certificationBodies).createIndex({ cnasNumber: 1 }, { unique: true });
  await ensureQueryIndex(db, catalogueCollections.products, { brandId: 1 });
  await ensureQueryIndex(db, catalogueCollections.products, { enterpriseId: 1 });
  await ensureQueryIndex(db, catalogueCollections.products, { twinProductId: 1 });
}

/**
 * The catalogue in MongoDB. Each write is ONE single-document operation that carries the
 * change and its events (embedded outbox); the relay publishes the events right after.
 */
export class MongoCatalogueStore implements CatalogueStore {
  readonly #collections: Record<ResourceKind, OutboxCollection<StoredDocument>>;

  constructor(db: Db, relay: OutboxRelay) {
    this.#collections = Object.fromEntries(
      Object.entries(collectionOf).map(([kind, name]) => [kind, new OutboxCollection<StoredDocument>(db, name, relay)]),
    ) as Record<ResourceKind, OutboxCollection<StoredDocument>>;
  }

  // Untyped on purpose: one generic store serves six record types; the port's signatures
  // carry the types.
  #collection(kind: ResourceKind): Collection<StoredDocument> {
    return this.#collections[kind].collection;
  }

  async insert<K extends ResourceKind>(
    kind: K,
    id: string,
    record: RecordOf[K],
    audit: Audit,
    events: (stored: Stored<RecordOf[K]>) => CatalogueEvent[],
  ): Promise<Stored<RecordOf[K]>> {
    const stored = { ...record, _id: id, audit, version: 1 } as Stored<RecordOf[K]>;
    if ((await this.#collections[kind].insert(stored as StoredDocument, events(stored).map(encodeCatalogueEvent))) === 'exists') {
      // The id, or for a certification body possibly its CNAS number (the other unique key).
      const idTaken = (await this.#collection(kind).countDocuments({ _id: id }, { limit: 1 })) > 0;
      const field = idTaken ? idField[kind] : 'certification_body.cnas_number';
      throw new AlreadyExistsError(`${field.split('.')[0]} ${idTaken ? id : (record as { cnasNumber?: string }).cnasNumber} already exists`, [
        { field, description: `${idTaken ? id : (record as { cnasNumber?: string }).cnasNumber} is already registered`, reason: 'ALREADY_EXISTS' },
      ]);
    }
    return stored;
  }

  async update<K extends ResourceKind>(
    kind: K,
    current: Stored<RecordOf[K]>,
    record: RecordOf[K],
    updatedBy: string,
    events: (stored: Stored<RecordOf[K]>) => CatalogueEvent[],
  ): Promise<Stored<RecordOf[K]>> {
    const stored = {
      ...record,
      _id: current._id,
      audit: { ...current.audit, updatedBy, updatedAt: new Date() },
      version: current.version + 1,
    } as Stored<RecordOf[K]>;
    const { _id, ...fields } = stored as Stored<RecordOf[K]> & Record<string, unknown>;
    // Fields the update removed (e.g. a cleared twin) are unset; the version guards against
    // a concurrent write in between our read and this write.
    const removed = Object.keys(current).filter((k) => !(k in fields) && k !== '_id' && k !== OUTBOX_FIELD);
    const update = { $set: fields, ...(removed.length > 0 ? { $unset: Object.fromEntries(removed.map((k) => [k, ''])) } : {}) };
    if (!(await this.#collections[kind].updateIfVersion(_id, current.version, update, events(stored).map(encodeCatalogueEvent)))) {
      throw new FailedPreconditionError(`${collectionOf[kind]} ${_id} was changed by another request; read it again and retry`);
    }
    return stored;
  }

  async get<K extends ResourceKind>(kind: K, id: string): Promise<Stored<RecordOf[K]> | null> {
    return this.findOne(kind, { _id: id });
  }

  async findOne<K extends ResourceKind>(kind: K, filter: RecordFilter): Promise<Stored<RecordOf[K]> | null> {
    return (await this.#collection(kind).findOne(toMongoFilter(filter) as Filter<StoredDocument>, {
      projection: { [OUTBOX_FIELD]: 0 },
    })) as unknown as Stored<RecordOf[K]> | null;
  }

  async list<K extends ResourceKind>(kind: K, filter: RecordFilter, after: string | undefined, limit: number): Promise<Stored<RecordOf[K]>[]> {
    const query: Document = toMongoFilter(filter);
    if (after !== undefined) query._id = { $gt: after };
    return (await this.#collection(kind)
      .find(query as Filter<StoredDocument>, { projection: { [OUTBOX_FIELD]: 0 } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray()) as unknown as Stored<RecordOf[K]>[];
  }
}

/** Equality on each field; on an array field MongoDB matches when the array contains the value. */
function toMongoFilter(filter: RecordFilter): Filter<Document> {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== ''));
}
