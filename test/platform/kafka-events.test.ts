import { context, trace } from '@opentelemetry/api';
import {
  dlqHeaders,
  dlqTopicOf,
  ensureTopics,
  InvalidArgumentError,
  mongoProcessedEvents,
  newCloudEvent,
  OutboxRelay,
  outboxEntry,
  pushOutbox,
  startEventConsumer,
  UnavailableError,
  type CloudEvent,
  type EventPublisher,
  type RunningConsumer,
} from '@pinzhi/platform';
import { startTelemetry } from '@pinzhi/platform/telemetry';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger, namespace, testKafka, testMongo, testPublisher, waitFor } from '../support/harness.js';

startTelemetry({ serviceName: 'pinzhi-test' });

let kafka: Kafka;
let publisher: EventPublisher;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  kafka = testKafka();
  publisher = await testPublisher(kafka);
  cleanups.push(() => publisher.close());
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** Reads a topic from the beginning with a throwaway group and keeps every record. */
async function tail(topic: string, group: string) {
  const records: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId: group });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void records.push(message) });
  cleanups.push(() => consumer.disconnect());
  return records;
}

describe('CloudEvents over the real Kafka', () => {
  it('keeps the ce_ headers, the key and the trace id from producer to consumer', async () => {
    const ns = namespace('roundtrip');
    const topic = ns.topic('things');
    await ensureTopics(kafka, [{ topic }]);
    const mongo = await testMongo(ns.dbName);
    cleanups.push(() => mongo.drop());

    const received: Array<{ event: CloudEvent; key?: string; traceId?: string }> = [];
    const consumer = await startEventConsumer({
      kafka,
      groupId: ns.group('roundtrip'),
      topics: [topic],
      fromBeginning: true,
      processed: mongoProcessedEvents(mongo.db),
      publisher,
      logger,
      handle: async (event, record) => {
        received.push({ event, key: record.key, traceId: trace.getActiveSpan()?.spanContext().traceId });
      },
    });
    cleanups.push(() => consumer.stop());

    const span = trace.getTracer('test').startSpan('issue grade');
    const sentTraceId = span.spanContext().traceId;
    const event = context.with(trace.setSpan(context.active(), span), () =>
      newCloudEvent({
        source: '/pinzhi/test',
        type: 'pinzhi.test.thing.created.v1',
        subject: 'things/42',
        data: Buffer.from([8, 42]),
      }),
    );
    await context.with(trace.setSpan(context.active(), span), () => publisher.publish([{ topic, key: 'thing-42', event }]));
    span.end();

    const got = await waitFor(() => received[0], { what: 'the event' });
    expect(got.key).toBe('thing-42');
    expect(got.event).toMatchObject({
      id: event.id,
      source: '/pinzhi/test',
      type: 'pinzhi.test.thing.created.v1',
      subject: 'things/42',
      dataContentType: 'application/protobuf',
    });
    expect(got.event.time.toISOString()).toBe(event.time.toISOString());
    expect([...got.event.data]).toEqual([8, 42]);
    expect(got.event.traceparent).toMatch(new RegExp(`^00-${sentTraceId}-[0-9a-f]{16}-0[01]$`));
    expect(got.traceId).toBe(sentTraceId);
  });
});

