/**
 * Fault injection against the grading service (issue #10). Each scenario runs grading as its
 * own process on a private Kafka and FerretDB, issues grades over real gRPC from 8 clients
 * that retry a failed call with the SAME request (same report number), and halfway through
 * kills one part with SIGKILL:
 *
 *   grading   kill -9 the service and start it again (recovery: until IssueGrade answers again)
 *   kafka     kill -9 the broker, 5 s later start it again (IssueGrade keeps answering meanwhile)
 *   ferretdb  kill -9 the database, 3 s later start it again
 *
 * After the load it waits (bounded) for the system to converge and checks what a user would
 * notice: every acknowledged grade stored once, one live grade per product and standard and
 * the one the current_grades pointer names, the issued and superseded events on the topic, a
 * subscriber's view and the compacted state topic equal to the pointers, and no outbox marks
 * left.
 *
 *   npm run test:reliability        (RELIABILITY_OPS per scenario, default 400; builds first)
 *
 * prints the table and writes test/bench/results/reliability.json; faults.test.ts runs a
 * short form under `npm test`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { credentials, makeGenericClientConstructor, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { collectionOf, loadSeeds } from '@pinzhi/catalogue/testing';
import { GradingServiceService, IssueGradeRequest, type IssueGradeResponse } from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { gradeStateStream, gradeStream } from '@pinzhi/events';
import { superiorMeasurements } from '@pinzhi/grading/testing';
import { consumerLagReader, createEventPublisher, createKafka, createLogger, OUTBOX_PENDING, OutboxRelay, signToken, type Logger } from '@pinzhi/platform';
import { createGradeSubscriber, signingKeysFromGrading, type GradeSubscriber, type TypedGradeEvent } from '@pinzhi/subscriber';
import type { Kafka } from 'kafkajs';
import { MongoClient, type Db } from 'mongodb';
import { freePort, GradingProcess, healthChecker, PrivateStack } from './private-stack.js';

export type ScenarioName = 'grading' | 'kafka' | 'ferretdb';
export const SCENARIOS: readonly ScenarioName[] = ['grading', 'kafka', 'ferretdb'];

export interface ReliabilityOptions {
  /** IssueGrade calls per scenario. */
  ops: number;
  concurrency?: number;
  /** How long one call is retried (same request) before it counts as not acknowledged. */
  opDeadlineMs?: number;
  /** The load stops taking new calls (and retrying) after this long; calls left count as not acknowledged. */
  loadTimeoutMs?: number;
  /** How long the checks may take to pass after the load. An abandoned outbox mark is kept 20 s here (OUTBOX_ABANDONED_MARK_MS), so well over that. */
  convergenceMs?: number;
  /** Level of the suite's own logs (kafkajs, subscriber) and of the grading process. */
  logLevel?: string;
  /** Progress lines. */
  say?: (line: string) => void;
}

/** What one scenario found; the counts named in MUST_BE_ZERO are failures when not 0. */
export interface ScenarioResult {
  scenario: ScenarioName;
  ops: number;
  /** Calls answered OK (after retries). */
  acked: number;
  /** Of the scenario's report numbers, those with a grade document. */
  stored: number;
  /** Acknowledged grades with no document. */
  lost: number;
  /** Grade documents beyond one per report number. */
  duplicates: number;
  /** Live (issued/downgraded) grades beyond one per product and standard. */
  extraLiveGrades: number;
  /** Products whose single live grade is not the one current_grades names (or who have none). */
  pointerMismatches: number;
  /** Issued grades without their issued event on the topic, superseded ones without their superseded event. */
  eventsMissing: number;
  /** Products where a subscriber following the change topic shows another grade than the pointer. */
  subscriberMismatches: number;
  /** Products where the compacted state topic (what a late subscriber loads) names another grade than the pointer. */
  stateTopicMismatches: number;
  /** outbox_pending marks left. */
  pendingMarks: number;
  /** Fault → the first IssueGrade sent after it that succeeded. */
  recoverySeconds: number | null;
  /** Calls that failed and were retried (or given up). */
  failedAttempts: number;
  /** Health samples taken every 250 ms from the fault until the part is back: status → count. */
  healthDuringFault: Record<string, number>;
  /** End of the load → every check passing (or the bound). */
  convergenceSeconds: number;
  durationSeconds: number;
  details: Record<string, unknown>;
}

