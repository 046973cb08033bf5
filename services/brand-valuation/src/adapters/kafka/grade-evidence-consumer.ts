import { gradeStream } from '@pinzhi/events';
import { GradeState } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { InvalidArgumentError, type EventHandler, type Logger } from '@pinzhi/platform';
import type { BrandValuationUseCases } from '../../app/brand-valuation-use-cases.js';
import { GRADE_STATES, type GradeState as GradeStateWord } from '../../domain/quality-evidence.js';

function stateOf(state: GradeState): GradeStateWord {
  const word = (GradeState[state] ?? '').replace(/^GRADE_STATE_/, '').toLowerCase() as GradeStateWord;
  if (!GRADE_STATES.includes(word)) throw new InvalidArgumentError(`unknown grade state ${state}`);
  return word;
}

/**
 * Grade events are evidence for the "quality" element: each one updates its brand's record,
 * and a revocation or a failed supervision sample flags the brand's published valuations.
 * A type this service does not know passes by; an unreadable one is dead-lettered.
 */
export function gradeEvidenceHandler(useCases: BrandValuationUseCases, logger: Logger): EventHandler {
  return async (event) => {
    const decoded = gradeStream.read(event);
    if (!decoded) return;
    const grade = decoded.payload.grade;
    if (!grade) throw new InvalidArgumentError(`${event.type} carries no grade`);
    const brandId = grade.brand.replace(/^brands\//, '');
    if (brandId === '') return;
    const flagged = await useCases.applyGradeEvent(
      brandId,
      {
        eventId: event.id,
        verb: decoded.verb,
        gradeId: grade.name.replace(/^grades\//, ''),
        productId: grade.gtin,
        level: grade.level,
        state: stateOf(grade.state),
        at: event.time,
        cause: grade.cause,
      },
      event.type,
    );
    if (flagged > 0) logger.info({ brandId, eventId: event.id, flagged }, 'published valuations flagged for review');
  };
}
