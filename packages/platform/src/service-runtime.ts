import type { Kafka } from 'kafkajs';
import type { Db } from 'mongodb';
import { TokenVerifier, type JwtSettings } from './auth/jwt.js';
import { HealthMonitor } from './grpc/health.js';
import { startGrpcServer, type HostedService, type RunningGrpcServer } from './grpc/server.js';
import { createEventPublisher, type EventPublisher } from './kafka/event-publisher.js';
import { ensureTopics, kafkaProbe, type TopicSpec } from './kafka/kafka.js';
import type { ShutdownStep } from './lifecycle.js';
import type { Logger } from './log.js';
import { mongoProbe } from './mongo/mongo.js';
import { acquireWriterLease } from './mongo/writer-lease.js';
import { OutboxRelay } from './outbox/outbox.js';

export interface ServiceRuntimeOptions {
  /** The service's name; on FerretDB it names the writer lease (one instance per service). */
  service: string;
  db: Db;
  kafka: Kafka;
  logger: Logger;
  host: string;
  port: number;
  jwt: JwtSettings;
  /** Topics the service publishes or consumes; created when missing. */
  topics: readonly TopicSpec[];
  /** Collections whose documents carry an outbox. */
  outboxCollections: readonly string[];
  healthProbeIntervalMs: number;
  outboxSweepIntervalMs: number;
  shutdownGraceMs: number;
  /** What to do if another instance takes the writer lease over; default: shut down (SIGTERM). */
  onWriterLeaseLost?: () => void;
}

export interface ServiceRuntime {
  publisher: EventPublisher;
  relay: OutboxRelay;
  verifier: TokenVerifier;
  /** Starts health probing and the gRPC server with the given services. */
  serve(services: readonly HostedService[]): Promise<RunningGrpcServer>;
  /**
   * The ordered shutdown: health NOT_SERVING, drain gRPC, then the service's own steps
   * (consumers, sweeps), then the outbox relay and the Kafka connections. MongoDB, opened by
   * main, is closed last by main.
   */
  shutdownSteps(own?: readonly ShutdownStep[]): ShutdownStep[];
}

/**
 * The plumbing every pinzhi service composes the same way: topics, event publisher, outbox
 * relay (publish after write + sweep), token verifier, health driven by MongoDB and Kafka
 * probes, and the gRPC server. A service adds only its use cases and adapters.
 */
export async function startServiceRuntime(options: ServiceRuntimeOptions): Promise<ServiceRuntime> {
  const { db, kafka, logger } = options;
  const lease = await acquireWriterLease(db, options.service, {
    logger,
    onLost: options.onWriterLeaseLost ?? (() => process.kill(process.pid, 'SIGTERM')),
  });
  await ensureTopics(kafka, options.topics);
  const publisher = await createEventPublisher(kafka);
  const relay = new OutboxRelay({
    db,
    publisher,
    collections: options.outboxCollections,
    logger: logger.child({ component: 'outbox' }),
    sweepIntervalMs: options.outboxSweepIntervalMs,
  });
  relay.start();
  const probe = kafkaProbe(kafka);
  const health = new HealthMonitor({ probes: [mongoProbe(db), probe], intervalMs: options.healthProbeIntervalMs, logger });
  const verifier = new TokenVerifier(options.jwt);
  let grpc: RunningGrpcServer | undefined;
  return {
    publisher,
    relay,
    verifier,
    async serve(services) {
      await health.start();
      grpc = await startGrpcServer({ host: options.host, port: options.port, services, health, logger });
      return grpc;
    },
    shutdownSteps: (own = []) => [
      { name: 'health', run: () => health.stop() },
      { name: 'grpc', run: () => grpc?.shutdown(options.shutdownGraceMs) },
      ...own,
      { name: 'outbox relay', run: () => relay.stop() },
      { name: 'writer lease', run: () => lease.release() },
      {
        name: 'kafka',
        run: async () => {
          await probe.close();
          await publisher.close();
        },
      },
    ],
  };
}