export const MUST_BE_ZERO = [
  'lost',
  'duplicates',
  'extraLiveGrades',
  'pointerMismatches',
  'eventsMissing',
  'subscriberMismatches',
  'stateTopicMismatches',
  'pendingMarks',
] as const;

const STANDARD = 'GB/T 14272-2021';
const CERTIFIER = 'CNAS C951-P';
const LABORATORY = 'CNAS L99501';
const JWT = { secret: 'reliability-secret-reliability-secret-0000', issuer: 'pinzhi', audience: 'pinzhi' };
/** Seeded down garments that declare GB/T 14272-2021. */
const SEEDED_PRODUCTS = ['06934567801012', '06934567801036', '06934567801050', '06934567801067'];
/** Copies of 06934567801012 under new GTIN-14s, so 20 products share the load. */
const CLONED_PRODUCTS = Array.from({ length: 16 }, (_, i) => withCheckDigit(`0695100${String(i).padStart(6, '0')}`));
export const PRODUCTS = [...SEEDED_PRODUCTS, ...CLONED_PRODUCTS];
/** Codes a client retries: the service or a part behind it is away, or the call was cut. */
const RETRIED = new Set([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.INTERNAL]);
const CALL_TIMEOUT_MS = 10_000;
/** Reconnect at once when grading is back, so recovery measures the service and not grpc-js' backoff (1 s × 1.6ⁿ). */
const CHANNEL_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 500 };
const ISSUED = gradeStream.types.issued;
const SUPERSEDED = gradeStream.types.superseded;

function withCheckDigit(body: string): string {
  let sum = 0;
  for (let k = 0; k < body.length; k++) sum += Number(body[body.length - 1 - k]) * (k % 2 === 0 ? 3 : 1);
  return body + ((10 - (sum % 10)) % 10);
}

const pointerKey = (productId: string) => `${productId}|${STANDARD}`;

/** A running suite: the private stack is started once and shared by the scenarios, each with its own database and topics. */
export interface ReliabilitySuite {
  stack: PrivateStack;
  run(scenario: ScenarioName): Promise<ScenarioResult>;
  stop(): Promise<void>;
}

export async function startReliabilitySuite(options: ReliabilityOptions): Promise<ReliabilitySuite> {
  const say = options.say ?? (() => undefined);
  const stack = await PrivateStack.create((line) => say(line));
  try {
    await stack.up();
  } catch (error) {
    await stack.down().catch(() => undefined);
    throw error;
  }
  return {
    stack,
    run: (scenario) => runScenario(stack, scenario, options),
    stop: () => stack.down(),
  };
}

// ---------------------------------------------------------------- one scenario

interface Op {
  index: number;
  reportNumber: string;
  product: string;
  request: IssueGradeRequest;
  attempts: number;
  errors: Record<string, number>;
  acked?: { grade: string; at: number };
  gaveUp?: string;
}

