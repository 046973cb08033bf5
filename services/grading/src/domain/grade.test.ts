import { describe, expect, it } from 'vitest';
import { applySupervisionSample, downgrade, expire, newGrade, revoke, supersede, type Grade } from './grade.js';
import type { GradingOutcome } from './grading-engine.js';

const levels = ['SUPERIOR', 'FIRST', 'QUALIFIED'];
const at = new Date('2026-11-30T00:00:00Z');

function issued(level = 'SUPERIOR'): Grade {
  const outcome = {
    level,
    standardCode: 'GB/T 14272-2021',
    decisionRule: 'simple',
    indicators: [],
    limitingIndicators: [],
    safetyGate: null,
    report: {},
  } as unknown as GradingOutcome;
  const grade = newGrade(
    {
      id: 'g1',
      productId: '06934567801012',
      brandId: 'b',
      enterpriseId: 'e',
      category: 'down-garment',
      standardCode: 'GB/T 14272-2021',
      decisionRule: 'simple',
      outcome,
      report: { laboratoryCnasNumber: 'CNAS L1', reportNumber: 'R1', sampleId: 'S', testedOn: '2026-11-20', measurements: {} },
      certificationBodyId: 'cb',
      certificationBodyCnas: 'CNAS C1-P',
    },
    'alice',
    at,
  );
  return {
    ...grade,
    certificate: {
      number: 'N',
      validFrom: at,
      validUntil: new Date('2027-11-30T00:00:00Z'),
      issuerCnasNumber: 'CNAS C1-P',
      issuerName: 'x',
      signature: { algorithm: 'Ed25519', keyId: 'k', signature: new Uint8Array(), signedAt: at },
    },
  };
}

describe('grade lifecycle', () => {
  it('issues a passing report and refuses a nonconforming one', () => {
    expect(issued().state).toBe('issued');
    expect(issued('NONCONFORMING').state).toBe('refused');
  });

  it('downgrades only to a lower level of the standard', () => {
    expect(downgrade(issued(), levels, 'FIRST', 'r', 'c', 'u', at)).toMatchObject({
      ok: true,
      grade: { state: 'downgraded', level: 'FIRST', issuedLevel: 'SUPERIOR' },
    });
    expect(downgrade(issued('FIRST'), levels, 'SUPERIOR', 'r', 'c', 'u', at).ok).toBe(false);
    expect(downgrade(issued(), levels, 'GOLD', 'r', 'c', 'u', at).ok).toBe(false);
  });

  it('allows no change to a revoked, expired, superseded or refused grade', () => {
    const revoked = revoke(issued(), 'r', 'c', 'u', at);
    expect(revoked.ok).toBe(true);
    const dead = (revoked as { grade: Grade }).grade;
    expect(revoke(dead, 'r', 'c', 'u', at).ok).toBe(false);
    expect(downgrade(dead, levels, 'FIRST', 'r', 'c', 'u', at).ok).toBe(false);
    expect(supersede(issued('NONCONFORMING'), 'g2', at).ok).toBe(false);
  });

  it('expires only after the certificate has ended', () => {
    expect(expire(issued(), at).ok).toBe(false);
    expect(expire(issued(), new Date('2027-11-30T00:00:00Z'))).toMatchObject({ ok: true, grade: { state: 'expired' } });
  });

  it('applies a failed supervision sample once: revoke when nonconforming, downgrade when lower, else nothing', () => {
    expect(applySupervisionSample(issued(), levels, 'NONCONFORMING', 's1', at)).toMatchObject({
      ok: true,
      grade: { state: 'revoked', cause: 'supervisionSamples/s1' },
    });
    const lowered = applySupervisionSample(issued(), levels, 'QUALIFIED', 's1', at) as { ok: true; grade: Grade };
    expect(lowered.grade).toMatchObject({ state: 'downgraded', level: 'QUALIFIED' });
    expect(applySupervisionSample(lowered.grade, levels, 'QUALIFIED', 's1', at)).toEqual({ ok: true, grade: null });
    expect(applySupervisionSample(issued(), levels, 'SUPERIOR', 's2', at)).toEqual({ ok: true, grade: null });
  });
});
