import type { z } from 'zod';
import type { Kafka } from 'kafkajs';
import type { Db } from 'mongodb';
import { TokenVerifier } from './auth/jwt.js';
import type { CommonConfig } from './config.js';
import { loadConfig } from './config.js';
import { implementService, type ServiceDefinitionLike, type ServiceHandlers } from './grpc/handler.js';
import { diagnosticsHandlersWith, DiagnosticsServiceService, type ServiceStatusReport } from './grpc/diagnostics-service.js';
import { HealthMonitor } from './grpc/health.js';
import { startGrpcServer, type RunningGrpcServer } from './grpc/server.js';
import { dlqTopicOf, mongoProcessedEvents, startEventConsumer, type EventHandler, type RunningConsumer } from './kafka/event-consumer.js';
import { createEventPublisher, type EventPublisher } from './kafka/event-publisher.js';
import { consumerLagReader, createKafka, ensureTopics, kafkaProbe, verifyKafka, type TopicSpec } from './kafka/kafka.js';
import { runMain, shutdownOnSignals, type ShutdownStep } from './lifecycle.js';
import { createLogger, type Logger } from './log.js';
import { connectMongo, mongoProbe } from './mongo/mongo.js';
import { acquireWriterLease } from './mongo/writer-lease.js';
import { pinzhiMetrics } from './otel/metrics.js';
import { OutboxRelay } from './outbox/outbox.js';

/** A stream as the kit needs it: its topic and whether it is compacted (see @pinzhi/events). */
export interface StreamRef {
  readonly topic: string;
  readonly compacted?: boolean;
}

/** One input of a service: a stream read by a consumer group, de-duplicated, dead-lettered. */
export interface ConsumerDefinition {
  /** Consumer group id; also the name its processed event ids are kept under. */
  group: string;
  stream: StreamRef;
  handle: EventHandler;
  /** Read a new group's stream from the beginning (default true: no input is skipped). */
  fromBeginning?: boolean;
  /** Attempts for a retriable failure before the record is left for redelivery. */
  maxAttempts?: number;
  /**
   * The handler derives its outcome from the store every time, so a redelivered event changes
   * nothing: its event ids are not kept (saves a count and an insert per event).
   */
  idempotent?: true;
  /** Partitions handled at the same time (see EventConsumerOptions.partitionsAtOnce); only for a handler whose partitions touch different documents. */
  partitionsAtOnce?: number;
  /** Records of different keys handled at the same time (EventConsumerOptions.keysAtOnce); only with `idempotent`. */
  keysAtOnce?: true;
}

