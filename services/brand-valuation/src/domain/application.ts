/**
 * The application workflow (issue: DRAFT → SUBMITTED → UNDER_REVIEW → EVALUATED → PUBLISHED,
 * plus REJECTED and WITHDRAWN). Pure: which action may run in which state, and the record
 * of every transition kept on the application.
 */
export const APPLICATION_STATES = ['draft', 'submitted', 'under_review', 'evaluated', 'published', 'rejected', 'withdrawn'] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

export type ApplicationAction = 'update' | 'submit' | 'start_review' | 'evaluate' | 'reject' | 'withdraw' | 'publish';

/** The states an action may start from, and the state it leads to (update keeps the state). */
const TRANSITIONS: Record<ApplicationAction, { from: readonly ApplicationState[]; to: ApplicationState | null }> = {
  update: { from: ['draft'], to: null },
  submit: { from: ['draft'], to: 'submitted' },
  start_review: { from: ['submitted'], to: 'under_review' },
  evaluate: { from: ['under_review'], to: 'evaluated' },
  reject: { from: ['submitted', 'under_review', 'evaluated'], to: 'rejected' },
  withdraw: { from: ['draft', 'submitted', 'under_review', 'evaluated'], to: 'withdrawn' },
  publish: { from: ['evaluated'], to: 'published' },
};

/** Who moved the application, as the transition record keeps it. */
export type Actor = { subject: string; role: string; org: string };

export type Transition = {
  from: ApplicationState | null;
  to: ApplicationState;
  actor: Actor;
  at: Date;
  reason?: string;
};

export type TransitionCheck = { ok: true; to: ApplicationState } | { ok: false; message: string };

/** Whether `action` may run on an application in `state`; the refusal names the current state. */
export function checkAction(action: ApplicationAction, state: ApplicationState): TransitionCheck {
  const rule = TRANSITIONS[action];
  if (!rule.from.includes(state)) {
    const allowed = rule.from.map((s) => s.toUpperCase()).join(' or ');
    return { ok: false, message: `cannot ${action.replace('_', ' ')} an application that is ${state.toUpperCase()} (only ${allowed})` };
  }
  return { ok: true, to: rule.to ?? state };
}

export const MAX_REASON_CHARACTERS = 500;
export const MAX_REASONS = 16;
