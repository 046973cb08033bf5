import { gradeStateKey, gradeStateStream, gradeStream } from '@pinzhi/events';
import type { NewOutboxEntry } from '@pinzhi/platform';
import type { GradeEventSpec } from '../../app/ports.js';
import { isLive } from '../../domain/grade.js';
import { gradeToMessage } from '../proto/grading-mapping.js';

/** The change event and the new current state, both written with the grade in one write. */
export function encodeGradeEvent(spec: GradeEventSpec): NewOutboxEntry[] {
  const grade = gradeToMessage(spec.grade);
  const at = { key: spec.grade.productId, subject: `grades/${spec.grade._id}` };
  const change = gradeStream.event(spec.verb, { grade, previousLevel: spec.previousLevel ?? '', supersededBy: spec.supersededBy ?? '' }, at);
  // A superseded grade's product has a newer grade, whose own state entry replaces this one.
  if (spec.verb === 'superseded') return [change];
  const stateAt = { key: gradeStateKey(spec.grade.productId, spec.grade.standardCode), subject: at.subject };
  return [change, isLive(spec.grade) ? gradeStateStream.event('current', { grade }, stateAt) : gradeStateStream.tombstone('current', stateAt)];
}
