import { status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { normaliseGtin } from '@pinzhi/catalogue-reader/model';
import { CertificateVerificationReason, type VerifyCertificateResponse } from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { GradeState } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { CaseState, SameLinePath, type Listing } from '@pinzhi/contracts/pinzhi/sameline/v1/resources';
import { SameLineVerificationReason } from '@pinzhi/contracts/pinzhi/sameline/v1/same_line_service';
import { Sector, type Valuation } from '@pinzhi/contracts/pinzhi/brand/v1/resources';
import { InvalidArgumentError, NotFoundError } from '@pinzhi/platform';
import type { Backends } from './backends.js';
import { SharedCalls } from './shared-calls.js';

/**
 * What the portal shows, as plain data: the pages render it and the JSON API returns it as
 * is, so a page and its API answer cannot disagree. Everything comes from the services' RPCs.
 */

/** A certificate's status in words (the page colours it). */
export type CertificateStatus = 'valid' | 'downgraded' | 'revoked' | 'expired' | 'superseded' | 'not-current' | 'not-genuine' | 'suspended' | 'withdrawn';

/** What every certificate answer says, grade or 三同. */
interface CertificateAnswer {
  number: string;
  status: CertificateStatus;
  /** The stored certificate's signature verifies against the issuing service's published keys. */
  genuine: boolean;
  /** Grade: what badges show (genuine, live, in its window, the product's current grade); 三同: declared or certified and in its window. */
  current: boolean;
  /** The service's reason enum without its prefix, e.g. VALID, REVOKED, SIGNATURE_INVALID. */
  reason: string;
  detail: string;
}

export interface GradeCertificateView extends CertificateAnswer {
  kind: 'grade';
  level: string;
  issuedLevel: string;
  standardCode: string;
  category: string;
  product: ProductSummary;
  brand: BrandSummary | null;
  enterprise: EnterpriseSummary | null;
  certificationBody: { name: string; cnasNumber: string };
  validFrom: string;
  validUntil: string;
  limitingIndicators: string[];
  /** Why and when the state last changed (revocation, downgrade, supersession). */
  stateReason: string;
  stateChangedAt: string;
  /** The signed certificate as issued, for offline re-verification with the published keys. */
  certificate: Record<string, unknown>;
}

export interface SameLineCertificateView extends CertificateAnswer {
  kind: 'same-line';
  listing: ListingView | null;
}

export type CertificateView = GradeCertificateView | SameLineCertificateView;

export interface ProductSummary {
  gtin: string;
  displayName: string;
  displayNameZh: string;
  model: string;
  category: string;
}

export interface BrandSummary {
  name: string;
  displayName: string;
  displayNameZh: string;
}

export interface EnterpriseSummary {
  creditCode: string;
  displayNameZh: string;
  displayNameEn: string;
}

export interface ProductView {
  product: ProductSummary;
  brand: BrandSummary | null;
  enterprise: EnterpriseSummary | null;
  /** The current grade per standard. */
  grades: Array<{ standardCode: string; level: string; status: CertificateStatus; certificateNumber: string; validUntil: string }>;
  /** 三同 listings naming the product; null when same-line did not answer. */
  sameLine: ListingView[] | null;
  /** The brand's latest published valuation; null when none or brand-valuation did not answer. */
  valuation: ValuationView | null;
  /** Services that did not answer: their part of the page is missing. */
  unavailable: string[];
}

export interface ListingView {
  certificateNumber: string;
  state: string;
  stateReason: string;
  path: string;
  enterpriseCreditCode: string;
  enterpriseDisplayName: string;
  category: string;
  domesticProduct: { gtin: string; displayName: string; model: string } | null;
  exportProduct: { gtin: string; displayName: string; model: string } | null;
  domesticStandardCodes: string[];
  exportMarket: string;
  exportStandardCodes: string[];
  listedAt: string;
  validUntil: string;
}

export interface ValuationView {
  name: string;
  brand: string;
  brandDisplayName: string;
  enterpriseDisplayName: string;
  sector: string;
  year: number;
  valuationDate: string;
  /** Yuan, as a decimal string. */
  value: string;
  bsi: number;
}

export interface ListingFilter {
  gtin?: string;
  enterpriseCreditCode?: string;
  category?: string;
  exportMarket?: string;
  pageToken?: string;
}

/** Certificate numbers: pinzhi's own ("PZ-G-…", "PZ-SC-…"), letters, digits and '-' only. */
const CERTIFICATE_NUMBER = /^[A-Za-z0-9][A-Za-z0-9-]{2,79}$/;
const CREDIT_CODE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

const iso = (date: Date | undefined) => (date ? date.toISOString() : '');

export function isUnavailable(error: unknown): boolean {
  const code = (error as Partial<ServiceError>).code;
  return code === grpcStatus.UNAVAILABLE || code === grpcStatus.DEADLINE_EXCEEDED;
}

/** The portal's reads, composed from the services' RPCs. */
export class PortalLookups {
  /** Catalogue answers (names of products, brands, enterprises), kept `catalogueTtlMs`. */
  readonly #catalogue: SharedCalls<unknown>;
  /** Status answers (certificates, grades, listings): concurrent requests share one call, nothing is kept. */
  readonly #live = new SharedCalls<unknown>(0);

  constructor(
    private readonly backends: Backends,
    options: { catalogueTtlMs: number } = { catalogueTtlMs: 0 },
  ) {
    this.#catalogue = new SharedCalls(options.catalogueTtlMs);
  }

  #shared<T>(calls: SharedCalls<unknown>, key: string, call: () => Promise<T>): Promise<T> {
    return calls.get(key, call) as Promise<T>;
  }

  /** A certificate number, checked before any service is asked. */
  static certificateNumber(raw: string): string {
    if (!CERTIFICATE_NUMBER.test(raw)) {
      throw new InvalidArgumentError('not a certificate number', [
        { field: 'number', reason: 'INVALID_FORMAT', description: 'letters, digits and "-", 3 to 80 characters, e.g. PZ-G-2026-…' },
      ]);
    }
    return raw;
  }

  /** The 14-digit form of a GTIN-8/12/13/14 whose check digit is right. */
  static gtin14(raw: string): string {
    const result = normaliseGtin(raw.slice(0, 64), 'gtin');
    if (!result.ok) throw new InvalidArgumentError('not a valid GTIN', result.violations);
    return result.value;
  }

  async certificate(rawNumber: string): Promise<CertificateView> {
    const checked = PortalLookups.certificateNumber(rawNumber);
    const number = /^PZ-G-/i.test(checked) ? checked.toUpperCase() : checked;
    return number.startsWith('PZ-SC-') ? this.#sameLineCertificate(number) : this.#gradeCertificate(number);
  }

  async #gradeCertificate(number: string): Promise<GradeCertificateView> {
    const { backends } = this;
    const answer = await this.#shared(this.#live, `verify:${number}`, async () =>
      backends.grading.verifyCertificate({ certificateNumber: number }, await backends.metadata(), { deadline: backends.deadline }),
    );
    const grade = answer.grade;
    if (answer.reason === CertificateVerificationReason.CERTIFICATE_VERIFICATION_REASON_NOT_FOUND || !grade?.certificate) {
      throw new NotFoundError(`no certificate numbered ${number}`);
    }
    const [product, brand, enterprise] = await Promise.all([
      this.#product(grade.gtin).catch(() => null),
      this.#brand(grade.brand).catch(() => null),
      this.#enterprise(grade.enterprise).catch(() => null),
    ]);
    const last = grade.history.at(-1);
    const certificate = grade.certificate;
    return {
      kind: 'grade',
      number,
      status: gradeStatusOf(answer),
      genuine: answer.genuine,
      current: answer.current,
      reason: CertificateVerificationReason[answer.reason]?.replace('CERTIFICATE_VERIFICATION_REASON_', '') ?? 'UNSPECIFIED',
      detail: answer.detail,
      level: grade.level,
      issuedLevel: certificate.level,
      standardCode: grade.standardCode,
      category: grade.category,
      product: product ?? { gtin: grade.gtin, displayName: '', displayNameZh: '', model: '', category: grade.category },
      brand,
      enterprise,
      certificationBody: { name: certificate.issuerName, cnasNumber: certificate.issuerCnasNumber },
      validFrom: iso(certificate.validFrom),
      validUntil: iso(certificate.validUntil),
      limitingIndicators: grade.limitingIndicators,
      stateReason: grade.stateReason,
      stateChangedAt: grade.state === GradeState.GRADE_STATE_ISSUED ? '' : iso(last?.changeTime),
      certificate: {
        number: certificate.number,
        gtin: certificate.gtin,
        standardCode: certificate.standardCode,
        level: certificate.level,
        validFrom: iso(certificate.validFrom),
        validUntil: iso(certificate.validUntil),
        issuerCnasNumber: certificate.issuerCnasNumber,
        issuerName: certificate.issuerName,
        grade: certificate.grade,
        signature: certificate.signature
          ? {
              algorithm: certificate.signature.algorithm,
              keyId: certificate.signature.keyId,
              signature: Buffer.from(certificate.signature.signature).toString('base64'),
              signTime: iso(certificate.signature.signTime),
            }
          : null,
      },
    };
  }

  async #sameLineCertificate(number: string): Promise<SameLineCertificateView> {
    const { backends } = this;
    const answer = await this.#shared(this.#live, `verify-same-line:${number}`, async () =>
      backends.sameLine.verifySameLineCertificate({ certificateNumber: number }, await backends.metadata(), { deadline: backends.deadline }),
    );
    if (answer.reason === SameLineVerificationReason.SAME_LINE_VERIFICATION_REASON_NOT_FOUND) throw new NotFoundError(`no certificate numbered ${number}`);
    const listing = answer.listing ? listingView(answer.listing) : null;
    const reason = SameLineVerificationReason[answer.reason]?.replace('SAME_LINE_VERIFICATION_REASON_', '') ?? 'UNSPECIFIED';
    return {
      kind: 'same-line',
      number,
      status: sameLineStatusOf(answer.genuine, answer.current, answer.listing),
      genuine: answer.genuine,
      current: answer.current,
      reason,
      detail: answer.detail,
      listing,
    };
  }

  /** The product behind a GTIN: its current grades, 三同 listings and brand valuation. */
  async product(rawGtin: string): Promise<ProductView> {
    const gtin = PortalLookups.gtin14(rawGtin);
    const product = await this.#productMessage(gtin);
    const unavailable: string[] = [];
    const [brand, enterprise, grades, sameLine] = await Promise.all([
      this.#brand(product.brand).catch(() => null),
      this.#enterprise(product.enterprise).catch(() => null),
      this.#currentGrades(gtin).catch((error: unknown) => {
        if (!isUnavailable(error)) throw error;
        unavailable.push('grading');
        return [];
      }),
      this.listings({ gtin }).then(
        (page) => page.listings,
        (error: unknown) => {
          if (!isUnavailable(error)) throw error;
          unavailable.push('same-line');
          return null;
        },
      ),
    ]);
    const valuation = await this.#latestValuation(product.brand).catch((error: unknown) => {
      if (!isUnavailable(error)) throw error;
      unavailable.push('brand-valuation');
      return null;
    });
    return { product: summaryOf(product), brand, enterprise, grades, sameLine, valuation, unavailable };
  }

  /** The published brand-value list of a year (0: the latest), highest value first. */
  async valuations(filter: { year?: number; sector?: string; pageToken?: string }): Promise<{ valuations: ValuationView[]; nextPageToken: string }> {
    const { backends } = this;
    const answer = await backends.brandValuation.listPublishedValuations(
      { pageSize: 50, pageToken: filter.pageToken ?? '', year: filter.year ?? 0, sector: filter.sector ?? '' },
      await backends.metadata(),
      { deadline: backends.deadline },
    );
    return { valuations: answer.valuations.map(valuationView), nextPageToken: answer.nextPageToken };
  }

  /** 三同 listings, newest first. */
  async listings(filter: ListingFilter): Promise<{ listings: ListingView[]; nextPageToken: string }> {
    const { backends } = this;
    const answer = await backends.sameLine.searchListings(
      {
        pageSize: 50,
        pageToken: filter.pageToken ?? '',
        gtin: filter.gtin ?? '',
        enterpriseCreditCode: filter.enterpriseCreditCode ?? '',
        category: filter.category ?? '',
        exportMarket: filter.exportMarket ?? '',
        path: SameLinePath.SAME_LINE_PATH_UNSPECIFIED,
        state: CaseState.CASE_STATE_UNSPECIFIED,
      },
      await backends.metadata(),
      { deadline: backends.deadline },
    );
    return { listings: answer.listings.map(listingView), nextPageToken: answer.nextPageToken };
  }

  /** Grading's published public keys, to re-verify a certificate offline. */
  async signingKeys(): Promise<Array<{ keyId: string; algorithm: string; publicKey: string; notBefore: string; retireTime: string }>> {
    const { backends } = this;
    const answer = await backends.grading.getSigningKeys({}, await backends.metadata(), { deadline: backends.deadline });
    return answer.keys.map((k) => ({
      keyId: k.keyId,
      algorithm: k.algorithm,
      publicKey: Buffer.from(k.publicKey).toString('base64'),
      notBefore: iso(k.notBefore),
      retireTime: iso(k.retireTime),
    }));
  }

  /**
   * Where the search box sends a query: a certificate number to its page, a GTIN to its
   * Digital Link, a credit code to its 三同 listings, anything else to the brand list.
   */
  static searchTarget(raw: string): string {
    const query = raw.trim();
    if (query.length === 0)
      throw new InvalidArgumentError('type something to search for', [
        { field: 'q', reason: 'REQUIRED', description: 'a certificate number, GTIN, credit code or brand name' },
      ]);
    if (query.length > 100)
      throw new InvalidArgumentError('the search is too long', [{ field: 'q', reason: 'TOO_LONG', description: 'at most 100 characters' }]);
    if (/^\d+$/.test(query)) return `/01/${PortalLookups.gtin14(query)}`;
    if (CREDIT_CODE.test(query.toUpperCase())) return `/same-line?enterprise=${encodeURIComponent(query.toUpperCase())}`;
    // Grade numbers end in an upper-case hex id, so a typed lower-case one is meant the same;
    // 三同 numbers carry the enterprise's own lower-case words and are taken as typed.
    if (/^PZ-G-\d{4}-[0-9A-F]+$/i.test(query)) return `/certificates/${encodeURIComponent(PortalLookups.certificateNumber(query.toUpperCase()))}`;
    if (/^PZ-/i.test(query)) return `/certificates/${encodeURIComponent(PortalLookups.certificateNumber(query))}`;
    return `/brands?q=${encodeURIComponent(query)}`;
  }

  async #productMessage(gtin: string) {
    const { backends } = this;
    const answer = await this.#shared(this.#catalogue, `products/${gtin}`, async () =>
      backends.catalogue.getProduct({ name: `products/${gtin}` }, await backends.metadata(true), { deadline: backends.deadline }),
    );
    if (!answer.product) throw new NotFoundError(`no product with GTIN ${gtin}`);
    return answer.product;
  }

  async #product(gtin: string): Promise<ProductSummary> {
    return summaryOf(await this.#productMessage(gtin));
  }

  async #brand(name: string) {
    if (!name) return null;
    const { backends } = this;
    const { brand } = await this.#shared(this.#catalogue, name, async () =>
      backends.catalogue.getBrand({ name }, await backends.metadata(true), { deadline: backends.deadline }),
    );
    return brand ? { name: brand.name, displayName: brand.displayName, displayNameZh: brand.displayNameZh } : null;
  }

  async #enterprise(name: string) {
    if (!name) return null;
    const { backends } = this;
    const { enterprise } = await this.#shared(this.#catalogue, name, async () =>
      backends.catalogue.getEnterprise({ name }, await backends.metadata(true), { deadline: backends.deadline }),
    );
    return enterprise ? { creditCode: enterprise.creditCode, displayNameZh: enterprise.displayNameZh, displayNameEn: enterprise.displayNameEn } : null;
  }

  async #currentGrades(gtin: string): Promise<ProductView['grades']> {
    const { backends } = this;
    const metadata = await backends.metadata(true);
    const pages = await Promise.all(
      ['ISSUED', 'DOWNGRADED'].map((state) =>
        backends.grading.listGrades(
          { product: `products/${gtin}`, state, pageSize: 100, pageToken: '', brand: '', enterprise: '', standardCode: '', level: '' },
          metadata,
          {
            deadline: backends.deadline,
          },
        ),
      ),
    );
    return pages
      .flatMap((page) => page.grades)
      .filter((grade) => grade.certificate)
      .map((grade) => ({
        standardCode: grade.standardCode,
        level: grade.level,
        status: grade.state === GradeState.GRADE_STATE_DOWNGRADED ? ('downgraded' as const) : ('valid' as const),
        certificateNumber: grade.certificate!.number,
        validUntil: iso(grade.certificate!.validUntil),
      }))
      .sort((a, b) => a.standardCode.localeCompare(b.standardCode));
  }

  /** The brand's entry in the latest published list (the list is public; it has no brand filter). */
  async #latestValuation(brand: string): Promise<ValuationView | null> {
    if (!brand) return null;
    const { backends } = this;
    const answer = await backends.brandValuation.listPublishedValuations({ pageSize: 500, pageToken: '', year: 0, sector: '' }, await backends.metadata(), {
      deadline: backends.deadline,
    });
    const found = answer.valuations.find((v) => v.brand === brand);
    return found ? valuationView(found) : null;
  }
}

