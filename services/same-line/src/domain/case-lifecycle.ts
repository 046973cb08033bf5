/**
 * The case lifecycle (issue #12). Pure: which action may run in which state and path, where
 * it leads, and the record kept of every transition.
 *
 *   SELF_DECLARED:  (file, checks pass) → DECLARED
 *   THIRD_PARTY:    (file) → FILED → UNDER_EVALUATION → CERTIFIED | REJECTED
 *   then:           DECLARED | CERTIFIED → SUSPENDED → (reinstate) DECLARED | CERTIFIED
 *                   anything not final → WITHDRAWN; DECLARED | CERTIFIED | SUSPENDED → EXPIRED
 */
export const CASE_STATES = ['filed', 'under_evaluation', 'declared', 'certified', 'rejected', 'suspended', 'withdrawn', 'expired'] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const PATHS = ['self_declared', 'third_party'] as const;
export type SameLinePath = (typeof PATHS)[number];

/** States in which a statement exists and the case is publicly listed. */
export const LISTED_STATES: readonly CaseState[] = ['declared', 'certified', 'suspended', 'withdrawn', 'expired'];
/** States in which the statement is in force (surveillance may suspend it). */
export const LIVE_STATES: readonly CaseState[] = ['declared', 'certified'];

export type CaseAction = 'file' | 'declare' | 'start_evaluation' | 'add_finding' | 'certify' | 'reject' | 'suspend' | 'reinstate' | 'withdraw' | 'expire';

/** `to: 'resume'` returns to the state the case was suspended from; `to: null` keeps the state. */
const TRANSITIONS: Record<Exclude<CaseAction, 'file' | 'declare'>, { from: readonly CaseState[]; to: CaseState | 'resume' | null; thirdPartyOnly?: true }> = {
  start_evaluation: { from: ['filed'], to: 'under_evaluation', thirdPartyOnly: true },
  add_finding: { from: ['under_evaluation'], to: null, thirdPartyOnly: true },
  certify: { from: ['under_evaluation'], to: 'certified', thirdPartyOnly: true },
  reject: { from: ['filed', 'under_evaluation'], to: 'rejected', thirdPartyOnly: true },
  suspend: { from: ['declared', 'certified'], to: 'suspended' },
  reinstate: { from: ['suspended'], to: 'resume' },
  withdraw: { from: ['filed', 'under_evaluation', 'declared', 'certified', 'suspended'], to: 'withdrawn' },
  expire: { from: ['declared', 'certified', 'suspended'], to: 'expired' },
};

const PHRASES: Record<keyof typeof TRANSITIONS, string> = {
  start_evaluation: 'start the evaluation of',
  add_finding: 'add a finding to',
  certify: 'certify',
  reject: 'reject',
  suspend: 'suspend',
  reinstate: 'reinstate',
  withdraw: 'withdraw',
  expire: 'expire',
};

export type TransitionCheck = { ok: true; to: CaseState } | { ok: false; message: string };

/**
 * Whether `action` may run on a case in `state`; the refusal names the current state.
 * `suspendedFrom` is where a reinstatement returns to.
 */
export function checkAction(action: keyof typeof TRANSITIONS, c: { state: CaseState; path: SameLinePath; suspendedFrom?: CaseState }): TransitionCheck {
  const rule = TRANSITIONS[action];
  const name = PHRASES[action];
  if (rule.thirdPartyOnly && c.path !== 'third_party') {
    return { ok: false, message: `cannot ${name} a SELF_DECLARED case: only THIRD_PARTY cases are evaluated` };
  }
  if (!rule.from.includes(c.state)) {
    const allowed = rule.from.map((s) => s.toUpperCase()).join(' or ');
    return { ok: false, message: `cannot ${name} a case that is ${c.state.toUpperCase()} (only ${allowed})` };
  }
  if (rule.to === 'resume') return { ok: true, to: c.suspendedFrom ?? (c.path === 'self_declared' ? 'declared' : 'certified') };
  return { ok: true, to: rule.to ?? c.state };
}

/** Who moved the case, as the transition record keeps it. */
export type Actor = { subject: string; role: string; org: string };

export const SYSTEM_ACTOR: Actor = { subject: 'system', role: 'system', org: 'pinzhi' };

export type Transition = {
  from: CaseState | null;
  to: CaseState;
  action: CaseAction;
  actor: Actor;
  at: Date;
  reason?: string;
};

export const FINDING_SEVERITIES = ['observation', 'minor', 'major'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

export const MAX_REASON_CHARACTERS = 500;
export const MAX_REASONS = 16;
export const MAX_FINDINGS = 32;
export const MAX_SURVEILLANCE_RECORDS = 64;

/** The statement's end of validity: `months` calendar months after it starts. */
export function validUntil(from: Date, months: number): Date {
  const until = new Date(from);
  until.setUTCMonth(until.getUTCMonth() + months);
  return until;
}
