import { CatalogueServiceService } from '@pinzhi/contracts/pinzhi/catalogue/v1/catalogue_service';
import { catalogueStreams } from '@pinzhi/events';
import { defineService } from '@pinzhi/platform';
import { CatalogueUseCases } from './app/catalogue-use-cases.js';
import { catalogueHandlers } from './adapters/grpc/catalogue-handlers.js';
import { collectionOf, ensureCatalogueIndexes, MongoCatalogueStore } from './adapters/mongo/mongo-catalogue-store.js';
import { catalogueConfigSchema } from './config.js';

/** The catalogue: MongoDB store with outbox, use cases, gRPC. */
export const catalogueService = defineService({
  name: 'catalogue',
  config: catalogueConfigSchema,
  outboxCollections: Object.values(collectionOf),
  publishes: Object.values(catalogueStreams),
  indexes: ensureCatalogueIndexes,
  async start({ db, relay }) {
    const useCases = new CatalogueUseCases(new MongoCatalogueStore(db, relay));
    return { grpc: [{ definition: CatalogueServiceService, handlers: catalogueHandlers(useCases) }], exposed: { useCases } };
  },
});
