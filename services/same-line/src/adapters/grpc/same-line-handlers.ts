import { normaliseGtin, parseResourceName, parseStandardCode, validateCreditCode } from '@pinzhi/catalogue-reader';
import { CaseState as CaseStateMessage, type SameLineCase as CaseMessage } from '@pinzhi/contracts/pinzhi/sameline/v1/resources';
import { SameLineServiceService, SameLineVerificationReason } from '@pinzhi/contracts/pinzhi/sameline/v1/same_line_service';
import { assertNoViolations, pageSizeOf, valueOrThrow, type FieldViolation, type ServiceHandlers } from '@pinzhi/platform';
import type { Evidence, ListingFilter } from '../../app/ports.js';
import type { FileInput, SameLineUseCases } from '../../app/same-line-use-cases.js';
import { LISTED_STATES, MAX_REASON_CHARACTERS, MAX_REASONS } from '../../domain/case-lifecycle.js';
import {
  caseToMessage,
  listingOf,
  pathFromMessage,
  reportsFromMessage,
  ruleFromMessage,
  severityFromMessage,
  signatureFromMessage,
  stateFromFilter,
  stateFromMessage,
  statementFromMessage,
} from '../proto/same-line-mapping.js';

const enterprises = { roles: ['enterprise'] } as const;
const certifiers = { roles: ['certifier'] } as const;
const certifiersOrAdmins = { roles: ['certifier', 'admin'] } as const;
const overseers = { roles: ['certifier', 'regulator', 'admin'] } as const;
const partiesOrAdmins = { roles: ['enterprise', 'certifier', 'admin'] } as const;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MARKET = /^(?:[A-Z]{2}|EU)$/;
const LEVEL = /^[A-Z][A-Z0-9_]{0,31}$/;
const MAX_LIST = 8;
const MAX_TEXT = 2000;
const MAX_FINDING_TEXT = 2000;

const idOf = (collection: string, name: string, field = 'name'): string =>
  valueOrThrow(parseResourceName(collection, name.slice(0, 200), field), `invalid ${field}`);

function textLimit(field: string, value: string, max: number, required = false): FieldViolation[] {
  if (required && value.trim() === '') return [{ field, description: 'required', reason: 'REQUIRED' }];
  return [...value].length > max ? [{ field, description: `at most ${max} characters`, reason: 'TOO_LONG' }] : [];
}

function reasonsOf(reasons: string[]): FieldViolation[] {
  return [
    ...(reasons.length === 0 ? [{ field: 'reasons', description: 'give at least one reason', reason: 'REQUIRED' }] : []),
    ...(reasons.length > MAX_REASONS ? [{ field: 'reasons', description: `at most ${MAX_REASONS} reasons`, reason: 'TOO_MANY' }] : []),
    ...reasons.slice(0, MAX_REASONS).flatMap((r, i) => textLimit(`reasons[${i}]`, r, MAX_REASON_CHARACTERS, true)),
  ];
}