describe('embedded outbox', () => {
  it('publishes an entry a crash left pending, once per ce_id even when published twice', async () => {
    const ns = namespace('outbox');
    const topic = ns.topic('orders');
    await ensureTopics(kafka, [{ topic }]);
    const mongo = await testMongo(ns.dbName);
    cleanups.push(() => mongo.drop());
    const orders = mongo.db.collection<{ _id: string; status: string }>('orders');

    const relay = new OutboxRelay({
      db: mongo.db,
      publisher,
      collections: ['orders'],
      logger,
      sweepIntervalMs: 60_000,
      sweepMinAgeMs: 0,
    });
    // The state change and its event in one single-document write (marked first, as every
    // writer does), then a "crash": the writer never calls publishAfterWrite.
    const entry = outboxEntry({
      topic,
      key: 'order-1',
      source: '/pinzhi/test',
      type: 'pinzhi.test.order.placed.v1',
      subject: 'orders/order-1',
      data: Buffer.from('placed'),
    });
    await relay.beforeWrite('orders', 'order-1', [entry]);
    await orders.updateOne({ _id: 'order-1' }, { $set: { status: 'PLACED' }, ...pushOutbox([entry]) }, { upsert: true });
    expect((await orders.findOne({ _id: 'order-1' }))?.status).toBe('PLACED');

    const handled: string[] = [];
    const consumer = await startEventConsumer({
      kafka,
      groupId: ns.group('orders'),
      topics: [topic],
      fromBeginning: true,
      processed: mongoProcessedEvents(mongo.db),
      publisher,
      logger,
      handle: async (event) => void handled.push(event.id),
    });
    cleanups.push(() => consumer.stop());
    const raw = await tail(topic, ns.group('raw'));

    expect(await relay.sweep()).toBe(1);
    expect(await mongo.db.collection('orders').findOne({ _id: 'order-1' as never })).not.toHaveProperty(['_outbox', 0]);
    expect(await relay.sweep()).toBe(0);

    // A relay that died after publishing but before clearing the entry publishes it again.
    await publisher.publish([
      { topic, key: 'order-1', event: { ...newCloudEvent({ source: '/pinzhi/test', type: entry.type, data: Buffer.from('placed') }), id: entry.id } },
    ]);

    await waitFor(() => raw.length >= 2 || undefined, { what: 'both copies on the topic' });
    await waitFor(() => handled.length >= 1 || undefined, { what: 'the consumer' });
    // Sentinel: the order's next event, written through the same path (mark, write, publish
    // after the write) with the same key, so on the same partition after both copies. Once the
    // consumer has handled it, it has seen the duplicate too, and skipped it.
    const next = outboxEntry({
      topic,
      key: 'order-1',
      source: '/pinzhi/test',
      type: 'pinzhi.test.order.shipped.v1',
      subject: 'orders/order-1',
      data: Buffer.from('shipped'),
    });
    await relay.beforeWrite('orders', 'order-1', [next]);
    await orders.updateOne({ _id: 'order-1' }, { $set: { status: 'SHIPPED' }, ...pushOutbox([next]) });
    await relay.publishAfterWrite('orders', 'order-1', [next]);
    await waitFor(() => handled.includes(next.id) || undefined, { what: 'the next event of the order' });
    await waitFor(() => raw.some((m) => m.headers?.ce_id?.toString() === next.id) || undefined, { what: 'the next event on the topic' });
    expect(handled).toEqual([entry.id, next.id]);
    expect(raw.map((m) => m.headers?.ce_id?.toString())).toEqual([entry.id, entry.id, next.id]);
  });
});

