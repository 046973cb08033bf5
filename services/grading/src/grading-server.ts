import { CatalogueReader } from '@pinzhi/catalogue-reader';
import { GradingServiceService } from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import {
  dlqTopicOf,
  implementService,
  mongoProcessedEvents,
  startEventConsumer,
  startServiceRuntime,
  type EventHandler,
  type Logger,
  type OutboxRelay,
  type RunningGrpcServer,
  type ShutdownStep,
} from '@pinzhi/platform';
import type { Kafka } from 'kafkajs';
import type { Db } from 'mongodb';
import { GradingUseCases } from './app/grading-use-cases.js';
import { gradingTopics } from './adapters/events/grade-events.js';
import { gradingHandlers } from './adapters/grpc/grading-handlers.js';
import { GradeFeed } from './adapters/kafka/grade-feed.js';
import { PRODUCT_TOPIC, productWithdrawalHandler } from './adapters/kafka/product-withdrawal-consumer.js';
import { SUPERVISION_TOPIC, supervisionSampleHandler } from './adapters/kafka/supervision-sample-consumer.js';
import { MongoCertificateSigner } from './adapters/mongo/mongo-certificate-signer.js';
import { ensureGradeIndexes, GRADES, MongoGradeRepository } from './adapters/mongo/mongo-grade-repository.js';

export interface GradingServerOptions {
  db: Db;
  kafka: Kafka;
  logger: Logger;
  host: string;
  port: number;
  jwt: { secret: string; issuer: string; audience: string };
  healthProbeIntervalMs: number;
  outboxSweepIntervalMs: number;
  expirySweepIntervalMs: number;
  shutdownGraceMs: number;
  defaultValidityMonths: number;
  /** Standards and certification bodies are cached this long (0: read every time). */
  catalogueCacheMs?: number;
  /** Items one IssueGrades call grades (default 1 000). */
  maxBulkItems?: number;
  /** Consumer group of the supervision-sample consumer (tests use their own). */
  supervisionGroupId?: string;
  /** Consumer group of the catalogue product-withdrawal consumer (tests use their own). */
  withdrawalGroupId?: string;
  clock?: () => Date;
}

export interface RunningGrading {
  grpc: RunningGrpcServer;
  useCases: GradingUseCases;
  relay: OutboxRelay;
  signer: MongoCertificateSigner;
  shutdownSteps: ShutdownStep[];
}

/** Wires grading: grade store with outbox, signer, use cases, consumers, gRPC with health. */
export async function startGrading(options: GradingServerOptions): Promise<RunningGrading> {
  const { db, kafka, logger } = options;
  await ensureGradeIndexes(db);
  const runtime = await startServiceRuntime({
    service: 'grading',
    ...options,
    topics: [
      { topic: gradingTopics.grades },
      { topic: gradingTopics.gradeState, config: { 'cleanup.policy': 'compact' } },
      { topic: SUPERVISION_TOPIC },
      { topic: dlqTopicOf(SUPERVISION_TOPIC), numPartitions: 1 },
      { topic: PRODUCT_TOPIC },
      { topic: dlqTopicOf(PRODUCT_TOPIC), numPartitions: 1 },
    ],
    outboxCollections: [GRADES],
  });
  const signer = new MongoCertificateSigner(db);
  await signer.ensureActiveKey();
  const useCases = new GradingUseCases(
    new MongoGradeRepository(db, runtime.relay),
    new CatalogueReader(db, { referenceTtlMs: options.catalogueCacheMs ?? 0 }),
    signer,
    { defaultValidityMonths: options.defaultValidityMonths },
    options.clock,
  );

  // Both inputs are read from the beginning, de-duplicated by event id, dead-lettered when unreadable.
  const consume = (groupId: string, topic: string, handle: EventHandler) =>
    startEventConsumer({ kafka, groupId, topics: [topic], fromBeginning: true, handle, processed: mongoProcessedEvents(db), publisher: runtime.publisher, logger });
  const supervision = await consume(options.supervisionGroupId ?? 'grading-supervision', SUPERVISION_TOPIC, supervisionSampleHandler(useCases, logger));
  const withdrawals = await consume(options.withdrawalGroupId ?? 'grading-product-withdrawals', PRODUCT_TOPIC, productWithdrawalHandler(useCases, logger));
  const expiry = setInterval(() => {
    useCases.expireDue().catch((error: unknown) => logger.warn({ err: error }, 'expiry sweep failed'));
  }, options.expirySweepIntervalMs);
  expiry.unref();

  const feed = new GradeFeed(kafka, logger);
  const grpc = await runtime.serve([
    {
      definition: GradingServiceService,
      implementation: implementService(GradingServiceService, gradingHandlers(useCases, feed, { maxBulkItems: options.maxBulkItems ?? 1000 }), {
        verifier: runtime.verifier,
        logger,
      }),
    },
  ]);
  return {
    grpc,
    useCases,
    relay: runtime.relay,
    signer,
    shutdownSteps: runtime.shutdownSteps([
      { name: 'expiry sweep', run: () => clearInterval(expiry) },
      { name: 'supervision consumer', run: () => supervision.stop() },
      { name: 'product withdrawal consumer', run: () => withdrawals.stop() },
      { name: 'watch feed', run: () => feed.stop() },
    ]),
  };
}