/** The inputs of FileCase, every problem at once; defaults (twin, lines, standards, market) come from the catalogue in the use case. */
function fileInputOf(m: CaseMessage | undefined, caseId: string): FileInput {
  const c = m ?? ({} as CaseMessage);
  const at = (f: string) => `same_line_case.${f}`;
  const violations: FieldViolation[] = [];
  if (caseId !== '' && !SLUG.test(caseId)) violations.push({ field: 'case_id', description: '1-63 lowercase letters, digits and "-"', reason: 'INVALID_ID' });
  const path = pathFromMessage(c.path ?? 0);
  if (!path) violations.push({ field: at('path'), description: 'SELF_DECLARED or THIRD_PARTY', reason: 'REQUIRED' });
  const product = (field: string, name: string, required: boolean): string | undefined => {
    if (name === '' && !required) return undefined;
    const parsed = parseResourceName('products', name.slice(0, 40), at(field));
    const gtin = parsed.ok ? normaliseGtin(parsed.value, at(field)) : parsed;
    if (!gtin.ok) violations.push(...gtin.violations);
    return gtin.ok ? gtin.value : undefined;
  };
  const domesticProductId = product('domestic_product', c.domesticProduct ?? '', true);
  const exportProductId = product('export_product', c.exportProduct ?? '', false);
  const list = (field: string, values: string[]) =>
    values.length > MAX_LIST ? [{ field: at(field), description: `at most ${MAX_LIST}`, reason: 'TOO_MANY' }] : [];
  const lines = (c.productionLines ?? []).slice(0, MAX_LIST).flatMap((name, i) => {
    const parsed = parseResourceName('productionLines', name.slice(0, 100), at(`production_lines[${i}]`));
    if (!parsed.ok || !SLUG.test(parsed.value)) {
      violations.push(
        ...(parsed.ok
          ? [{ field: at(`production_lines[${i}]`), description: 'productionLines/{line_id}', reason: 'INVALID_RESOURCE_NAME' }]
          : parsed.violations),
      );
      return [];
    }
    return [parsed.value];
  });
  const standards = (field: string, codes: string[]) =>
    codes.slice(0, MAX_LIST).flatMap((code, i) => {
      const parsed = parseStandardCode(code.slice(0, 100), at(`${field}[${i}]`));
      if (!parsed.ok) violations.push(...parsed.violations);
      return parsed.ok ? [parsed.value.canonical] : [];
    });
  violations.push(
    ...list('production_lines', c.productionLines ?? []),
    ...list('domestic_standard_codes', c.domesticStandardCodes ?? []),
    ...list('export_standard_codes', c.exportStandardCodes ?? []),
  );
  const domesticStandardCodes = standards('domestic_standard_codes', c.domesticStandardCodes ?? []);
  const exportStandardCodes = standards('export_standard_codes', c.exportStandardCodes ?? []);
  const exportMarket = (c.exportMarket ?? '').trim();
  if (exportMarket !== '' && !MARKET.test(exportMarket))
    violations.push({ field: at('export_market'), description: 'ISO 3166-1 alpha-2 (e.g. US) or EU', reason: 'INVALID_MARKET' });
  const claimedLevel = (c.claimedLevel ?? '').trim();
  if (claimedLevel !== '' && !LEVEL.test(claimedLevel))
    violations.push({ field: at('claimed_level'), description: 'a grade level name such as FIRST', reason: 'INVALID_LEVEL' });
  const decisionRule = c.decisionRule ? ruleFromMessage(c.decisionRule) : undefined;
  if (c.decisionRule && !decisionRule) violations.push({ field: at('decision_rule'), description: 'SIMPLE or GUARDED', reason: 'INVALID_DECISION_RULE' });
  const seen = new Set<string>();
  const domestic = reportsFromMessage(c.domesticReports ?? [], at('domestic_reports'), violations, seen);
  const exported = reportsFromMessage(c.exportReports ?? [], at('export_reports'), violations, seen);
  if (domestic.length === 0) violations.push({ field: at('domestic_reports'), description: 'at least one lab report of a domestic batch', reason: 'REQUIRED' });
  assertNoViolations(violations);
  return {
    ...(caseId ? { caseId } : {}),
    path: path!,
    domesticProductId: domesticProductId!,
    ...(exportProductId ? { exportProductId } : {}),
    productionLineIds: lines,
    domesticStandardCodes,
    ...(exportMarket ? { exportMarket } : {}),
    exportStandardCodes,
    ...(claimedLevel ? { claimedLevel } : {}),
    ...(decisionRule ? { decisionRule } : {}),
    evidence: { domestic, export: exported },
  };
}

export interface SigningKeySource {
  publicKeys(): Promise<Array<{ keyId: string; publicKey: Uint8Array; notBefore: Date; retiredAt?: Date }>>;
}

