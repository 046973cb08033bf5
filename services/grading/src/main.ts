import { connectMongo, createKafka, createLogger, runMain, shutdownOnSignals, verifyKafka } from '@pinzhi/platform';
import { loadGradingConfig } from './config.js';
import { startGrading } from './grading-server.js';

// Composition root: config → (telemetry, loaded by --import) → MongoDB → Kafka → gRPC → health.
runMain(async () => {
  const config = loadGradingConfig();
  const logger = createLogger(config.SERVICE_NAME, config.LOG_LEVEL);
  const mongo = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, appName: config.SERVICE_NAME, logger });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.SERVICE_NAME, logger });
  await verifyKafka(kafka, config.KAFKA_BROKERS);
  const grading = await startGrading({
    db: mongo.db,
    kafka,
    logger,
    host: config.GRPC_HOST,
    port: config.GRPC_PORT,
    jwt: { secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
    healthProbeIntervalMs: config.HEALTH_PROBE_INTERVAL_MS,
    outboxSweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS,
    expirySweepIntervalMs: config.EXPIRY_SWEEP_INTERVAL_MS,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    defaultValidityMonths: config.GRADE_VALIDITY_MONTHS,
    catalogueCacheMs: config.CATALOGUE_CACHE_MS,
    maxBulkItems: config.ISSUE_GRADES_MAX_ITEMS,
  });
  shutdownOnSignals(logger, [...grading.shutdownSteps, { name: 'mongodb', run: () => mongo.close() }]);
});
