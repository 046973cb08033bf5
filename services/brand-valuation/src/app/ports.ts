import type { Actor, ApplicationState, Transition } from '../domain/application.js';
import type { BrandEvidence } from '../domain/quality-evidence.js';
import type { ValuationInput, ValuationMethod, ValuationReport } from '../domain/index.js';
import type { ValuationStatement } from '../domain/valuation-statement.js';

/**
 * The inputs as the applicant left them. A draft may be incomplete; submission checks it
 * whole (validateValuationInput + eligibility).
 */
export type DraftInput = Partial<ValuationInput>;

export type Evaluator = { bodyId: string; cnasNumber: string; name: string };

export type StatementSignature = { algorithm: string; keyId: string; signature: Uint8Array; signedAt: Date };

export type Publication = {
  statement: ValuationStatement;
  signature: StatementSignature;
  /** The value in fen (integer), for sorting the list. */
  valueFen: number;
  year: number;
  publishedAt: Date;
};

export type Flag = { reason: string; causeEventId: string; causeEventType: string; at: Date };

export type Application = {
  _id: string;
  brandId: string;
  enterpriseId: string;
  state: ApplicationState;
  valuationDate: string;
  input: DraftInput;
  evaluator?: Evaluator;
  evaluatorNotes?: string;
  history: Transition[];
  rejectionReasons: string[];
  /** The engine's report, once EVALUATED. */
  evaluation?: { report: ValuationReport; evaluatedAt: Date; engineVersion: string };
  publication?: Publication;
  flag?: Flag;
  audit: { createdBy: string; createdAt: Date; updatedBy: string; updatedAt: Date };
  version: number;
};

export type ApplicationFilter = { brandId?: string; enterpriseId?: string; state?: ApplicationState; evaluatorBodyId?: string };

export type ValuationEvent =
  | { verb: 'submitted' | 'evaluated' | 'published'; application: Application }
  | { verb: 'rejected'; application: Application; reasons: string[] }
  | { verb: 'withdrawn'; application: Application; reason: string }
  | { verb: 'flagged'; application: Application; flag: Flag };

export interface ApplicationRepository {
  /** 'exists' when the id is taken (nothing written). */
  insert(application: Application): Promise<'inserted' | 'exists'>;
  get(id: string): Promise<Application | null>;
  /**
   * Read-modify-write: `decide` sees the stored application and returns the next one with
   * its events (written together), or null to change nothing.
   */
  change<T>(id: string, decide: (current: Application | null) => { next: Application; events: ValuationEvent[]; result: T } | { result: T }): Promise<T>;
  list(filter: ApplicationFilter, after: string | undefined, limit: number): Promise<Application[]>;
  /** PUBLISHED applications by value (fen) descending, then id. */
  listPublished(filter: { sector?: string; year?: number }, after: { valueFen: number; id: string } | undefined, limit: number): Promise<Application[]>;
  /** PUBLISHED applications of a brand (flagging; supersession). */
  publishedOfBrand(brandId: string): Promise<Application[]>;
}

export interface EvidenceStore {
  get(brandId: string): Promise<BrandEvidence | null>;
  /** Read-modify-write of a brand's evidence. */
  change<T>(brandId: string, decide: (current: BrandEvidence | null) => { next?: BrandEvidence; result: T }): Promise<T>;
}

export interface StatementSigner {
  sign(bytes: Uint8Array, now: Date): Promise<StatementSignature>;
  /** Checks a signature against the published keys (retired ones included). */
  verify(bytes: Uint8Array, signature: StatementSignature): Promise<{ valid: true } | { valid: false; reason: string }>;
}

export type { Actor, ValuationMethod };