/** gRPC adapter of the same-line service: request → use case → response. */
export function sameLineHandlers(useCases: SameLineUseCases, keys: SigningKeySource): ServiceHandlers<typeof SameLineServiceService> {
  const one = async (promise: Promise<Parameters<typeof caseToMessage>[0]>) => ({ sameLineCase: caseToMessage(await promise) });
  return {
    fileCase: {
      access: enterprises,
      async handle(request, ctx) {
        return one(useCases.file(ctx.caller, fileInputOf(request.sameLineCase, request.caseId)));
      },
    },
    getCase: {
      access: 'authenticated',
      async handle(request, ctx) {
        return one(useCases.get(ctx.caller, idOf('cases', request.name)));
      },
    },
    listCases: {
      access: 'authenticated',
      async handle(request, ctx) {
        const product = request.product ? normaliseGtin(idOf('products', request.product, 'product'), 'product') : undefined;
        if (product && !product.ok) assertNoViolations(product.violations);
        const state = stateFromFilter(request.state.slice(0, 20), 'state');
        const filter = {
          ...(request.enterprise ? { enterpriseId: idOf('enterprises', request.enterprise, 'enterprise') } : {}),
          ...(state ? { state } : {}),
          ...(product?.ok ? { productId: product.value } : {}),
        };
        const page = await useCases.list(ctx.caller, filter, pageSizeOf(request.pageSize), request.pageToken);
        return { sameLineCases: page.cases.map(caseToMessage), nextPageToken: page.nextPageToken };
      },
    },
    startEvaluation: {
      access: certifiersOrAdmins,
      async handle(request, ctx) {
        const body = request.certificationBody ? idOf('certificationBodies', request.certificationBody, 'certification_body') : undefined;
        return one(useCases.startEvaluation(ctx.caller, idOf('cases', request.name), body));
      },
    },
    addFinding: {
      access: certifiers,
      async handle(request, ctx) {
        const f = request.finding;
        const severity = f ? severityFromMessage(f.severity) : undefined;
        assertNoViolations([
          ...(severity ? [] : [{ field: 'finding.severity', description: 'OBSERVATION, MINOR or MAJOR', reason: 'REQUIRED' }]),
          ...textLimit('finding.text', f?.text ?? '', MAX_FINDING_TEXT, true),
          ...(f?.indicatorId && !/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(f.indicatorId.slice(0, 64))
            ? [{ field: 'finding.indicator_id', description: 'a kebab-case indicator id', reason: 'INVALID_INDICATOR_ID' }]
            : []),
        ]);
        return one(
          useCases.addFinding(ctx.caller, idOf('cases', request.name), {
            severity: severity!,
            text: f!.text.trim(),
            ...(f!.indicatorId ? { indicatorId: f!.indicatorId } : {}),
          }),
        );
      },
    },
    certifyCase: {
      access: certifiers,
      async handle(request, ctx) {
        assertNoViolations(textLimit('notes', request.notes, MAX_TEXT));
        return one(useCases.certify(ctx.caller, idOf('cases', request.name), request.notes.trim() || undefined));
      },
    },
    rejectCase: {
      access: certifiersOrAdmins,
      async handle(request, ctx) {
        assertNoViolations(reasonsOf(request.reasons));
        return one(
          useCases.reject(
            ctx.caller,
            idOf('cases', request.name),
            request.reasons.map((r) => r.trim()),
          ),
        );
      },
    },
    suspendCase: {
      access: overseers,
      async handle(request, ctx) {
        assertNoViolations(textLimit('reason', request.reason, MAX_REASON_CHARACTERS, true));
        return one(useCases.suspend(ctx.caller, idOf('cases', request.name), request.reason.trim()));
      },
    },
    reinstateCase: {
      access: partiesOrAdmins,
      async handle(request, ctx) {
        const violations = textLimit('reason', request.reason, MAX_TEXT, true);
        const seen = new Set<string>();
        const evidence: Evidence = {
          domestic: reportsFromMessage(request.domesticReports, 'domestic_reports', violations, seen),
          export: reportsFromMessage(request.exportReports, 'export_reports', violations, seen),
        };
        assertNoViolations(violations);
        return one(useCases.reinstate(ctx.caller, idOf('cases', request.name), request.reason.trim(), evidence));
      },
    },
    withdrawCase: {
      access: partiesOrAdmins,
      async handle(request, ctx) {
        assertNoViolations(textLimit('reason', request.reason, MAX_TEXT));
        return one(useCases.withdraw(ctx.caller, idOf('cases', request.name), request.reason.trim()));
      },
    },
    verifySameLineCertificate: {
      access: 'public',
      async handle(request) {
        const byStatement = request.statement !== undefined || request.signature !== undefined;
        if (byStatement && (!request.statement || !request.signature)) {
          assertNoViolations([
            { field: request.statement ? 'signature' : 'statement', description: 'statement and signature go together', reason: 'REQUIRED' },
          ]);
        }
        if (!byStatement) assertNoViolations(textLimit('certificate_number', request.certificateNumber, 75, true));
        const outcome = byStatement
          ? await useCases.verify({ statement: statementFromMessage(request.statement!), signature: signatureFromMessage(request.signature!) })
          : await useCases.verify({ number: request.certificateNumber.trim() });
        return {
          genuine: outcome.genuine,
          current: outcome.current,
          reason: SameLineVerificationReason[`SAME_LINE_VERIFICATION_REASON_${outcome.reason}`],
          listing: outcome.sameLineCase ? listingOf(outcome.sameLineCase) : undefined,
          detail: outcome.detail.slice(0, 500),
        };
      },
    },
    searchListings: {
      access: 'public',
      async handle(request) {
        const violations: FieldViolation[] = [];
        const filter: ListingFilter = {};
        if (request.enterpriseCreditCode) {
          const code = request.enterpriseCreditCode.trim().toUpperCase().slice(0, 40);
          violations.push(...validateCreditCode(code, 'enterprise_credit_code'));
          filter.enterpriseId = code;
        }
        if (request.gtin) {
          const gtin = normaliseGtin(request.gtin.trim().slice(0, 20), 'gtin');
          if (gtin.ok) filter.productId = gtin.value;
          else violations.push(...gtin.violations);
        }
        if (request.category) {
          if (!/^[a-z][a-z-]{0,31}$/.test(request.category))
            violations.push({ field: 'category', description: 'a product category such as down-garment', reason: 'INVALID_CATEGORY' });
          filter.category = request.category;
        }
        if (request.exportMarket) {
          if (!MARKET.test(request.exportMarket))
            violations.push({ field: 'export_market', description: 'ISO 3166-1 alpha-2 (e.g. US) or EU', reason: 'INVALID_MARKET' });
          filter.exportMarket = request.exportMarket;
        }
        if (request.path) {
          const path = pathFromMessage(request.path);
          if (path) filter.path = path;
          else violations.push({ field: 'path', description: 'SELF_DECLARED or THIRD_PARTY', reason: 'INVALID_PATH' });
        }
        if (request.state !== CaseStateMessage.CASE_STATE_UNSPECIFIED) {
          const state = stateFromMessage(request.state);
          if (state && LISTED_STATES.includes(state)) filter.state = state;
          else
            violations.push({
              field: 'state',
              description: 'DECLARED, CERTIFIED, SUSPENDED, WITHDRAWN or EXPIRED: other cases are not public',
              reason: 'NOT_LISTED',
            });
        }
        assertNoViolations(violations);
        const page = await useCases.search(filter, pageSizeOf(request.pageSize), request.pageToken);
        return { listings: page.cases.map(listingOf), nextPageToken: page.nextPageToken };
      },
    },
    getSigningKeys: {
      access: 'public',
      async handle() {
        const published = await keys.publicKeys();
        return {
          keys: published.map((k) => ({
            keyId: k.keyId,
            algorithm: 'Ed25519',
            publicKey: Buffer.from(k.publicKey),
            notBefore: k.notBefore,
            ...(k.retiredAt ? { retireTime: k.retiredAt } : {}),
          })),
        };
      },
    },
  };
}
