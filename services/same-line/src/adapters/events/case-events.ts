import { sameLineStream } from '@pinzhi/events';
import type { NewOutboxEntry } from '@pinzhi/platform';
import type { CaseEvent } from '../../app/ports.js';
import { caseToMessage, certificateToMessage } from '../proto/same-line-mapping.js';

/** The event a step causes, keyed by case id so one case's history stays in order. */
export function encodeCaseEvent(event: CaseEvent): NewOutboxEntry {
  const c = event.sameLineCase;
  const at = { key: c._id, subject: `cases/${c._id}` };
  const sameLineCase = caseToMessage(c);
  switch (event.verb) {
    case 'filed':
      return sameLineStream.event('filed', { sameLineCase }, at);
    case 'declared':
      return sameLineStream.event('declared', { sameLineCase, certificate: certificateToMessage(c) }, at);
    case 'certified':
      return sameLineStream.event('certified', { sameLineCase, certificate: certificateToMessage(c) }, at);
    case 'rejected':
      return sameLineStream.event('rejected', { sameLineCase, reasons: event.reasons }, at);
    case 'suspended':
      return sameLineStream.event(
        'suspended',
        { sameLineCase, reason: event.reason, cause: event.cause, causeEventId: event.causeEventId ?? '', causeEventType: event.causeEventType ?? '' },
        at,
      );
    case 'reinstated':
      return sameLineStream.event('reinstated', { sameLineCase, reason: event.reason }, at);
    case 'withdrawn':
      return sameLineStream.event('withdrawn', { sameLineCase, reason: event.reason }, at);
    case 'expired':
      return sameLineStream.event('expired', { sameLineCase }, at);
  }
}
