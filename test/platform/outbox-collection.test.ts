import { ensureTopics, OUTBOX_PENDING, OutboxCollection, OutboxRelay, type EventPublisher, type NewOutboxEntry } from '@pinzhi/platform';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger, namespace, testKafka, testMongo, testPublisher, waitFor } from '../support/harness.js';

const ns = namespace('outbox-collection');
const topic = ns.topic('things');
let kafka: Kafka;
let publisher: EventPublisher;
let mongo: Awaited<ReturnType<typeof testMongo>>;
let relay: OutboxRelay;
let things: OutboxCollection;
const records: KafkaMessage[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

const event = (key: string, type: string): NewOutboxEntry => ({ topic, key, source: '/test', type, data: new Uint8Array([1]) });
const marks = () => mongo.db.collection(OUTBOX_PENDING).countDocuments({ collection: 'things' });
const typesOf = (key: string) => records.filter((r) => r.key?.toString() === key).map((r) => r.headers?.ce_type?.toString());

/** Waits until a sentinel written after `key`'s events arrives, so a late duplicate would have arrived too. */
async function settled(key: string) {
  const sentinel = `sentinel-${key}`;
  await things.insert({ _id: sentinel, version: 1 }, [event(key, 'sentinel')]);
  await waitFor(() => typesOf(key).includes('sentinel') || undefined, { what: `the sentinel after ${key}` });
  return typesOf(key).filter((t) => t !== 'sentinel');
}

beforeAll(async () => {
  kafka = testKafka();
  await ensureTopics(kafka, [{ topic }]);
  publisher = await testPublisher(kafka);
  mongo = await testMongo(ns.dbName);
  relay = new OutboxRelay({ db: mongo.db, publisher, collections: ['things'], logger, sweepIntervalMs: 60_000 });
  things = new OutboxCollection(mongo.db, 'things', relay);
  const consumer = kafka.consumer({ groupId: ns.group('tail') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void records.push(message) });
  cleanups.push(
    () => consumer.disconnect(),
    () => publisher.close(),
    () => mongo.drop(),
    () => relay.stop(),
  );
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('OutboxCollection', () => {
  it('publishes an insert once and leaves no mark; a duplicate insert writes, marks and emits nothing', async () => {
    expect(await things.insert({ _id: 'a', version: 1 }, [event('a', 'created')])).toBe('inserted');
    expect(await things.insert({ _id: 'a', version: 1 }, [event('a', 'created-again')])).toBe('exists');
    expect(await settled('a')).toEqual(['created']);
    await waitFor(async () => (await marks()) === 0 || undefined, { what: 'no marks' });
  });

  it('refuses an update at a stale version without a mark or an event', async () => {
    await things.insert({ _id: 'b', version: 1 }, [event('b', 'created')]);
    expect(await things.updateIfVersion('b', 7, { $set: { version: 8 } }, [event('b', 'stale')])).toBe(false);
    expect(await things.updateIfVersion('b', 1, { $set: { version: 2 } }, [event('b', 'updated')])).toBe(true);
    expect(await settled('b')).toEqual(['created', 'updated']);
    await waitFor(async () => (await marks()) === 0 || undefined, { what: 'no marks' });
  });

  it('leaves no mark for an attempt of a read-modify-write that lost its race, and emits only the write that landed', async () => {
    let attempts = 0;
    const result = await things.modify('c', async (document) => {
      attempts++;
      if (attempts === 1) {
        // Another writer creates the document between this attempt's read and its insert.
        await things.collection.insertOne({ _id: 'c', version: 1 });
        return { insert: { version: 1 }, events: [event('c', 'lost')], result: 'lost' };
      }
      return { update: { $set: { version: document!.version + 1 } }, events: [event('c', 'won')], result: 'won' };
    });
    expect(attempts).toBe(2);
    expect(result).toBe('won');
    expect(await settled('c')).toEqual(['won']);
    await waitFor(async () => (await marks()) === 0 || undefined, { what: 'no marks' });
    expect((await things.findOne({ _id: 'c' }))?.version).toBe(2);
  });
});