async function runScenario(stack: PrivateStack, scenario: ScenarioName, options: ReliabilityOptions): Promise<ScenarioResult> {
  const say = (line: string) => options.say?.(`[${scenario}] ${line}`);
  const started = Date.now();
  const id = `${scenario}-${randomUUID().slice(0, 8)}`;
  const dbName = `reliability_${id.replace(/-/g, '_')}`;
  const prefix = `reliability-${id}.`;
  const topics = { grades: `${prefix}${gradeStream.topic}`, gradeState: `${prefix}${gradeStateStream.topic}` };
  const logger = createLogger('reliability', options.logLevel ?? 'silent');
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  // The stack is shared by the scenarios: whatever the previous one did, both parts answer again.
  await stack.up();

  const grading = new GradingProcess({
    port: await freePort(),
    logFile: join(stack.state, `grading-${id}.log`),
    env: {
      MONGO_URL: stack.mongoUrl,
      MONGO_DB: dbName,
      KAFKA_BROKERS: stack.brokers.join(','),
      TOPIC_PREFIX: prefix,
      JWT_SECRET: JWT.secret,
      JWT_ISSUER: JWT.issuer,
      JWT_AUDIENCE: JWT.audience,
      LOG_LEVEL: options.logLevel === 'silent' || !options.logLevel ? 'warn' : options.logLevel,
      OUTBOX_SWEEP_INTERVAL_MS: '1000',
      // A write cut off by a kill fails within seconds (5 s server selection), so its mark can go
      // after 20 s instead of the default 60 s, and "pending marks drain" is checked sooner.
      OUTBOX_ABANDONED_MARK_MS: '20000',
      HEALTH_PROBE_INTERVAL_MS: '500',
      SHUTDOWN_GRACE_MS: '1000',
    },
  });
  const health = healthChecker(grading.address);
  cleanups.push(() => health.close());
  const mongo = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  cleanups.push(() => mongo.close());
  // Dropped after grading has stopped (cleanups run in reverse), so nothing writes to it any more.
  cleanups.push(() =>
    mongo
      .db(dbName)
      .dropDatabase()
      .catch(() => undefined),
  );
  const kafka = createKafka({ brokers: stack.brokers, clientId: 'reliability', logger });
  try {
    grading.start();
    cleanups.push(() => grading.stop(3000));
    await until(
      async () => (await health.check()) === 'SERVING',
      60_000,
      'grading to serve',
      () => grading.logTail(),
    );
    await mongo.connect();
    const db = mongo.db(dbName);
    await seedCatalogue(db, kafka, prefix, logger);
    say(`grading serves on ${grading.address}, catalogue seeded (${PRODUCTS.length} products)`);

    const view = subscriberView();
    const keys = signingKeysFromGrading(grading.address);
    cleanups.push(() => keys.close());
    const subscriber = createGradeSubscriber({
      brokers: stack.brokers,
      groupId: `${prefix}reliability-subscriber`,
      signingKeys: keys,
      logger,
      topics,
      onGrade: async (event) => view.apply(event),
    });
    cleanups.push(() => subscriber.stop());
    await subscriber.start();

    // ------------------------------------------------------------ load with the fault halfway
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${await signToken(JWT, { subject: 'reliability', role: 'certifier', org: CERTIFIER })}`);
    const client = gradingClient(grading.address);
    cleanups.push(() => client.close());
    const ops: Op[] = Array.from({ length: options.ops }, (_, index) => {
      const reportNumber = `REL-${id}-${index}`;
      const product = PRODUCTS[index % PRODUCTS.length]!;
      return {
        index,
        reportNumber,
        product,
        // Built once: a retry repeats the request exactly (a changed one would be refused).
        request: IssueGradeRequest.fromPartial({
          product: `products/${product}`,
          standardCode: STANDARD,
          report: { laboratoryCnasNumber: LABORATORY, reportNumber, sampleId: `S-${index}`, testedOn: '2026-11-20', measurements: superiorMeasurements() },
        }),
        attempts: 0,
        errors: {},
      };
    });
    let faultAt: number | undefined;
    let firstSuccessAfterFault: number | undefined;
    let failedAttempts = 0;
    let acked = 0;
    let fault: Promise<FaultOutcome> | undefined;
    const opDeadlineMs = options.opDeadlineMs ?? 90_000;
    const loadEndsBy = Date.now() + (options.loadTimeoutMs ?? 300_000);

    const issue = async (op: Op) => {
      const deadline = Math.min(loadEndsBy, Date.now() + opDeadlineMs);
      for (let backoff = 50; ; backoff = Math.min(250, backoff * 2)) {
        op.attempts++;
        const sentAt = Date.now();
        try {
          const response = await client.issueGrade(op.request, metadata, CALL_TIMEOUT_MS);
          op.acked = { grade: response.grade?.name ?? '', at: Date.now() };
          if (faultAt !== undefined && sentAt >= faultAt && firstSuccessAfterFault === undefined) firstSuccessAfterFault = Date.now();
          return;
        } catch (error) {
          failedAttempts++;
          const code = (error as ServiceError).code;
          const name = status[code] ?? 'NOT_GRPC';
          op.errors[name] = (op.errors[name] ?? 0) + 1;
          if (!RETRIED.has(code) || Date.now() + backoff > deadline) {
            op.gaveUp = `${name}: ${(error as ServiceError).details ?? (error as Error).message}`;
            say(`${op.reportNumber} not acknowledged after ${op.attempts} attempts: ${op.gaveUp}`);
            return;
          }
          await sleep(backoff);
        }
      }
    };

    let next = 0;
    const loadStarted = Date.now();
    await Promise.all(
      Array.from({ length: options.concurrency ?? 8 }, async () => {
        while (next < ops.length && Date.now() < loadEndsBy) {
          const op = ops[next++]!;
          await issue(op);
          if (op.acked) acked++;
          if (!fault && acked >= Math.ceil(ops.length / 2)) {
            faultAt = Date.now();
            say(`${acked} of ${ops.length} acknowledged: injecting the fault`);
            fault = injectFault(scenario, { stack, grading, health, say });
          }
        }
      }),
    );
    const loadEnded = Date.now();
    const faultOutcome = await (fault ?? Promise.reject(new Error('the load ended before the fault was injected')));
    say(
      `load done in ${round((loadEnded - loadStarted) / 1000)} s: ${acked}/${ops.length} acknowledged, ${failedAttempts} failed attempts; fault over after ${round(faultOutcome.seconds)} s`,
    );

    // ------------------------------------------------------------ convergence, then the checks
    const convergenceMs = options.convergenceMs ?? 75_000;
    const convergeFrom = Date.now();
    // The state topic is a projection made by grading's own consumer of the grade topic: it is
    // final once that group has committed every grade event (after a Kafka restart the group
    // rejoins and catches up some seconds after the database side has converged).
    const projection = consumerLagReader(kafka, [{ group: `${prefix}grading-convergence`, topic: topics.grades }]);
    cleanups.push(() => projection.close());
    const projected = async () => (await projection.read().catch(() => [{ lag: -1 }]))[0]!.lag === 0;
    let state = await observe(db, ops, view);
    let settled = state.converged && (await projected());
    while (!settled && Date.now() - convergeFrom < convergenceMs) {
      await sleep(1000);
      state = await observe(db, ops, view);
      settled = state.converged && (await projected());
    }
    const convergenceSeconds = (Date.now() - convergeFrom) / 1000;
    say(`${settled ? 'converged' : 'NOT converged'} after ${round(convergenceSeconds)} s`);
    // The final word on events and state comes from readers that start from scratch.
    const records = await readTopic(kafka, topics.grades, `${prefix}reliability-audit-${randomUUID()}`, 30_000);
    const eventsMissing = missingEvents(state.grades, records);
    const stateTopic = await loadStateTopic(stack.brokers, `${prefix}reliability-late`, topics, keys, logger);
    const stateTopicMismatches = mismatches(state.pointers, stateTopic, state.gradedKeys);
    // The state topic's own records of those products, to show which record came last.
    const stateRecords = stateTopicMismatches.length > 0 ? await readTopic(kafka, topics.gradeState, `${prefix}reliability-audit-${randomUUID()}`, 30_000) : [];

    const unacked = ops.filter((op) => !op.acked);
    // When something is off, the logs of the moment go with the result (the state directory is removed at the end).
    const troubled = unacked.length > 0 || !settled;
    return {
      scenario,
      ops: ops.length,
      acked: ops.length - unacked.length,
      stored: state.stored,
      lost: state.lost,
      duplicates: state.duplicates,
      extraLiveGrades: state.extraLive,
      pointerMismatches: state.pointerMismatches,
      eventsMissing: eventsMissing.count,
      subscriberMismatches: state.subscriberMismatches,
      stateTopicMismatches: stateTopicMismatches.length,
      pendingMarks: state.pendingMarks,
      recoverySeconds: faultAt !== undefined && firstSuccessAfterFault !== undefined ? round((firstSuccessAfterFault - faultAt) / 1000) : null,
      failedAttempts,
      healthDuringFault: faultOutcome.health,
      convergenceSeconds: round(convergenceSeconds),
      durationSeconds: round((Date.now() - started) / 1000),
      details: {
        database: dbName,
        topicPrefix: prefix,
        phaseSeconds: {
          setup: round((loadStarted - started) / 1000),
          load: round((loadEnded - loadStarted) / 1000),
          faultAfterLoad: round((convergeFrom - loadEnded) / 1000),
          convergence: round(convergenceSeconds),
          audit: round((Date.now() - convergeFrom) / 1000 - convergenceSeconds),
        },
        faultSeconds: round(faultOutcome.seconds),
        ...faultOutcome.details,
        errorsByCode: countErrors(ops),
        notAcknowledged: unacked.slice(0, 5).map((op) => ({ reportNumber: op.reportNumber, attempts: op.attempts, gaveUp: op.gaveUp })),
        eventRecords: records.length,
        eventsMissingExamples: eventsMissing.examples,
        subscriberMismatchExamples: explain(state.subscriberMismatchKeys, state, records),
        stateTopicMismatchExamples: explain(stateTopicMismatches, state, records, { loaded: stateTopic, records: stateRecords }),
        signaturesNotVerified: view.unverified,
        ...(troubled ? { gradingLogTail: grading.logTail(60).split('\n'), ferretdbLogTail: stack.logTail('ferretdb', 30).split('\n') } : {}),
      },
    };
  } catch (error) {
    const tail = grading.logTail();
    if (tail) (error as Error).message += `\n--- grading log (last lines) ---\n${tail}`;
    throw error;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        say(`cleanup failed: ${(error as Error).message}`);
      }
    }
  }
}

/** The catalogue seeds and the cloned products, with the seeds' events on this scenario's topics. */
async function seedCatalogue(db: Db, kafka: Kafka, prefix: string, logger: Logger): Promise<void> {
  const publisher = await createEventPublisher(kafka, { topicPrefix: prefix });
  try {
    const relay = new OutboxRelay({ db, publisher, collections: Object.values(collectionOf), logger, sweepIntervalMs: 60_000 });
    await loadSeeds(db, relay, logger);
    // Waits for the publishes loadSeeds started, so their marks are gone before the load.
    await relay.stop();
  } finally {
    await publisher.close();
  }
  const template = await db.collection('products').findOne({ _id: SEEDED_PRODUCTS[0] as never });
  if (!template) throw new Error(`the seeds have no product ${SEEDED_PRODUCTS[0]}`);
  await db
    .collection('products')
    .insertMany(CLONED_PRODUCTS.map((gtin14) => ({ ...template, _id: gtin14, gtin14, gtin: gtin14.slice(1), twinProductId: undefined })) as never[]);
}

// ---------------------------------------------------------------- faults

interface FaultOutcome {
  seconds: number;
  health: Record<string, number>;
  details: Record<string, unknown>;
}

async function injectFault(
  scenario: ScenarioName,
  { stack, grading, health, say }: { stack: PrivateStack; grading: GradingProcess; health: ReturnType<typeof healthChecker>; say: (line: string) => void },
): Promise<FaultOutcome> {
  const start = Date.now();
  const samples: Record<string, number> = {};
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const at = Date.now();
      const seen = await health.check();
      samples[seen] = (samples[seen] ?? 0) + 1;
      await sleep(Math.max(0, 250 - (Date.now() - at)));
    }
  })();
  const details: Record<string, unknown> = {};
  try {
    if (scenario === 'grading') {
      await grading.kill9();
      say('grading killed (SIGKILL); starting it again');
      grading.start();
      await until(
        async () => (await health.check()) === 'SERVING',
        60_000,
        'grading to serve again',
        () => grading.logTail(),
      );
      details.restartToServingSeconds = round((Date.now() - start) / 1000);
    } else {
      const downFor = scenario === 'kafka' ? 5000 : 3000;
      await stack.kill9(scenario);
      say(`${scenario} killed (SIGKILL); down for ${downFor / 1000} s`);
      await sleep(downFor);
      const restart = Date.now();
      await stack.up(scenario);
      details.restartSeconds = round((Date.now() - restart) / 1000);
      say(`${scenario} back after ${round((Date.now() - start) / 1000)} s`);
    }
    // One more second of samples: the service notices a returned dependency at its next probe.
    await sleep(1000);
    return { seconds: (Date.now() - start) / 1000, health: samples, details };
  } finally {
    sampling = false;
    await sampler;
  }
}

// ---------------------------------------------------------------- what the system shows

/**
 * The grade a marketplace would show per product and standard, kept the way the example
 * marketplace keeps its badges (examples/marketplace/src/badge-table.ts): an issued or
 * downgraded event shows its grade unless a newer grade (creation time, then name) is shown;
 * a revoked, expired or superseded one removes it if it is the one shown.
 */
function subscriberView() {
  const current = new Map<string, { name: string; created: string }>();
  const seen = new Map<string, Set<string>>();
  let unverified = 0;
  return {
    current,
    seen,
    get unverified() {
      return unverified;
    },
    apply(event: TypedGradeEvent) {
      const grade = event.grade;
      const key = pointerKey(grade.product.slice('products/'.length));
      const types = seen.get(grade.name) ?? new Set<string>();
      types.add(event.type);
      seen.set(grade.name, types);
      if (event.signatureValid === false) unverified++;
      const created = grade.audit?.createTime?.toISOString() ?? '';
      const shown = current.get(key);
      const shownIsNewer =
        shown !== undefined && shown.name !== grade.name && (shown.created > created || (shown.created === created && shown.name > grade.name));
      if (event.type === 'issued' || event.type === 'downgraded') {
        if (!shownIsNewer) current.set(key, { name: grade.name, created });
      } else if (shown?.name === grade.name) current.delete(key);
    },
  };
}

interface GradeRow {
  _id: string;
  productId: string;
  standardCode: string;
  state: string;
  history?: Array<{ state: string; cause: string }>;
}

/** The database's side of every check, plus the subscriber's; `converged` when every count is 0. */
async function observe(db: Db, ops: readonly Op[], view: ReturnType<typeof subscriberView>) {
  const [grades, pointerDocs, pendingMarks] = await Promise.all([
    db
      .collection<GradeRow>('grades')
      .find({}, { projection: { productId: 1, standardCode: 1, state: 1, history: 1 } })
      .toArray(),
    db.collection<{ _id: string; gradeId: string }>('current_grades').find({}).toArray(),
    db.collection(OUTBOX_PENDING).countDocuments({}),
  ]);
  const pointers = new Map(pointerDocs.map((p) => [p._id, `grades/${p.gradeId}`]));
  const byId = new Map(grades.map((g) => [g._id, g]));
  const reportOf = (g: GradeRow) => g.history?.[0]?.cause.replace(/^reports\//, '');
  const mine = new Set(ops.map((op) => op.reportNumber));
  const perReport = new Map<string, number>();
  for (const g of grades) {
    const report = reportOf(g);
    if (report && mine.has(report)) perReport.set(report, (perReport.get(report) ?? 0) + 1);
  }
  // Lost: acknowledged under a grade name that has no document, or a document of another report.
  const lost = ops.filter((op) => {
    if (!op.acked) return false;
    const stored = byId.get(op.acked.grade.replace(/^grades\//, ''));
    return !stored || reportOf(stored) !== op.reportNumber;
  }).length;

  const live = new Map<string, string[]>();
  const gradedKeys = new Set<string>();
  for (const g of grades) {
    const key = `${g.productId}|${g.standardCode}`;
    if (g.history?.[0]?.state === 'issued') gradedKeys.add(key);
    if (g.state === 'issued' || g.state === 'downgraded') live.set(key, [...(live.get(key) ?? []), `grades/${g._id}`]);
  }
  let extraLive = 0;
  let pointerMismatches = 0;
  for (const key of gradedKeys) {
    const here = live.get(key) ?? [];
    extraLive += Math.max(0, here.length - 1);
    if (here.length !== 1 || pointers.get(key) !== here[0]) pointerMismatches++;
  }
  const subscriberMismatchKeys = mismatches(pointers, new Map([...view.current].map(([key, shown]) => [key, shown.name])), gradedKeys);
  // The subscriber's own record of events, for convergence; the final count reads the topic afresh.
  const unseen = grades.filter(
    (g) =>
      (g.history?.[0]?.state === 'issued' && !view.seen.get(`grades/${g._id}`)?.has('issued')) ||
      (g.state === 'superseded' && !view.seen.get(`grades/${g._id}`)?.has('superseded')),
  ).length;
  const duplicates = [...perReport.values()].reduce((n, count) => n + count - 1, 0);
  return {
    grades,
    pointers,
    gradedKeys,
    live,
    stored: perReport.size,
    lost,
    duplicates,
    extraLive,
    pointerMismatches,
    subscriberMismatches: subscriberMismatchKeys.length,
    subscriberMismatchKeys,
    pendingMarks,
    converged: lost + duplicates + extraLive + pointerMismatches + subscriberMismatchKeys.length + unseen + pendingMarks === 0,
  };
}

/** Keys (of products that were graded) where a view names another grade than the pointer. */
function mismatches(pointers: ReadonlyMap<string, string>, view: ReadonlyMap<string, string | null>, keys: ReadonlySet<string>): string[] {
  return [...keys].filter((key) => (view.get(key) ?? null) !== (pointers.get(key) ?? null));
}

interface TopicRecord {
  partition: number;
  offset: string;
  key: string;
  id: string;
  type: string;
  subject: string;
}

/** Every record of a topic up to its current end, read by a new consumer group from the beginning. */
async function readTopic(kafka: Kafka, topic: string, groupId: string, timeoutMs: number): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, number>();
  try {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) if (Number(high) > Number(low)) ends.set(partition, Number(high));
  } finally {
    await admin.disconnect();
  }
  const records: TopicRecord[] = [];
  if (ends.size === 0) return records;
  const consumer = kafka.consumer({ groupId });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} did not reach its end within ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const header = (name: string) => message.headers?.[name]?.toString() ?? '';
            records.push({
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? '',
              id: header('ce_id'),
              type: header('ce_type'),
              subject: header('ce_subject'),
            });
            if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) ends.delete(partition);
            if (ends.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return records;
}

/** Issued grades without their issued event, superseded grades without their superseded event. */
function missingEvents(grades: readonly GradeRow[], records: readonly TopicRecord[]) {
  const types = new Map<string, Set<string>>();
  for (const r of records) types.set(r.subject, (types.get(r.subject) ?? new Set()).add(r.type));
  const missing: string[] = [];
  for (const g of grades) {
    const subject = `grades/${g._id}`;
    if (g.history?.[0]?.state === 'issued' && !types.get(subject)?.has(ISSUED)) missing.push(`${subject} (issued)`);
    if (g.state === 'superseded' && !types.get(subject)?.has(SUPERSEDED)) missing.push(`${subject} (superseded)`);
  }
  return { count: missing.length, examples: missing.slice(0, 5) };
}

/** What a subscriber that starts now loads from the compacted state topic: the grade per key (null: tombstone). */
async function loadStateTopic(
  brokers: readonly string[],
  groupId: string,
  topics: { grades: string; gradeState: string },
  keys: ReturnType<typeof signingKeysFromGrading>,
  logger: Logger,
): Promise<Map<string, string | null>> {
  const current = new Map<string, string | null>();
  const late: GradeSubscriber = createGradeSubscriber({
    brokers,
    groupId,
    signingKeys: keys,
    logger,
    topics,
    onCurrentGrade: (key, grade) => void current.set(key, grade?.name ?? null),
    onGrade: async () => undefined,
  });
  try {
    await late.start();
  } finally {
    await late.stop();
  }
  return current;
}

/** For a few mismatching products: the pointer, what the view showed, and the product's records in topic order. */
function explain(
  keys: readonly string[],
  state: Awaited<ReturnType<typeof observe>>,
  records: readonly TopicRecord[],
  stateTopic?: { loaded: ReadonlyMap<string, string | null>; records: readonly TopicRecord[] },
) {
  const lines = (of: readonly TopicRecord[], key: string) =>
    of
      .filter((r) => r.key === key)
      .sort((a, b) => Number(a.offset) - Number(b.offset))
      .map((r) => `${r.offset} ${r.type.replace(/^pinzhi\.grading\.(grade\.)?/, '').replace('.v1', '')} ${r.subject} (ce_id ${r.id.slice(0, 8)})`);
  return keys.slice(0, 3).map((key) => ({
    key,
    pointer: state.pointers.get(key) ?? null,
    live: state.live.get(key) ?? [],
    gradeRecords: lines(records, key.split('|')[0]!),
    ...(stateTopic ? { stateTopicLoads: stateTopic.loaded.get(key) ?? null, stateRecords: lines(stateTopic.records, key) } : {}),
  }));
}

function countErrors(ops: readonly Op[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const op of ops) for (const [code, n] of Object.entries(op.errors)) total[code] = (total[code] ?? 0) + n;
  return total;
}

// ---------------------------------------------------------------- small helpers

/** IssueGrade with a per-call deadline (the platform's UnaryClient takes none). */
function gradingClient(address: string) {
  const Constructor = makeGenericClientConstructor(GradingServiceService as never, 'grading');
  const client = new Constructor(address, credentials.createInsecure(), CHANNEL_OPTIONS) as Client & Record<string, (...args: any[]) => void>;
  return {
    issueGrade: (request: IssueGradeRequest, metadata: Metadata, timeoutMs: number) =>
      new Promise<IssueGradeResponse>((resolve, reject) =>
        client.issueGrade!(request, metadata, { deadline: Date.now() + timeoutMs }, (error: ServiceError | null, response: IssueGradeResponse) =>
          error ? reject(error) : resolve(response),
        ),
      ),
    close: () => client.close(),
  };
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string, context: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${context()}`);
    await sleep(200);
  }
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------- the table and the JSON

