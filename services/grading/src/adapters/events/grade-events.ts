import {
  CurrentGrade,
  GradeDowngraded,
  GradeExpired,
  GradeIssued,
  GradeRevoked,
  GradeSuperseded,
} from '@pinzhi/contracts/pinzhi/grading/v1/events';
import type { NewOutboxEntry } from '@pinzhi/platform';
import type { GradeEventSpec } from '../../app/ports.js';
import { isLive } from '../../domain/grade.js';
import { gradeToMessage } from '../grpc/grading-mapping.js';

export const GRADING_SOURCE = '/pinzhi/grading';
export const gradingTopics = {
  /** Every grade change, keyed by product (GTIN-14) so one product's history stays in order. */
  grades: 'pinzhi.grading.grades.v1',
  /** Compacted: the current grade per product and standard; a tombstone when there is none. */
  gradeState: 'pinzhi.grading.grade-state.v1',
} as const;

export const gradeEventType = (verb: string) => `pinzhi.grading.grade.${verb}.v1`;
export const CURRENT_GRADE_TYPE = 'pinzhi.grading.current-grade.v1';

/** Key of the compacted state topic: one current grade per product and standard. */
export const gradeStateKey = (productId: string, standardCode: string) => `${productId}|${standardCode}`;

/** The change event and the new current state, both written with the grade in one write. */
export function encodeGradeEvent(spec: GradeEventSpec): NewOutboxEntry[] {
  const grade = gradeToMessage(spec.grade);
  const data =
    spec.verb === 'issued'
      ? GradeIssued.encode({ grade }).finish()
      : spec.verb === 'downgraded'
        ? GradeDowngraded.encode({ grade, previousLevel: spec.previousLevel ?? '' }).finish()
        : spec.verb === 'revoked'
          ? GradeRevoked.encode({ grade }).finish()
          : spec.verb === 'expired'
            ? GradeExpired.encode({ grade }).finish()
            : GradeSuperseded.encode({ grade, supersededBy: spec.supersededBy ?? '' }).finish();
  const subject = `grades/${spec.grade._id}`;
  const change: NewOutboxEntry = {
    topic: gradingTopics.grades,
    key: spec.grade.productId,
    source: GRADING_SOURCE,
    type: gradeEventType(spec.verb),
    subject,
    data,
  };
  // A superseded grade's product has a newer grade, whose own state entry replaces this one.
  if (spec.verb === 'superseded') return [change];
  const state: NewOutboxEntry = {
    topic: gradingTopics.gradeState,
    key: gradeStateKey(spec.grade.productId, spec.grade.standardCode),
    source: GRADING_SOURCE,
    type: CURRENT_GRADE_TYPE,
    subject,
    ...(isLive(spec.grade) ? { data: CurrentGrade.encode({ grade }).finish() } : { data: new Uint8Array(), tombstone: true }),
  };
  return [change, state];
}
