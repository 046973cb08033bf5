import { createHash } from 'node:crypto';
import {
  parseStandardCode,
  validateCnasNumber,
  type CertificationBodyDocument,
  type DecisionRule,
  type ProductDocument,
  type StandardDocument,
  type Violation,
} from '@pinzhi/catalogue-reader/model';
import { certificateFieldsOf, verifyCertificate, type CertificateFields } from '@pinzhi/certificates';
import {
  assertNoViolations,
  decodePageToken,
  encodePageToken,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  pageSizeOf,
  PermissionDeniedError,
  type Caller,
} from '@pinzhi/platform';
import { applySupervisionSample, downgrade, expire, isLive, newGrade, revoke, supersede, type Grade, type Transition } from '../domain/grade.js';
import { compileStandard, NONCONFORMING, type GradingOutcome, type StandardEvaluator, type TestReport } from '../domain/grading-engine.js';
import type { CatalogueLookup, CertificateSigner, GradeEventSpec, GradeFilter, GradeRepository, StoredGrade } from './ports.js';

export interface IssueGradeInput {
  productId: string;
  standardCode: string;
  report: TestReport & { batch?: string };
  decisionRule?: DecisionRule;
}

export interface SupervisionSample {
  sampleId: string;
  productId: string;
  standardCode: string;
  passed: boolean;
  report: TestReport & { batch?: string };
}

export interface GradingSettings {
  /** Validity of a certificate when the standard sets none. */
  defaultValidityMonths: number;
}

export type CertificateReason = 'VALID' | 'SIGNATURE_INVALID' | 'UNKNOWN_KEY' | 'NOT_FOUND' | 'REVOKED' | 'EXPIRED' | 'SUPERSEDED' | 'NOT_CURRENT';

export type CertificateStatus = {
  /** The given certificate's signature verifies (false when only a number was given). */
  signatureValid: boolean;
  /** Signed by pinzhi: the given certificate, or the stored one when only a number was given. */
  genuine: boolean;
  /** Genuine, live, in its window and the product's current grade: what badges show. */
  current: boolean;
  reason: CertificateReason;
  grade: StoredGrade | null;
  detail: string;
};

/** Grade ids are derived from (certification body, report number): retries find the same grade. */
export function gradeIdOf(certificationBodyId: string, reportNumber: string): string {
  return createHash('sha256').update(`${certificationBodyId}\u0000${reportNumber}`).digest('hex').slice(0, 24);
}

/** What makes two IssueGrade requests the same request: everything that decides the grade. */
export function requestFingerprintOf(input: IssueGradeInput): string {
  const { report } = input;
  const measurements = Object.entries(report.measurements)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, m]) => [id, m.value, m.uncertainty ?? null]);
  const canonical = [
    input.productId,
    input.standardCode,
    input.decisionRule ?? null,
    report.laboratoryCnasNumber,
    report.reportNumber,
    report.sampleId,
    report.testedOn,
    report.batch ?? null,
    measurements,
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
}

const MAX_REASON_CHARACTERS = 500;

const certificateNumberOf = (gradeId: string, at: Date) => `PZ-G-${at.getUTCFullYear()}-${gradeId.toUpperCase()}`;

/** What a grade's certificate signs: at the issued level, so a downgraded grade's certificate keeps verifying. */
export function signedFieldsOf(grade: Grade): CertificateFields {
  const { productId: gtin, standardCode, issuedLevel: level, id } = grade;
  return certificateFieldsOf({ ...grade.certificate!, gtin, standardCode, level, grade: `grades/${id}` });
}

function addMonths(date: Date, months: number): Date {
  const next = new Date(date);
  next.setUTCMonth(next.getUTCMonth() + months);
  return next;
}

/**
 * The engine names the product's catalogued attributes; a caller fixes the request instead:
 * another standard when this one does not cover the category, the product's catalogue
 * record when its target group is missing or wrong.
 */
const REQUEST_FIELD_OF: Record<string, string> = { 'product.category': 'standard_code', 'product.targetGroup': 'product' };

function asRequestField(violation: Violation): Violation {
  const field = REQUEST_FIELD_OF[violation.field];
  return field ? { ...violation, field } : violation;
}

/** The publication date the catalogue records, else the first day of the edition's year (GB/T 14272-2021 → 2021-01-01). */
function publishedOn(standard: StandardDocument): string {
  if (standard.publishedOn) return standard.publishedOn;
  const year = parseStandardCode(standard.code, 'standard_code');
  return year.ok && year.value.year ? `${year.value.year}-01-01` : '0000-01-01';
}

