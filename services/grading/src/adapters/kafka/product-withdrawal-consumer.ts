import { normaliseGtin, parseResourceName } from '@pinzhi/catalogue-reader';
import { catalogueStreams } from '@pinzhi/events';
import { InvalidArgumentError, type EventHandler, type Logger } from '@pinzhi/platform';
import type { GradingUseCases } from '../../app/grading-use-cases.js';

/**
 * Catalogue product events, of which grading acts on one: a withdrawal revokes the product's
 * live grades. Registrations and updates pass by; an unreadable withdrawal is rejected (and so
 * dead-lettered) rather than skipped.
 */
export function productWithdrawalHandler(useCases: GradingUseCases, logger: Logger): EventHandler {
  return async (event) => {
    const decoded = catalogueStreams.product.decode(event);
    if (decoded.kind === 'malformed') throw new InvalidArgumentError(decoded.reason);
    if (decoded.kind !== 'event' || decoded.verb !== 'withdrawn') return;
    const name = decoded.payload.product?.name ?? '';
    const id = parseResourceName('products', name, 'product.name');
    const gtin = id.ok ? normaliseGtin(id.value, 'product.name') : id;
    if (!gtin.ok) throw new InvalidArgumentError('invalid product withdrawal', gtin.violations);
    const revoked = await useCases.withdrawProduct(gtin.value, event.id);
    logger.info({ product: gtin.value, revoked: revoked.map((g) => g._id) }, 'product withdrawal applied');
  };
}
