import { gradeStateKey, gradeStateStream, gradeStream } from '@pinzhi/events';
import type { NewOutboxEntry } from '@pinzhi/platform';
import type { GradeEventSpec, StoredGrade } from '../../app/ports.js';
import { gradeToMessage } from '../proto/grading-mapping.js';

/** The change event, written with the grade in one write. */
export function encodeGradeEvent(spec: GradeEventSpec): NewOutboxEntry[] {
  const grade = gradeToMessage(spec.grade);
  const at = { key: spec.grade.productId, subject: `grades/${spec.grade._id}` };
  return [gradeStream.event(spec.verb, { grade, previousLevel: spec.previousLevel ?? '', supersededBy: spec.supersededBy ?? '' }, at)];
}

/**
 * The compacted state record of a product and standard: the grade badges show, or a tombstone
 * when none is live. Derived from the current-grade pointer by the grade-state projection
 * (never stored in an outbox, where a re-sent old entry could land after a newer one).
 */
export function encodeGradeState(productId: string, standardCode: string, shown: StoredGrade | null, changed: string): NewOutboxEntry {
  // The subject names the grade shown, or for a tombstone the grade whose change ended it.
  const at = { key: gradeStateKey(productId, standardCode), subject: shown ? `grades/${shown._id}` : changed };
  return shown ? gradeStateStream.event('current', { grade: gradeToMessage(shown) }, at) : gradeStateStream.tombstone('current', at);
}
