import { newCloudEvent } from '@pinzhi/platform';
import { describe, expect, it } from 'vitest';
import { decodeGradeEvent } from './grade-event.js';
import { gradeCloudEvent, signedGrade, testKey } from './test-grades.js';

const key = testKey();

describe('decodeGradeEvent', () => {
  it('reads the payload the ce_type names, leaving unset strings out', () => {
    const grade = signedGrade(key, { level: 'QUALIFIED' });
    const downgraded = gradeCloudEvent('downgraded', grade, { previousLevel: 'FIRST' });
    expect(decodeGradeEvent(downgraded)).toEqual({
      kind: 'grade',
      event: { id: downgraded.id, type: 'downgraded', time: downgraded.time, grade, previousLevel: 'FIRST' },
    });
    const superseded = decodeGradeEvent(gradeCloudEvent('superseded', grade, { supersededBy: 'grades/g-2' }));
    expect(superseded).toMatchObject({ kind: 'grade', event: { type: 'superseded', supersededBy: 'grades/g-2' } });
    const issued = decodeGradeEvent(gradeCloudEvent('issued', grade));
    expect(issued.kind === 'grade' && Object.keys(issued.event).sort()).toEqual(['grade', 'id', 'time', 'type']);
  });

  it('names types it does not know instead of guessing', () => {
    for (const type of ['pinzhi.grading.grade.teleported.v1', 'pinzhi.grading.grade.issued.v2', 'pinzhi.grading.grade.constructor.v1']) {
      expect(decodeGradeEvent(newCloudEvent({ source: '/s', type, data: new Uint8Array() }))).toEqual({ kind: 'unknown-type', type });
    }
  });

  it('reports a payload that is not the message its type promises', () => {
    const garbage = newCloudEvent({ source: '/s', type: 'pinzhi.grading.grade.issued.v1', data: Uint8Array.from([0xff, 0xff, 0xff]) });
    expect(decodeGradeEvent(garbage)).toMatchObject({ kind: 'malformed' });
    const empty = newCloudEvent({ source: '/s', type: 'pinzhi.grading.grade.revoked.v1', data: new Uint8Array() });
    expect(decodeGradeEvent(empty)).toEqual({ kind: 'malformed', reason: 'pinzhi.grading.grade.revoked.v1 carries no grade' });
  });
});
