/**
 * Bare-stack floors on this machine, measured in one run: what grpc-js, FerretDB (through
 * the official driver) and kafkajs manage with no pinzhi code in the path. Later benchmarks
 * report their results as ratios against these numbers, measured in the same run.
 *
 *   pnpm bench:baseline            (brings the local stack up if needed)
 *   BENCH_SECONDS=10 pnpm bench:baseline
 *
 * Prints a table and writes test/bench/results/baseline.json.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Server, ServerCredentials, credentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { DiagnosticsServiceClient, DiagnosticsServiceService, type EchoRequest, type EchoResponse } from '@pinzhi/contracts/pinzhi/diagnostics/v1/diagnostics';
import { createKafka, createLogger, ensureTopics } from '@pinzhi/platform';
import { CompressionTypes, Partitioners } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { benchSettings, runConcurrently, writeResults, type BenchResult } from './bench-kit.js';

const logger = createLogger('bench', 'warn');
const { seconds, concurrency, brokers, mongoUrl } = benchSettings();
const payload = randomBytes(512).toString('hex'); // 1 KB as a string field
const results: BenchResult[] = [];

async function grpcEcho(): Promise<void> {
  const server = new Server();
  server.addService(DiagnosticsServiceService, {
    echo: (call: ServerUnaryCall<EchoRequest, EchoResponse>, callback: sendUnaryData<EchoResponse>) =>
      callback(null, { message: call.request.message, callerRole: '', callerOrg: '' }),
    adminEcho: (call: ServerUnaryCall<EchoRequest, EchoResponse>, callback: sendUnaryData<EchoResponse>) =>
      callback(null, { message: call.request.message, callerRole: '', callerOrg: '' }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const client = new DiagnosticsServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const echo = () => new Promise<void>((resolve, reject) => client.echo({ message: 'ping' }, (e) => (e ? reject(e) : resolve())));
  await runConcurrently(echo, { seconds: 1, concurrency }); // warm-up
  const { opsPerSecond, p50, p99, ops } = await runConcurrently(echo, { seconds, concurrency });
  results.push({ name: 'grpc.unary_echo', unit: 'requests/s', value: opsPerSecond, p50Ms: p50, p99Ms: p99, ops, concurrency });
  client.close();
  server.forceShutdown();
}

async function mongoWrites(): Promise<void> {
  const client = new MongoClient(mongoUrl);
  await client.connect();
  const db = client.db(`bench_${randomUUID().slice(0, 8)}`);
  try {
    const inserts = db.collection('inserts');
    const insert = async () => void (await inserts.insertOne({ payload, at: new Date() }));
    await runConcurrently(insert, { seconds: 1, concurrency });
    let r = await runConcurrently(insert, { seconds, concurrency });
    results.push({ name: 'mongo.insert_one', unit: 'docs/s', value: r.opsPerSecond, p50Ms: r.p50, p99Ms: r.p99, ops: r.ops, concurrency });

    const upserts = db.collection<{ _id: string }>('upserts');
    let n = 0;
    const upsert = async () => {
      const id = `doc-${n++ % 10_000}`;
      await upserts.updateOne({ _id: id }, { $set: { payload, at: new Date() }, $inc: { version: 1 } }, { upsert: true });
    };
    await runConcurrently(upsert, { seconds: 1, concurrency });
    r = await runConcurrently(upsert, { seconds, concurrency });
    results.push({ name: 'mongo.update_one_upsert', unit: 'docs/s', value: r.opsPerSecond, p50Ms: r.p50, p99Ms: r.p99, ops: r.ops, concurrency });

    const many = db.collection('many');
    const batch = () => Array.from({ length: 1000 }, (_, i) => ({ payload, i }));
    const insertMany = async () => void (await many.insertMany(batch(), { ordered: false }));
    r = await runConcurrently(insertMany, { seconds, concurrency: 1 });
    results.push({
      name: 'mongo.insert_many_1000',
      unit: 'docs/s',
      value: r.opsPerSecond * 1000,
      p50Ms: r.p50,
      p99Ms: r.p99,
      ops: r.ops * 1000,
      concurrency: 1,
    });
  } finally {
    await db.dropDatabase();
    await client.close();
  }
}

async function kafkaThroughput(): Promise<void> {
  const kafka = createKafka({ brokers, clientId: 'bench', logger });
  const topic = `pinzhi.bench-${randomUUID().slice(0, 8)}.records.v1`;
  await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const value = Buffer.from(payload);
  const batchSize = 500;
  let key = 0;
  const sendBatch = async () => {
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: Array.from({ length: batchSize }, () => ({ key: `k${key++ % 1000}`, value })),
    });
  };
  const r = await runConcurrently(sendBatch, { seconds, concurrency: 4 });
  const produced = r.ops * batchSize;
  results.push({ name: 'kafka.produce_batched_acks_all', unit: 'messages/s', value: produced / r.elapsedSeconds, ops: produced, concurrency: 4 });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  let first = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        consumed += batch.messages.length;
        if (consumed >= produced) resolve(performance.now());
      },
    });
  });
  const last = await done;
  results.push({ name: 'kafka.consume', unit: 'messages/s', value: consumed / ((last - first) / 1000), ops: consumed, concurrency: 1 });
  await consumer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}

await grpcEcho();
await mongoWrites();
await kafkaThroughput();
writeResults('baseline', results, { seconds, concurrency });
process.exit(0);
