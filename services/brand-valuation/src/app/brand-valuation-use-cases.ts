import { randomUUID } from 'node:crypto';
import { actingBody, type BrandDocument, type CatalogueReader, type CertificationBodyDocument } from '@pinzhi/catalogue-reader';
import {
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
import { checkAction, type ApplicationAction, type Transition } from '../domain/application.js';
import {
  checkEligibility,
  validateValuationInput,
  valueBrand,
  type EligibilityThresholds,
  type FieldViolation as DomainViolation,
  type ValuationInput,
  type ValuationMethod,
} from '../domain/index.js';
import {
  applyCaseFact,
  applyGradeFact,
  emptyEvidence,
  summariseEvidence,
  type BrandEvidence,
  type CaseFact,
  type EvidenceSummary,
  type EvidenceUpdate,
  type GradeFact,
} from '../domain/quality-evidence.js';
import { canonicalStatementBytes, type ValuationStatement } from '../domain/valuation-statement.js';
import type {
  Application,
  ApplicationFilter,
  ApplicationRepository,
  DraftInput,
  EvidenceStore,
  Flag,
  StatementSignature,
  StatementSigner,
  ValuationEvent,
} from './ports.js';

/** The catalogue reads this service needs, from the shared read library. */
export type CatalogueLookup = Pick<CatalogueReader, 'brand' | 'enterprise' | 'certificationBody' | 'certificationBodyByCnas'>;

export interface BrandValuationSettings {
  eligibility: EligibilityThresholds;
}

/** Bumped when the engine's arithmetic changes, so a report says which engine produced it. */
export const ENGINE_VERSION = '2';

const ACTIVITY = 'brand-valuation';

const toViolations = (violations: readonly DomainViolation[], reason: string): FieldViolation[] =>
  violations.map((v) => ({ field: v.field, description: v.description, reason }));

export type VerificationOutcome = {
  genuine: boolean;
  current: boolean;
  reason: 'VALID' | 'FLAGGED_FOR_REVIEW' | 'SUPERSEDED' | 'NOT_FOUND' | 'SIGNATURE_INVALID' | 'STATEMENT_MISMATCH';
  application: Application | null;
  detail: string;
};

/**
 * Brand-value evaluation (品牌价值评价): the application workflow, the valuation engine run
 * at evaluation, signed publication, and the quality evidence kept from grade events.
 */
export class BrandValuationUseCases {
  constructor(
    private readonly applications: ApplicationRepository,
    private readonly evidence: EvidenceStore,
    private readonly catalogue: CatalogueLookup,
    private readonly signer: StatementSigner,
    private readonly settings: BrandValuationSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  // ——— who may do what ———

  async #ownedBrand(caller: Caller, brandId: string): Promise<BrandDocument> {
    const brand = await this.catalogue.brand(brandId);
    if (!brand) throw new NotFoundError(`brands/${brandId} does not exist`);
    if (caller.role !== 'enterprise' || caller.org !== brand.ownerEnterpriseId) {
      throw new PermissionDeniedError(`only the enterprise that owns brands/${brandId} may apply for its valuation`);
    }
    return brand;
  }

  #isOwner = (caller: Caller, application: Application) => caller.role === 'enterprise' && caller.org === application.enterpriseId;
  #isEvaluator = (caller: Caller, application: Application) => caller.role === 'certifier' && application.evaluator?.cnasNumber === caller.org;

  async #readable(caller: Caller, id: string): Promise<Application> {
    const application = await this.applications.get(id);
    // Someone else's application reads as absent: its existence is not public.
    if (!application || !(caller.role === 'admin' || this.#isOwner(caller, application) || this.#isEvaluator(caller, application))) {
      throw new NotFoundError(`applications/${id} does not exist`);
    }
    return application;
  }

  #accreditedBody(caller: Caller, bodyId: string | undefined): Promise<CertificationBodyDocument> {
    return actingBody(this.catalogue, caller, { activity: ACTIVITY, field: 'evaluator', bodyId });
  }

  // ——— the workflow ———

  async create(caller: Caller, request: { applicationId?: string; brandId: string; valuationDate?: string; input: DraftInput }): Promise<Application> {
    const brand = await this.#ownedBrand(caller, request.brandId);
    const now = this.clock();
    const id = request.applicationId || `${brand._id}-${randomUUID().slice(0, 8)}`;
    const application: Application = {
      _id: id,
      brandId: brand._id,
      enterpriseId: brand.ownerEnterpriseId,
      state: 'draft',
      valuationDate: request.valuationDate || now.toISOString().slice(0, 10),
      input: compact(request.input),
      history: [{ from: null, to: 'draft', actor: actorOf(caller), at: now }],
      rejectionReasons: [],
      audit: { createdBy: caller.subject, createdAt: now, updatedBy: caller.subject, updatedAt: now },
      version: 1,
    };
    if ((await this.applications.insert(application)) === 'exists') {
      throw new InvalidArgumentError(`applications/${id} already exists`, [
        { field: 'application_id', description: `${id} is taken; choose another or leave it empty`, reason: 'ALREADY_EXISTS' },
      ]);
    }
    return application;
  }

  async update(caller: Caller, id: string, change: { valuationDate?: string; input: DraftInput }): Promise<Application> {
    return this.#transition(caller, id, 'update', (application) => {
      if (!this.#isOwner(caller, application)) throw new PermissionDeniedError('only the applicant enterprise edits its application');
      return {
        next: {
          ...application,
          input: compact({ ...application.input, ...change.input }),
          ...(change.valuationDate ? { valuationDate: change.valuationDate } : {}),
        },
        events: [],
      };
    });
  }

  get(caller: Caller, id: string): Promise<Application> {
    return this.#readable(caller, id);
  }

  async evidenceOf(brandId: string): Promise<EvidenceSummary & { updatedAt: Date | null }> {
    const evidence = await this.evidence.get(brandId);
    const changes = evidence?.changes ?? [];
    return { ...summariseEvidence(evidence ?? emptyEvidence(), this.clock()), updatedAt: changes.at(-1)?.at ?? null };
  }

  async list(caller: Caller, filter: ApplicationFilter, pageSize: number, pageToken: string): Promise<{ applications: Application[]; nextPageToken: string }> {
    const scoped: ApplicationFilter = { ...filter };
    if (caller.role === 'enterprise') {
      if (filter.enterpriseId && filter.enterpriseId !== caller.org) throw new PermissionDeniedError('an enterprise lists its own applications only');
      scoped.enterpriseId = caller.org;
    } else if (caller.role === 'certifier') {
      const body = await this.#accreditedBody(caller, undefined);
      // Waiting applications (to pick up) or those its body evaluates.
      if (filter.state !== 'submitted') scoped.evaluatorBodyId = body._id;
    } else if (caller.role !== 'admin') {
      throw new PermissionDeniedError('applications are listed by enterprises, evaluators and admins');
    }
    const after = decodePageToken(pageToken, 'ListApplications', { method: 'ListApplications', scoped });
    const page = await this.applications.list(scoped, after, pageSize + 1);
    const applications = page.slice(0, pageSize);
    return {
      applications,
      nextPageToken: page.length > pageSize ? encodePageToken(applications.at(-1)!._id, 'ListApplications', { method: 'ListApplications', scoped }) : '',
    };
  }

  async submit(caller: Caller, id: string): Promise<Application> {
    return this.#transition(caller, id, 'submit', (application) => {
      if (!this.#isOwner(caller, application)) throw new PermissionDeniedError('only the applicant enterprise submits its application');
      const input = application.input as ValuationInput;
      const invalid = validateValuationInput(input);
      // Eligibility reads the historical years, so it is judged only on inputs that read.
      const ineligible = invalid.length === 0 ? checkEligibility(input, this.settings.eligibility) : [];
      if (invalid.length > 0 || ineligible.length > 0) {
        throw new InvalidArgumentError('the application cannot be submitted; it stays a DRAFT', [
          ...toViolations(invalid, 'INVALID_INPUT'),
          ...toViolations(ineligible, 'NOT_ELIGIBLE'),
        ]);
      }
      return { next: application, events: ['submitted'] };
    });
  }

  async startReview(caller: Caller, id: string, bodyId: string | undefined): Promise<Application> {
    const body = await this.#accreditedBody(caller, bodyId);
    return this.#transition(caller, id, 'start_review', (application) => ({
      next: { ...application, evaluator: { bodyId: body._id, cnasNumber: body.cnasNumber, name: body.name } },
      events: [],
    }));
  }

  async evaluate(caller: Caller, id: string, headline: ValuationMethod | undefined, notes: string | undefined): Promise<Application> {
    return this.#transition(caller, id, 'evaluate', (application) => {
      if (!this.#isEvaluator(caller, application)) throw new PermissionDeniedError('only a certifier of the assigned evaluating body evaluates');
      const input = { ...(application.input as ValuationInput), ...(headline ? { headlineMethod: headline } : {}) };
      const report = valueBrand(input);
      return {
        next: {
          ...application,
          input,
          evaluation: { report, evaluatedAt: this.clock(), engineVersion: ENGINE_VERSION },
          ...(notes ? { evaluatorNotes: notes } : {}),
        },
        events: ['evaluated'],
      };
    });
  }

  async reject(caller: Caller, id: string, reasons: string[]): Promise<Application> {
    return this.#transition(
      caller,
      id,
      'reject',
      (application) => {
        const evaluatorMay = this.#isEvaluator(caller, application) && application.state !== 'submitted';
        if (caller.role !== 'admin' && !evaluatorMay) throw new PermissionDeniedError('only the assigned evaluator (once reviewing) or an admin rejects');
        return { next: { ...application, rejectionReasons: reasons }, events: ['rejected'] };
      },
      reasons.join('; '),
    );
  }

  async withdraw(caller: Caller, id: string, reason: string): Promise<Application> {
    return this.#transition(
      caller,
      id,
      'withdraw',
      (application) => {
        if (!this.#isOwner(caller, application)) throw new PermissionDeniedError('only the applicant enterprise withdraws its application');
        return { next: application, events: ['withdrawn'] };
      },
      reason,
    );
  }

  async publish(caller: Caller, id: string): Promise<Application> {
    const current = await this.#readable(caller, id);
    const [brand, enterprise] = await Promise.all([this.catalogue.brand(current.brandId), this.catalogue.enterprise(current.enterpriseId)]);
    const now = this.clock();
    // Signed before the write: the statement goes into the same single-document write as the state.
    const draft = current.evaluation ? statementOf(current, brand?.name ?? current.brandId, enterprise?.name ?? current.enterpriseId, now) : undefined;
    const signature = draft ? await this.signer.sign(canonicalStatementBytes(draft), now) : undefined;
    return this.#transition(caller, id, 'publish', (application) => {
      if (caller.role !== 'admin' && !this.#isEvaluator(caller, application)) throw new PermissionDeniedError('only the evaluating body or an admin publishes');
      if (!draft || !signature || application.version !== current.version) {
        throw new FailedPreconditionError(`applications/${id} changed while it was being published; retry`);
      }
      const report = application.evaluation!.report;
      const valueFen = Number(report.value.amount.replace('.', ''));
      return {
        next: { ...application, publication: { statement: draft, signature, valueFen, year: Number(application.valuationDate.slice(0, 4)), publishedAt: now } },
        events: ['published'],
      };
    });
  }

  async report(caller: Caller, id: string): Promise<Application> {
    const application = await this.#readable(caller, id);
    if (!application.evaluation)
      throw new FailedPreconditionError(`applications/${id} is ${application.state.toUpperCase()}: it has no report until it is EVALUATED`);
    return application;
  }

  async listPublished(
    filter: { sector?: string; year?: number },
    pageSize: number,
    pageToken: string,
  ): Promise<{ applications: Application[]; nextPageToken: string }> {
    const listing = { method: 'ListPublishedValuations', filter };
    const keyset = decodeKeysetToken(pageToken, listing.method, listing);
    const after = keyset && { valueFen: keyset.key, id: keyset.id };
    const page = await this.applications.listPublished(filter, after, pageSize + 1);
    const applications = page.slice(0, pageSize);
    const last = applications.at(-1);
    return {
      applications,
      nextPageToken: page.length > pageSize && last ? encodeKeysetToken(last.publication!.valueFen, last._id, listing.method, listing) : '',
    };
  }

  /** By name: the stored statement; with a statement: that statement, checked against the stored one. */
  async verify(request: { id?: string; statement?: ValuationStatement; signature?: StatementSignature }): Promise<VerificationOutcome> {
    const id = request.id ?? request.statement?.valuation.replace(/^valuations\//, '');
    const application = id ? await this.applications.get(id) : null;
    const statement = request.statement ?? application?.publication?.statement;
    const signature = request.signature ?? application?.publication?.signature;
    if (!statement || !signature) {
      return { genuine: false, current: false, reason: 'NOT_FOUND', application: null, detail: 'no published valuation by that name' };
    }
    const checked = await this.signer.verify(canonicalStatementBytes(statement), signature);
    if (!checked.valid) {
      return { genuine: false, current: false, reason: 'SIGNATURE_INVALID', application, detail: `the signature does not verify (${checked.reason})` };
    }
    const published = application?.state === 'published' ? application.publication : undefined;
    if (!published) return { genuine: true, current: false, reason: 'NOT_FOUND', application, detail: 'genuine, but no longer published' };
    if (!sameBytes(canonicalStatementBytes(published.statement), canonicalStatementBytes(statement))) {
      return {
        genuine: true,
        current: false,
        reason: 'STATEMENT_MISMATCH',
        application,
        detail: 'a genuine statement, but not the one published under this name',
      };
    }
    if (application!.flag) return { genuine: true, current: false, reason: 'FLAGGED_FOR_REVIEW', application, detail: application!.flag.reason };
    const later = (await this.applications.publishedOfBrand(application!.brandId)).find(
      (other) => other._id !== application!._id && other.valuationDate > application!.valuationDate,
    );
    if (later) return { genuine: true, current: false, reason: 'SUPERSEDED', application, detail: `superseded by valuations/${later._id}` };
    return { genuine: true, current: true, reason: 'VALID', application, detail: 'genuine and current' };
  }

  // ——— quality evidence from grade events ———

  /**
   * Applies a grade event to its brand's evidence; a material change (a revoked grade, a
   * failed supervision sample) flags the brand's published valuations for review, once.
   */
  applyGradeEvent(brandId: string, fact: GradeFact, causeEventType: string): Promise<number> {
    return this.#applyEvidence(brandId, (evidence) => applyGradeFact(evidence, fact, this.clock()), fact.eventId, causeEventType);
  }

  /** The same for a 三同 case of one of the brand's products: a suspension flags. */
  applyCaseEvent(brandId: string, fact: CaseFact, causeEventType: string): Promise<number> {
    return this.#applyEvidence(brandId, (evidence) => applyCaseFact(evidence, fact, this.clock()), fact.eventId, causeEventType);
  }

  async #applyEvidence(brandId: string, apply: (evidence: BrandEvidence) => EvidenceUpdate, causeEventId: string, causeEventType: string): Promise<number> {
    const material = await this.evidence.change(brandId, (current) => {
      const update = apply(current ?? emptyEvidence());
      return update.changed ? { next: update.evidence, result: update.material } : { result: undefined };
    });
    if (!material) return 0;
    let flagged = 0;
    for (const published of await this.applications.publishedOfBrand(brandId)) {
      const flag: Flag = { reason: material, causeEventId, causeEventType, at: this.clock() };
      flagged += await this.applications.change(published._id, (application) =>
        !application || application.state !== 'published' || application.flag
          ? { result: 0 }
          : {
              next: { ...application, flag, version: application.version + 1 },
              events: [{ verb: 'flagged', application: { ...application, flag }, flag }],
              result: 1,
            },
      );
    }
    return flagged;
  }

  // ——— one transition ———

  async #transition(
    caller: Caller,
    id: string,
    action: ApplicationAction,
    decide: (application: Application) => { next: Application; events: Array<'submitted' | 'evaluated' | 'published' | 'rejected' | 'withdrawn'> },
    reason?: string,
  ): Promise<Application> {
    // A submitted application waits for any accredited body to pick it up; otherwise only its
    // parties see it (and others learn nothing, not even that it exists).
    if (action !== 'start_review') await this.#readable(caller, id);
    return this.applications.change(id, (application) => {
      const visible =
        application && (action !== 'start_review' || application.state === 'submitted' || caller.role === 'admin' || this.#isEvaluator(caller, application));
      if (!visible) throw new NotFoundError(`applications/${id} does not exist`);
      const check = checkAction(action, application.state);
      if (!check.ok) throw new FailedPreconditionError(check.message);
      const { next, events } = decide(application);
      const now = this.clock();
      const transition: Transition[] =
        check.to === application.state ? [] : [{ from: application.state, to: check.to, actor: actorOf(caller), at: now, ...(reason ? { reason } : {}) }];
      const stored: Application = {
        ...next,
        state: check.to,
        history: [...application.history, ...transition],
        audit: { ...application.audit, updatedBy: caller.subject, updatedAt: now },
        version: application.version + 1,
      };
      return { next: stored, events: events.map((verb) => eventOf(verb, stored, reason)), result: stored };
    });
  }
}

