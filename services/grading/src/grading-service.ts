import { CatalogueReader } from '@pinzhi/catalogue-reader';
import { GradingServiceService } from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { catalogueStreams, gradeStateStream, gradeStream, supervisionStream } from '@pinzhi/events';
import { defineService } from '@pinzhi/platform';
import { GradingUseCases } from './app/grading-use-cases.js';
import { gradingHandlers } from './adapters/grpc/grading-handlers.js';
import { gradeConvergenceHandler } from './adapters/kafka/grade-convergence-consumer.js';
import { GradeFeed } from './adapters/kafka/grade-feed.js';
import { productWithdrawalHandler } from './adapters/kafka/product-withdrawal-consumer.js';
import { supervisionSampleHandler } from './adapters/kafka/supervision-sample-consumer.js';
import { MongoCertificateSigner } from './adapters/mongo/mongo-certificate-signer.js';
import { ensureGradeIndexes, GRADES, MongoGradeRepository } from './adapters/mongo/mongo-grade-repository.js';
import { gradingConfigSchema } from './config.js';

/** Grading: grade store with outbox, signer, use cases, two event inputs, expiry sweep, gRPC. */
export const gradingService = defineService({
  name: 'grading',
  config: gradingConfigSchema,
  outboxCollections: [GRADES],
  publishes: [gradeStream, gradeStateStream],
  indexes: ensureGradeIndexes,
  async start({ config, db, kafka, relay, publisher, logger, clock, topic }) {
    const signer = new MongoCertificateSigner(db);
    await signer.ensureActiveKey();
    const catalogue = new CatalogueReader(db, { referenceTtlMs: config.CATALOGUE_CACHE_MS });
    const useCases = new GradingUseCases(
      new MongoGradeRepository(db, relay),
      catalogue,
      signer,
      { defaultValidityMonths: config.GRADE_VALIDITY_MONTHS },
      clock,
    );
    const feed = new GradeFeed(kafka, logger, topic(gradeStream));
    return {
      grpc: [{ definition: GradingServiceService, handlers: gradingHandlers(useCases, feed, { maxBulkItems: config.ISSUE_GRADES_MAX_ITEMS }) }],
      consumers: [
        { group: 'grading-supervision', stream: supervisionStream, handle: supervisionSampleHandler(useCases, logger) },
        { group: 'grading-product-withdrawals', stream: catalogueStreams.product, handle: productWithdrawalHandler(useCases, logger) },
        // One record at a time: with partitions and keys at once (partitionsAtOnce, keysAtOnce) the
        // FerretDB-kill scenario of the fault suite failed to converge in some runs.
        { group: 'grading-convergence', stream: gradeStream, handle: gradeConvergenceHandler(useCases, publisher), idempotent: true },
      ],
      sweeps: [{ name: 'expiry', everyMs: config.EXPIRY_SWEEP_INTERVAL_MS, run: () => useCases.expireDue() }],
      stop: [{ name: 'watch feed', run: () => feed.stop() }],
      exposed: { useCases, signer },
    };
  },
});