export function renderTable(results: readonly ScenarioResult[]): Record<string, unknown>[] {
  return results.map((r) => ({
    scenario: r.scenario,
    ops: r.ops,
    acked: r.acked,
    stored: r.stored,
    lost: r.lost,
    duplicates: r.duplicates,
    'extra live': r.extraLiveGrades,
    'pointer ≠ live': r.pointerMismatches,
    'events missing': r.eventsMissing,
    'subscriber ≠ db': r.subscriberMismatches,
    'state topic ≠ db': r.stateTopicMismatches,
    'pending marks': r.pendingMarks,
    'recovery s': r.recoverySeconds ?? '-',
    'failed calls': r.failedAttempts,
    'health in fault': Object.entries(r.healthDuringFault)
      .map(([s, n]) => `${s} ${n}`)
      .join(', '),
    'converged s': r.convergenceSeconds,
  }));
}

/** One line per scenario, for a test's output. */
export function summaryOf(r: ScenarioResult): string {
  const phases = Object.entries((r.details.phaseSeconds ?? {}) as Record<string, number>).map(([phase, seconds]) => `${phase} ${seconds} s`);
  return (
    `${r.scenario}: ${r.acked}/${r.ops} acknowledged, ${r.failedAttempts} failed calls, recovery ${r.recoverySeconds ?? '-'} s, ` +
    `health in fault ${JSON.stringify(r.healthDuringFault)}, ${failuresOf(r).join(', ') || 'all checks 0'} (${phases.join(', ')})`
  );
}