function summaryOf(product: { gtin: string; displayName: string; displayNameZh: string; model: string; category: string }): ProductSummary {
  return { gtin: product.gtin, displayName: product.displayName, displayNameZh: product.displayNameZh, model: product.model, category: product.category };
}

function gradeStatusOf(answer: VerifyCertificateResponse): CertificateStatus {
  switch (answer.reason) {
    case CertificateVerificationReason.CERTIFICATE_VERIFICATION_REASON_VALID:
      return answer.state === GradeState.GRADE_STATE_DOWNGRADED ? 'downgraded' : 'valid';
    case CertificateVerificationReason.CERTIFICATE_VERIFICATION_REASON_REVOKED:
      return 'revoked';
    case CertificateVerificationReason.CERTIFICATE_VERIFICATION_REASON_EXPIRED:
      return 'expired';
    case CertificateVerificationReason.CERTIFICATE_VERIFICATION_REASON_SUPERSEDED:
      return 'superseded';
    case CertificateVerificationReason.CERTIFICATE_VERIFICATION_REASON_NOT_CURRENT:
      return 'not-current';
    default:
      return 'not-genuine';
  }
}

function sameLineStatusOf(genuine: boolean, current: boolean, listing: Listing | undefined): CertificateStatus {
  if (!genuine) return 'not-genuine';
  if (current) return 'valid';
  switch (listing?.state) {
    case CaseState.CASE_STATE_SUSPENDED:
      return 'suspended';
    case CaseState.CASE_STATE_WITHDRAWN:
      return 'withdrawn';
    case CaseState.CASE_STATE_EXPIRED:
      return 'expired';
    default:
      return 'not-current';
  }
}

