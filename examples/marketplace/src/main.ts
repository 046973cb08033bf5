import { createLogger, mongoProcessedEvents, runMain, shutdownOnSignals, type ProcessedEvents, type ShutdownStep } from '@pinzhi/platform';
import { signingKeysFromGrading } from '@pinzhi/subscriber';
import { MongoClient } from 'mongodb';
import { memoryBadgeStore, mongoBadgeStore, type BadgeStore } from './badge-store.js';
import { loadMarketplaceConfig } from './config.js';
import { startMarketplace } from './marketplace.js';

// config → signing keys → badge store → subscriber; stops in the reverse order.
runMain(async () => {
  const config = loadMarketplaceConfig();
  const logger = createLogger('example-marketplace', config.LOG_LEVEL);
  const signingKeys = signingKeysFromGrading(config.GRADING_ADDRESS);
  const steps: ShutdownStep[] = [];
  let store: BadgeStore = memoryBadgeStore();
  let dedupe: ProcessedEvents | undefined;
  if (config.MONGO_URL) {
    const client = await new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5000, appName: 'example-marketplace' }).connect();
    const db = client.db(config.MONGO_DB);
    store = mongoBadgeStore(db);
    // Badges that survive a restart need processed ids that do too.
    dedupe = mongoProcessedEvents(db);
    steps.push({ name: 'mongodb', run: () => client.close() });
    logger.info({ db: config.MONGO_DB }, 'badges in MongoDB collection badges');
  }
  const marketplace = await startMarketplace({
    brokers: config.KAFKA_BROKERS,
    groupId: config.GROUP_ID,
    signingKeys,
    store,
    logger,
    ...(dedupe ? { dedupe } : {}),
  });
  steps.unshift({ name: 'subscriber', run: () => marketplace.stop() }, { name: 'grading channel', run: () => signingKeys.close() });
  shutdownOnSignals(logger, steps);
});
