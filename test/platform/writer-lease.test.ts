import { hostname } from 'node:os';
import { acquireWriterLease, SERVICE_LEASES } from '@pinzhi/platform';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { logger, namespace, testMongo, waitFor } from '../support/harness.js';

let mongo: Awaited<ReturnType<typeof testMongo>>;

beforeAll(async () => {
  mongo = await testMongo(namespace('lease').dbName);
});
afterAll(() => mongo?.drop());

const lease = (service: string, extra: { renewMs?: number; onLost?: () => void } = {}) =>
  acquireWriterLease(mongo.db, service, { logger, onLost: () => undefined, ...extra });

describe.skipIf(inject('startedBackend') !== 'ferretdb')('writer lease on FerretDB', () => {
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
