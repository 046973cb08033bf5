import { randomUUID } from 'node:crypto';
import {
  actingBody,
  isAccredited,
  type CatalogueReader,
  type CertificationBodyDocument,
  type ProductDocument,
  type StandardDocument,
} from '@pinzhi/catalogue-reader';
import type { DecisionRule } from '@pinzhi/catalogue-reader/model';
import {
  AlreadyExistsError,
  decodeKeysetToken,
  decodePageToken,
  encodeKeysetToken,
  encodePageToken,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  type Caller,
  type FieldViolation,
} from '@pinzhi/platform';
import { gapsOfChecks, runChecks, type CaseChecks } from '../domain/case-checks.js';
import {
  checkAction,
  LIVE_STATES,
  MAX_FINDINGS,
  MAX_SURVEILLANCE_RECORDS,
  SYSTEM_ACTOR,
  validUntil,
  type Actor,
  type CaseAction,
  type FindingSeverity,
  type SameLinePath,
  type Transition,
} from '../domain/case-lifecycle.js';
import type { CheckItem } from '../domain/check-item.js';
import { canonicalStatementBytes, caseIdOfNumber, statementNumber, type SameLineStatement } from '../domain/statement.js';
import type {
  CaseEvent,
  CaseFilter,
  CaseRepository,
  Evidence,
  ListingFilter,
  SameLineCase,
  StatementSignature,
  StatementSigner,
  SurveillanceRecord,
} from './ports.js';

/** The catalogue reads this service needs, from the shared read library. */
export type CatalogueLookup = Pick<
  CatalogueReader,
  'product' | 'twinOf' | 'productionLine' | 'standard' | 'enterprise' | 'certificationBody' | 'certificationBodyByCnas'
>;

export interface SameLineSettings {
  /** Months a declaration or certificate stays valid. */
  validityMonths: number;
}

const ACTIVITY = 'same-line';

export type FileInput = {
  caseId?: string;
  path: SameLinePath;
  domesticProductId: string;
  exportProductId?: string;
  productionLineIds: string[];
  domesticStandardCodes: string[];
  exportMarket?: string;
  exportStandardCodes: string[];
  claimedLevel?: string;
  decisionRule?: DecisionRule;
  evidence: Evidence;
};

/** What the checks read of a case. */
type CheckSubject = Pick<
  SameLineCase,
  | '_id'
  | 'enterpriseId'
  | 'category'
  | 'domestic'
  | 'export'
  | 'productionLineIds'
  | 'domesticStandardCodes'
  | 'exportStandardCodes'
  | 'claimedLevel'
  | 'decisionRule'
  | 'evidence'
>;

/** A surveillance fact from another stream: a revoked grade or a failed supervision sample. */
export type SurveillanceFact = { productId: string; cause: string; causeEventId: string; causeEventType: string; reason: string };

export type VerificationReason =
  'VALID' | 'NOT_FOUND' | 'SIGNATURE_INVALID' | 'UNKNOWN_KEY' | 'KEY_NOT_VALID_AT_SIGN_TIME' | 'STATEMENT_MISMATCH' | 'SUSPENDED' | 'WITHDRAWN' | 'EXPIRED';

export type VerificationOutcome = { genuine: boolean; current: boolean; reason: VerificationReason; sameLineCase: SameLineCase | null; detail: string };

const actorOf = (caller: Caller): Actor => ({ subject: caller.subject, role: caller.role, org: caller.org });

/** A gap as a field violation of the FileCase request (`same_line_case.<field>`), its code as the reason. */
export const gapViolations = (gaps: readonly CheckItem[], prefix = 'same_line_case.'): FieldViolation[] =>
  gaps.map((g) => ({ field: `${prefix}${g.field}`, description: `${g.subject}: ${g.explanation}`, reason: g.gap ?? 'GAP' }));

/**
 * Same line, same standard, same quality (三同): filing on two paths, the three checks, the
 * evaluation by an accredited body, signed statements, surveillance and the public listing.
 */
