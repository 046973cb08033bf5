import { normaliseGtin, parseResourceName } from '@pinzhi/catalogue-reader';
import { GradeState } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { gradeStream, supervisionStream } from '@pinzhi/events';
import { InvalidArgumentError, type EventHandler, type Logger } from '@pinzhi/platform';
import type { SameLineUseCases } from '../../app/same-line-use-cases.js';

const NONCONFORMING = 'NONCONFORMING';

/**
 * Grade events as surveillance: a revoked grade of either twin, or one that fell below the
 * lowest grade level (a downgrade to NONCONFORMING, a REFUSED grade), suspends the cases whose
 * statement is in force. Other grade events pass by; an unreadable one is dead-lettered.
 */
export function gradeSurveillanceHandler(useCases: SameLineUseCases, logger: Logger): EventHandler {
  return async (event) => {
    const decoded = gradeStream.read(event);
    if (!decoded) return;
    const grade = decoded.payload.grade;
    if (!grade) throw new InvalidArgumentError(`${event.type} carries no grade`);
    const fell = grade.state === GradeState.GRADE_STATE_REVOKED || grade.state === GradeState.GRADE_STATE_REFUSED || grade.level === NONCONFORMING;
    if (!fell) return;
    const productId = productIdOf(grade.gtin || grade.product.replace(/^products\//, ''));
    const what = grade.state === GradeState.GRADE_STATE_REVOKED ? 'revoked' : 'fell below the lowest grade level';
    const suspended = await useCases.applySurveillance({
      productId,
      cause: grade.name,
      causeEventId: event.id,
      causeEventType: event.type,
      reason: `grade ${grade.name} of products/${productId} against ${grade.standardCode} ${what}${grade.stateReason ? `: ${grade.stateReason}` : ''}`.slice(
        0,
        500,
      ),
    });
    if (suspended > 0) logger.info({ productId, eventId: event.id, suspended }, 'same-line cases suspended by a grade event');
  };
}

/** Regulators' supervision samples (抽检): a failed sample of either twin suspends the cases whose statement is in force. */
export function supervisionSurveillanceHandler(useCases: SameLineUseCases, logger: Logger): EventHandler {
  return async (event) => {
    const decoded = supervisionStream.decode(event);
    if (decoded.kind === 'unknown-type') return;
    if (decoded.kind === 'malformed') throw new InvalidArgumentError(decoded.reason);
    const sample = decoded.payload;
    if (sample.passed) return;
    if (sample.sampleId.trim() === '')
      throw new InvalidArgumentError('invalid supervision sample', [{ field: 'sample_id', reason: 'REQUIRED', description: 'the sample id is required' }]);
    const name = parseResourceName('products', sample.product, 'product');
    if (!name.ok) throw new InvalidArgumentError('invalid supervision sample', name.violations);
    const productId = productIdOf(name.value);
    const suspended = await useCases.applySurveillance({
      productId,
      cause: `supervisionSamples/${sample.sampleId}`,
      causeEventId: event.id,
      causeEventType: event.type,
      reason:
        `supervision sample ${sample.sampleId} of products/${productId}${sample.standardCode ? ` against ${sample.standardCode}` : ''} failed${sample.regulator ? ` (${sample.regulator})` : ''}`.slice(
          0,
          500,
        ),
    });
    if (suspended > 0) logger.info({ productId, sampleId: sample.sampleId, suspended }, 'same-line cases suspended by a failed supervision sample');
  };
}

function productIdOf(gtin: string): string {
  const normalised = normaliseGtin(gtin, 'product');
  if (!normalised.ok) throw new InvalidArgumentError('the event names no valid product', normalised.violations);
  return normalised.value;
}
