/**
 * A brand's quality record, kept from grade events: its products' live grades by level and
 * the revocations and downgrades of the last 12 months. It is evidence for the "quality"
 * element of brand strength, and a material change to it flags a published valuation.
 *
 * Events arrive at least once and, across products, in any order: each grade keeps the time
 * of the change it was last set from, so an older event changes nothing, and each change is
 * counted once by its event id.
 */
export const GRADE_STATES = ['issued', 'downgraded', 'revoked', 'expired', 'superseded', 'refused'] as const;
export type GradeState = (typeof GRADE_STATES)[number];

/** Live grades count for the brand; the others are history. */
const LIVE: readonly GradeState[] = ['issued', 'downgraded'];

/**
 * The two best levels of the national grading scheme (优等品, 一等品; DOMAIN.md §1). A standard
 * with other level names contributes to the live count but not to this share.
 */
export const TOP_TWO_LEVELS: readonly string[] = ['SUPERIOR', 'FIRST'];

/** Changes are kept this long: the evidence reports the last 12 months. */
const WINDOW_MS = 366 * 24 * 3600 * 1000;

/** One grade change as the evidence needs it (from a grade event). */
export type GradeFact = {
  eventId: string;
  /** issued, downgraded, revoked, expired, superseded. */
  verb: string;
  gradeId: string;
  productId: string;
  level: string;
  state: GradeState;
  /** When the grade changed (the event time). */
  at: Date;
  /** "supervisionSamples/{id}" when a regulator's sample caused the change. */
  cause: string;
};

export type GradeEntry = { productId: string; level: string; state: GradeState; at: Date };
/** One change in the window: `subject` is the grade's or the 三同 case's id. */
export type ChangeEntry = { eventId: string; verb: string; subject: string; at: Date; failedSample: boolean };

/** A 三同 case of one of the brand's products: in force (declared, certified) or not. */
export type CaseEntry = { productId: string; inForce: boolean; at: Date };

export type BrandEvidence = {
  grades: Record<string, GradeEntry>;
  /** Absent in evidence kept before 三同 became a source. */
  cases?: Record<string, CaseEntry>;
  changes: ChangeEntry[];
};

export const emptyEvidence = (): BrandEvidence => ({ grades: {}, cases: {}, changes: [] });

/** One 三同 case change as the evidence needs it (from a same-line event). */
export type CaseFact = {
  eventId: string;
  /** filed, declared, certified, rejected, suspended, reinstated, withdrawn, expired. */
  verb: string;
  caseId: string;
  productId: string;
  inForce: boolean;
  at: Date;
  reason: string;
};

/** Applies one same-line event; a suspension (surveillance found a problem) is material. */
export function applyCaseFact(evidence: BrandEvidence, fact: CaseFact, now: Date): EvidenceUpdate {
  if (evidence.changes.some((c) => c.eventId === fact.eventId)) return { evidence, changed: false };
  const cases = { ...(evidence.cases ?? {}) };
  const known = cases[fact.caseId];
  if (!known || known.at.getTime() <= fact.at.getTime()) cases[fact.caseId] = { productId: fact.productId, inForce: fact.inForce, at: fact.at };
  const changes = withinWindow(
    [...evidence.changes, { eventId: fact.eventId, verb: `same-line.${fact.verb}`, subject: fact.caseId, at: fact.at, failedSample: false }],
    now,
  );
  const material = fact.verb === 'suspended' ? `the 三同 case ${fact.caseId} of product ${fact.productId} was suspended: ${fact.reason}` : undefined;
  return { evidence: { ...evidence, cases, changes }, changed: true, ...(material ? { material } : {}) };
}

function withinWindow(changes: ChangeEntry[], now: Date): ChangeEntry[] {
  const cutoff = now.getTime() - WINDOW_MS;
  return changes.filter((c) => c.at.getTime() >= cutoff).sort((a, b) => a.at.getTime() - b.at.getTime());
}

export type EvidenceUpdate = {
  evidence: BrandEvidence;
  /** False for a duplicate: nothing was changed. */
  changed: boolean;
  /** Why a published valuation must be reviewed, when this change is material. */
  material?: string;
};

const failedSample = (fact: GradeFact) => fact.cause.startsWith('supervisionSamples/');

/** Applies one grade event to a brand's evidence. */
export function applyGradeFact(evidence: BrandEvidence, fact: GradeFact, now: Date): EvidenceUpdate {
  if (evidence.changes.some((c) => c.eventId === fact.eventId)) return { evidence, changed: false };
  const grades = { ...evidence.grades };
  const known = grades[fact.gradeId];
  // An event older than what the grade was last set from does not roll it back.
  if (!known || known.at.getTime() <= fact.at.getTime()) {
    grades[fact.gradeId] = { productId: fact.productId, level: fact.level, state: fact.state, at: fact.at };
  }
  const changes = withinWindow(
    [...evidence.changes, { eventId: fact.eventId, verb: fact.verb, subject: fact.gradeId, at: fact.at, failedSample: failedSample(fact) }],
    now,
  );
  // Superseded and expired grades leave the live count but are routine, not a quality signal.
  const material =
    fact.verb === 'revoked'
      ? `grade ${fact.gradeId} of product ${fact.productId} was revoked`
      : fact.verb === 'downgraded' && failedSample(fact)
        ? `product ${fact.productId} failed a supervision sample (${fact.cause}); grade ${fact.gradeId} downgraded to ${fact.level}`
        : undefined;
  return { evidence: { ...evidence, grades, changes }, changed: true, ...(material ? { material } : {}) };
}

export type EvidenceSummary = {
  liveGradesByLevel: Record<string, number>;
  liveGrades: number;
  /** Share of live grades at the top two levels, 0–1 as a decimal string with 4 places; "0" with none. */
  shareTopTwoLevels: string;
  revocationsLast12Months: number;
  downgradesLast12Months: number;
  failedSamplesLast12Months: number;
  /** 三同 declarations and certificates of the brand's products in force. */
  sameLineCasesInForce: number;
  sameLineSuspensionsLast12Months: number;
};

export function summariseEvidence(evidence: BrandEvidence, now: Date): EvidenceSummary {
  const liveGradesByLevel: Record<string, number> = {};
  let live = 0;
  let top = 0;
  for (const grade of Object.values(evidence.grades)) {
    if (!LIVE.includes(grade.state)) continue;
    live++;
    liveGradesByLevel[grade.level] = (liveGradesByLevel[grade.level] ?? 0) + 1;
    if (TOP_TWO_LEVELS.includes(grade.level)) top++;
  }
  const cutoff = now.getTime() - 365 * 24 * 3600 * 1000;
  const recent = evidence.changes.filter((c) => c.at.getTime() >= cutoff);
  return {
    liveGradesByLevel,
    liveGrades: live,
    // Integer arithmetic to 4 places: a share is shown, never summed.
    shareTopTwoLevels: live === 0 ? '0' : (Math.round((top * 10_000) / live) / 10_000).toFixed(4),
    revocationsLast12Months: recent.filter((c) => c.verb === 'revoked').length,
    downgradesLast12Months: recent.filter((c) => c.verb === 'downgraded').length,
    failedSamplesLast12Months: recent.filter((c) => c.failedSample).length,
    sameLineCasesInForce: Object.values(evidence.cases ?? {}).filter((c) => c.inForce).length,
    sameLineSuspensionsLast12Months: recent.filter((c) => c.verb === 'same-line.suspended').length,
  };
}