export function failuresOf(result: ScenarioResult): string[] {
  return MUST_BE_ZERO.filter((name) => result[name] !== 0).map((name) => `${name} = ${result[name]}`);
}

function writeResults(results: readonly ScenarioResult[], settings: Record<string, unknown>): void {
  const dir = fileURLToPath(new URL('../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const report = {
    name: 'reliability',
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version },
    settings,
    results,
  };
  writeFileSync(join(dir, 'reliability.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log('wrote test/bench/results/reliability.json');
}

async function main(): Promise<void> {
  // Ctrl-C: exit normally, so the exit hook kills what the suite started.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const ops = Number(process.env.RELIABILITY_OPS ?? 400);
  const only = process.env.RELIABILITY_SCENARIOS?.split(',').filter(Boolean) as ScenarioName[] | undefined;
  const settings = { ops, concurrency: 8, products: PRODUCTS.length, scenarios: only ?? SCENARIOS };
  const say = (line: string) => console.error(`[reliability] ${line}`);
  const suite = await startReliabilitySuite({ ops, say, logLevel: process.env.RELIABILITY_LOG_LEVEL ?? 'silent' });
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of only ?? SCENARIOS) results.push(await suite.run(scenario));
  } finally {
    await suite.stop();
  }
  console.table(renderTable(results));
  writeResults(results, settings);
  const failed = results.flatMap((r) => failuresOf(r).map((f) => `${r.scenario}: ${f}`));
  if (failed.length > 0) {
    console.error(`[reliability] FAILED\n  ${failed.join('\n  ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
