/**
 * Portal benchmarks, each compared with a floor measured in the same run:
 *   /certificates/{number}         the HTML page, and /api/v1/certificates/{number} the JSON,
 *   /api/v1/certificates/{number}  at 64 connections (autocannon) vs a bare node:http server
 *                                  answering the same bytes (target p99 ≤ 50 ms): one number
 *                                  (concurrent requests share one VerifyCertificate call), and
 *                                  a random one of CERTIFICATES numbers per request (the work
 *                                  of distinct certificates; catalogue names are kept 30 s)
 *   webhook delivery               grade events published to the portal's topic → POST seen by a
 *                                  local receiver: the peak rate (a burst), then the latency at
 *                                  half of it (target p99 ≤ 1 s)
 *
 *   npm run bench:portal     (builds, brings the local stack up if needed)
 *
 * Catalogue, grading and the portal run as their own processes (node dist/main.js) on a
 * database and topic prefix of their own. Each page asks grading (VerifyCertificate) and the
 * catalogue (product, brand, enterprise) over gRPC, so the figure includes those services'
 * work on the same two cores. BENCH_SECONDS (default 5) bounds each measurement.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Metadata } from '@grpc/grpc-js';
import autocannon from 'autocannon';
import { collectionOf, loadSeeds } from '@pinzhi/catalogue/testing';
import { GradingServiceService } from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { Grade } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { CreateSubscriptionRequest, WebhookServiceService } from '@pinzhi/contracts/pinzhi/webhook/v1/webhook_service';
import { gradeStream } from '@pinzhi/events';
import { superiorMeasurements } from '@pinzhi/grading/testing';
import {
  createEventPublisher,
  createKafka,
  createLogger,
  createUnaryClient,
  eventToPublish,
  OutboxRelay,
  signToken,
  type EventPublisher,
} from '@pinzhi/platform';
import { MongoClient } from 'mongodb';
import { benchSettings, percentile, round, spawnService, stopService, waitUntilServing, writeResults, type BenchResult } from './bench-kit.js';

const logger = createLogger('bench', 'warn');
const { seconds, brokers, mongoUrl } = benchSettings();
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const CERTIFICATES = Number(process.env.BENCH_CERTIFICATES ?? 100);
const jwt = { secret: 'bench-secret-bench-secret-bench-secret', issuer: 'pinzhi', audience: 'pinzhi' };
const results: BenchResult[] = [];

async function load(
  url: string,
  paths?: readonly string[],
): Promise<{ rps: number; p50: number; p99: number; requests: number; non2xx: number; errors: number }> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    pipelining: 1,
    ...(paths ? { requests: [{ setupRequest: (request) => ({ ...request, path: paths[Math.floor(Math.random() * paths.length)]! }) }] } : {}),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** A server that answers every request with the same bytes: what HTTP alone costs here. */
async function bareServer(body: Buffer, type: string) {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': type, 'content-length': String(body.length) });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function main(): Promise<void> {
  const dbName = `bench_portal_${randomUUID().slice(0, 8)}`;
  const topicPrefix = `bench-${dbName}.`;
  const mongo = new MongoClient(mongoUrl);
  await mongo.connect();
  const db = mongo.db(dbName);
  const publisher = await createEventPublisher(createKafka({ brokers, clientId: 'bench-portal', logger }), { topicPrefix });
  console.error('[bench] seeding');
  await loadSeeds(db, new OutboxRelay({ db, publisher, collections: Object.values(collectionOf), logger, sweepIntervalMs: 60_000 }), logger);
  const common = { MONGO_URL: mongoUrl, MONGO_DB: dbName, KAFKA_BROKERS: brokers.join(','), JWT_SECRET: jwt.secret, TOPIC_PREFIX: topicPrefix };
  const ports = { catalogue: 50251, grading: 50252, portalGrpc: 50255, http: 18080 };
  const services = [
    spawnService('catalogue', { ...common, GRPC_PORT: String(ports.catalogue) }),
    spawnService('grading', { ...common, GRPC_PORT: String(ports.grading) }),
    spawnService('portal', {
      ...common,
      GRPC_PORT: String(ports.portalGrpc),
      HTTP_PORT: String(ports.http),
      CATALOGUE_ADDRESS: `127.0.0.1:${ports.catalogue}`,
      GRADING_ADDRESS: `127.0.0.1:${ports.grading}`,
      // Not needed by a certificate page; closed ports.
      BRAND_VALUATION_ADDRESS: '127.0.0.1:1',
      SAME_LINE_ADDRESS: '127.0.0.1:1',
      RATE_LIMIT_PER_MINUTE: '100000000',
      WEBHOOK_ALLOW_LOOPBACK: 'true',
    }),
  ];
  const grading = createUnaryClient(GradingServiceService, `127.0.0.1:${ports.grading}`);
  try {
    await waitUntilServing(() => grading.getSigningKeys({}, new Metadata()));
    await waitUntilServing(async () => {
      const response = await fetch(`http://127.0.0.1:${ports.http}/readyz`);
      if (response.status !== 200) throw new Error(`readyz ${response.status}`);
    });
    const certifier = new Metadata();
    certifier.set('authorization', `Bearer ${await signToken(jwt, { subject: 'bench', role: 'certifier', org: 'CNAS C951-P' })}`);
    const numbers: string[] = [];
    for (let i = 0; i < CERTIFICATES; i++) {
      // One product: each new grade supersedes the last, so most pages show "superseded".
      const { grade } = await grading.issueGrade(
        {
          product: 'products/06934567801036',
          standardCode: 'GB/T 14272-2021',
          decisionRule: 0,
          report: {
            laboratoryCnasNumber: 'CNAS L99501',
            reportNumber: `R-BENCH-${dbName}-${i}`,
            sampleId: 'S-1',
            batch: '',
            testedOn: '2026-11-20',
            measurements: superiorMeasurements(),
          },
        },
        certifier,
      );
      numbers.push(grade!.certificate!.number);
    }
    const number = numbers.at(-1)!;
    for (const [name, path] of [
      ['portal.certificate_page', `/certificates/${number}`],
      ['portal.api_certificate', `/api/v1/certificates/${number}`],
    ] as const) {
      const url = `http://127.0.0.1:${ports.http}${path}`;
      const sample = await fetch(url);
      if (sample.status !== 200) throw new Error(`${path} answered ${sample.status}`);
      const body = Buffer.from(await sample.arrayBuffer());
      const bare = await bareServer(body, sample.headers.get('content-type') ?? 'text/plain');
      console.error(`[bench] ${name}: bare server, then the portal, ${CONNECTIONS} connections, ${seconds} s each`);
      const floor = await load(bare.url);
      await bare.close();
      await load(url).catch(() => undefined); // warm-up
      const run = await load(url);
      if (run.non2xx > 0 || run.errors > 0) console.error(`[bench] ${name}: ${run.non2xx} non-2xx answers, ${run.errors} errors`);
      const floorText = `bare node:http answering the same ${body.length} bytes: ${Math.round(floor.rps)}/s, p99 ${round(floor.p99)} ms`;
      const row = (suffix: string, r: typeof run) => ({
        name: `${name}${suffix}`,
        unit: 'requests/s',
        value: r.rps,
        ops: r.requests,
        concurrency: CONNECTIONS,
        p50Ms: round(r.p50),
        p99Ms: round(r.p99),
        ratio: r.rps / floor.rps,
        floor: floorText,
      });
      results.push(row('', run));
      const prefix = path.slice(0, path.length - number.length);
      const spread = await load(
        `http://127.0.0.1:${ports.http}`,
        numbers.map((n) => `${prefix}${n}`),
      );
      if (spread.non2xx > 0 || spread.errors > 0)
        console.error(`[bench] ${name} (${CERTIFICATES} numbers): ${spread.non2xx} non-2xx answers, ${spread.errors} errors`);
      results.push(row(`_${CERTIFICATES}_numbers`, spread));
    }
    await webhookBench(publisher, `127.0.0.1:${ports.portalGrpc}`);
    writeResults('portal', results, { seconds, connections: CONNECTIONS, certificates: CERTIFICATES, p99TargetMs: 50 });
  } finally {
    grading.close();
    for (const service of services) await stopService(service);
    await db.dropDatabase();
    await mongo.close();
    await publisher.close();
  }
}

