import type { CertificationBodyDocument, ProductDocument, StandardDocument, Audit } from '@pinzhi/catalogue-reader/model';
import type { CertificateFields, CertificateSignatureValue, PublicSigningKey } from '@pinzhi/certificates';
import type { Grade } from '../domain/grade.js';

/**
 * `requestFingerprint` identifies the IssueGrade request that made the grade, so a retry under
 * the same (body, report number) is told apart from a different request reusing the key.
 */
export type StoredGrade = Grade & { _id: string; audit: Audit; version: number; requestFingerprint?: string };

export type GradeEventVerb = 'issued' | 'downgraded' | 'revoked' | 'expired' | 'superseded';

/** A grade change to announce; written in the same document write as the change. */
export type GradeEventSpec = {
  verb: GradeEventVerb;
  grade: StoredGrade;
  previousLevel?: string;
  supersededBy?: string;
};

/**
 * Which grade is current for a product and standard. A pointer document keyed by
 * product and standard makes this an _id lookup, which FerretDB pushes down to SQLite;
 * a query over all grades would scan them.
 */
/**
 * The product's current grade per standard: the single truth for "current" (badges follow it).
 * `supersedes` names the grade it displaced until that one is superseded; a retry, or the
 * consumer of the issued event, finishes that step if a crash interrupted it.
 */
export type CurrentPointer = { gradeId: string; createdAt: Date; supersedes?: string; version: number };

export type GradeFilter = Partial<Record<'productId' | 'brandId' | 'enterpriseId' | 'standardCode' | 'level' | 'state', string>>;

export interface GradeRepository {
  /** 'exists' when a grade with this id (same body and report number) is already stored. */
  insert(grade: StoredGrade, events: GradeEventSpec[]): Promise<'inserted' | 'exists'>;
  /** Replaces the grade if its version is unchanged; FailedPreconditionError otherwise. */
  update(current: StoredGrade, next: Grade, changedBy: string, events: (stored: StoredGrade) => GradeEventSpec[]): Promise<StoredGrade>;
  /**
   * Read-modify-write of a grade: `decide` sees the stored grade and returns its successor and
   * events, or null to leave it; null when nothing was written.
   */
  change(
    id: string,
    changedBy: string,
    decide: (grade: StoredGrade) => { next: Grade; events: (stored: StoredGrade) => GradeEventSpec[] } | null,
  ): Promise<StoredGrade | null>;
  get(id: string): Promise<StoredGrade | null>;
  findByCertificateNumber(number: string): Promise<StoredGrade | null>;
  /** Live (issued or downgraded) grades of a product against a standard: the current one, if live. */
  findLive(productId: string, standardCode: string): Promise<StoredGrade[]>;
  /** The current-grade pointer of a product and standard. */
  current(productId: string, standardCode: string): Promise<CurrentPointer | null>;
  /** Live grades of a product, whatever the standard (rare: a product withdrawal). */
  findLiveOfProduct(productId: string): Promise<StoredGrade[]>;
  /**
   * Read-modify-write of the pointer: `decide` sees it (null: none yet) and may name the new
   * current grade; the write applies only to the pointer `decide` saw.
   */
  changeCurrent<T>(
    productId: string,
    standardCode: string,
    decide: (current: CurrentPointer | null) => { next?: Omit<CurrentPointer, 'version'>; result: T },
  ): Promise<T>;
  /** Live grades whose certificate ended at or before `now`. */
  findExpired(now: Date, limit: number): Promise<StoredGrade[]>;
  list(filter: GradeFilter, after: string | undefined, limit: number): Promise<StoredGrade[]>;
}

/** The catalogue as grading reads it (the shared CatalogueReader satisfies it). */
export interface CatalogueLookup {
  product(gtin14: string): Promise<ProductDocument | null>;
  standard(code: string): Promise<StandardDocument | null>;
  certificationBodyByCnas(cnasNumber: string): Promise<CertificationBodyDocument | null>;
}

export interface CertificateSigner {
  sign(fields: CertificateFields, now: Date): Promise<CertificateSignatureValue>;
  publicKeys(): Promise<PublicSigningKey[]>;
}
