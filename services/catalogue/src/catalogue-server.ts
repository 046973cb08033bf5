import { CatalogueServiceService } from '@pinzhi/contracts/pinzhi/catalogue/v1/catalogue_service';
import {
  createEventPublisher,
  ensureTopics,
  HealthMonitor,
  implementService,
  kafkaProbe,
  mongoProbe,
  OutboxRelay,
  startGrpcServer,
  TokenVerifier,
  type Logger,
  type RunningGrpcServer,
  type ShutdownStep,
} from '@pinzhi/platform';
import type { Kafka } from 'kafkajs';
import type { Db } from 'mongodb';
import { CatalogueUseCases } from './app/catalogue-use-cases.js';
import { catalogueTopics } from './adapters/events/catalogue-events.js';
import { catalogueHandlers } from './adapters/grpc/catalogue-handlers.js';
import { collectionOf, ensureCatalogueIndexes, MongoCatalogueStore } from './adapters/mongo/mongo-catalogue-store.js';

export interface CatalogueServerOptions {
  db: Db;
  kafka: Kafka;
  logger: Logger;
  host: string;
  port: number;
  jwt: { secret: string; issuer: string; audience: string };
  healthProbeIntervalMs: number;
  outboxSweepIntervalMs: number;
  shutdownGraceMs: number;
}

export interface RunningCatalogue {
  grpc: RunningGrpcServer;
  useCases: CatalogueUseCases;
  relay: OutboxRelay;
  /** In order: health NOT_SERVING, drain gRPC, stop the relay, disconnect the producer. */
  shutdownSteps: ShutdownStep[];
}

/** Wires the catalogue: MongoDB store with outbox, relay, use cases, gRPC with health. */
export async function startCatalogue(options: CatalogueServerOptions): Promise<RunningCatalogue> {
  await ensureCatalogueIndexes(options.db);
  await ensureTopics(options.kafka, Object.values(catalogueTopics).map((topic) => ({ topic })));
  const publisher = await createEventPublisher(options.kafka);
  const relay = new OutboxRelay({
    db: options.db,
    publisher,
    collections: Object.values(collectionOf),
    logger: options.logger.child({ component: 'outbox' }),
    sweepIntervalMs: options.outboxSweepIntervalMs,
  });
  relay.start();
  const useCases = new CatalogueUseCases(new MongoCatalogueStore(options.db, relay));

  const probe = kafkaProbe(options.kafka);
  const health = new HealthMonitor({
    probes: [mongoProbe(options.db), probe],
    intervalMs: options.healthProbeIntervalMs,
    logger: options.logger,
  });
  await health.start();
  const verifier = new TokenVerifier(options.jwt);
  const grpc = await startGrpcServer({
    host: options.host,
    port: options.port,
    services: [
      {
        definition: CatalogueServiceService,
        implementation: implementService(CatalogueServiceService, catalogueHandlers(useCases), {
          verifier,
          logger: options.logger,
        }),
      },
    ],
    health,
    logger: options.logger,
  });
  return {
    grpc,
    useCases,
    relay,
    shutdownSteps: [
      { name: 'health', run: () => health.stop() },
      { name: 'grpc', run: () => grpc.shutdown(options.shutdownGraceMs) },
      { name: 'outbox relay', run: () => relay.stop() },
      { name: 'kafka', run: async () => { await probe.close(); await publisher.close(); } },
    ],
  };
}
