/**
 * Grading benchmarks, each compared with a bare-stack floor measured in the same run:
 *   engine             evaluations/s of a 10-indicator standard on one core (target ≥ 200 000)
 *   IssueGrade         requests/s at 16 concurrent clients vs bare updateOne upserts (target ratio ≥ 0.5)
 *                      and vs the same storage work one issue needs, done with the bare driver
 *   IssueGrades        grades/s of the client-streaming bulk RPC vs bare insertMany (target ratio ≥ 0.7)
 *   event latency      IssueGrade reply → event received by a Kafka subscriber, at half the
 *                      peak IssueGrade rate (target p99 ≤ 500 ms)
 *   RSS                resident memory of the grading process under that load (target ≤ 200 MB)
 *   outbox sweep       one sweep (reads the outbox_pending marks) vs scanning the grades for
 *                      pending entries, as a sweep without marks would
 *
 *   pnpm bench:grading            (builds, brings the local stack up if needed)
 *
 * The grading service runs as its own process (node dist/main.js), as in production.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Metadata, makeGenericClientConstructor, credentials, type Client } from '@grpc/grpc-js';
import type { Standard } from '@pinzhi/catalogue-reader';
import { GradingServiceService, IssueGradeRequest, IssueGradesRequest, type IssueGradesResponse } from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { consumerLagReader, createEventPublisher, createKafka, createLogger, createUnaryClient, OutboxRelay, signToken, startService } from '@pinzhi/platform';
import { MongoClient } from 'mongodb';
import { collectionOf, loadSeeds } from '@pinzhi/catalogue/testing';
import { catalogueStreams, gradeStream } from '@pinzhi/events';
import { compileStandard, gradingService, superiorMeasurements } from '@pinzhi/grading/testing';
import {
  benchSettings,
  commandCountingEnv,
  countCommands,
  perOperation,
  percentile,
  round,
  runConcurrently,
  spawnService,
  waitUntilServing,
  writeResults,
  type BenchResult,
} from './bench-kit.js';

const logger = createLogger('bench', 'warn');
const { seconds, concurrency, brokers, mongoUrl } = benchSettings();
const results: BenchResult[] = [];
const jwt = { secret: 'bench-secret-bench-secret-bench-secret', issuer: 'pinzhi', audience: 'pinzhi' };
/** Synthetic down jackets (copies of a seeded one), so concurrent clients grade different products. */
const PRODUCTS = Array.from({ length: 256 }, (_, i) => {
  const body = `0695000${String(i).padStart(6, '0')}`;
  let sum = 0;
  for (let k = 0; k < body.length; k++) sum += Number(body[body.length - 1 - k]) * (k % 2 === 0 ? 3 : 1);
  return body + ((10 - (sum % 10)) % 10);
});
const STANDARD = 'GB/T 14272-2021';

// ---------------------------------------------------------------- engine, one core

function engineBench(): void {
  console.error('[bench] engine');
  const standard: Standard = {
    code: 'T/BENCH 001-2026',
    title: 'Ten indicators',
    purpose: 'grading',
    categories: ['footwear'],
    gradeLevels: ['SUPERIOR', 'FIRST', 'QUALIFIED'],
    defaultDecisionRule: 'guarded',
    indicators: Array.from({ length: 10 }, (_, i) => ({
      id: `indicator-${i}`,
      name: `Indicator ${i}`,
      unit: 'N',
      direction: i % 2 === 0 ? ('higher-is-better' as const) : ('lower-is-better' as const),
      testMethod: 'bench',
      limits:
        i % 2 === 0
          ? {
              SUPERIOR: { min: 90, source: 'b', verified: false },
              FIRST: { min: 80, source: 'b', verified: false },
              QUALIFIED: { min: 70, source: 'b', verified: false },
            }
          : {
              SUPERIOR: { max: 10, source: 'b', verified: false },
              FIRST: { max: 20, source: 'b', verified: false },
              QUALIFIED: { max: 30, source: 'b', verified: false },
            },
    })),
  };
  const compiled = compileStandard(standard);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.violations));
  const evaluator = compiled.value;
  const reports = Array.from({ length: 64 }, (_, n) => ({
    laboratoryCnasNumber: 'CNAS L0192',
    reportNumber: `R${n}`,
    sampleId: 'S',
    testedOn: '2026-11-20',
    measurements: Object.fromEntries(
      standard.indicators.map((ind, i) => [ind.id, { value: i % 2 === 0 ? 70 + ((n * 7 + i) % 30) : (n * 3 + i) % 30, uncertainty: 0.5 }]),
    ),
  }));
  const product = { category: 'footwear' as const };
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) evaluator.grade({ product, report: reports[count++ % reports.length]! });
  }
  const perSecond = count / ((performance.now() - start) / 1000);
  results.push({
    name: 'grading.engine_evaluations',
    unit: 'evaluations/s',
    value: perSecond,
    ops: count,
    concurrency: 1,
    ratio: perSecond / 200_000,
    floor: 'target 200 000/s',
  });
}