export class SameLineUseCases {
  constructor(
    private readonly cases: CaseRepository,
    private readonly catalogue: CatalogueLookup,
    private readonly signer: StatementSigner,
    private readonly settings: SameLineSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  // ——— who may see and do what ———

  #isOwner = (caller: Caller, c: SameLineCase) => caller.role === 'enterprise' && caller.org === c.enterpriseId;
  #isEvaluator = (caller: Caller, c: SameLineCase) => caller.role === 'certifier' && c.body?.cnasNumber === caller.org;

  /** A body may evaluate a case when it is active and accredited for same-line and the case's category. */
  #eligible = (body: CertificationBodyDocument, category: string) => isAccredited(body, ACTIVITY, category);

  async #visible(caller: Caller, c: SameLineCase): Promise<boolean> {
    if (caller.role === 'admin' || caller.role === 'regulator' || this.#isOwner(caller, c) || this.#isEvaluator(caller, c)) return true;
    if (caller.role !== 'certifier' || c.state !== 'filed') return false;
    const body = await this.catalogue.certificationBodyByCnas(caller.org);
    return body !== null && this.#eligible(body, c.category);
  }

  async #readable(caller: Caller, id: string): Promise<SameLineCase> {
    const found = await this.cases.get(id);
    // Someone else's case reads as absent: its existence is not public until it is listed.
    if (!found || !(await this.#visible(caller, found))) throw new NotFoundError(`cases/${id} does not exist`);
    return found;
  }

  #evaluatingBody(caller: Caller, bodyId: string | undefined, category: string): Promise<CertificationBodyDocument> {
    return actingBody(this.catalogue, caller, { activity: ACTIVITY, field: 'certification_body', bodyId, category });
  }

  // ——— filing ———

  async file(caller: Caller, input: FileInput): Promise<SameLineCase> {
    if (caller.role !== 'enterprise') throw new PermissionDeniedError('cases are filed by the enterprise that owns both products');
    const domestic = await this.catalogue.product(input.domesticProductId);
    if (!domestic) throw new NotFoundError(`products/${input.domesticProductId} does not exist`);
    if (domestic.enterpriseId !== caller.org) throw new PermissionDeniedError(`only the enterprise that owns products/${domestic._id} may file a case for it`);
    const bad: FieldViolation[] = [];
    if (domestic.market !== 'domestic')
      bad.push({ field: 'same_line_case.domestic_product', description: `products/${domestic._id} is an ${domestic.market} product`, reason: 'NOT_DOMESTIC' });
    const twin = await this.catalogue.twinOf(domestic);
    if (!twin) {
      throw new InvalidArgumentError('the domestic product has no export twin', [
        { field: 'same_line_case.domestic_product', description: `products/${domestic._id} has no export twin in the catalogue`, reason: 'NO_TWIN' },
      ]);
    }
    if (input.exportProductId && input.exportProductId !== twin._id) {
      bad.push({ field: 'same_line_case.export_product', description: `the twin of products/${domestic._id} is products/${twin._id}`, reason: 'NOT_THE_TWIN' });
    }
    if (twin.enterpriseId !== caller.org) throw new PermissionDeniedError(`only the enterprise that owns products/${twin._id} may file a case for it`);
    if (twin.market !== 'export')
      bad.push({ field: 'same_line_case.export_product', description: `products/${twin._id} is not an export product`, reason: 'NOT_EXPORT' });
    for (const [p, field] of [
      [domestic, 'domestic_product'],
      [twin, 'export_product'],
    ] as const) {
      if (p.state !== 'active') bad.push({ field: `same_line_case.${field}`, description: `products/${p._id} is ${p.state}`, reason: 'PRODUCT_WITHDRAWN' });
    }
    const exportMarket = input.exportMarket || twin.destinationMarket || '';
    if (input.exportMarket && twin.destinationMarket && input.exportMarket !== twin.destinationMarket) {
      bad.push({
        field: 'same_line_case.export_market',
        description: `products/${twin._id} is made for ${twin.destinationMarket}`,
        reason: 'NOT_THE_DESTINATION',
      });
    }
    if (exportMarket === '')
      bad.push({
        field: 'same_line_case.export_market',
        description: 'the export product names no destination; give the market (ISO 3166-1 alpha-2 or EU)',
        reason: 'REQUIRED',
      });
    const enterprise = await this.catalogue.enterprise(caller.org);
    if (bad.length > 0) throw new InvalidArgumentError('the case is invalid', bad);

    const now = this.clock();
    const id =
      input.caseId ||
      `${
        domestic.model
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '')
          .slice(0, 40) || 'case'
      }-${randomUUID().slice(0, 8)}`;
    const draft: Omit<SameLineCase, 'checks'> = {
      _id: id,
      path: input.path,
      state: input.path === 'self_declared' ? 'declared' : 'filed',
      enterpriseId: caller.org,
      enterpriseName: enterprise?.name ?? caller.org,
      category: domestic.category,
      domestic: { gtin14: domestic._id, model: domestic.model, name: domestic.name },
      export: { gtin14: twin._id, model: twin.model, name: twin.name },
      productIds: [domestic._id, twin._id],
      productionLineIds:
        input.productionLineIds.length > 0 ? input.productionLineIds : domestic.productionLineIds.filter((l) => twin.productionLineIds.includes(l)),
      domesticStandardCodes: input.domesticStandardCodes.length > 0 ? input.domesticStandardCodes : domestic.standardCodes,
      exportMarket,
      exportStandardCodes: input.exportStandardCodes.length > 0 ? input.exportStandardCodes : twin.standardCodes,
      ...(input.claimedLevel ? { claimedLevel: input.claimedLevel } : {}),
      ...(input.decisionRule ? { decisionRule: input.decisionRule } : {}),
      evidence: input.evidence,
      findings: [],
      rejectionReasons: [],
      surveillance: [],
      history: [],
      audit: { createdBy: caller.subject, createdAt: now, updatedBy: caller.subject, updatedAt: now },
      version: 1,
    };
    const checks = await this.#runChecks(draft, 'same_line_case.', now);
    let sameLineCase: SameLineCase = { ...draft, checks };
    const events: CaseEvent[] = [];
    if (input.path === 'self_declared') {
      // A declaration with a gap is refused whole: nothing is stored, nothing is announced.
      if (!checks.passed) throw new InvalidArgumentError('the declaration is refused: the checks found gaps', gapViolations(gapsOfChecks(checks)));
      sameLineCase = await this.#withStatement(sameLineCase, now);
      sameLineCase.history = [{ from: null, to: 'declared', action: 'declare', actor: actorOf(caller), at: now }];
      events.push({ verb: 'declared', sameLineCase });
    } else {
      sameLineCase.history = [{ from: null, to: 'filed', action: 'file', actor: actorOf(caller), at: now }];
      events.push({ verb: 'filed', sameLineCase });
    }
    if ((await this.cases.insert(sameLineCase, events)) === 'exists') {
      throw new AlreadyExistsError(`cases/${id} already exists`, [
        { field: 'case_id', description: `${id} is taken; choose another or leave it empty`, reason: 'ALREADY_EXISTS' },
      ]);
    }
    return sameLineCase;
  }

  /**
   * Reads what the checks need from the catalogue (lines, products, standards as they are
   * now) and runs them. A standard the catalogue does not know, or a claimed level no domestic
   * standard has, is a bad request (`prefix` names where the request spells those fields).
   */
  async #runChecks(c: CheckSubject, prefix: string, now: Date): Promise<CaseChecks> {
    const [domestic, exported] = await Promise.all([this.catalogue.product(c.domestic.gtin14), this.catalogue.product(c.export.gtin14)]);
    if (!domestic || !exported) throw new FailedPreconditionError(`a product of cases/${c._id} is no longer in the catalogue`);
    const lookup = async (codes: string[], field: string) => {
      const found = await Promise.all(codes.map((code) => this.catalogue.standard(code)));
      const missing = codes.flatMap((code, i) =>
        found[i] ? [] : [{ field: `${prefix}${field}[${i}]`, description: `${code} is not in the catalogue`, reason: 'UNKNOWN_STANDARD' }],
      );
      return { found: found.filter((s): s is StandardDocument => s !== null), missing };
    };
    const [d, e, lines] = await Promise.all([
      lookup(c.domesticStandardCodes, 'domestic_standard_codes'),
      lookup(c.exportStandardCodes, 'export_standard_codes'),
      Promise.all(c.productionLineIds.map(async (id) => ({ id, line: await this.catalogue.productionLine(id) }))),
    ]);
    const violations = [...d.missing, ...e.missing];
    if (c.domesticStandardCodes.length === 0)
      violations.push({ field: `${prefix}domestic_standard_codes`, description: 'name at least one domestic standard', reason: 'REQUIRED' });
    if (c.exportStandardCodes.length === 0)
      violations.push({ field: `${prefix}export_standard_codes`, description: 'name at least one standard of the export market', reason: 'REQUIRED' });
    if (violations.length > 0) throw new InvalidArgumentError('the case names standards that cannot be compared', violations);
    const twin = (p: ProductDocument) => ({
      gtin14: p._id,
      productionLineIds: p.productionLineIds,
      standardCodes: p.standardCodes,
      ...(p.targetGroup ? { targetGroup: p.targetGroup } : {}),
    });
    const run = runChecks(
      {
        enterpriseId: c.enterpriseId,
        category: c.category,
        domestic: twin(domestic),
        export: twin(exported),
        lines,
        domesticStandards: d.found,
        exportStandards: e.found,
        ...(c.claimedLevel ? { claimedLevel: c.claimedLevel } : {}),
        ...(c.decisionRule ? { decisionRule: c.decisionRule } : {}),
        domesticReports: c.evidence.domestic,
        exportReports: c.evidence.export,
      },
      now,
    );
    if (!run.ok)
      throw new InvalidArgumentError('the claimed level is not one the domestic standards have', [{ ...run.problem, field: `${prefix}${run.problem.field}` }]);
    return run.checks;
  }

