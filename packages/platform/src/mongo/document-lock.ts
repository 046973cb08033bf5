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
