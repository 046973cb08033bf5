import type { DecisionRule, ProductCategory } from '@pinzhi/catalogue-reader/model';
import type { CaseChecks } from '../domain/case-checks.js';
import type { Actor, CaseState, FindingSeverity, SameLinePath, Transition } from '../domain/case-lifecycle.js';
import type { LabReport } from '../domain/same-quality-check.js';
import type { SameLineStatement } from '../domain/statement.js';

export type StatementSignature = { algorithm: string; keyId: string; signature: Uint8Array; signedAt: Date };

/** A product as the case recorded it when filed. */
export type CaseProduct = { gtin14: string; model: string; name: string };

export type Finding = { number: number; severity: FindingSeverity; indicatorId?: string; text: string; author: Actor; at: Date };

export type SurveillanceRecord = {
  cause: string;
  causeEventId?: string;
  causeEventType?: string;
  productId: string;
  reason: string;
  at: Date;
  /** Whether this record suspended the case (false when it was suspended already). */
  suspended: boolean;
};

export type Evidence = { domestic: LabReport[]; export: LabReport[] };

/** A 三同 case: the filing, its checks, the evaluation, the signed statement and what happened since. */
export type SameLineCase = {
  _id: string;
  path: SameLinePath;
  state: CaseState;
  enterpriseId: string;
  enterpriseName: string;
  category: ProductCategory;
  domestic: CaseProduct;
  export: CaseProduct;
  /** Both GTIN-14s, so surveillance finds a case by either twin. */
  productIds: [string, string];
  productionLineIds: string[];
  domesticStandardCodes: string[];
  exportMarket: string;
  exportStandardCodes: string[];
  claimedLevel?: string;
  /** As requested; the checks record the rule they applied. */
  decisionRule?: DecisionRule;
  evidence: Evidence;
  checks: CaseChecks;
  body?: { bodyId: string; cnasNumber: string; name: string };
  findings: Finding[];
  rejectionReasons: string[];
  statement?: { statement: SameLineStatement; signature: StatementSignature };
  /** When it was declared or certified (the listing date); absent before. */
  listedAt?: Date;
  /** The statement's end of validity (the expiry sweep reads it). */
  validUntil?: Date;
  /** Where a reinstatement returns to. */
  suspendedFrom?: CaseState;
  /** Why it is suspended (SUSPENDED only), or why it was withdrawn. */
  stateReason?: string;
  surveillance: SurveillanceRecord[];
  history: Transition[];
  audit: { createdBy: string; createdAt: Date; updatedBy: string; updatedAt: Date };
  version: number;
};

export type CaseEvent =
  | { verb: 'filed' | 'declared' | 'certified' | 'expired'; sameLineCase: SameLineCase }
  | { verb: 'rejected'; sameLineCase: SameLineCase; reasons: string[] }
  | { verb: 'suspended'; sameLineCase: SameLineCase; reason: string; cause: string; causeEventId?: string; causeEventType?: string }
  | { verb: 'reinstated' | 'withdrawn'; sameLineCase: SameLineCase; reason: string };

export type CaseFilter = {
  enterpriseId?: string;
  state?: CaseState;
  productId?: string;
  /** Certifiers: cases their body evaluates, or FILED third-party cases of these categories. */
  certifier?: { bodyId: string; categories: readonly string[] };
};

export type ListingFilter = {
  enterpriseId?: string;
  productId?: string;
  category?: string;
  exportMarket?: string;
  path?: SameLinePath;
  /** One listed state, or all of them. */
  state?: CaseState;
};

export type ChangeDecision<T> = { next: SameLineCase; events: CaseEvent[]; result: T } | { result: T };

export interface CaseRepository {
  /** Inserts with its events; 'exists' (nothing written or emitted) when the id is taken. */
  insert(sameLineCase: SameLineCase, events: CaseEvent[]): Promise<'inserted' | 'exists'>;
  get(id: string): Promise<SameLineCase | null>;
  /** Read-modify-write: `decide` returns the next case with its events (written together), or only a result. */
  change<T>(id: string, decide: (current: SameLineCase | null) => ChangeDecision<T>): Promise<T>;
  /** By id ascending, after `after`. */
  list(filter: CaseFilter, after: string | undefined, limit: number): Promise<SameLineCase[]>;
  /** Cases naming the product (either twin) whose statement is in force or suspended. */
  withStatementOf(productId: string): Promise<SameLineCase[]>;
  /** Listed cases, newest listing first, then by id. */
  search(filter: ListingFilter, after: { listedAt: number; id: string } | undefined, limit: number): Promise<SameLineCase[]>;
  /** Cases with a statement whose validity ended at `now` or before and that are not yet final. */
  expiredBy(now: Date, limit: number): Promise<SameLineCase[]>;
}

export interface StatementSigner {
  sign(bytes: Uint8Array, now: Date): Promise<StatementSignature>;
  /** Checks a signature against the published keys (retired ones included). */
  verify(bytes: Uint8Array, signature: StatementSignature): Promise<{ valid: true } | { valid: false; reason: string }>;
}