describe('outbox relay in bulk', () => {
  it('publishes and clears hundreds of pending documents, and writes that finish together', async () => {
    const ns = namespace('outbox-bulk');
    const topic = ns.topic('parcels');
    await ensureTopics(kafka, [{ topic }]);
    const mongo = await testMongo(ns.dbName);
    cleanups.push(() => mongo.drop());
    const parcels = mongo.db.collection<{ _id: string }>('parcels');
    const entryFor = (id: string) =>
      outboxEntry({ topic, key: id, source: '/pinzhi/test', type: 'pinzhi.test.parcel.sent.v1', subject: `parcels/${id}`, data: Buffer.from(id) });
    const raw = await tail(topic, ns.group('raw'));
    const relay = new OutboxRelay({ db: mongo.db, publisher, collections: ['parcels'], logger, sweepIntervalMs: 60_000, sweepMinAgeMs: 0 });

    // 300 documents left pending: one sweep (FerretDB hung on one update command of ~100
    // statements before the relay split its clears).
    const left = Array.from({ length: 300 }, (_, i) => ({ _id: `p${i}`, _outbox: [entryFor(`p${i}`)] }));
    await Promise.all(left.map((d) => relay.beforeWrite('parcels', d._id, d._outbox)));
    await parcels.insertMany(left);
    expect(await parcels.countDocuments({ '_outbox.0': { $exists: true } })).toBe(300);
    expect(await relay.sweep()).toBe(300);
    expect(await parcels.countDocuments({ '_outbox.0': { $exists: true } })).toBe(0);
    expect(await mongo.db.collection('outbox_pending').countDocuments()).toBe(0);

    // 40 writes finishing at once, published right after their writes.
    const written = Array.from({ length: 40 }, (_, i) => ({ _id: `q${i}`, _outbox: [entryFor(`q${i}`)] }));
    await Promise.all(written.map((d) => relay.beforeWrite('parcels', d._id, d._outbox)));
    await parcels.insertMany(written);
    await Promise.all(written.map((d) => relay.publishAfterWrite('parcels', d._id, d._outbox)));
    expect(await parcels.countDocuments({ '_outbox.0': { $exists: true } })).toBe(0);
    expect(await mongo.db.collection('outbox_pending').countDocuments()).toBe(0);
    await waitFor(() => raw.length >= 340 || undefined, { what: 'all 340 events on the topic' });
    expect(new Set(raw.map((m) => m.key?.toString())).size).toBe(340);
  });
});

describe('outbox marks', () => {
  it('keeps the mark of a write still running, sweeps it once the write lands, drops an abandoned one', async () => {
    const ns = namespace('outbox-marks');
    const topic = ns.topic('letters');
    await ensureTopics(kafka, [{ topic }]);
    const mongo = await testMongo(ns.dbName);
    cleanups.push(() => mongo.drop());
    const marks = mongo.db.collection<{ _id: string; at: Date }>('outbox_pending');
    const relay = new OutboxRelay({ db: mongo.db, publisher, collections: ['letters'], logger, sweepIntervalMs: 60_000, sweepMinAgeMs: 0 });
    const entry = outboxEntry({ topic, key: 'l1', source: '/pinzhi/test', type: 'pinzhi.test.letter.sent.v1', data: Buffer.from('l1') });

    // Marked, but the write has not landed yet: the sweep must not forget it.
    await relay.beforeWrite('letters', 'l1', [entry]);
    expect(await relay.sweep()).toBe(0);
    expect(await marks.countDocuments()).toBe(1);
    await mongo.db.collection<{ _id: string }>('letters').insertOne({ _id: 'l1', ...{ _outbox: [entry] } });
    expect(await relay.sweep()).toBe(1);
    expect(await marks.countDocuments()).toBe(0);

    // A write that never happened (say, a lost version race) leaves a mark that goes after a minute.
    await marks.insertOne({ _id: 'gone', collection: 'letters', documentId: 'l2', at: new Date(Date.now() - 61_000) } as never);
    await marks.insertOne({ _id: 'other-service', collection: 'parcels', documentId: 'p1', at: new Date(0) } as never);
    expect(await relay.sweep()).toBe(0);
    expect((await marks.find().toArray()).map((m) => m._id)).toEqual(['other-service']);
  });
});

