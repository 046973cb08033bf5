import type { AnyBulkWriteOperation, Db, Document, Filter } from 'mongodb';
import { groupCommit } from '../group-commit.js';
import { bulkItemOutcomes, isDuplicateKeyError } from './mongo.js';

/**
 * Group commit for the commands a read-modify-write by _id is made of (see group-commit.ts):
 * reads of single documents that arrive together go as ONE find of `{_id: {$in: [...]}}`,
 * and writes that arrive together as ONE unordered bulk write. Concurrent requests (16
 * IssueGrade calls, the items of one IssueGrades, a consumer's partitions) then cost a few
 * commands per batch instead of a few per document: FerretDB's cost is mostly per command,
 * and pinzhi's FerretDB answers `$in` of ids from the _id index (infra/ferretdb/id_in_pushdown.go.txt).
 * A lone call still goes as a plain findOne / updateOne.
 */

/**
 * How long one batch may take before its callers get UNAVAILABLE and the next batch goes (see
 * groupCommit): far above any healthy batch here (tens of milliseconds).
 */
export const BY_ID_TIMEOUT_MS = 10_000;

/** Statements in one write command: FerretDB v1 keeps a SQLite connection (of 100) per statement until the command ends, and ~100 hung it. */
export const STATEMENTS_PER_COMMAND = 16;

type Reader = (id: unknown) => Promise<Document | null>;
type Writer = (write: ByIdWrite) => Promise<'done' | 'duplicate'>;

/** One write of a batch: an update of the document with this _id, or an insert. */
export type ByIdWrite = { update: { id: unknown; update: Document } } | { insert: Document };

const readers = new WeakMap<Db, Map<string, Reader>>();
const writers = new WeakMap<Db, Map<string, Writer>>();

function memo<F>(registry: WeakMap<Db, Map<string, F>>, db: Db, key: string, make: () => F): F {
  let byKey = registry.get(db);
  if (!byKey) registry.set(db, (byKey = new Map()));
  let made = byKey.get(key);
  if (!made) byKey.set(key, (made = make()));
  return made;
}

/** Reads one document by _id (null when absent), together with the other reads of the moment. */
export function findById<T extends Document = Document>(db: Db, collection: string, id: unknown, projection?: Document): Promise<T | null> {
  const key = `${collection}\u0000${projection ? JSON.stringify(projection) : ''}`;
  const read = memo(readers, db, key, () => {
    const target = db.collection(collection);
    const options = projection ? { projection } : {};
    return groupCommit<unknown, Document | null>(
      async (ids) => {
        const unique = [...new Map(ids.map((i) => [String(i), i])).values()];
        if (unique.length === 1) {
          const one = await target.findOne({ _id: unique[0] } as Filter<Document>, options);
          return ids.map(() => one);
        }
        const found = new Map((await target.find({ _id: { $in: unique } } as Filter<Document>, options).toArray()).map((d) => [String(d._id), d]));
        return ids.map((i) => found.get(String(i)) ?? null);
      },
      undefined,
      BY_ID_TIMEOUT_MS,
    );
  });
  return read(id) as Promise<T | null>;
}

/**
 * Applies one write together with the other writes of the moment: 'duplicate' when an insert
 * finds its _id taken. An update is by _id alone and counts as done when the command
 * succeeds, so callers use it for a document they hold the lock of and have just read (the
 * FerretDB path of modifyDocument and updateIfVersion), never for a conditional update.
 */
export function writeById(db: Db, collection: string, write: ByIdWrite): Promise<'done' | 'duplicate'> {
  const apply = memo(writers, db, collection, () => {
    const target = db.collection(collection);
    return groupCommit<ByIdWrite, 'done' | 'duplicate'>(
      async (writes) => {
        const outcomes: Array<'done' | 'duplicate' | Error> = [];
        for (let start = 0; start < writes.length; start += STATEMENTS_PER_COMMAND) {
          const chunk = writes.slice(start, start + STATEMENTS_PER_COMMAND);
          if (chunk.length === 1) {
            outcomes.push(await writeOne(target, chunk[0]!));
            continue;
          }
          const operations = chunk.map((w): AnyBulkWriteOperation =>
            'update' in w
              ? { updateOne: { filter: { _id: w.update.id } as Filter<Document>, update: w.update.update } }
              : { insertOne: { document: w.insert } },
          );
          try {
            await target.bulkWrite(operations, { ordered: false });
            outcomes.push(...chunk.map(() => 'done' as const));
          } catch (error) {
            outcomes.push(...bulkItemOutcomes(error, chunk.length).map((o) => (o === 'ok' ? 'done' : o)));
          }
        }
        return outcomes;
      },
      undefined,
      BY_ID_TIMEOUT_MS,
    );
  });
  return apply(write);
}

async function writeOne(target: ReturnType<Db['collection']>, write: ByIdWrite): Promise<'done' | 'duplicate'> {
  if ('update' in write) {
    await target.updateOne({ _id: write.update.id } as Filter<Document>, write.update.update);
    return 'done';
  }
  try {
    await target.insertOne(write.insert);
    return 'done';
  } catch (error) {
    if (isDuplicateKeyError(error)) return 'duplicate';
    throw error;
  }
}
