import { catalogueEventTopics, catalogueEventType, normaliseGtin } from '@pinzhi/catalogue-reader';
import { ProductWithdrawn } from '@pinzhi/contracts/pinzhi/catalogue/v1/events';
import { InvalidArgumentError, type EventHandler, type Logger } from '@pinzhi/platform';
import type { GradingUseCases } from '../../app/grading-use-cases.js';

export const PRODUCT_TOPIC = catalogueEventTopics.product;
const WITHDRAWN_TYPE = catalogueEventType('product', 'withdrawn');

/**
 * Catalogue product events, of which grading acts on one: a withdrawal revokes the product's
 * live grades. Registrations and updates pass by; an unreadable withdrawal is rejected (and so
 * dead-lettered) rather than skipped.
 */
export function productWithdrawalHandler(useCases: GradingUseCases, logger: Logger): EventHandler {
  return async (event) => {
    if (event.type !== WITHDRAWN_TYPE) return;
    const name = ProductWithdrawn.decode(event.data).product?.name ?? '';
    const gtin = normaliseGtin(name.replace(/^products\//, ''), 'product.name');
    if (!gtin.ok) throw new InvalidArgumentError('invalid product withdrawal', gtin.violations);
    const revoked = await useCases.withdrawProduct(gtin.value, event.id);
    logger.info({ product: gtin.value, revoked: revoked.map((g) => g._id) }, 'product withdrawal applied');
  };
}