function unwrap(transition: Transition): Grade {
  if (!transition.ok) throw new FailedPreconditionError(transition.reason);
  return transition.grade;
}

/**
 * Grading use cases: every write checks the caller, the catalogue references and the
 * report before anything is stored, so a rejected request stores nothing and emits nothing.
 */
export class GradingUseCases {
  readonly #evaluators = new Map<string, { version: number; gateVersion: number; evaluator: StandardEvaluator }>();

  constructor(
    private readonly grades: GradeRepository,
    private readonly catalogue: CatalogueLookup,
    private readonly signer: CertificateSigner,
    private readonly settings: GradingSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Standards change rarely; an evaluator is compiled once per standard version. */
  async #evaluator(standard: StandardDocument): Promise<{ evaluator: StandardEvaluator; gate?: StandardDocument }> {
    const gate = standard.safetyGate ? await this.catalogue.standard(standard.safetyGate.standardCode) : undefined;
    if (standard.safetyGate && !gate) {
      throw new FailedPreconditionError(`the safety gate ${standard.safetyGate.standardCode} of ${standard.code} is not in the catalogue`);
    }
    const cached = this.#evaluators.get(standard._id);
    if (cached && cached.version === standard.version && cached.gateVersion === (gate?.version ?? 0)) {
      return { evaluator: cached.evaluator, gate: gate ?? undefined };
    }
    const compiled = compileStandard(standard, gate ?? undefined);
    if (!compiled.ok) throw new FailedPreconditionError(`standard ${standard.code} cannot grade: ${compiled.violations.map((v) => v.description).join('; ')}`);
    this.#evaluators.set(standard._id, { version: standard.version, gateVersion: gate?.version ?? 0, evaluator: compiled.value });
    return { evaluator: compiled.value, gate: gate ?? undefined };
  }

