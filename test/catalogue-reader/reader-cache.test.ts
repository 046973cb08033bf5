import { CatalogueReader } from '@pinzhi/catalogue-reader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespace, testMongo } from '../support/harness.js';

let mongo: Awaited<ReturnType<typeof testMongo>>;

beforeAll(async () => {
  mongo = await testMongo(namespace('reader').dbName);
  await mongo.db.collection('standards').insertOne({ _id: 'GB/T 1-2026' as never, state: 'active', version: 1 });
  await mongo.db.collection('products').insertOne({ _id: '06900000000001' as never, state: 'active', version: 1 });
});
afterAll(() => mongo?.drop());

const withdraw = (collection: string, id: string) =>
  mongo.db.collection(collection).updateOne({ _id: id as never }, { $set: { state: 'withdrawn' }, $inc: { version: 1 } });

describe('CatalogueReader reference cache', () => {
  it('keeps a standard for its TTL, sees the change after it, and never caches products', async () => {
    let now = 1_000_000;
    const reader = new CatalogueReader(mongo.db, { referenceTtlMs: 5_000, now: () => now });
    expect((await reader.standard('GB/T 1-2026'))?.state).toBe('active');
    expect((await reader.product('06900000000001'))?.state).toBe('active');
    await withdraw('standards', 'GB/T 1-2026');
    await withdraw('products', '06900000000001');

    now += 4_999;
    expect((await reader.standard('GB/T 1-2026'))?.state).toBe('active');
    expect((await reader.product('06900000000001'))?.state).toBe('withdrawn');
    now += 1;
    expect((await reader.standard('GB/T 1-2026'))?.state).toBe('withdrawn');
  });

  it('reads every time without a TTL', async () => {
    const reader = new CatalogueReader(mongo.db);
    await mongo.db.collection('standards').insertOne({ _id: 'GB/T 2-2026' as never, state: 'active', version: 1 });
    expect((await reader.standard('GB/T 2-2026'))?.state).toBe('active');
    await withdraw('standards', 'GB/T 2-2026');
    expect((await reader.standard('GB/T 2-2026'))?.state).toBe('withdrawn');
  });
});