  /** Signs the statement (before the write: it goes into the same single-document write as the state). */
  async #withStatement(c: SameLineCase, now: Date): Promise<SameLineCase> {
    const issuer =
      c.path === 'self_declared'
        ? { issuer: `enterprises/${c.enterpriseId}`, issuerCnasNumber: '', issuerName: c.enterpriseName }
        : { issuer: `certificationBodies/${c.body!.bodyId}`, issuerCnasNumber: c.body!.cnasNumber, issuerName: c.body!.name };
    const until = validUntil(now, this.settings.validityMonths);
    const statement: SameLineStatement = {
      number: statementNumber(c.path, c._id, now),
      sameLineCase: `cases/${c._id}`,
      path: c.path,
      enterprise: `enterprises/${c.enterpriseId}`,
      enterpriseDisplayName: c.enterpriseName,
      domesticGtin: c.domestic.gtin14,
      domesticModel: c.domestic.model,
      exportGtin: c.export.gtin14,
      exportModel: c.export.model,
      productionLines: c.productionLineIds.map((l) => `productionLines/${l}`),
      domesticStandardCodes: c.domesticStandardCodes,
      exportMarket: c.exportMarket,
      exportStandardCodes: c.exportStandardCodes,
      ...issuer,
      validFrom: now,
      validUntil: until,
    };
    const signature = await this.signer.sign(canonicalStatementBytes(statement), now);
    return { ...c, statement: { statement, signature }, listedAt: now, validUntil: until };
  }

  // ——— reading ———

  get(caller: Caller, id: string): Promise<SameLineCase> {
    return this.#readable(caller, id);
  }

  async list(caller: Caller, filter: CaseFilter, pageSize: number, pageToken: string): Promise<{ cases: SameLineCase[]; nextPageToken: string }> {
    const scoped: CaseFilter = { ...filter };
    if (caller.role === 'enterprise') {
      if (filter.enterpriseId && filter.enterpriseId !== caller.org) throw new PermissionDeniedError('an enterprise lists its own cases only');
      scoped.enterpriseId = caller.org;
    } else if (caller.role === 'certifier') {
      const body = await this.catalogue.certificationBodyByCnas(caller.org);
      if (!body || body.state !== 'active' || !body.accreditedActivities.includes(ACTIVITY)) {
        throw new PermissionDeniedError(`no active body accredited for same-line has CNAS number ${caller.org}`);
      }
      scoped.certifier = { bodyId: body._id, categories: body.accreditedCategories };
    } else if (caller.role !== 'admin' && caller.role !== 'regulator') {
      throw new PermissionDeniedError('cases are listed by enterprises, certifiers, regulators and admins; the public listing is SearchListings');
    }
    const after = decodePageToken(pageToken, 'ListCases', scoped);
    const page = await this.cases.list(scoped, after, pageSize + 1);
    const cases = page.slice(0, pageSize);
    return { cases, nextPageToken: page.length > pageSize ? encodePageToken(cases.at(-1)!._id, 'ListCases', scoped) : '' };
  }

  async search(filter: ListingFilter, pageSize: number, pageToken: string): Promise<{ cases: SameLineCase[]; nextPageToken: string }> {
    const keyset = decodeKeysetToken(pageToken, 'SearchListings', filter);
    const after = keyset && { listedAt: keyset.key, id: keyset.id };
    const page = await this.cases.search(filter, after, pageSize + 1);
    const cases = page.slice(0, pageSize);
    const last = cases.at(-1);
    return { cases, nextPageToken: page.length > pageSize && last ? encodeKeysetToken(last.listedAt!.getTime(), last._id, 'SearchListings', filter) : '' };
  }

  // ——— the third-party evaluation ———

  async startEvaluation(caller: Caller, id: string, bodyId: string | undefined): Promise<SameLineCase> {
    // A FILED case waits for any body to pick it up, so a certifier whose body may not is told
    // so (PERMISSION_DENIED) rather than that the case does not exist.
    const current = await this.cases.get(id);
    if (!current || !(current.state === 'filed' || (await this.#visible(caller, current)))) throw new NotFoundError(`cases/${id} does not exist`);
    const body = await this.#evaluatingBody(caller, bodyId, current.category);
    const checks = await this.#runChecks(current, 'same_line_case.', this.clock());
    return this.#transition(caller, id, 'start_evaluation', (c) => ({
      next: { ...c, body: { bodyId: body._id, cnasNumber: body.cnasNumber, name: body.name }, checks },
      events: [],
    }));
  }

  async addFinding(caller: Caller, id: string, finding: { severity: FindingSeverity; indicatorId?: string; text: string }): Promise<SameLineCase> {
    return this.#transition(caller, id, 'add_finding', (c) => {
      if (!this.#isEvaluator(caller, c)) throw new PermissionDeniedError('only a certifier of the evaluating body records findings');
      if (c.findings.length >= MAX_FINDINGS) throw new FailedPreconditionError(`cases/${id} already has ${MAX_FINDINGS} findings`);
      const recorded = {
        number: c.findings.length + 1,
        severity: finding.severity,
        ...(finding.indicatorId ? { indicatorId: finding.indicatorId } : {}),
        text: finding.text,
        author: actorOf(caller),
        at: this.clock(),
      };
      return { next: { ...c, findings: [...c.findings, recorded] }, events: [] };
    });
  }

  async certify(caller: Caller, id: string, notes: string | undefined): Promise<SameLineCase> {
    const current = await this.#readable(caller, id);
    if (!this.#isEvaluator(caller, current)) throw new PermissionDeniedError('only a certifier of the evaluating body certifies');
    const state = checkAction('certify', current);
    if (!state.ok) throw new FailedPreconditionError(state.message);
    const now = this.clock();
    const checks = await this.#runChecks(current, 'same_line_case.', now);
    if (!checks.passed) {
      throw new FailedPreconditionError(`cases/${id} cannot be certified: the checks found gaps (reject it, or ask for evidence)`, {
        violations: gapViolations(gapsOfChecks(checks)),
      });
    }
    const major = current.findings.filter((f) => f.severity === 'major');
    if (major.length > 0)
      throw new FailedPreconditionError(
        `cases/${id} cannot be certified while it has ${major.length} major finding(s): ${major.map((f) => `#${f.number}`).join(', ')}`,
      );
    const signed = await this.#withStatement({ ...current, checks }, now);
    return this.#transition(
      caller,
      id,
      'certify',
      (c) => {
        if (c.version !== current.version) throw new FailedPreconditionError(`cases/${id} changed while it was being certified; retry`);
        return { next: signed, events: ['certified'] };
      },
      notes,
    );
  }

  async reject(caller: Caller, id: string, reasons: string[]): Promise<SameLineCase> {
    return this.#transition(
      caller,
      id,
      'reject',
      (c) => {
        const evaluatorMay = this.#isEvaluator(caller, c) && c.state === 'under_evaluation';
        if (caller.role !== 'admin' && !evaluatorMay)
          throw new PermissionDeniedError('only a certifier of the evaluating body (once evaluating) or an admin rejects');
        return { next: { ...c, rejectionReasons: reasons }, events: ['rejected'] };
      },
      reasons.join('; '),
    );
  }

  // ——— after the statement ———

  async suspend(caller: Caller, id: string, reason: string): Promise<SameLineCase> {
    return this.#transition(
      caller,
      id,
      'suspend',
      (c) => {
        const may = caller.role === 'admin' || caller.role === 'regulator' || (c.path === 'third_party' && this.#isEvaluator(caller, c));
        if (!may) throw new PermissionDeniedError('a regulator, an admin or the certifying body suspends a statement');
        return { next: { ...c, suspendedFrom: c.state, stateReason: reason }, events: [{ verb: 'suspended', cause: caller.subject }] };
      },
      reason,
    );
  }

  async reinstate(caller: Caller, id: string, reason: string, newEvidence: Evidence): Promise<SameLineCase> {
    const current = await this.#readable(caller, id);
    const selfPath = current.path === 'self_declared';
    const may = selfPath ? this.#isOwner(caller, current) : caller.role === 'admin' || this.#isEvaluator(caller, current);
    if (!may) {
      throw new PermissionDeniedError(
        selfPath ? 'the declaring enterprise reinstates its declaration, with new evidence' : 'the certifying body or an admin reinstates a certificate',
      );
    }
    if (selfPath && newEvidence.domestic.length === 0) {
      throw new InvalidArgumentError('a declaration is reinstated on new evidence', [
        { field: 'domestic_reports', description: 'give the lab reports of new domestic batches', reason: 'REQUIRED' },
      ]);
    }
    const state = checkAction('reinstate', current);
    if (!state.ok) throw new FailedPreconditionError(state.message);
    const now = this.clock();
    if (current.validUntil && current.validUntil <= now)
      throw new FailedPreconditionError(`cases/${id} cannot be reinstated: its validity ended ${current.validUntil.toISOString()}`);
    const evidence: Evidence = {
      domestic: newEvidence.domestic.length > 0 ? newEvidence.domestic : current.evidence.domestic,
      export: newEvidence.export.length > 0 ? newEvidence.export : current.evidence.export,
    };
    const checks = await this.#runChecks({ ...current, evidence }, 'same_line_case.', now);
    if (!checks.passed) {
      const violations = gapViolations(gapsOfChecks(checks), '');
      if (selfPath) throw new InvalidArgumentError('the new evidence does not pass the checks; the declaration stays suspended', violations);
      throw new FailedPreconditionError(`cases/${id} cannot be reinstated: the checks found gaps`, { violations });
    }
    const replaced =
      newEvidence.domestic.length + newEvidence.export.length > 0
        ? ` (new evidence: ${newEvidence.domestic.length} domestic, ${newEvidence.export.length} export reports)`
        : '';
    return this.#transition(
      caller,
      id,
      'reinstate',
      (c) => {
        if (c.version !== current.version) throw new FailedPreconditionError(`cases/${id} changed while it was being reinstated; retry`);
        const { suspendedFrom: _from, stateReason: _reason, ...rest } = c;
        return { next: { ...rest, evidence, checks }, events: ['reinstated'] };
      },
      `${reason}${replaced}`,
    );
  }

  async withdraw(caller: Caller, id: string, reason: string): Promise<SameLineCase> {
    return this.#transition(
      caller,
      id,
      'withdraw',
      (c) => {
        const bodyMay = this.#isEvaluator(caller, c) && (c.state === 'certified' || c.state === 'suspended');
        if (!(this.#isOwner(caller, c) || caller.role === 'admin' || bodyMay)) {
          throw new PermissionDeniedError('the enterprise, an admin, or the certifying body (of a certificate) withdraws a case');
        }
        const { suspendedFrom: _from, ...rest } = c;
        return { next: { ...rest, ...(reason ? { stateReason: reason } : {}) }, events: ['withdrawn'] };
      },
      reason,
    );
  }

  /**
   * Surveillance: a revoked grade or a failed supervision sample of either twin suspends every
   * case whose statement is in force, with a surveillance record naming the cause. The same
   * cause (event id) never counts twice; a case already suspended records it without a new
   * event. Returns the number of cases it suspended.
   */
  async applySurveillance(fact: SurveillanceFact): Promise<number> {
    let suspended = 0;
    for (const candidate of await this.cases.withStatementOf(fact.productId)) {
      suspended += await this.cases.change(candidate._id, (c) => {
        if (!c || !(LIVE_STATES.includes(c.state) || c.state === 'suspended')) return { result: 0 };
        // The same cause (a grade, a sample) counts once, whichever event brought it.
        if (c.surveillance.some((r) => r.cause === fact.cause || r.causeEventId === fact.causeEventId)) return { result: 0 };
        const now = this.clock();
        const live = LIVE_STATES.includes(c.state);
        const record: SurveillanceRecord = {
          cause: fact.cause,
          causeEventId: fact.causeEventId,
          causeEventType: fact.causeEventType,
          productId: fact.productId,
          reason: fact.reason,
          at: now,
          suspended: live,
        };
        const surveillance = [...c.surveillance, record].slice(-MAX_SURVEILLANCE_RECORDS);
        const base = { ...c, surveillance, version: c.version + 1, audit: { ...c.audit, updatedBy: SYSTEM_ACTOR.subject, updatedAt: now } };
        if (!live) return { next: base, events: [], result: 0 };
        const next: SameLineCase = {
          ...base,
          state: 'suspended',
          suspendedFrom: c.state,
          stateReason: fact.reason,
          history: [...c.history, { from: c.state, to: 'suspended', action: 'suspend', actor: SYSTEM_ACTOR, at: now, reason: fact.reason }],
        };
        return {
          next,
          events: [
            {
              verb: 'suspended',
              sameLineCase: next,
              reason: fact.reason,
              cause: fact.cause,
              causeEventId: fact.causeEventId,
              causeEventType: fact.causeEventType,
            },
          ],
          result: 1,
        };
      });
    }
    return suspended;
  }

  /** The expiry sweep: statements whose validity ended become EXPIRED, each with its event. */
  async expireDue(limit = 100): Promise<number> {
    const now = this.clock();
    let expired = 0;
    for (const due of await this.cases.expiredBy(now, limit)) {
      expired += await this.cases.change(due._id, (c) => {
        if (!c || !c.validUntil || c.validUntil > now || !checkAction('expire', c).ok) return { result: 0 };
        const { suspendedFrom: _from, ...rest } = c;
        const next: SameLineCase = {
          ...rest,
          state: 'expired',
          history: [...c.history, { from: c.state, to: 'expired', action: 'expire', actor: SYSTEM_ACTOR, at: now }],
          audit: { ...c.audit, updatedBy: SYSTEM_ACTOR.subject, updatedAt: now },
          version: c.version + 1,
        };
        return { next, events: [{ verb: 'expired', sameLineCase: next }], result: 1 };
      });
    }
    return expired;
  }

  // ——— verification ———

  /** By number: the stored statement; with a statement: that statement, checked against the stored one. */
  async verify(request: { number?: string; statement?: SameLineStatement; signature?: StatementSignature }): Promise<VerificationOutcome> {
    const number = request.number ?? request.statement?.number ?? '';
    const id = caseIdOfNumber(number);
    const found = id ? await this.cases.get(id) : null;
    const stored = found?.statement && found.statement.statement.number === number ? found : null;
    const statement = request.statement ?? stored?.statement?.statement;
    const signature = request.signature ?? stored?.statement?.signature;
    if (!statement || !signature)
      return { genuine: false, current: false, reason: 'NOT_FOUND', sameLineCase: null, detail: 'no declaration or certificate has that number' };
    const checked = await this.signer.verify(canonicalStatementBytes(statement), signature);
    if (!checked.valid) {
      const reason: VerificationReason =
        checked.reason === 'BAD_SIGNATURE' ? 'SIGNATURE_INVALID' : checked.reason === 'KEY_NOT_YET_VALID' ? 'KEY_NOT_VALID_AT_SIGN_TIME' : 'UNKNOWN_KEY';
      return { genuine: false, current: false, reason, sameLineCase: stored, detail: `the signature does not verify (${checked.reason})` };
    }
    if (!stored)
      return {
        genuine: true,
        current: false,
        reason: 'NOT_FOUND',
        sameLineCase: null,
        detail: 'a genuine signature, but pinzhi holds no statement under that number',
      };
    if (!sameBytes(canonicalStatementBytes(stored.statement!.statement), canonicalStatementBytes(statement))) {
      return {
        genuine: true,
        current: false,
        reason: 'STATEMENT_MISMATCH',
        sameLineCase: stored,
        detail: 'a genuine statement, but not the one issued under this number',
      };
    }
    const now = this.clock();
    if (stored.state === 'suspended')
      return { genuine: true, current: false, reason: 'SUSPENDED', sameLineCase: stored, detail: `suspended: ${stored.stateReason ?? ''}`.slice(0, 500) };
    if (stored.state === 'withdrawn')
      return {
        genuine: true,
        current: false,
        reason: 'WITHDRAWN',
        sameLineCase: stored,
        detail: `withdrawn${stored.stateReason ? `: ${stored.stateReason}` : ''}`.slice(0, 500),
      };
    if (stored.state === 'expired' || (stored.validUntil && stored.validUntil <= now)) {
      return { genuine: true, current: false, reason: 'EXPIRED', sameLineCase: stored, detail: `valid until ${stored.validUntil?.toISOString()}` };
    }
    return {
      genuine: true,
      current: true,
      reason: 'VALID',
      sameLineCase: stored,
      detail: `genuine and current, valid until ${stored.validUntil?.toISOString()}`,
    };
  }

  // ——— one transition ———

  async #transition(
    caller: Caller,
    id: string,
    action: Exclude<CaseAction, 'file' | 'declare' | 'expire'>,
    decide: (c: SameLineCase) => {
      next: SameLineCase;
      events: Array<'certified' | 'rejected' | 'reinstated' | 'withdrawn' | { verb: 'suspended'; cause: string }>;
    },
    reason?: string,
  ): Promise<SameLineCase> {
    // A FILED case waits for any eligible body; otherwise only its parties see it.
    await this.#readable(caller, id);
    return this.cases.change(id, (c) => {
      if (!c) throw new NotFoundError(`cases/${id} does not exist`);
      const check = checkAction(action, c);
      if (!check.ok) throw new FailedPreconditionError(check.message);
      const { next, events } = decide(c);
      const now = this.clock();
      const transition: Transition[] =
        check.to === c.state && action === 'add_finding'
          ? []
          : [{ from: c.state, to: check.to, action, actor: actorOf(caller), at: now, ...(reason ? { reason } : {}) }];
      const stored: SameLineCase = {
        ...next,
        state: check.to,
        history: [...c.history, ...transition],
        audit: { ...c.audit, updatedBy: caller.subject, updatedAt: now },
        version: c.version + 1,
      };
      return { next: stored, events: events.map((e) => eventOf(e, stored, reason ?? '')), result: stored };
    });
  }
}

function eventOf(e: 'certified' | 'rejected' | 'reinstated' | 'withdrawn' | { verb: 'suspended'; cause: string }, c: SameLineCase, reason: string): CaseEvent {
  if (typeof e === 'object') return { verb: 'suspended', sameLineCase: c, reason, cause: e.cause };
  if (e === 'rejected') return { verb: 'rejected', sameLineCase: c, reasons: c.rejectionReasons };
  if (e === 'reinstated' || e === 'withdrawn') return { verb: e, sameLineCase: c, reason };
  return { verb: e, sameLineCase: c };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
