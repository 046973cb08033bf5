import type { CatalogueReader } from '@pinzhi/catalogue-reader';
import { CaseState } from '@pinzhi/contracts/pinzhi/sameline/v1/resources';
import { sameLineStream } from '@pinzhi/events';
import { InvalidArgumentError, type EventHandler, type Logger } from '@pinzhi/platform';
import type { BrandValuationUseCases } from '../../app/brand-valuation-use-cases.js';

const IN_FORCE: readonly CaseState[] = [CaseState.CASE_STATE_DECLARED, CaseState.CASE_STATE_CERTIFIED];

/**
 * 三同 cases are evidence too: a case in force speaks for the brand's quality, a suspension
 * flags its published valuations. The case names its domestic product; the catalogue says
 * whose brand that is.
 */
export function sameLineEvidenceHandler(useCases: BrandValuationUseCases, catalogue: Pick<CatalogueReader, 'product'>, logger: Logger): EventHandler {
  return async (event) => {
    const decoded = sameLineStream.read(event);
    if (!decoded) return;
    const payload = decoded.payload as { sameLineCase?: { name: string; state: CaseState; domesticProduct: string }; reason?: string };
    const sameLineCase = payload.sameLineCase;
    if (!sameLineCase) throw new InvalidArgumentError(`${event.type} carries no case`);
    const productId = sameLineCase.domesticProduct.replace(/^products\//, '');
    const product = await catalogue.product(productId);
    if (!product) return;
    const flagged = await useCases.applyCaseEvent(
      product.brandId,
      {
        eventId: event.id,
        verb: decoded.verb,
        caseId: sameLineCase.name.replace(/^cases\//, ''),
        productId,
        inForce: IN_FORCE.includes(sameLineCase.state),
        at: event.time,
        reason: (payload.reason ?? '').slice(0, 300),
      },
      event.type,
    );
    if (flagged > 0) logger.info({ brandId: product.brandId, eventId: event.id, flagged }, 'published valuations flagged for review');
  };
}
