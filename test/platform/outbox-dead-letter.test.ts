import {
  ensureTopics,
  InvalidArgumentError,
  listOutboxDeadLetters,
  OUTBOX_DEAD_LETTERS,
  OUTBOX_PENDING,
  OutboxCollection,
  outboxEntry,
  OutboxRelay,
  type EventPublisher,
  type NewOutboxEntry,
  type OutboxEntry,
} from '@pinzhi/platform';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger, namespace, testKafka, testMongo, testPublisher, waitFor } from '../support/harness.js';

const ns = namespace('outbox-dead-letter');
const topic = ns.topic('parcels');
let kafka: Kafka;
let publisher: EventPublisher;
let mongo: Awaited<ReturnType<typeof testMongo>>;
const records: KafkaMessage[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

const event = (key: string, bytes = 16): NewOutboxEntry => ({ topic, key, source: '/test', type: 'pinzhi.test.parcel.sent.v1', data: new Uint8Array(bytes) });
/** An entry as a write made before the size check existed would have stored it. */
const unchecked = (key: string, bytes: number): OutboxEntry => outboxEntry(event(key, bytes), Number.POSITIVE_INFINITY);
const keys = () => records.map((r) => r.key?.toString());

/** Writes documents with pending entries straight into the collection, as a crashed writer would have left them. */
async function leave(collection: string, documents: Array<{ _id: string; _outbox: OutboxEntry[] }>, relay: OutboxRelay) {
  await mongo.db.collection<{ _id: string }>(collection).insertMany(documents);
  for (const d of documents) await relay.beforeWrite(collection, d._id, d._outbox);
}

const relayFor = (collection: string, over: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) =>
  new OutboxRelay({ db: mongo.db, publisher, collections: [collection], logger, sweepIntervalMs: 60_000, sweepMinAgeMs: 0, ...over });

beforeAll(async () => {
  kafka = testKafka();
  await ensureTopics(kafka, [{ topic }]);
  publisher = await testPublisher(kafka);
  mongo = await testMongo(ns.dbName);
  const consumer = kafka.consumer({ groupId: ns.group('tail') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void records.push(message) });
  cleanups.push(
    () => consumer.disconnect(),
    () => publisher.close(),
    () => mongo.drop(),
  );
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('an oversized event', () => {
  it('is refused with the request that causes it, before anything is written', async () => {
    const relay = relayFor('refused');
    const things = new OutboxCollection(mongo.db, 'refused', relay);
    // A 1 MiB text field carried into the event's payload.
    const error = await things.insert({ _id: 'big', version: 1 }, [event('big', 1024 * 1024)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/too large: its pinzhi\.test\.parcel\.sent\.v1 event would be \d+ bytes, more than the 900000/);
    expect(await mongo.db.collection('refused').countDocuments()).toBe(0);
    expect(await mongo.db.collection(OUTBOX_PENDING).countDocuments({ collection: 'refused' })).toBe(0);
    // Within the limit it is written as before.
    expect(await things.insert({ _id: 'fits', version: 1 }, [event('fits', 800_000)])).toBe('inserted');
    await relay.stop();
  });

  it('left pending by an older write is dead-lettered by one sweep while the others are published', async () => {
    const relay = relayFor('parcels');
    const big = unchecked('p-big', 1_100_000);
    await leave(
      'parcels',
      [
        { _id: 'p1', _outbox: [unchecked('p1', 16)] },
        // The big entry shares its document with two normal ones, before and after it.
        { _id: 'p-mixed', _outbox: [unchecked('p-mixed-before', 16), big, unchecked('p-mixed-after', 16)] },
        { _id: 'p2', _outbox: [unchecked('p2', 16)] },
        { _id: 'p3', _outbox: [unchecked('p3', 16)] },
      ],
      relay,
    );

    expect(await relay.sweep()).toBe(5);

    await waitFor(() => keys().filter((k) => k?.startsWith('p')).length >= 5 || undefined, { what: 'the five normal events' });
    expect(
      keys()
        .filter((k) => k?.startsWith('p'))
        .sort(),
    ).toEqual(['p-mixed-after', 'p-mixed-before', 'p1', 'p2', 'p3']);
    const parcels = mongo.db.collection('parcels');
    expect(await parcels.countDocuments({ '_outbox.0': { $exists: true } })).toBe(0);
    expect(await mongo.db.collection(OUTBOX_PENDING).countDocuments({ collection: 'parcels' })).toBe(0);
    const letters = await listOutboxDeadLetters(mongo.db);
    expect(letters).toEqual([
      expect.objectContaining({
        _id: big.id,
        collection: 'parcels',
        documentId: 'p-mixed',
        reason: 'Kafka refused the record for good',
        error: expect.objectContaining({ name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE' }),
      }),
    ]);
    // The payload is kept for whoever decides what to do with it.
    const stored = await mongo.db.collection(OUTBOX_DEAD_LETTERS).findOne({ _id: big.id as never });
    expect(stored?.entry.data.length()).toBe(1_100_000);
    // The next sweep finds nothing left to do.
    expect(await relay.sweep()).toBe(0);
    await relay.stop();
  });

  it('that cannot even be encoded is dead-lettered without holding the others back', async () => {
    const relay = relayFor('crates');
    const broken = { ...unchecked('c-broken', 16), key: 42 } as unknown as OutboxEntry;
    await leave(
      'crates',
      [
        { _id: 'c1', _outbox: [unchecked('c1', 16), broken] },
        { _id: 'c2', _outbox: [unchecked('c2', 16)] },
      ],
      relay,
    );
    expect(await relay.sweep()).toBe(2);
    await waitFor(() => (keys().includes('c1') && keys().includes('c2')) || undefined, { what: 'c1 and c2' });
    expect(await mongo.db.collection('crates').countDocuments({ '_outbox.0': { $exists: true } })).toBe(0);
    expect(await mongo.db.collection(OUTBOX_DEAD_LETTERS).findOne({ _id: broken.id as never })).toMatchObject({
      reason: 'the entry cannot be encoded as a Kafka record',
      error: { name: 'OutboxEncodingError' },
    });
    await relay.stop();
  });
});

describe('a broker outage', () => {
  it('leaves every entry pending and dead-letters nothing', async () => {
    const down: EventPublisher = {
      publish: () =>
        Promise.reject(Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError', retriable: true })),
      send: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const relay = relayFor('boxes', { publisher: down });
    await leave(
      'boxes',
      [
        { _id: 'b1', _outbox: [unchecked('b1', 16), unchecked('b1-big', 1_100_000)] },
        { _id: 'b2', _outbox: [unchecked('b2', 16)] },
      ],
      relay,
    );
    await expect(relay.sweep()).rejects.toMatchObject({ name: 'KafkaJSConnectionError' });
    expect(await mongo.db.collection('boxes').countDocuments({ '_outbox.0': { $exists: true } })).toBe(2);
    expect(await mongo.db.collection(OUTBOX_PENDING).countDocuments({ collection: 'boxes' })).toBe(2);
    expect(await mongo.db.collection(OUTBOX_DEAD_LETTERS).countDocuments({ collection: 'boxes' })).toBe(0);
    await relay.stop();
  });
});