function eventOf(verb: 'submitted' | 'evaluated' | 'published' | 'rejected' | 'withdrawn', application: Application, reason?: string): ValuationEvent {
  if (verb === 'rejected') return { verb, application, reasons: application.rejectionReasons };
  if (verb === 'withdrawn') return { verb, application, reason: reason ?? '' };
  return { verb, application };
}

/** Drops fields set to undefined (a cleared discount choice): stored, they would read back as null. */
const compact = (input: DraftInput): DraftInput => Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as DraftInput;

const actorOf = (caller: Caller) => ({ subject: caller.subject, role: caller.role, org: caller.org });

function statementOf(application: Application, brandName: string, enterpriseName: string, now: Date): ValuationStatement {
  const report = application.evaluation!.report;
  return {
    valuation: `valuations/${application._id}`,
    brand: `brands/${application.brandId}`,
    brandDisplayName: brandName,
    enterprise: `enterprises/${application.enterpriseId}`,
    enterpriseDisplayName: enterpriseName,
    valueDecimal: report.value.amount,
    currencyCode: report.value.currency,
    method: report.headlineMethod,
    valuationDate: application.valuationDate,
    bsi: Number(report.brandStrength.index).toFixed(2),
    evaluator: `certificationBodies/${application.evaluator!.bodyId}`,
    evaluatorCnasNumber: application.evaluator!.cnasNumber,
    evaluatorName: application.evaluator!.name,
    issueTime: now,
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
