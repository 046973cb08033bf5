import type { Db, Document, Filter } from 'mongodb';
import { FailedPreconditionError } from '../errors.js';
import { findById, writeById } from './by-id.js';
import { isDuplicateKeyError, mongoBackendOf } from './mongo.js';

/**
 * Serialises writes to one document within this process.
 *
 * Why: FerretDB v1 runs an update as "query, then write the changed document back" in two
 * steps, so two concurrent conditional updates of the same document can both pass their
 * filter (a lost update), and an outbox $pullAll can write back a copy that drops an entry
 * a concurrent write has just pushed. MongoDB applies each update atomically and needs none
 * of this; with FerretDB, pinzhi therefore runs one instance per service, which the writer
 * lease enforces (writer-lease.ts).
 */
const tails = new Map<string, Promise<unknown>>();

/**
 * Applies `update` to the document only if it still has `expectedVersion`; false when the
 * version moved. On MongoDB that is one atomic conditional update, safe across instances.
 * On FerretDB v1 it is a read and a write by _id alone under the document lock: FerretDB
 * pushes only a lone _id filter down to SQLite (measured: an { _id, version } filter scanned
 * the collection, 54 ms per update at a few hundred grades and growing), and its updates are
 * not atomic anyway, so there the check holds within one process only.
 */
export async function updateIfVersion(db: Db, collection: string, id: unknown, expectedVersion: number, update: Document): Promise<boolean> {
  const target = db.collection(collection);
  if ((await mongoBackendOf(db)) === 'mongodb') {
    const result = await target.updateOne({ _id: id, version: expectedVersion } as Filter<Document>, update);
    return result.matchedCount === 1;
  }
  return withDocumentLock(collection, id, async () => {
    const found = await findById(db, collection, id, { version: 1 });
    if (!found || found.version !== expectedVersion) return false;
    await writeById(db, collection, { update: { id, update } });
    return true;
  });
}

export async function withDocumentLock<T>(collection: string, id: unknown, work: () => Promise<T>): Promise<T> {
  const key = `${collection}/${String(id)}`;
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}

/**
 * Holds the locks of several documents of one collection while `work` runs. Locks are taken
 * in a fixed order, so two callers never wait for each other's half.
 */
export function withDocumentLocks<T>(collection: string, ids: readonly unknown[], work: () => Promise<T>): Promise<T> {
  const ordered = [...new Set(ids.map(String))].sort();
  return ordered.reduceRight<() => Promise<T>>((inner, id) => () => withDocumentLock(collection, id, inner), work)();
}

/** What a read-modify-write decided: an update of the document it read, a new document, or nothing. */
export type Modification<T> = { update?: Document; insert?: Document; result: T };

/**
 * Read-modify-write of one document by _id, in one read and one write. `decide` sees the
 * document as stored (null when absent) and says what to write, if anything: an update of
 * that document (which must move its numeric `version` on) or a document to insert.
 *
 * On MongoDB the update is conditional on the version read (atomic, safe across instances);
 * after a conflict `decide` runs again on a fresh read. On FerretDB the read and the write
 * run under the per-process document lock (one instance per service; see updateIfVersion),
 * so there is no conflict to retry and no second read to check the version; there the writes
 * of concurrent read-modify-writes of different documents go as one command (by-id.ts), as
 * their reads do on both backends.
 */
export async function modifyDocument<T>(
  db: Db,
  collection: string,
  id: unknown,
  decide: (document: Document | null) => Modification<T> | Promise<Modification<T>>,
  attempts = 10,
): Promise<T> {
  const target = db.collection(collection);
  const atomic = (await mongoBackendOf(db)) === 'mongodb';
  const once = async (): Promise<{ done: boolean; result?: T }> => {
    const found = await findById(db, collection, id);
    const { update, insert, result } = await decide(found);
    if (found && update) {
      if (!atomic) return { done: (await writeById(db, collection, { update: { id, update } })) === 'done', result };
      return { done: (await target.updateOne({ _id: id, version: found.version } as Filter<Document>, update)).matchedCount === 1, result };
    }
    if (!found && insert) {
      if (!atomic) return { done: (await writeById(db, collection, { insert: { ...insert, _id: id } })) === 'done', result };
      try {
        await target.insertOne({ ...insert, _id: id } as Document);
      } catch (error) {
        if (isDuplicateKeyError(error)) return { done: false };
        throw error;
      }
    }
    return { done: true, result };
  };
  for (let attempt = 0; attempt < attempts; attempt++) {
    const outcome = atomic ? await once() : await withDocumentLock(collection, id, once);
    if (outcome.done) return outcome.result as T;
  }
  throw new FailedPreconditionError(`${collection} ${String(id)} kept changing under this request; retry`);
}
