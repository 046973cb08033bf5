import { gradeStream } from '@pinzhi/events';
import { eventToPublish, InvalidArgumentError, type EventHandler, type EventPublisher } from '@pinzhi/platform';
import type { GradingUseCases } from '../../app/grading-use-cases.js';
import { encodeGradeState } from '../events/grade-events.js';

/**
 * Grading reads its own grade events to finish every issue and to project the compacted
 * grade-state topic.
 *
 * Convergence: the issued event is written with the grade (outbox), so it arrives even when
 * the process died right after the insert, before the product's current-grade pointer moved
 * or the older grade was superseded. The repair is idempotent and a no-op when complete.
 *
 * Projection: after any event of a product and standard, the state record is derived from
 * the pointer as it is now and published before the offset is committed. A product's events
 * share one partition and are handled in order, and every change of the pointer or of the
 * grade it names is followed by an event, so the product's last record is read after its
 * last change: the compacted topic ends equal to the pointer whatever order a crash made the
 * outbox re-send events in. A redelivered event derives the record afresh, so the consumer
 * keeps no processed ids (it is declared idempotent).
 */
export function gradeConvergenceHandler(useCases: GradingUseCases, publisher: EventPublisher): EventHandler {
  return async (event) => {
    const decoded = gradeStream.read(event);
    if (!decoded) return;
    const grade = decoded.payload.grade;
    const name = grade?.name ?? '';
    if (!grade || !name.startsWith('grades/') || !grade.product.startsWith('products/')) {
      throw new InvalidArgumentError(`${event.type} carries no grade name or product`);
    }
    const productId = grade.product.slice('products/'.length);
    const issued = decoded.verb === 'issued' ? name.slice('grades/'.length) : undefined;
    const shown = await useCases.convergeAndShow(productId, grade.standardCode, issued);
    await publisher.publish([eventToPublish(encodeGradeState(productId, grade.standardCode, shown, name))]);
  };
}
