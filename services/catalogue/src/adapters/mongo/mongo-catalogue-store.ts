import { catalogueCollections, type Audit, type Stored } from '@pinzhi/catalogue-reader';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  isDuplicateKeyError,
  OUTBOX_FIELD,
  outboxEntry,
  ensureQueryIndex,
  pushOutbox,
  updateIfVersion,
  type OutboxEntry,
  type OutboxRelay,
} from '@pinzhi/platform';
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
  constructor(
    private readonly db: Db,
    private readonly relay: OutboxRelay,
  ) {}

  // Untyped on purpose: one generic store serves six record types; the port's signatures
  // carry the types.
  #collection(kind: ResourceKind): Collection<StoredDocument> {
    return this.db.collection(collectionOf[kind]);
  }

  #entries(events: CatalogueEvent[]): OutboxEntry[] {
    return events.map((event) => outboxEntry(encodeCatalogueEvent(event)));
  }

  async insert<K extends ResourceKind>(
    kind: K,
    id: string,
    record: RecordOf[K],
    audit: Audit,
    events: (stored: Stored<RecordOf[K]>) => CatalogueEvent[],
  ): Promise<Stored<RecordOf[K]>> {
    const stored = { ...record, _id: id, audit, version: 1 } as Stored<RecordOf[K]>;
    const entries = this.#entries(events(stored));
    await this.relay.beforeWrite(collectionOf[kind], id, entries);
    try {
      await this.#collection(kind).insertOne({ ...stored, [OUTBOX_FIELD]: entries } as never);
    } catch (error) {
      await this.relay.cancelWrite(entries);
      if (isDuplicateKeyError(error)) {
        const field = /cnasNumber/.test(String((error as Error).message)) ? 'certification_body.cnas_number' : idField[kind];
        throw new AlreadyExistsError(`${field.split('.')[0]} ${id} already exists`, [
          { field, description: `${id} is already registered`, reason: 'ALREADY_EXISTS' },
        ]);
      }
      throw error;
    }
    // Published right after the write, off the caller's path; the sweep covers a failure.
    void this.relay.publishAfterWrite(collectionOf[kind], id, entries);
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
    const entries = this.#entries(events(stored));
    const { _id, ...fields } = stored as Stored<RecordOf[K]> & Record<string, unknown>;
    // Fields the update removed (e.g. a cleared twin) are unset; the version guards against
    // a concurrent write in between our read and this write.
    await this.relay.beforeWrite(collectionOf[kind], _id, entries);
    const removed = Object.keys(current).filter((k) => !(k in fields) && k !== '_id' && k !== OUTBOX_FIELD);
    const updated = await updateIfVersion(this.db, collectionOf[kind], _id, current.version, {
      $set: fields,
      ...(removed.length > 0 ? { $unset: Object.fromEntries(removed.map((k) => [k, ''])) } : {}),
      ...pushOutbox(entries),
    });
    if (!updated) {
      await this.relay.cancelWrite(entries);
      throw new FailedPreconditionError(`${collectionOf[kind]} ${_id} was changed by another request; read it again and retry`);
    }
    // Published right after the write, off the caller's path; the sweep covers a failure.
    void this.relay.publishAfterWrite(collectionOf[kind], _id, entries);
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

  async list<K extends ResourceKind>(
    kind: K,
    filter: RecordFilter,
    after: string | undefined,
    limit: number,
  ): Promise<Stored<RecordOf[K]>[]> {
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
