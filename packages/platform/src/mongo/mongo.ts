import { MongoBulkWriteError, MongoClient, MongoServerError, type Collection, type Db, type Document, type OptionalUnlessRequiredId } from 'mongodb';
import { groupCommit } from '../group-commit.js';
import { ConfigError } from '../errors.js';
import type { HealthProbe } from '../grpc/health.js';
import type { Logger } from '../log.js';

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

export interface ConnectMongoOptions {
  url: string;
  dbName: string;
  appName: string;
  logger: Logger;
  /** How long boot waits for the server before giving up. */
  serverSelectionTimeoutMS?: number;
}

/**
 * Connects and pings once, so a wrong MONGO_URL or a server that is down stops the process
 * at boot with a message that names the setting. The driver's heartbeat is short so the
 * health probe sees a returning server within seconds.
 */
export async function connectMongo(options: ConnectMongoOptions): Promise<MongoConnection> {
  const client = new MongoClient(options.url, {
    appName: options.appName,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    heartbeatFrequencyMS: 2000,
  });
  try {
    await client.connect();
    await client.db(options.dbName).command({ ping: 1 });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new ConfigError(['MONGO_URL'], `MONGO_URL: cannot reach MongoDB at ${redactUrl(options.url)}: ${(error as Error).message}`, { cause: error });
  }
  options.logger.info({ url: redactUrl(options.url), db: options.dbName }, 'MongoDB connected');
  return { client, db: client.db(options.dbName), close: () => client.close() };
}

export function mongoProbe(db: Db): HealthProbe {
  return { name: 'mongodb', check: async () => void (await db.command({ ping: 1 })) };
}

/** E11000: a unique index (or _id) already holds the value. */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/** Hides a password in a connection string before it reaches a log or an error message. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

/**
 * The per-item outcomes of an unordered bulk command that threw: 'ok', 'duplicate' (the _id
 * or another unique key is taken) or that item's own error. A failure with no per-item errors
 * (network, write concern) failed the command as a whole and is thrown again.
 */
export function bulkItemOutcomes(error: unknown, count: number): Array<'ok' | 'duplicate' | Error> {
  const writeErrors = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
  if (writeErrors.length === 0) throw error;
  const failed = new Map(writeErrors.map((e) => [e.index, e]));
  return Array.from({ length: count }, (_, i) => {
    const e = failed.get(i);
    if (!e) return 'ok' as const;
    return e.code === 11000 ? ('duplicate' as const) : new MongoServerError({ message: e.errmsg ?? 'write failed', code: e.code });
  });
}

/**
 * Inserts that run concurrently go to the server together, as one unordered insertMany
 * (group commit). Each caller learns its own outcome: 'exists' when the _id (or another
 * unique key) is taken, an error of its own otherwise. The server pays its per-command cost
 * once per batch instead of once per document.
 */
export function batchedInserts<T extends Document>(
  collection: Collection<T>,
  maxBatch = 256,
): (document: OptionalUnlessRequiredId<T>) => Promise<'inserted' | 'exists'> {
  return groupCommit<OptionalUnlessRequiredId<T>, 'inserted' | 'exists'>(async (documents) => {
    try {
      await collection.insertMany([...documents], { ordered: false });
      return documents.map(() => 'inserted' as const);
    } catch (error) {
      return bulkItemOutcomes(error, documents.length).map((o) => (o === 'ok' ? 'inserted' : o === 'duplicate' ? 'exists' : o));
    }
  }, maxBatch);
}

const backends = new WeakMap<Db, Promise<'mongodb' | 'ferretdb'>>();

/** FerretDB answers buildInfo with a `ferretdbVersion` field; MongoDB does not. */
export function mongoBackendOf(db: Db): Promise<'mongodb' | 'ferretdb'> {
  let backend = backends.get(db);
  if (!backend) {
    backend = db
      .admin()
      .command({ buildInfo: 1 })
      .then((info): 'mongodb' | 'ferretdb' => ('ferretdbVersion' in info ? 'ferretdb' : 'mongodb'));
    backend.catch(() => backends.delete(db));
    backends.set(db, backend);
  }
  return backend;
}

/**
 * Creates an index that only serves queries. FerretDB v1 answers every query from `_id` or a
 * scan and never reads such an index, yet SQLite maintains it on every write by parsing the
 * whole document's JSON once more (seen in a CPU profile of FerretDB under IssueGrade load),
 * so there it is not created. Unique indexes, which enforce something, are always created.
 */
export async function ensureQueryIndex(db: Db, collection: string, keys: Record<string, 1 | -1>): Promise<void> {
  if ((await mongoBackendOf(db)) === 'mongodb') await db.collection(collection).createIndex(keys);
}