  async #grade(
    standard: StandardDocument,
    product: { category: string; targetGroup?: string },
    report: TestReport,
    decisionRule?: DecisionRule,
  ): Promise<GradingOutcome> {
    const { evaluator } = await this.#evaluator(standard);
    const result = evaluator.grade({
      product: product as never,
      report,
      ...(decisionRule ? { decisionRule } : {}),
    });
    if (!result.ok) assertNoViolations(result.violations.map(asRequestField), 'the test report cannot be graded');
    return (result as Extract<typeof result, { ok: true }>).value;
  }

  /** Everything IssueGrade checks against the catalogue, then the engine's verdict. */
  async #checkIssue(caller: Caller, body: CertificationBodyDocument, input: IssueGradeInput) {
    const [product, standard] = await Promise.all([this.catalogue.product(input.productId), this.catalogue.standard(input.standardCode)]);
    if (!product) throw new NotFoundError(`products/${input.productId} is not in the catalogue`);
    if (!standard) throw new NotFoundError(`standard ${input.standardCode} is not in the catalogue`);
    if (product.state !== 'active') throw new FailedPreconditionError(`products/${product._id} is withdrawn`);
    if (standard.state !== 'active') throw new FailedPreconditionError(`standard ${standard.code} is ${standard.state}`);
    if (standard.purpose !== 'grading') {
      throw new InvalidArgumentError('the standard does not grade', [
        { field: 'standard_code', reason: 'NOT_A_GRADING_STANDARD', description: `${standard.code} is a ${standard.purpose} standard` },
      ]);
    }
    if (!body.accreditedCategories.includes(product.category) || (caller.scopes.length > 0 && !caller.scopes.includes(product.category))) {
      throw new PermissionDeniedError(`${caller.org} is not accredited to grade ${product.category} products`);
    }
    // A body that lists standards is accredited for those alone.
    if (body.accreditedStandardCodes.length > 0 && !body.accreditedStandardCodes.includes(standard.code)) {
      throw new PermissionDeniedError(`${caller.org} is not accredited for ${standard.code}`);
    }
    const violations: Violation[] = [];
    if (!product.standardCodes.includes(standard.code)) {
      violations.push({
        field: 'standard_code',
        reason: 'NOT_DECLARED',
        description: `products/${product._id} does not declare ${standard.code} (it declares ${product.standardCodes.join(', ') || 'none'})`,
      });
    }
    if (!body.laboratories.some((lab) => lab.cnasNumber === input.report.laboratoryCnasNumber)) {
      violations.push({
        field: 'report.laboratory_cnas_number',
        reason: 'UNKNOWN_LABORATORY',
        description: `not a laboratory the catalogue lists for ${body.cnasNumber}`,
      });
    }
    const today = this.clock().toISOString().slice(0, 10);
    // A day's grace for time zones: a report dated tomorrow in Beijing is today in UTC.
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    if (input.report.testedOn > tomorrow) {
      violations.push({ field: 'report.tested_on', reason: 'IN_THE_FUTURE', description: `${input.report.testedOn} is in the future` });
    } else if (input.report.testedOn < publishedOn(standard)) {
      violations.push({
        field: 'report.tested_on',
        reason: 'BEFORE_THE_STANDARD',
        description: `${input.report.testedOn} is before ${standard.code} was published (${publishedOn(standard)})`,
      });
    }
    assertNoViolations(violations, 'the report cannot be graded against this standard');
    return { product, standard, outcome: await this.#grade(standard, product, input.report, input.decisionRule) };
  }

  async issueGrade(caller: Caller, input: IssueGradeInput): Promise<{ grade: StoredGrade; created: boolean }> {
    const violations: Violation[] = [];
    if (input.report.reportNumber.trim() === '')
      violations.push({ field: 'report.report_number', reason: 'REQUIRED', description: 'the lab report number is required' });
    violations.push(...validateCnasNumber(input.report.laboratoryCnasNumber, 'report.laboratory_cnas_number', 'laboratory'));
    assertNoViolations(violations, 'invalid test report');

    const body = await this.catalogue.certificationBodyByCnas(caller.org);
    if (!body || body.state !== 'active' || !body.accreditedActivities.includes('grading')) {
      throw new PermissionDeniedError(`${caller.org} is not an active certification body accredited for grading`);
    }
    const id = gradeIdOf(body._id, input.report.reportNumber);
    const fingerprint = requestFingerprintOf(input);
    // The retry check costs a read, so it runs only when the request would be refused: a
    // retry whose first attempt was stored gets that grade back, whatever changed since, and
    // a first attempt pays nothing for it (the insert itself detects a retry that passes).
    let checked: { product: ProductDocument; standard: StandardDocument; outcome: GradingOutcome };
    try {
      checked = await this.#checkIssue(caller, body, input);
    } catch (error) {
      const existing = await this.grades.get(id);
      if (existing) return { grade: await this.#converged(this.#sameRequest(existing, fingerprint)), created: false };
      throw error;
    }
    const { product, standard, outcome } = checked;
    const now = this.clock();
    let grade = newGrade(
      {
        id,
        productId: product._id,
        brandId: product.brandId,
        enterpriseId: product.enterpriseId,
        category: product.category,
        standardCode: standard.code,
        decisionRule: outcome.decisionRule,
        outcome,
        report: input.report,
        certificationBodyId: body._id,
        certificationBodyCnas: body.cnasNumber,
      },
      caller.subject,
      now,
    );
    if (grade.state === 'issued') {
      const certificate = {
        number: certificateNumberOf(id, now),
        validFrom: now,
        validUntil: addMonths(now, standard.gradeValidityMonths ?? this.settings.defaultValidityMonths),
        issuerCnasNumber: body.cnasNumber,
        issuerName: body.nameZh ?? body.name,
      };
      grade = { ...grade, certificate: { ...certificate, signature: { algorithm: 'Ed25519', keyId: '', signature: new Uint8Array(), signedAt: now } } };
      grade.certificate!.signature = await this.signer.sign(signedFieldsOf(grade), now);
    }
    const stored: StoredGrade = {
      ...grade,
      _id: id,
      audit: { createdBy: caller.subject, createdAt: now, updatedBy: caller.subject, updatedAt: now },
      version: 1,
      requestFingerprint: fingerprint,
    };
    const events: GradeEventSpec[] = grade.state === 'issued' ? [{ verb: 'issued', grade: stored }] : [];
    if ((await this.grades.insert(stored, events)) === 'exists') {
      // A retry (or a concurrent one that won the race): finish what its first attempt may
      // not have (the pointer, the supersede), then answer as the retry it is.
      return { grade: await this.#converged(this.#sameRequest((await this.grades.get(id))!, fingerprint)), created: false };
    }
    if (grade.state !== 'issued') return { grade: stored, created: true };
    return { grade: await this.#converged(stored), created: true };
  }

  /**
   * Makes the new grade current for its product and standard, unless a newer one already
   * is, and supersedes whichever of the two is older. The pointer is read and moved in one
   * read-modify-write, so concurrent issues converge on the newest grade whatever their
   * interleaving, and a conflict never fails a caller whose own grade is stored. Returns the
   * grade the pointer names afterwards (the given one unless a newer one displaced it).
   */
  async #supersedeOlder(grade: StoredGrade): Promise<{ current: string }> {
    const newer = (a: { createdAt: Date; gradeId: string }, b: { createdAt: Date; gradeId: string }) =>
      a.createdAt.getTime() - b.createdAt.getTime() || (a.gradeId > b.gradeId ? 1 : -1);
    const mine = { gradeId: grade._id, createdAt: grade.audit.createdAt };
    const { older, current } = await this.grades.changeCurrent(grade.productId, grade.standardCode, (pointer) => {
      // Already current: finish the supersede a crash may have interrupted (a no-op when done).
      if (pointer?.gradeId === grade._id)
        return { result: { older: pointer.supersedes ? { id: pointer.supersedes, by: grade._id } : null, current: grade._id } };
      if (pointer && newer(pointer, mine) > 0) return { result: { older: { id: grade._id, by: pointer.gradeId }, current: pointer.gradeId } };
      // The pointer remembers whom it displaced until that grade is superseded.
      return {
        next: { ...mine, ...(pointer ? { supersedes: pointer.gradeId } : {}) },
        result: { older: pointer ? { id: pointer.gradeId, by: grade._id } : null, current: grade._id },
      };
    });
    if (older) await this.#supersede(older.id, older.by);
    return { current };
  }

  /**
   * A retry must repeat the original request: the same (body, report number) with other
   * content is another request reusing the key, and is refused rather than answered with the
   * first request's grade. Grades stored before fingerprints existed are taken as retries.
   */
  #sameRequest(existing: StoredGrade, fingerprint: string): StoredGrade {
    if (existing.requestFingerprint && existing.requestFingerprint !== fingerprint) {
      throw new FailedPreconditionError(
        `report ${existing.report.reportNumber} of ${existing.certificationBodyCnas} was already graded from a different request (grades/${existing._id}); a retry must repeat the original request, and a new report needs a new report number`,
      );
    }
    return existing;
  }

  /**
   * Brings a stored grade and its product's pointer into agreement: exactly one live grade
   * per product and standard, the older superseded with its event. Every step is
   * idempotent, so a retry of IssueGrade and the consumer of the issued event both run it,
   * and whichever comes first after a crash finishes the issue.
   */
  async #converged(grade: StoredGrade): Promise<StoredGrade> {
    if (!isLive(grade)) return grade;
    // Re-read only when a newer grade displaced this one (its state changed), as an issue does.
    const { current } = await this.#supersedeOlder(grade);
    return current !== grade._id ? ((await this.grades.get(grade._id)) ?? grade) : grade;
  }

  /**
   * What grading's own consumer does after a grade event: for an issued grade, finishes an
   * issue that a crash or a failed write interrupted; then returns the grade badges show for
   * the product and standard now. When the issued grade is (still) the pointer's, the reads
   * the repair made answer that too: two reads for the common case.
   */
  async convergeAndShow(productId: string, standardCode: string, issuedId?: string): Promise<StoredGrade | null> {
    const grade = issuedId ? await this.grades.get(issuedId) : null;
    if (grade && isLive(grade) && (await this.#supersedeOlder(grade)).current === grade._id) return grade;
    return this.#shownGrade(productId, standardCode);
  }

  /** The grade badges show for a product and standard: the pointer's grade while it is live. */
  async #shownGrade(productId: string, standardCode: string): Promise<StoredGrade | null> {
    const pointer = await this.grades.current(productId, standardCode);
    const grade = pointer ? await this.grades.get(pointer.gradeId) : null;
    return grade && isLive(grade) ? grade : null;
  }

  /** Supersedes a grade if it is still live. */
  async #supersede(id: string, byId: string): Promise<void> {
    await this.grades.change(id, 'system', (grade) => {
      if (!isLive(grade)) return null;
      const transition = supersede(grade, byId, this.clock());
      return transition.ok ? { next: transition.grade, events: (s) => [{ verb: 'superseded', grade: s, supersededBy: `grades/${byId}` }] } : null;
    });
  }

  async get(id: string): Promise<StoredGrade> {
    const grade = await this.grades.get(id);
    if (!grade) throw new NotFoundError(`grades/${id} does not exist`);
    return grade;
  }

  async list(filter: GradeFilter, pageSize: number, pageToken: string): Promise<{ items: StoredGrade[]; nextPageToken: string }> {
    const size = pageSizeOf(pageSize);
    const after = decodePageToken(pageToken, 'ListGrades', filter);
    const rows = await this.grades.list(filter, after, size + 1);
    const items = rows.slice(0, size);
    return { items, nextPageToken: rows.length > size ? encodePageToken(items.at(-1)!._id, 'ListGrades', filter) : '' };
  }

  /** The issuing certifier or a regulator may change a grade. */
  #assertMayChange(caller: Caller, grade: StoredGrade): void {
    if (caller.role === 'regulator' || caller.role === 'admin') return;
    if (caller.role === 'certifier' && caller.org === grade.certificationBodyCnas) return;
    throw new PermissionDeniedError('only the issuing certification body or a regulator may change this grade');
  }

  #requireReason(reason: string): void {
    if (reason.trim() === '') {
      throw new InvalidArgumentError('a reason is required', [{ field: 'reason', reason: 'REQUIRED', description: 'say why the grade changes' }]);
    }
    // The reason rides in the grade and its events: bounded so an event stays small.
    if ([...reason].length > MAX_REASON_CHARACTERS) {
      throw new InvalidArgumentError('the reason is too long', [
        { field: 'reason', reason: 'TOO_LONG', description: `at most ${MAX_REASON_CHARACTERS} characters` },
      ]);
    }
  }

  async downgradeGrade(caller: Caller, id: string, level: string, reason: string): Promise<StoredGrade> {
    this.#requireReason(reason);
    const grade = await this.get(id);
    this.#assertMayChange(caller, grade);
    const standard = await this.catalogue.standard(grade.standardCode);
    const next = unwrap(downgrade(grade, standard?.gradeLevels ?? [], level, reason, `users/${caller.subject}`, caller.subject, this.clock()));
    return this.grades.update(grade, next, caller.subject, (s) => [{ verb: 'downgraded', grade: s, previousLevel: grade.level }]);
  }

  async revokeGrade(caller: Caller, id: string, reason: string): Promise<StoredGrade> {
    this.#requireReason(reason);
    const grade = await this.get(id);
    this.#assertMayChange(caller, grade);
    const next = unwrap(revoke(grade, reason, `users/${caller.subject}`, caller.subject, this.clock()));
    return this.grades.update(grade, next, caller.subject, (s) => [{ verb: 'revoked', grade: s }]);
  }

  /** Expires every live grade whose certificate has ended; returns how many. */
  async expireDue(limit = 500): Promise<number> {
    const now = this.clock();
    let expired = 0;
    for (const found of await this.grades.findExpired(now, limit)) {
      // Decided on the grade as stored at the write, so a change in between (a downgrade, a
      // supersede) is taken into account rather than failing the sweep.
      const changed = await this.grades.change(found._id, 'system', (grade) => {
        const transition = expire(grade, now);
        return transition.ok ? { next: transition.grade, events: (s) => [{ verb: 'expired', grade: s }] } : null;
      });
      if (changed) expired++;
    }
    return expired;
  }

  /**
   * A regulator's failed sample re-grades the product's live grades on the sample's values:
   * downgrade when a lower level still passes, revoke when nonconforming. A sample already
   * applied (its id is in the grade's history) changes nothing.
   */
  async applySupervisionSample(sample: SupervisionSample): Promise<StoredGrade[]> {
    if (sample.passed) return [];
    const [product, standard] = await Promise.all([this.catalogue.product(sample.productId), this.catalogue.standard(sample.standardCode)]);
    if (!product || !standard) return [];
    const live = await this.grades.findLive(product._id, standard.code);
    if (live.length === 0) return [];
    let level: string;
    try {
      level = (await this.#grade(standard, product, sample.report)).level;
    } catch (error) {
      // A sample the engine cannot read (missing indicators) still failed: the regulator's
      // verdict stands, so the grade is revoked rather than left untouched.
      if (!(error instanceof InvalidArgumentError)) throw error;
      level = NONCONFORMING;
    }
    const changed: StoredGrade[] = [];
    for (const found of live) {
      // Decided on the grade as stored at the write: a concurrent change (say, a newer grade
      // superseding it) is taken into account instead of failing the sample.
      const written = await this.grades.change(found._id, 'regulator', (grade) => {
        const transition = applySupervisionSample(grade, standard.gradeLevels, level, sample.sampleId, this.clock());
        if (!transition.ok || transition.grade === null) return null;
        const next = transition.grade;
        return {
          next,
          events: (s) => [next.state === 'revoked' ? { verb: 'revoked', grade: s } : { verb: 'downgraded', grade: s, previousLevel: grade.level }],
        };
      });
      if (written) changed.push(written);
    }
    return changed;
  }

  /**
   * The catalogue withdrew a product: its live grades are revoked, naming the catalogue event
   * as the cause, so marketplaces take the badges down. The catalogue record decides, not the
   * event alone: a product that is not withdrawn in this catalogue (reinstated since, or an
   * event from another deployment) keeps its grades. A second delivery finds nothing live.
   */
  async withdrawProduct(productId: string, eventId: string): Promise<StoredGrade[]> {
    const product = await this.catalogue.product(productId);
    if (!product || product.state !== 'withdrawn') return [];
    const revoked: StoredGrade[] = [];
    for (const found of await this.grades.findLiveOfProduct(productId)) {
      const written = await this.grades.change(found._id, 'catalogue', (grade) => {
        const transition = revoke(grade, 'the product was withdrawn from the catalogue', `events/${eventId}`, 'catalogue', this.clock());
        return transition.ok ? { next: transition.grade, events: (s) => [{ verb: 'revoked', grade: s }] } : null;
      });
      if (written) revoked.push(written);
    }
    return revoked;
  }

  /** Signature check (when the certificate is given) and current status (from the store). */
  async verifyCertificate(
    certificate: (CertificateFields & { signature?: { algorithm: string; keyId: string; signature: Uint8Array; signedAt: Date } }) | undefined,
    number: string,
  ): Promise<CertificateStatus> {
    const lookup = certificate?.number || number;
    if (!lookup) {
      throw new InvalidArgumentError('name a certificate', [{ field: 'certificate', reason: 'REQUIRED', description: 'give the certificate or its number' }]);
    }
    const keys = await this.signer.publicKeys();
    const grade = await this.grades.findByCertificateNumber(lookup);
    // A given certificate is judged by its own signature; a number by the stored certificate's.
    const signed = certificate?.signature
      ? verifyCertificate(certificate, certificate.signature, keys)
      : grade?.certificate
        ? verifyCertificate(signedFieldsOf(grade), grade.certificate.signature, keys)
        : undefined;
    const signatureValid = certificate?.signature !== undefined && signed?.valid === true;
    const answer = (genuine: boolean, current: boolean, reason: CertificateReason, detail: string): CertificateStatus => ({
      signatureValid,
      genuine,
      current,
      reason,
      grade,
      detail,
    });
    if (signed && !signed.valid) {
      return answer(
        false,
        false,
        signed.reason === 'UNKNOWN_KEY' ? 'UNKNOWN_KEY' : 'SIGNATURE_INVALID',
        `not genuine: the signature does not verify (${signed.reason})`,
      );
    }
    if (!grade || !signed) return answer(false, false, 'NOT_FOUND', 'no such certificate');
    const now = this.clock();
    const inWindow = grade.certificate!.validFrom <= now && now < grade.certificate!.validUntil;
    const because = grade.stateReason ? `: ${grade.stateReason}` : '';
    if (grade.state === 'revoked') return answer(true, false, 'REVOKED', `revoked${because}`);
    if (grade.state === 'superseded') return answer(true, false, 'SUPERSEDED', `superseded${because}`);
    if (grade.state === 'expired' || !inWindow) return answer(true, false, 'EXPIRED', `expired on ${grade.certificate!.validUntil.toISOString().slice(0, 10)}`);
    if (!isLive(grade)) return answer(true, false, 'NOT_CURRENT', `${grade.state}${because}`);
    // Current means what badges show: live, in its window, and the product's current grade.
    const pointer = await this.grades.current(grade.productId, grade.standardCode);
    if (pointer?.gradeId !== grade._id)
      return answer(true, false, 'NOT_CURRENT', `${grade.state}, but not the product's current grade for ${grade.standardCode}`);
    return answer(true, true, 'VALID', `${grade.state}: ${grade.level}`);
  }

  publicKeys() {
    return this.signer.publicKeys();
  }
}
