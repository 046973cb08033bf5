import { CatalogueReader } from '@pinzhi/catalogue-reader';
import { MongoBytesSigner } from '@pinzhi/certificates/mongo';
import { BrandValuationServiceService } from '@pinzhi/contracts/pinzhi/brand/v1/brand_valuation_service';
import { gradeStream, sameLineStream, valuationStream } from '@pinzhi/events';
import { defineService } from '@pinzhi/platform';
import { BrandValuationUseCases } from './app/brand-valuation-use-cases.js';
import { brandValuationHandlers } from './adapters/grpc/brand-valuation-handlers.js';
import { gradeEvidenceHandler } from './adapters/kafka/grade-evidence-consumer.js';
import { sameLineEvidenceHandler } from './adapters/kafka/same-line-evidence-consumer.js';
import { APPLICATIONS, ensureApplicationIndexes, MongoApplicationRepository } from './adapters/mongo/mongo-application-repository.js';
import { MongoEvidenceStore } from './adapters/mongo/mongo-evidence-store.js';
import { brandValuationConfigSchema } from './config.js';

/** Brand valuation: applications with outbox, valuation engine, signed statements, grade evidence. */
export const brandValuationService = defineService({
  name: 'brand-valuation',
  config: brandValuationConfigSchema,
  outboxCollections: [APPLICATIONS],
  publishes: [valuationStream],
  indexes: ensureApplicationIndexes,
  async start({ config, db, relay, logger, clock }) {
    // Valuation statements are signed with brand-valuation's own keys (its own collection).
    const signer = new MongoBytesSigner(db, 'valuation_signing_keys');
    await signer.ensureActiveKey();
    const eligibility = {
      consecutiveProfitableYears: config.ELIGIBLE_PROFITABLE_YEARS,
      minimumAverageNetProfit: {
        agriculture: config.ELIGIBLE_MIN_NET_PROFIT_AGRICULTURE,
        manufacturing: config.ELIGIBLE_MIN_NET_PROFIT_MANUFACTURING,
        services: config.ELIGIBLE_MIN_NET_PROFIT_SERVICES,
      },
    };
    const catalogue = new CatalogueReader(db);
    const useCases = new BrandValuationUseCases(
      new MongoApplicationRepository(db, relay),
      new MongoEvidenceStore(db),
      catalogue,
      signer,
      { eligibility },
      clock,
    );
    return {
      grpc: [{ definition: BrandValuationServiceService, handlers: brandValuationHandlers(useCases, signer) }],
      // Each evidence source is one registration here.
      consumers: [
        { group: 'brand-valuation-grades', stream: gradeStream, handle: gradeEvidenceHandler(useCases, logger) },
        { group: 'brand-valuation-same-line', stream: sameLineStream, handle: sameLineEvidenceHandler(useCases, catalogue, logger) },
      ],
      exposed: { useCases, signer },
    };
  },
});
