import { CatalogueReader } from '@pinzhi/catalogue-reader';
import { MongoBytesSigner } from '@pinzhi/certificates/mongo';
import { SameLineServiceService } from '@pinzhi/contracts/pinzhi/sameline/v1/same_line_service';
import { gradeStream, sameLineStream, supervisionStream } from '@pinzhi/events';
import { defineService } from '@pinzhi/platform';
import { SameLineUseCases } from './app/same-line-use-cases.js';
import { sameLineHandlers } from './adapters/grpc/same-line-handlers.js';
import { gradeSurveillanceHandler, supervisionSurveillanceHandler } from './adapters/kafka/surveillance-consumers.js';
import { CASES, ensureCaseIndexes, MongoCaseRepository } from './adapters/mongo/mongo-case-repository.js';
import { sameLineConfigSchema } from './config.js';

/** Same line, same standard, same quality (三同): cases with outbox, the three checks, signed statements, surveillance. */
export const sameLineService = defineService({
  name: 'same-line',
  config: sameLineConfigSchema,
  outboxCollections: [CASES],
  publishes: [sameLineStream],
  indexes: ensureCaseIndexes,
  async start({ config, db, relay, logger, clock }) {
    // Declarations and certificates are signed with same-line's own keys (its own collection).
    const signer = new MongoBytesSigner(db, 'same_line_signing_keys');
    await signer.ensureActiveKey();
    const useCases = new SameLineUseCases(
      new MongoCaseRepository(db, relay),
      new CatalogueReader(db),
      signer,
      { validityMonths: config.CERTIFICATE_VALIDITY_MONTHS },
      clock,
    );
    return {
      grpc: [{ definition: SameLineServiceService, handlers: sameLineHandlers(useCases, signer) }],
      consumers: [
        { group: 'same-line-grades', stream: gradeStream, handle: gradeSurveillanceHandler(useCases, logger) },
        { group: 'same-line-supervision', stream: supervisionStream, handle: supervisionSurveillanceHandler(useCases, logger) },
      ],
      sweeps: [{ name: 'expiry', everyMs: config.EXPIRY_SWEEP_INTERVAL_MS, run: () => useCases.expireDue() }],
      exposed: { useCases, signer },
    };
  },
});
