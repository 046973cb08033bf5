import type { Collection, Document, Filter } from 'mongodb';

/**
 * Serialises writes to one document within this process.
 *
 * Why: FerretDB v1 runs an update as "query, then write the changed document back" in two
 * steps, so two concurrent conditional updates of the same document can both pass their
 * filter (a lost update), and an outbox $pullAll can write back a copy that drops an entry
 * a concurrent write has just pushed. MongoDB applies each update atomically and needs none
 * of this; with FerretDB, pinzhi therefore runs one instance per service (see README).
 */
const tails = new Map<string, Promise<unknown>>();

/**
 * Applies `update` to the document only if it still has `expectedVersion`: read and write
 * by _id alone under the document lock. Filtering the update on { _id, version } would be
 * atomic on MongoDB, but FerretDB v1 pushes only a lone _id filter down to SQLite and
 * scans the whole collection for anything else (measured: 54 ms per update at a few
 * hundred grades, growing with the collection). Returns false when the version moved.
 */
export async function updateIfVersion(
  collection: Collection<Document>,
  id: unknown,
  expectedVersion: number,
  update: Document,
): Promise<boolean> {
  return withDocumentLock(collection.collectionName, id, async () => {
    const found = await collection.findOne({ _id: id } as Filter<Document>, { projection: { version: 1 } });
    if (!found || found.version !== expectedVersion) return false;
    await collection.updateOne({ _id: id } as Filter<Document>, update);
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
