import { hostname } from 'node:os';
import { acquireWriterLease, mongoBackendOf, SERVICE_LEASES } from '@pinzhi/platform';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { logger, namespace, testMongo, waitFor } from '../support/harness.js';

/**
 * The writer lease exists on FerretDB only (on MongoDB acquireWriterLease takes none), so the
 * suite runs on FerretDB and is skipped, visibly, on MongoDB. The server is the one the global
 * setup started, or, when it was given (MONGO_URL), asked.
 */
async function askBackend(): Promise<'ferretdb' | 'mongodb'> {
  const probe = await testMongo('admin');
  try {
    return await mongoBackendOf(probe.db);
  } finally {
    await probe.client.close();
  }
}
const backend = inject('startedBackend') || (await askBackend());
const onFerretDb = backend === 'ferretdb';
if (!onFerretDb) {
  console.warn(`writer-lease.test.ts: the writer lease tests are SKIPPED: the database server is MongoDB, which takes no writer lease.`);
}

let mongo: Awaited<ReturnType<typeof testMongo>>;

beforeAll(async () => {
  mongo = await testMongo(namespace('lease').dbName);
});
afterAll(() => mongo?.drop());

const lease = (service: string, extra: { renewMs?: number; onLost?: () => void } = {}) =>
  acquireWriterLease(mongo.db, service, { logger, onLost: () => undefined, ...extra });

describe.skipIf(!onFerretDb)(`writer lease on FerretDB${onFerretDb ? '' : ' (skipped: MongoDB takes no writer lease)'}`, () => {
  it('lets one instance of a service write and stops a second one with the reason', async () => {
    const first = await lease('grading');
    await expect(lease('grading')).rejects.toThrow(/another grading instance .* one instance per service/);
    // Another service is not affected.
    const catalogue = await lease('catalogue');
    await first.release();
    const second = await lease('grading');
    await second.release();
    await catalogue.release();
  });

  it('takes over the lease of an instance that stopped renewing or whose process is gone', async () => {
    const leases = mongo.db.collection<{ _id: string }>(SERVICE_LEASES);
    await leases.insertOne({ _id: 'stale', holder: 'h1', host: 'elsewhere', pid: 1, renewedAt: new Date(Date.now() - 60_000) } as never);
    await (await lease('stale')).release();
    // On this host, with a pid that is not running: a crashed instance restarted at once.
    await leases.insertOne({ _id: 'crashed', holder: 'h2', host: hostname(), pid: 2 ** 22 - 3, renewedAt: new Date() } as never);
    await (await lease('crashed')).release();
  });

  it('tells the holder when another instance took its lease over', async () => {
    let lost = false;
    await lease('taken', { renewMs: 50, onLost: () => (lost = true) });
    await mongo.db.collection<{ _id: string }>(SERVICE_LEASES).deleteOne({ _id: 'taken' });
    await waitFor(() => lost || undefined, { what: 'onLost' });
  });
});

describe.skipIf(onFerretDb)(`no writer lease on MongoDB${onFerretDb ? ' (skipped: the server is FerretDB, which takes one)' : ''}`, () => {
  it('lets a second instance of a service start, and stores no lease', async () => {
    const first = await lease('grading');
    const second = await lease('grading');
    expect(await mongo.db.collection(SERVICE_LEASES).countDocuments()).toBe(0);
    await Promise.all([first.release(), second.release()]);
  });
});