/** Work a service does on a timer (expiry, re-evaluation). */
export interface SweepDefinition {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

/** A gRPC service and its handlers; the kit adds auth, error mapping, health and reflection. */
export interface GrpcServiceParts<D extends ServiceDefinitionLike = ServiceDefinitionLike> {
  definition: D;
  handlers: ServiceHandlers<D>;
}

/** What a service's start function returns: its faces, inputs and timers. */
export interface ServiceParts<E = unknown> {
  grpc: readonly GrpcServiceParts<any>[];
  consumers?: readonly ConsumerDefinition[];
  sweeps?: readonly SweepDefinition[];
  /** The service's own shutdown steps, run after consumers and sweeps stop, before the relay. */
  stop?: readonly ShutdownStep[];
  /** Handles integration tests may use (use cases, signer). */
  exposed?: E;
}

/** What the kit hands a service's start function. */
export interface ServiceContext<C extends CommonConfig> {
  config: C;
  db: Db;
  kafka: Kafka;
  logger: Logger;
  relay: OutboxRelay;
  publisher: EventPublisher;
  clock: () => Date;
  /** The topic of a stream as this instance names it (tests give each instance its own). */
  topic(stream: StreamRef): string;
}

/** A pinzhi service, declared once and run by runService (or startService in tests). */
export interface PinzhiService<C extends CommonConfig = CommonConfig, E = unknown> {
  name: string;
  /** The service's settings: `z.object({ ...commonSettings, ...its own })`. */
  config: z.ZodType<C>;
  /** Collections whose documents carry an outbox (the relay sweeps their marks). */
  outboxCollections: readonly string[];
  /** Streams the service publishes (created when missing). */
  publishes: readonly StreamRef[];
  /** Creates the service's indexes (idempotent). */
  indexes?(db: Db): Promise<void>;
  start(context: ServiceContext<C>): Promise<ServiceParts<E>>;
}

export const defineService = <C extends CommonConfig, E>(service: PinzhiService<C, E>): PinzhiService<C, E> => service;

export interface StartServiceOptions {
  /** Environment to parse the config from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Prefix for every topic and consumer group (tests: each instance its own); default TOPIC_PREFIX. */
  namePrefix?: string;
  clock?: () => Date;
  logger?: Logger;
  /** What to do when another instance takes the writer lease over; default: SIGTERM to self. */
  onWriterLeaseLost?: () => void;
}

export interface RunningService<C extends CommonConfig = CommonConfig, E = unknown> {
  config: C;
  db: Db;
  logger: Logger;
  grpc: RunningGrpcServer;
  address: string;
  relay: OutboxRelay;
  exposed: E;
  topic(stream: StreamRef): string;
  /** Resolves once every consumer group has joined (they join in the background). */
  consumersReady: Promise<void>;
  /** The ordered shutdown steps (also run on SIGTERM/SIGINT by runService). */
  shutdownSteps: readonly ShutdownStep[];
  stop(): Promise<void>;
}

/**
 * Starts a service: config → MongoDB → Kafka → writer lease → topics → outbox relay → the
 * service's own parts → gRPC with health → consumers. Consumers join their groups in the
 * background once gRPC serves: after a crash a group waits out the dead member's session
 * (30 s), and the service should not be unavailable for that long.
 */
export async function startService<C extends CommonConfig, E>(service: PinzhiService<C, E>, options: StartServiceOptions = {}): Promise<RunningService<C, E>> {
  const config = loadConfig(service.config, options.env ?? process.env);
  const name = config.SERVICE_NAME ?? service.name;
  const logger = options.logger ?? createLogger(name, config.LOG_LEVEL);
  const prefix = options.namePrefix ?? config.TOPIC_PREFIX;
  const topic = (stream: StreamRef) => `${prefix}${stream.topic}`;
  const steps: ShutdownStep[] = [];
  const stop = async () => {
    for (const step of steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        logger.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
  };
  // Steps are pushed as resources open and run in reverse, so a failed start closes what it opened.
  try {
    const mongo = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, appName: name, logger });
    steps.push({ name: 'mongodb', run: () => mongo.close() });
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: name, logger });
    await verifyKafka(kafka, config.KAFKA_BROKERS);
    const lease = await acquireWriterLease(mongo.db, service.name, {
      logger,
      onLost: options.onWriterLeaseLost ?? (() => process.kill(process.pid, 'SIGTERM')),
    });
    steps.push({ name: 'writer lease', run: () => lease.release() });
    await service.indexes?.(mongo.db);
    await ensureTopics(
      kafka,
      service.publishes.map((s) => topicSpec(topic(s), s)),
    );
    const publisher = await createEventPublisher(kafka, { topicPrefix: prefix });
    const probe = kafkaProbe(kafka);
    steps.push({
      name: 'kafka',
      run: async () => {
        await probe.close();
        await publisher.close();
      },
    });
    const relay = new OutboxRelay({
      db: mongo.db,
      publisher,
      collections: service.outboxCollections,
      logger: logger.child({ component: 'outbox' }),
      sweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS,
      maxEventBytes: config.EVENT_MAX_BYTES,
      abandonedMarkMs: config.OUTBOX_ABANDONED_MARK_MS,
    });
    relay.start();
    steps.push({ name: 'outbox relay', run: () => relay.stop() });
    steps.push({ name: 'outbox metric', run: pinzhiMetrics.observeOutboxPending(() => relay.pendingCount()) });

    const parts = await service.start({ config, db: mongo.db, kafka, logger, relay, publisher, clock: options.clock ?? (() => new Date()), topic });
    steps.push(...[...(parts.stop ?? [])].reverse());

    const consumers = parts.consumers ?? [];
    for (const c of consumers) {
      // A failed record sends its whole batch again: only a handler that tolerates that.
      if (c.keysAtOnce && !c.idempotent) throw new Error(`consumer ${c.group}: keysAtOnce needs an idempotent handler`);
    }
    const inputs = consumers.map((c) => topic(c.stream));
    await ensureTopics(kafka, [
      ...consumers.map((c) => topicSpec(topic(c.stream), c.stream)),
      ...[...new Set(inputs)].map((t) => ({ topic: dlqTopicOf(t), numPartitions: 1 })),
    ]);

    const timers = (parts.sweeps ?? []).map((sweep) => {
      const timer = setInterval(() => {
        sweep.run().catch((error: unknown) => logger.warn({ err: error, sweep: sweep.name }, 'sweep failed'));
      }, sweep.everyMs);
      timer.unref();
      return timer;
    });
    steps.push({ name: 'sweeps', run: () => timers.forEach((t) => clearInterval(t)) });

    // Kafka down delays events (the outbox holds them); only the database decides serving.
    const health = new HealthMonitor({ probes: [mongoProbe(mongo.db), { ...probe, critical: false }], intervalMs: config.HEALTH_PROBE_INTERVAL_MS, logger });
    await health.start();
    const verifier = new TokenVerifier({
      secret: config.JWT_SECRET,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      maxLifetimeS: config.JWT_MAX_LIFETIME_S,
    });
    const consumerStates = consumers.map((c) => ({ group: `${prefix}${c.group}`, topic: topic(c.stream), joined: false }));
    const status = async (): Promise<ServiceStatusReport> => ({
      service: service.name,
      servingStatus: health.status,
      dependencies: health.dependencies.map((d) => ({ name: d.name, ok: d.ok, critical: d.critical, detail: d.detail, checkTime: d.checkedAt })),
      consumers: consumerStates.map((c) => ({ ...c })),
      outboxPending: await relay.pendingCount().catch(() => -1),
    });
    const grpcParts = [...parts.grpc, { definition: DiagnosticsServiceService, handlers: diagnosticsHandlersWith(status) }];
    const grpc = await startGrpcServer({
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      services: grpcParts.map((g) => ({ definition: g.definition, implementation: implementService(g.definition, g.handlers, { verifier, logger }) })),
      health,
      logger,
      maxReceiveBytes: config.GRPC_MAX_RECEIVE_BYTES,
    });

    const running: RunningConsumer[] = [];
    const consumersReady = Promise.all(
      consumers.map(async (c, i) => {
        const consumer = await startEventConsumer({
          joinInBackground: true,
          kafka,
          groupId: `${prefix}${c.group}`,
          topics: [topic(c.stream)],
          fromBeginning: c.fromBeginning ?? true,
          handle: c.handle,
          ...(c.idempotent ? {} : { processed: mongoProcessedEvents(mongo.db) }),
          publisher,
          logger,
          ...(c.maxAttempts ? { maxAttempts: c.maxAttempts } : {}),
          ...(c.partitionsAtOnce ? { partitionsAtOnce: c.partitionsAtOnce } : {}),
          ...(c.keysAtOnce ? { keysAtOnce: true } : {}),
        });
        running.push(consumer);
        await consumer.joined;
        consumerStates[i]!.joined = true;
      }),
    ).then(() => undefined);
    consumersReady.catch((error: unknown) => logger.error({ err: error }, 'a consumer failed to start'));
    steps.push({
      name: 'consumers',
      // A group still joining (after a crash it waits out the dead member's 30 s session)
      // makes kafkajs' disconnect wait for the join; the process is about to exit, so it is
      // given a few seconds and then left behind: its uncommitted records are redelivered.
      run: () => Promise.all(running.map((c) => bounded(c.stop(), CONSUMER_STOP_MS))).then(() => undefined),
    });
    if (consumers.length > 0) {
      const lag = consumerLagReader(
        kafka,
        consumers.map((c) => ({ group: `${prefix}${c.group}`, topic: topic(c.stream) })),
      );
      const unobserve = pinzhiMetrics.observeConsumerLag(() => lag.read());
      steps.push({
        name: 'consumer lag metric',
        run: async () => {
          unobserve();
          await lag.close();
        },
      });
    }
    steps.push({ name: 'grpc', run: () => grpc.shutdown(config.SHUTDOWN_GRACE_MS) });
    steps.push({ name: 'health', run: () => health.stop() });

    return {
      config,
      db: mongo.db,
      logger,
      grpc,
      address: grpc.address,
      relay,
      exposed: parts.exposed as E,
      topic,
      consumersReady,
      get shutdownSteps() {
        return [...steps].reverse();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const CONSUMER_STOP_MS = 3000;

function bounded(work: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work.then(resolve, resolve).finally(() => clearTimeout(timer));
  });
}

function topicSpec(name: string, stream: StreamRef): TopicSpec {
  return stream.compacted ? { topic: name, config: { 'cleanup.policy': 'compact' } } : { topic: name };
}

/** A service's whole main: `runService(gradingService)`. Stops in order on SIGTERM/SIGINT. */
export function runService<C extends CommonConfig, E>(service: PinzhiService<C, E>): void {
  runMain(async () => {
    const running = await startService(service);
    shutdownOnSignals(running.logger, running.shutdownSteps);
  });
}
