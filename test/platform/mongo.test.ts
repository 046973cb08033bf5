import { mongoBackendOf, updateIfVersion } from '@pinzhi/platform';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { namespace, testMongo } from '../support/harness.js';

let mongo: Awaited<ReturnType<typeof testMongo>>;

beforeAll(async () => {
  mongo = await testMongo(namespace('mongo').dbName);
});
afterAll(() => mongo?.drop());

describe('MongoDB helpers against the real server', () => {
  it.skipIf(!inject('startedBackend'))('tells FerretDB from MongoDB', async () => {
    expect(await mongoBackendOf(mongo.db)).toBe(inject('startedBackend'));
  });

  // infra/ferretdb/sqlite-id-index.sed: without it, every _id lookup scans the whole table.
  it.skipIf(inject('startedBackend') !== 'ferretdb')('looks documents up by _id through the _id index on FerretDB', async () => {
    await mongo.db.collection('indexed').insertOne({ _id: 'a' as never, value: 1 });
    const explained = await mongo.db.command({ explain: { find: 'indexed', filter: { _id: 'a' } } });
    expect((explained.queryPlanner as { Plan: string[] }).Plan.join(' ')).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
  });

  it('applies a version-checked update once, even when many race for the same version', async () => {
    await mongo.db.collection('things').insertOne({ _id: 'a' as never, version: 1, value: 0 });
    const attempts = await Promise.all(
      Array.from({ length: 16 }, (_, i) => updateIfVersion(mongo.db, 'things', 'a', 1, { $set: { version: 2, value: i } })),
    );
    expect(attempts.filter(Boolean)).toHaveLength(1);
    expect(await updateIfVersion(mongo.db, 'things', 'a', 1, { $set: { value: -1 } })).toBe(false);
    expect(await updateIfVersion(mongo.db, 'things', 'missing', 1, { $set: { value: -1 } })).toBe(false);
    const doc = await mongo.db.collection('things').findOne({ _id: 'a' as never });
    expect(doc?.version).toBe(2);
    expect(doc?.value).toBe(attempts.indexOf(true));
  });
});
