import { describe, expect, it } from 'vitest';
import { applyGradeFact, emptyEvidence, summariseEvidence, type GradeFact } from './quality-evidence.js';

const now = new Date('2026-12-01T00:00:00Z');
const fact = (overrides: Partial<GradeFact>): GradeFact => ({
  eventId: 'e1',
  verb: 'issued',
  gradeId: 'g1',
  productId: '06934567801012',
  level: 'SUPERIOR',
  state: 'issued',
  at: new Date('2026-11-01T00:00:00Z'),
  cause: '',
  ...overrides,
});

describe('a brand’s quality evidence', () => {
  it('counts live grades by level and the share at the top two levels', () => {
    let evidence = emptyEvidence();
    evidence = applyGradeFact(evidence, fact({}), now).evidence;
    evidence = applyGradeFact(evidence, fact({ eventId: 'e2', gradeId: 'g2', level: 'FIRST' }), now).evidence;
    evidence = applyGradeFact(evidence, fact({ eventId: 'e3', gradeId: 'g3', level: 'QUALIFIED' }), now).evidence;
    // 2 of 3 live grades at SUPERIOR or FIRST: 0.6667.
    expect(summariseEvidence(evidence, now)).toMatchObject({
      liveGrades: 3,
      liveGradesByLevel: { SUPERIOR: 1, FIRST: 1, QUALIFIED: 1 },
      shareTopTwoLevels: '0.6667',
    });
  });

  it('changes nothing for a duplicate, and an older event does not roll a grade back', () => {
    const issued = applyGradeFact(emptyEvidence(), fact({}), now).evidence;
    const revoked = applyGradeFact(issued, fact({ eventId: 'e2', verb: 'revoked', state: 'revoked', at: new Date('2026-11-05T00:00:00Z') }), now);
    expect(revoked.material).toContain('revoked');
    expect(applyGradeFact(revoked.evidence, fact({ eventId: 'e2', verb: 'revoked', state: 'revoked' }), now).changed).toBe(false);
    // The issued event delivered again under a new id, late: the grade stays revoked.
    const late = applyGradeFact(revoked.evidence, fact({ eventId: 'e1-redelivered' }), now).evidence;
    expect(late.grades.g1!.state).toBe('revoked');
    expect(summariseEvidence(late, now)).toMatchObject({ liveGrades: 0, revocationsLast12Months: 1, shareTopTwoLevels: '0' });
  });

  it('treats a downgrade from a failed supervision sample as material, a routine supersession not', () => {
    const issued = applyGradeFact(emptyEvidence(), fact({}), now).evidence;
    const sampled = applyGradeFact(
      issued,
      fact({ eventId: 'e2', verb: 'downgraded', state: 'downgraded', level: 'FIRST', cause: 'supervisionSamples/SAMR-1' }),
      now,
    );
    expect(sampled.material).toContain('supervision sample');
    expect(summariseEvidence(sampled.evidence, now).failedSamplesLast12Months).toBe(1);
    const superseded = applyGradeFact(
      sampled.evidence,
      fact({ eventId: 'e3', verb: 'superseded', state: 'superseded', at: new Date('2026-11-10T00:00:00Z') }),
      now,
    );
    expect(superseded.material).toBeUndefined();
  });

  it('forgets changes older than a year', () => {
    const old = applyGradeFact(emptyEvidence(), fact({ verb: 'revoked', state: 'revoked', at: new Date('2025-01-01T00:00:00Z') }), now).evidence;
    expect(summariseEvidence(old, now).revocationsLast12Months).toBe(0);
  });
});