/**
 * Event → webhook delivered: grade events published straight to the portal's topic (what
 * grading's relay does), a subscription for them, and a receiver on 127.0.0.1 noting when each
 * event's POST arrives. First a burst for the peak delivery rate, then events paced at half
 * of it for the latency.
 */
async function webhookBench(publisher: EventPublisher, portalAddress: string): Promise<void> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const id = (JSON.parse(body) as { id: string }).id;
      const at = sentAt.get(id);
      if (at !== undefined) {
        latencies.push(performance.now() - at);
        sentAt.delete(id);
      }
      received++;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const webhooks = createUnaryClient(WebhookServiceService, portalAddress);
  const marketplace = new Metadata();
  marketplace.set('authorization', `Bearer ${await signToken(jwt, { subject: 'bench', role: 'marketplace', org: 'BENCH-MARKET' })}`);
  await webhooks.createSubscription(
    CreateSubscriptionRequest.fromPartial({
      subscription: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, eventTypes: [gradeStream.types.issued] },
    }),
    marketplace,
  );
  let n = 0;
  const publishOne = async () => {
    const grade = Grade.fromPartial({
      name: `grades/bench-${n++}`,
      product: 'products/06934567801036',
      gtin: '06934567801036',
      brand: 'brands/brand-chengyu',
      standardCode: 'GB/T 14272-2021',
    });
    const event = eventToPublish(gradeStream.event('issued', { grade }, { key: grade.gtin, subject: grade.name }));
    sentAt.set(event.event.id, performance.now());
    await publisher.publish([event]);
  };
  const drain = async (count: number, limitMs: number) => {
    const until = performance.now() + limitMs;
    while (received < count && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
  };
  // Warm-up: the portal's consumer group joins and reads from the start of the topic.
  await publishOne();
  await drain(1, 60_000);
  const BURST = Number(process.env.BENCH_WEBHOOK_BURST ?? 300);
  const burstStart = performance.now();
  for (let i = 0; i < BURST; i++) await publishOne();
  await drain(1 + BURST, 120_000);
  const peak = BURST / ((performance.now() - burstStart) / 1000);
  latencies.length = 0;
  const rate = Math.max(1, peak / 2);
  const start = performance.now();
  let paced = 0;
  for (let i = 0; performance.now() - start < seconds * 1000; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await publishOne();
    paced++;
  }
  await drain(1 + BURST + paced, 60_000);
  const pct = (p: number) => percentile(latencies, p);
  results.push({
    name: 'portal.webhook_delivery_latency',
    unit: `deliveries (of ${paced}) at ${round(rate, 1)}/s`,
    value: latencies.length,
    ops: latencies.length,
    concurrency: 1,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    ratio: pct(0.99) / 1000,
    floor: `target p99 ≤ 1 000 ms at half the peak rate (ratio = p99 / 1 000 ms); peak ${round(peak, 1)} deliveries/s over a burst of ${BURST}`,
  });
  webhooks.close();
  await new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections()));
}

await main();