function listingView(listing: Listing): ListingView {
  const product = (p: Listing['domesticProduct']) => (p ? { gtin: p.gtin, displayName: p.displayName, model: p.model } : null);
  return {
    certificateNumber: listing.certificateNumber,
    state: CaseState[listing.state]?.replace('CASE_STATE_', '') ?? 'UNSPECIFIED',
    stateReason: listing.stateReason,
    path: SameLinePath[listing.path]?.replace('SAME_LINE_PATH_', '') ?? 'UNSPECIFIED',
    enterpriseCreditCode: listing.enterpriseCreditCode,
    enterpriseDisplayName: listing.enterpriseDisplayName,
    category: listing.category,
    domesticProduct: product(listing.domesticProduct),
    exportProduct: product(listing.exportProduct),
    domesticStandardCodes: listing.domesticStandardCodes,
    exportMarket: listing.exportMarket,
    exportStandardCodes: listing.exportStandardCodes,
    listedAt: iso(listing.listingTime),
    validUntil: iso(listing.validUntil),
  };
}

function valuationView(v: Valuation): ValuationView {
  return {
    name: v.name,
    brand: v.brand,
    brandDisplayName: v.brandDisplayName,
    enterpriseDisplayName: v.enterpriseDisplayName,
    sector: Sector[v.sector]?.replace('SECTOR_', '') ?? 'UNSPECIFIED',
    year: v.year,
    valuationDate: v.valuationDate,
    value: v.valueDecimal,
    bsi: v.bsi,
  };
}
