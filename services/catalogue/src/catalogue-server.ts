import { CatalogueServiceService } from '@pinzhi/contracts/pinzhi/catalogue/v1/catalogue_service';
import {
  implementService,
  startServiceRuntime,
  type Logger,
  type OutboxRelay,
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
  shutdownSteps: ShutdownStep[];
}

/** Wires the catalogue: MongoDB store with outbox, use cases, gRPC with health. */
export async function startCatalogue(options: CatalogueServerOptions): Promise<RunningCatalogue> {
  await ensureCatalogueIndexes(options.db);
  const runtime = await startServiceRuntime({
    service: 'catalogue',
    ...options,
    topics: Object.values(catalogueTopics).map((topic) => ({ topic })),
    outboxCollections: Object.values(collectionOf),
  });
  const useCases = new CatalogueUseCases(new MongoCatalogueStore(options.db, runtime.relay));
  const grpc = await runtime.serve([
    {
      definition: CatalogueServiceService,
      implementation: implementService(CatalogueServiceService, catalogueHandlers(useCases), {
        verifier: runtime.verifier,
        logger: options.logger,
      }),
    },
  ]);
  return { grpc, useCases, relay: runtime.relay, shutdownSteps: runtime.shutdownSteps() };
}
