import { ensureQueryIndex, findById, modifyDocument, mongoBackendOf, updateIfVersion, writeById } from '@pinzhi/platform';
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mongoUrl, namespace, testMongo } from '../support/harness.js';

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

  // infra/ferretdb/id_in_pushdown.go.txt: without it, {_id: {$in}} reads every row; it only narrows.
  it.skipIf(inject('startedBackend') !== 'ferretdb')('reads a set of ids through the _id index on FerretDB, answering as the filter says', async () => {
    const many = mongo.db.collection<{ _id: string; value: number }>('many');
    await many.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: `d${i}`, value: i })));
    const explained = await mongo.db.command({ explain: { find: 'many', filter: { _id: { $in: ['d1', 'd7'] } } } });
    expect((explained.queryPlanner as { Plan: string[] }).Plan.join(' ')).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
    const ids = async (filter: object) => (await many.find(filter).toArray()).map((d) => d._id).sort();
    expect(await ids({ _id: { $in: ['d1', 'd7', 'missing'] } })).toEqual(['d1', 'd7']);
    // Not pushed down (a number among the ids), still answered right.
    expect(await ids({ _id: { $in: ['d3', 3] } })).toEqual(['d3']);
    expect(await many.countDocuments({ _id: { $in: ['d2', 'd4'] } })).toBe(2);
    expect((await many.deleteMany({ _id: { $in: ['d2', 'd4'] } })).deletedCount).toBe(2);
    expect(await ids({ _id: { $in: ['d2', 'd4', 'd5'] } })).toEqual(['d5']);
  });

  it('reads and writes by _id that arrive together in a few commands, each caller getting its own answer', async () => {
    const client = new MongoClient(mongoUrl(), { monitorCommands: true });
    await client.connect();
    const db = client.db(mongo.db.databaseName);
    const commands: string[] = [];
    client.on('commandStarted', (e: CommandStartedEvent) => void (e.databaseName === db.databaseName && commands.push(e.commandName)));
    try {
      await mongo.db.collection('grouped').insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: `g${i}` as never, n: i })));
      const read = await Promise.all(['g1', 'g2', 'g2', 'missing', 'g9'].map((id) => findById(db, 'grouped', id)));
      expect(read.map((d) => d?.n ?? null)).toEqual([1, 2, 2, null, 9]);
      expect(commands).toEqual(['find']);
      commands.length = 0;
      // 20 updates and inserts, one of them of a taken _id: two commands of at most 16 statements.
      const writes = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => writeById(db, 'grouped', { update: { id: `g${i}`, update: { $set: { n: i * 10 } } } })),
        ...Array.from({ length: 9 }, (_, i) => writeById(db, 'grouped', { insert: { _id: `new${i}`, n: -i } })),
        writeById(db, 'grouped', { insert: { _id: 'g3', n: 0 } }),
      ]);
      expect(writes.filter((w) => w === 'done')).toHaveLength(19);
      expect(writes[19]).toBe('duplicate');
      expect(commands.length).toBeLessThanOrEqual(4); // per chunk: one update and one insert command
      expect((await mongo.db.collection('grouped').findOne({ _id: 'g3' as never }))?.n).toBe(30);
      expect(await mongo.db.collection('grouped').countDocuments()).toBe(19);
      // A lone call is a plain findOne.
      commands.length = 0;
      expect((await findById(db, 'grouped', 'g4'))?.n).toBe(40);
      expect(commands).toEqual(['find']);
    } finally {
      await client.close();
    }
  });

  it('applies a version-checked update once, even when many race for the same version', async () => {
    await mongo.db.collection('things').insertOne({ _id: 'a' as never, version: 1, value: 0 });
    const attempts = await Promise.all(Array.from({ length: 16 }, (_, i) => updateIfVersion(mongo.db, 'things', 'a', 1, { $set: { version: 2, value: i } })));
    expect(attempts.filter(Boolean)).toHaveLength(1);
    expect(await updateIfVersion(mongo.db, 'things', 'a', 1, { $set: { value: -1 } })).toBe(false);
    expect(await updateIfVersion(mongo.db, 'things', 'missing', 1, { $set: { value: -1 } })).toBe(false);
    const doc = await mongo.db.collection('things').findOne({ _id: 'a' as never });
    expect(doc?.version).toBe(2);
    expect(doc?.value).toBe(attempts.indexOf(true));
  });

  it('loses no update when many read-modify-writes of one document race, the first one creating it', async () => {
    const bump = () =>
      modifyDocument(mongo.db, 'counters', 'c', (found) =>
        found
          ? { update: { $set: { count: found.count + 1, version: found.version + 1 } }, result: found.count + 1 }
          : { insert: { count: 1, version: 1 }, result: 1 },
      );
    const results = await Promise.all(Array.from({ length: 16 }, bump));
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(await mongo.db.collection('counters').findOne({ _id: 'c' as never })).toMatchObject({ count: 16, version: 16 });
    // Deciding to write nothing writes nothing.
    expect(await modifyDocument(mongo.db, 'counters', 'c', () => ({ result: 'left' }))).toBe('left');
    expect(await modifyDocument(mongo.db, 'counters', 'none', () => ({ result: 'absent' }))).toBe('absent');
    expect(await mongo.db.collection('counters').countDocuments()).toBe(1);
  });

  it('creates query indexes on MongoDB only (FerretDB never reads them but pays for them on every write)', async () => {
    await mongo.db.collection('listed').insertOne({ _id: 'x' as never, brandId: 'b' });
    await ensureQueryIndex(mongo.db, 'listed', { brandId: 1 });
    const names = (await mongo.db.collection('listed').listIndexes().toArray()).map((i) => i.name);
    expect(names.includes('brandId_1')).toBe((await mongoBackendOf(mongo.db)) === 'mongodb');
  });
});
