import { gradeStream } from '@pinzhi/events';
import { InvalidArgumentError, type EventHandler } from '@pinzhi/platform';
import type { GradingUseCases } from '../../app/grading-use-cases.js';

/**
 * Grading reads its own issued events to finish every issue: the event is written with the
 * grade (outbox), so it arrives even when the process died right after the insert, before the
 * product's current-grade pointer moved or the older grade was superseded. The repair is
 * idempotent and a no-op for an issue that completed.
 */
export function gradeConvergenceHandler(useCases: GradingUseCases): EventHandler {
  return async (event) => {
    const decoded = gradeStream.read(event);
    if (decoded?.verb !== 'issued') return;
    const name = decoded.payload.grade?.name ?? '';
    if (!name.startsWith('grades/')) throw new InvalidArgumentError(`${event.type} carries no grade name`);
    await useCases.convergeGrade(name.slice('grades/'.length));
  };
}