describe('dead-letter topic', () => {
  it('sends poison records to <topic>.dlq with the reason and keeps consuming', async () => {
    const ns = namespace('dlq');
    const topic = ns.topic('samples');
    await ensureTopics(kafka, [
      { topic, numPartitions: 1 },
      { topic: dlqTopicOf(topic), numPartitions: 1 },
    ]);
    const mongo = await testMongo(ns.dbName);
    cleanups.push(() => mongo.drop());

    const handled: string[] = [];
    let transientFailures = 0;
    const consumer: RunningConsumer = await startEventConsumer({
      kafka,
      groupId: ns.group('samples'),
      topics: [topic],
      fromBeginning: true,
      processed: mongoProcessedEvents(mongo.db),
      publisher,
      logger,
      retryBackoffMs: 10,
      handle: async (event) => {
        const body = Buffer.from(event.data).toString();
        if (body === 'bad-value') throw new InvalidArgumentError('measured value is not a number');
        if (body === 'flaky' && transientFailures++ < 2) throw new UnavailableError('database briefly down');
        handled.push(body);
      },
    });
    cleanups.push(() => consumer.stop());
    const dlq = await tail(dlqTopicOf(topic), ns.group('dlq-reader'));

    const valid = (body: string) => newCloudEvent({ source: '/pinzhi/test', type: 'pinzhi.test.sample.v1', data: Buffer.from(body) });
    // 1. not a CloudEvent at all; 2. a handler that rejects it for good; 3. a transient
    // failure that succeeds on retry; 4. a normal record after all of them.
    await publisher.send([{ topic, messages: [{ key: 's1', value: 'no headers here' }] }]);
    await publisher.publish([
      { topic, key: 's2', event: valid('bad-value') },
      { topic, key: 's3', event: valid('flaky') },
      { topic, key: 's4', event: valid('good') },
    ]);

    await waitFor(() => (handled.includes('good') ? true : undefined), { what: 'the record after the poison ones' });
    expect(handled).toEqual(['flaky', 'good']);
    await waitFor(() => dlq.length >= 2 || undefined, { what: 'two dead letters' });
    const reasons = dlq.map((m) => m.headers?.[dlqHeaders.error]?.toString());
    expect(reasons).toEqual(['the record has no ce_specversion header', 'measured value is not a number']);
    expect(dlq.map((m) => m.headers?.[dlqHeaders.errorType]?.toString())).toEqual(['MalformedEventError', 'InvalidArgumentError']);
    expect(dlq[0]?.value?.toString()).toBe('no headers here');
    expect(dlq[1]?.headers?.[dlqHeaders.topic]?.toString()).toBe(topic);
  });
});

describe('records of different keys at once (keysAtOnce)', () => {
  it('keeps each key in order, handles keys together, and delivers the batch again when one fails', async () => {
    const ns = namespace('keyed');
    const topic = ns.topic('changes');
    await ensureTopics(kafka, [
      { topic, numPartitions: 1 },
      { topic: dlqTopicOf(topic), numPartitions: 1 },
    ]);
    // Published before the consumer starts, so they arrive as one batch.
    const event = (body: string) => newCloudEvent({ source: '/pinzhi/test', type: 'pinzhi.test.change.v1', data: Buffer.from(body) });
    await publisher.publish(['a', 'b', 'c', 'd'].flatMap((key) => Array.from({ length: 5 }, (_, i) => ({ topic, key, event: event(`${key}${i}`) }))));
    const seen: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    let failedOnce = false;
    const consumer: RunningConsumer = await startEventConsumer({
      kafka,
      groupId: ns.group('changes'),
      topics: [topic],
      fromBeginning: true,
      keysAtOnce: true,
      maxAttempts: 1,
      publisher,
      logger,
      handle: async (e) => {
        const body = Buffer.from(e.data).toString();
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        // One retriable failure, after its key's earlier records: the batch comes again.
        if (body === 'c2' && !failedOnce) {
          failedOnce = true;
          throw new UnavailableError('store briefly down');
        }
        seen.push(body);
      },
    });
    cleanups.push(() => consumer.stop());
    await waitFor(() => (['a4', 'b4', 'c4', 'd4'].every((b) => seen.includes(b)) ? true : undefined), { what: 'every key handled to its end' });
    expect(failedOnce).toBe(true);
    expect(mostAtOnce).toBeGreaterThan(1);
    for (const key of ['a', 'b', 'c', 'd']) {
      const mine = seen.filter((b) => b.startsWith(key));
      // In order each time through; the batch sent again repeats what came before the failure.
      const last = mine.lastIndexOf(`${key}0`);
      expect(mine.slice(last)).toEqual([0, 1, 2, 3, 4].map((i) => `${key}${i}`));
    }
  });
});
