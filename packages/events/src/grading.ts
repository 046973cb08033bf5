import { CurrentGrade, GradeDowngraded, GradeExpired, GradeIssued, GradeRevoked, GradeSuperseded } from '@pinzhi/contracts/pinzhi/grading/v1/events';
import { defineStream } from './stream.js';

const GRADING_SOURCE = '/pinzhi/grading';

/** Every grade change, keyed by product (GTIN-14) so one product's history stays in order. */
export const gradeStream = defineStream({
  topic: 'pinzhi.grading.grades.v1',
  source: GRADING_SOURCE,
  messages: {
    issued: GradeIssued,
    downgraded: GradeDowngraded,
    revoked: GradeRevoked,
    expired: GradeExpired,
    superseded: GradeSuperseded,
  },
  typeOf: (verb) => `pinzhi.grading.grade.${verb}.v1`,
});

export type GradeVerb = keyof typeof gradeStream.types;

/** Compacted: the current grade per product and standard; a tombstone when there is none. */
export const gradeStateStream = defineStream({
  topic: 'pinzhi.grading.grade-state.v1',
  source: GRADING_SOURCE,
  compacted: true,
  messages: { current: CurrentGrade },
  typeOf: () => 'pinzhi.grading.current-grade.v1',
});

/** Key of the compacted state topic: one current grade per product and standard. */
export const gradeStateKey = (productId: string, standardCode: string) => `${productId}|${standardCode}`;