// ---------------------------------------------------------------- service

const measurements = (seed: number) => superiorMeasurements({ 'down-cluster-content': String(80 + (seed % 15)) });

let reportSeq = 0;
const issueRequest = () => {
  const n = reportSeq++;
  return IssueGradeRequest.fromPartial({
    product: `products/${PRODUCTS[n % PRODUCTS.length]}`,
    standardCode: STANDARD,
    report: {
      laboratoryCnasNumber: 'CNAS L99501',
      reportNumber: `B-${randomUUID()}`,
      sampleId: `S-${n}`,
      testedOn: '2026-11-20',
      measurements: measurements(n),
    },
  });
};

/** A client for IssueGrades (client streaming, which the unary client does not cover). */
function issueGradesClient(address: string, metadata: Metadata) {
  const Constructor = makeGenericClientConstructor(GradingServiceService as never, 'grading');
  const raw = new Constructor(address, credentials.createInsecure()) as Client & Record<string, (...a: unknown[]) => any>;
  return {
    /** One IssueGrades call with these items; fails when any item fails. */
    issue: (items: IssueGradeRequest[]) =>
      new Promise<void>((resolve, reject) => {
        const stream = raw.issueGrades(metadata, (error: Error | null, r: IssueGradesResponse) => {
          if (error) return reject(error);
          const failed = r.results.filter((x) => x.errorCode);
          return failed.length > 0 ? reject(new Error(`${failed.length} items failed: ${failed[0]!.errorMessage}`)) : resolve();
        });
        for (const item of items) stream.write(IssueGradesRequest.fromPartial({ item }));
        stream.end();
      }),
    close: () => raw.close(),
  };
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

async function serviceBench(): Promise<void> {
  const dbName = `bench_grading_${randomUUID().slice(0, 8)}`;
  const mongo = new MongoClient(mongoUrl);
  await mongo.connect();
  const db = mongo.db(dbName);
  const kafka = createKafka({ brokers, clientId: 'bench-grading', logger });
  // Its own topics: a benchmark never touches the ones `npm start` uses.
  const topicPrefix = `bench-${dbName}.`;
  const publisher = await createEventPublisher(kafka, { topicPrefix });
  console.error('[bench] seeding');
  await loadSeeds(db, new OutboxRelay({ db, publisher, collections: Object.values(collectionOf), logger, sweepIntervalMs: 60_000 }), logger);
  const template = await db.collection('products').findOne({ _id: '06934567801012' as never });
  await db
    .collection('products')
    .insertMany(PRODUCTS.map((gtin14) => ({ ...template, _id: gtin14, gtin14, gtin: gtin14.slice(1), twinProductId: undefined })) as never[]);

  const port = 50152;
  const service = spawnService('grading', {
    GRPC_PORT: String(port),
    MONGO_URL: mongoUrl,
    MONGO_DB: dbName,
    KAFKA_BROKERS: brokers.join(','),
    JWT_SECRET: jwt.secret,
    TOPIC_PREFIX: topicPrefix,
  });
  const address = `127.0.0.1:${port}`;
  const client = createUnaryClient(GradingServiceService, address);
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${await signToken(jwt, { subject: 'bench', role: 'certifier', org: 'CNAS C951-P' })}`);
  try {
    await waitUntilServing(() => client.getSigningKeys({}, new Metadata()));
    console.error('[bench] service up; IssueGrade vs updateOne');
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(rssMb(service.pid!)), 250);

    // Floor: bare updateOne upserts of a grade-sized document, same server, same concurrency.
    const floorDoc = { payload: randomBytes(2048).toString('hex'), at: new Date() };
    const floorCollection = db.collection<{ _id: string }>('floor_upserts');
    let f = 0;
    const floor = await runConcurrently(async () => void (await floorCollection.updateOne({ _id: `d-${f++}` }, { $set: floorDoc }, { upsert: true })), {
      seconds,
      concurrency,
    });
    await runConcurrently(async () => void (await client.issueGrade(issueRequest(), metadata)), { seconds: 1, concurrency });
    const issue = await runConcurrently(async () => void (await client.issueGrade(issueRequest(), metadata)), { seconds, concurrency });
    results.push({
      name: 'grading.issue_grade',
      unit: 'requests/s',
      value: issue.opsPerSecond,
      p50Ms: issue.p50,
      p99Ms: issue.p99,
      ops: issue.ops,
      concurrency,
      ratio: issue.opsPerSecond / floor.opsPerSecond,
      floor: `bare updateOne upsert (4 KB): ${Math.round(floor.opsPerSecond)}/s p50 ${floor.p50} ms p99 ${floor.p99} ms`,
    });

    // A second floor: the document work one issue needs (a product read, the mark, the grade
    // insert, the current-grade pointer read and write, the older grade read and superseding
    // write, the outbox clear and the mark removal), done with the bare driver one command at
    // a time, with real documents from the run above, at the same concurrency. The ratio to it
    // is pinzhi's own overhead (gRPC, auth, engine, signing, Kafka, batching) over the storage
    // work the design requires; the ratio to a single upsert also counts that work.
    console.error('[bench] IssueGrade vs the bare storage work of one issue');
    const sample = (await db.collection('grades').findOne({ state: 'issued' })) as unknown as Record<string, unknown>;
    const outbox = [
      { id: 'e1', topic: 't', key: 'k', data: Buffer.alloc(1500) },
      { id: 'e2', topic: 't', key: 'k', data: Buffer.alloc(1500) },
    ];
    const work = db.collection<{ _id: string; state?: string; version?: number; _outbox?: typeof outbox }>('floor_issue_work');
    const marks = db.collection<{ _id: string }>('floor_issue_marks');
    const pointers = db.collection<{ _id: string; gradeId?: string; version?: number }>('floor_issue_pointers');
    let w = 0;
    const storageWork = async () => {
      const n = w++;
      const id = `g-${n}`;
      const product = PRODUCTS[n % PRODUCTS.length]!;
      await db.collection('products').findOne({ _id: product as never });
      await marks.insertOne({ _id: `m-${n}` });
      await work.insertOne({ ...sample, _id: id, _outbox: outbox } as never);
      const pointer = await pointers.findOne({ _id: product });
      if (pointer) await pointers.updateOne({ _id: product }, { $set: { gradeId: id, version: (pointer.version ?? 0) + 1 } });
      else await pointers.insertOne({ _id: product, gradeId: id, version: 1 });
      if (pointer?.gradeId) {
        await work.findOne({ _id: pointer.gradeId });
        await work.updateOne({ _id: pointer.gradeId }, { $set: { state: 'superseded', version: 2 }, $push: { _outbox: outbox[0]! } });
      }
      await work.updateOne({ _id: id }, { $pullAll: { _outbox: outbox } });
      await marks.deleteOne({ _id: `m-${n}` });
    };
    await runConcurrently(storageWork, { seconds: 1, concurrency });
    const bare = await runConcurrently(storageWork, { seconds, concurrency });
    results.push({
      name: 'grading.issue_grade_vs_storage_work',
      unit: 'requests/s',
      value: issue.opsPerSecond,
      p50Ms: issue.p50,
      p99Ms: issue.p99,
      ops: issue.ops,
      concurrency,
      ratio: issue.opsPerSecond / bare.opsPerSecond,
      floor: `bare driver, the storage work of one issue: ${Math.round(bare.opsPerSecond)}/s p50 ${bare.p50} ms p99 ${bare.p99} ms`,
    });

    console.error('[bench] IssueGrades vs insertMany');
    // Bulk: IssueGrades of BATCH items vs insertMany of BATCH grade-sized documents.
    const BATCH = Number(process.env.BENCH_BATCH ?? 50);
    const bulkClient = issueGradesClient(address, metadata);
    const bulk = () => bulkClient.issue(Array.from({ length: BATCH }, issueRequest));
    const manyCollection = db.collection('floor_many');
    const insertMany = async () =>
      void (await manyCollection.insertMany(
        Array.from({ length: BATCH }, () => ({ ...floorDoc })),
        { ordered: false },
      ));
    const manyFloor = await runConcurrently(insertMany, { seconds, concurrency: 1 });
    const bulkRun = await runConcurrently(bulk, { seconds, concurrency: 1 });
    results.push({
      name: 'grading.issue_grades_bulk',
      unit: 'grades/s',
      value: (bulkRun.ops * BATCH) / bulkRun.elapsedSeconds,
      ops: bulkRun.ops * BATCH,
      concurrency: 1,
      ratio: (bulkRun.ops * BATCH) / bulkRun.elapsedSeconds / ((manyFloor.ops * BATCH) / manyFloor.elapsedSeconds),
      floor: `bare insertMany(${BATCH}): ${Math.round((manyFloor.ops * BATCH) / manyFloor.elapsedSeconds)} docs/s`,
    });
    bulkClient.close();

    console.error('[bench] latency at half the peak rate');
    // Latency: reply → event seen by a subscriber, at half the peak IssueGrade rate.
    const replied = new Map<string, number>();
    const arrived = new Map<string, number>();
    const latencies: number[] = [];
    const consumer = kafka.consumer({ groupId: `bench-latency-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${topicPrefix}${gradeStream.topic}`, fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        // The event may arrive before the reply does: keep both times and pair them later.
        if (message.headers?.ce_type?.toString() === 'pinzhi.grading.grade.issued.v1') {
          arrived.set(message.headers?.ce_subject?.toString() ?? '', performance.now());
        }
      },
    });
    await new Promise((r) => setTimeout(r, 4000)); // group join
    const rate = Math.max(1, issue.opsPerSecond / 2);
    const sent: Promise<void>[] = [];
    const startAt = performance.now();
    for (let i = 0; performance.now() - startAt < seconds * 1000; i++) {
      const due = startAt + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sent.push(
        client.issueGrade(issueRequest(), metadata).then((r) => {
          replied.set(r.grade!.name, performance.now());
        }),
      );
    }
    await Promise.all(sent);
    const expected = sent.length;
    for (let i = 0; i < 100 && [...replied.keys()].some((k) => !arrived.has(k)); i++) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    // Negative when the event beat the reply to the client; that counts as zero delay.
    for (const [subject, at] of replied) if (arrived.has(subject)) latencies.push(Math.max(0, arrived.get(subject)! - at));
    const pct = (p: number) => percentile(latencies, p);
    results.push({
      name: 'grading.reply_to_subscriber_latency',
      unit: `events (of ${expected}) at ${round(rate, 1)}/s`,
      value: latencies.length,
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
      ops: latencies.length,
      concurrency: 1,
      ratio: pct(0.99) / 500,
      floor: 'target p99 ≤ 500 ms (ratio = p99 / 500 ms)',
    });
    clearInterval(sampler);
    const peak = Math.max(...rss);
    results.push({
      name: 'grading.service_rss_peak',
      unit: 'MB',
      value: peak,
      ops: rss.length,
      concurrency,
      ratio: peak / 200,
      floor: 'target ≤ 200 MB (ratio = peak / 200 MB)',
    });

    console.error('[bench] outbox sweep');
    // The relay's sweep reads the outbox_pending marks; the floor is the scan an embedded-outbox
    // sweep would need without them (FerretDB uses no index for it), over the grades stored above.
    const grades = await db.collection('grades').countDocuments();
    const relay = new OutboxRelay({ db, publisher, collections: ['grades'], logger, sweepIntervalMs: 60_000 });
    const sweep = await runConcurrently(async () => void (await relay.sweep()), { seconds: 2, concurrency: 1 });
    const scan = await runConcurrently(
      async () =>
        void (await db
          .collection('grades')
          .find({ '_outbox.time': { $lte: new Date() } }, { projection: { _outbox: 1 } })
          .limit(500)
          .toArray()),
      { seconds: 1, concurrency: 1 },
    );
    results.push({
      name: 'grading.outbox_sweep',
      unit: `ms per sweep (${grades} grades)`,
      value: sweep.p50,
      p50Ms: sweep.p50,
      p99Ms: sweep.p99,
      ops: sweep.ops,
      concurrency: 1,
      ratio: sweep.p50 / scan.p50,
      floor: `scan of the grades for pending entries: p50 ${scan.p50} ms (ratio = sweep / scan)`,
    });
  } finally {
    client.close();
    service.kill('SIGTERM');
    await new Promise((r) => service.once('exit', r));
    await publisher.close();
    await db.dropDatabase();
    await mongo.close();
  }
}

/**
 * Storage commands per IssueGrade, counted with the driver's command monitoring on an
 * in-process instance: everything one issue causes (the request, the relay's publish and
 * clear, grading's own consumer converging it and projecting the state record), with a first
 * grade per product and with a second that supersedes it; and per item of one IssueGrades.
 */
async function commandBench(): Promise<void> {
  const COUNTED = 20;
  // Of the 256 PRODUCTS the rounds below grade 0-19, 64-127 and 128-227, so a first grade is a product's first.
  const dbName = `bench_grading_cmd_${randomUUID().slice(0, 8)}`;
  const topicPrefix = `bench-${dbName}.`;
  const mongo = new MongoClient(mongoUrl);
  await mongo.connect();
  const db = mongo.db(dbName);
  const kafka = createKafka({ brokers, clientId: 'bench-grading-commands', logger });
  const publisher = await createEventPublisher(kafka, { topicPrefix });
  await loadSeeds(db, new OutboxRelay({ db, publisher, collections: Object.values(collectionOf), logger, sweepIntervalMs: 60_000 }), logger);
  const template = await db.collection('products').findOne({ _id: '06934567801012' as never });
  await db
    .collection('products')
    .insertMany(PRODUCTS.map((gtin14) => ({ ...template, _id: gtin14, gtin14, gtin: gtin14.slice(1), twinProductId: undefined })) as never[]);
  const counting = await startService(gradingService, {
    env: commandCountingEnv(dbName, jwt.secret),
    namePrefix: topicPrefix,
    logger,
  });
  const client = createUnaryClient(GradingServiceService, counting.address);
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${await signToken(jwt, { subject: 'bench', role: 'certifier', org: 'CNAS C951-P' })}`);
  try {
    await counting.consumersReady;
    const pending = db.collection('outbox_pending');
    // Every consumer of the service has committed every record (the seeds' catalogue events
    // too, so they are not counted below), and every outbox mark is cleared.
    const lag = consumerLagReader(kafka, [
      { group: `${topicPrefix}grading-convergence`, topic: `${topicPrefix}${gradeStream.topic}` },
      { group: `${topicPrefix}grading-product-withdrawals`, topic: `${topicPrefix}${catalogueStreams.product.topic}` },
    ]);
    const settled = async () => {
      for (let i = 0; i < 400; i++) {
        const left = await pending.countDocuments();
        const lags = await lag.read().catch(() => [{ lag: -1 }]);
        if (left === 0 && lags.every((l) => l.lag === 0)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('grading did not settle within 20 s');
    };
    const request = (n: number, round: string) =>
      IssueGradeRequest.fromPartial({
        product: `products/${PRODUCTS[n % PRODUCTS.length]}`,
        standardCode: STANDARD,
        report: {
          laboratoryCnasNumber: 'CNAS L99501',
          reportNumber: `C-${round}-${n}`,
          sampleId: `S-${n}`,
          testedOn: '2026-11-20',
          measurements: measurements(n),
        },
      });
    const bulkClient = issueGradesClient(counting.address, metadata);
    const bulk = (from: number, count: number, round: string) => bulkClient.issue(Array.from({ length: count }, (_, i) => request(from + i, round)));
    const monitored = counting.db.client;
    await settled();
    const counts: Array<[string, number, number, Awaited<ReturnType<typeof countCommands>>]> = [];
    const count = async (label: string, ops: number, concurrent: number, work: () => Promise<unknown>) => {
      counts.push([label, ops, concurrent, await countCommands(monitored, dbName, async () => void (await work(), await settled()))]);
    };
    // One at a time: nothing to share a command with.
    await count('IssueGrade, first grade of a product, one at a time', COUNTED, 1, async () => {
      for (let n = 0; n < COUNTED; n++) await client.issueGrade(request(n, 'first'), metadata);
    });
    // A second grade per product: it supersedes the first (issued + superseded events).
    await count('IssueGrade, a grade that supersedes another, one at a time', COUNTED, 1, async () => {
      for (let n = 0; n < COUNTED; n++) await client.issueGrade(request(n, 'second'), metadata);
    });
    // 16 callers at once, as in the throughput benchmark: their reads and writes share commands.
    await count('IssueGrade, first grades, 16 callers at once', 64, 16, () =>
      Promise.all(
        Array.from({ length: 16 }, async (_, c) => {
          for (let n = 64 + c; n < 128; n += 16) await client.issueGrade(request(n, 'first'), metadata);
        }),
      ),
    );
    await count('IssueGrades of 50, first grades', 100, 1, async () => {
      for (let b = 0; b < 2; b++) await bulk(128 + b * 50, 50, 'first');
    });
    await count('IssueGrades of 50, each superseding a grade', 100, 1, async () => {
      for (let b = 0; b < 2; b++) await bulk(128 + b * 50, 50, 'second');
    });
    bulkClient.close();
    await lag.close();
    for (const [label, ops, concurrent, counted] of counts) {
      results.push({
        name: `grading.storage_commands (${label})`,
        unit: 'commands per grade',
        value: counted.total / ops,
        ops,
        concurrency: concurrent,
        floor: `all an issue causes (request, relay, own consumer): ${perOperation(counted, ops)}`,
      });
    }
  } finally {
    client.close();
    await counting.stop();
    await publisher.close();
    await db.dropDatabase();
    await mongo.close();
  }
}

engineBench();
await serviceBench();
await commandBench();
writeResults('grading', results, { seconds, concurrency });
process.exit(0);
