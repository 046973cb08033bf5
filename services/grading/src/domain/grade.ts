/**
 * A grade and its lifecycle: ISSUED → DOWNGRADED / REVOKED / EXPIRED / SUPERSEDED, and
 * REFUSED for a test report that showed the product nonconforming (recorded, never
 * certified). Transitions are pure functions that return the changed grade or say why the
 * change is illegal, so the rules can be tested without a database.
 */
import type { DecisionRule } from '@pinzhi/catalogue-reader/model';
import { NONCONFORMING, type GradingOutcome, type TestReport } from './grading-engine.js';

export type GradeState = 'issued' | 'downgraded' | 'revoked' | 'expired' | 'superseded' | 'refused';

export type CertificateRecord = {
  number: string;
  validFrom: Date;
  validUntil: Date;
  issuerCnasNumber: string;
  issuerName: string;
  signature: { algorithm: 'Ed25519'; keyId: string; signature: Uint8Array; signedAt: Date };
};

export type GradeChange = {
  state: GradeState;
  level: string;
  reason: string;
  cause: string;
  changedBy: string;
  at: Date;
};

export type Grade = {
  id: string;
  productId: string;
  brandId: string;
  enterpriseId: string;
  category: string;
  standardCode: string;
  /** The current level (lower than issuedLevel after a downgrade). */
  level: string;
  issuedLevel: string;
  state: GradeState;
  decisionRule: DecisionRule;
  outcome: GradingOutcome;
  report: TestReport & { batch?: string };
  certificationBodyId: string;
  certificationBodyCnas: string;
  certificate?: CertificateRecord;
  stateReason: string;
  cause: string;
  history: GradeChange[];
};

/** Grades that still count: a marketplace may show their badge. */
export const LIVE_STATES: readonly GradeState[] = ['issued', 'downgraded'];

export const isLive = (grade: Pick<Grade, 'state'>) => LIVE_STATES.includes(grade.state);

export type Transition = { ok: true; grade: Grade } | { ok: false; reason: string };

function change(grade: Grade, state: GradeState, level: string, reason: string, cause: string, by: string, at: Date): Grade {
  return {
    ...grade,
    state,
    level,
    stateReason: reason,
    cause,
    history: [...grade.history, { state, level, reason, cause, changedBy: by, at }],
  };
}

/** The first grading of a report: ISSUED with a level, or REFUSED when nonconforming. */
export function newGrade(fields: Omit<Grade, 'level' | 'issuedLevel' | 'state' | 'stateReason' | 'cause' | 'history'>, by: string, at: Date): Grade {
  const level = fields.outcome.level;
  const state: GradeState = level === NONCONFORMING ? 'refused' : 'issued';
  const reason = state === 'refused' ? 'the test report shows the product nonconforming' : 'issued from the test report';
  const cause = `reports/${fields.report.reportNumber}`;
  return change({ ...fields, level, issuedLevel: level, state, stateReason: '', cause: '', history: [] }, state, level, reason, cause, by, at);
}

/**
 * Lowers a live grade to `level`, which must be a level of the standard below the current
 * one (levels are ordered best first).
 */
export function downgrade(grade: Grade, levels: readonly string[], level: string, reason: string, cause: string, by: string, at: Date): Transition {
  if (!isLive(grade)) return { ok: false, reason: `a ${grade.state} grade cannot be downgraded` };
  const current = levels.indexOf(grade.level);
  const next = levels.indexOf(level);
  if (next < 0) return { ok: false, reason: `'${level}' is not a level of ${grade.standardCode} (${levels.join(', ')})` };
  if (next <= current) return { ok: false, reason: `'${level}' is not lower than the current level '${grade.level}'` };
  return { ok: true, grade: change(grade, 'downgraded', level, reason, cause, by, at) };
}

export function revoke(grade: Grade, reason: string, cause: string, by: string, at: Date): Transition {
  if (!isLive(grade)) return { ok: false, reason: `a ${grade.state} grade cannot be revoked` };
  return { ok: true, grade: change(grade, 'revoked', grade.level, reason, cause, by, at) };
}

export function expire(grade: Grade, at: Date): Transition {
  if (!isLive(grade)) return { ok: false, reason: `a ${grade.state} grade cannot expire` };
  if (!grade.certificate || grade.certificate.validUntil > at) return { ok: false, reason: 'the certificate is still valid' };
  return { ok: true, grade: change(grade, 'expired', grade.level, 'the certificate validity ended', 'expiry', 'system', at) };
}

export function supersede(grade: Grade, byGradeId: string, at: Date): Transition {
  if (!isLive(grade)) return { ok: false, reason: `a ${grade.state} grade cannot be superseded` };
  return { ok: true, grade: change(grade, 'superseded', grade.level, 'a newer grade replaced it', `grades/${byGradeId}`, 'system', at) };
}

/**
 * What a failed supervision sample does to a live grade, given the level the sample's
 * values reach: revoke when nonconforming, downgrade when a lower level still passes,
 * nothing when the values still meet the current level.
 */
export function applySupervisionSample(
  grade: Grade,
  levels: readonly string[],
  sampleLevel: string,
  sampleId: string,
  at: Date,
): Transition | { ok: true; grade: null } {
  const cause = `supervisionSamples/${sampleId}`;
  if (grade.history.some((h) => h.cause === cause)) return { ok: true, grade: null };
  if (sampleLevel === NONCONFORMING) {
    return revoke(grade, `failed supervision sample ${sampleId}: nonconforming`, cause, 'regulator', at);
  }
  if (levels.indexOf(sampleLevel) > levels.indexOf(grade.level)) {
    return downgrade(grade, levels, sampleLevel, `failed supervision sample ${sampleId}: meets only ${sampleLevel}`, cause, 'regulator', at);
  }
  return { ok: true, grade: null };
}
