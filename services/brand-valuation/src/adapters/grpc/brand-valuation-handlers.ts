import { parseResourceName } from '@pinzhi/catalogue-reader/model';
import { BrandValuationServiceService, ValuationVerificationReason } from '@pinzhi/contracts/pinzhi/brand/v1/brand_valuation_service';
import { assertNoViolations, pageSizeOf, valueOrThrow, type FieldViolation, type ServiceHandlers } from '@pinzhi/platform';
import type { BrandValuationUseCases } from '../../app/brand-valuation-use-cases.js';
import { MAX_REASON_CHARACTERS, MAX_REASONS } from '../../domain/application.js';
import {
  applicationToMessage,
  draftFromMessage,
  INPUT_PATHS,
  methodFromMessage,
  reportToMessage,
  sectorFromFilter,
  signatureFromMessage,
  stateFromFilter,
  statementFromMessage,
  valuationToMessage,
} from '../proto/brand-mapping.js';
import type { Application } from '../../app/ports.js';
import type { StatementSigner } from '../../app/ports.js';

const enterprises = { roles: ['enterprise'] } as const;
const certifiers = { roles: ['certifier'] } as const;
const evaluatorsOrAdmins = { roles: ['certifier', 'admin'] } as const;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_NOTES = 4000;
const MAX_WITHDRAW_REASON = 2000;
const MAX_MASK_PATHS = 32;

const idOf = (collection: string, name: string, field = 'name'): string =>
  valueOrThrow(parseResourceName(collection, name.slice(0, 200), field), `invalid ${field}`);

function optionalIdOf(collection: string, name: string, field: string): string | undefined {
  return name === '' ? undefined : idOf(collection, name, field);
}

function textLimit(field: string, value: string, max: number): FieldViolation[] {
  return [...value].length > max ? [{ field, description: `at most ${max} characters`, reason: 'TOO_LONG' }] : [];
}

export interface SigningKeySource {
  publicKeys(): Promise<Array<{ keyId: string; publicKey: Uint8Array; notBefore: Date; retiredAt?: Date }>>;
}

/** gRPC adapter of brand valuation: request → use case → response. */
export function brandValuationHandlers(
  useCases: BrandValuationUseCases,
  keys: SigningKeySource & Partial<StatementSigner>,
): ServiceHandlers<typeof BrandValuationServiceService> {
  const withEvidence = async (application: Application) => applicationToMessage(application, await useCases.evidenceOf(application.brandId));
  return {
    createApplication: {
      access: enterprises,
      async handle(request, ctx) {
        const violations: FieldViolation[] = [];
        if (request.applicationId !== '' && !SLUG.test(request.applicationId)) {
          violations.push({ field: 'application_id', description: '1-63 lowercase letters, digits and "-"', reason: 'INVALID_ID' });
        }
        assertNoViolations(violations);
        const brandId = idOf('brands', request.application?.brand ?? '', 'application.brand');
        const draft = draftFromMessage(request.application);
        const application = await useCases.create(ctx.caller, {
          applicationId: request.applicationId,
          brandId,
          input: draft.input,
          ...(draft.valuationDate ? { valuationDate: draft.valuationDate } : {}),
        });
        return { application: await withEvidence(application) };
      },
    },
    updateApplication: {
      access: enterprises,
      async handle(request, ctx) {
        const paths = request.updateMask ?? [];
        const allowed = new Set<string>(INPUT_PATHS);
        assertNoViolations([
          ...(paths.length === 0 ? [{ field: 'update_mask', description: 'name the fields to change', reason: 'REQUIRED' }] : []),
          ...(paths.length > MAX_MASK_PATHS ? [{ field: 'update_mask', description: `at most ${MAX_MASK_PATHS} paths`, reason: 'TOO_MANY' }] : []),
          ...paths
            .filter((p) => !allowed.has(p))
            .slice(0, 4)
            .map((p) => ({ field: 'update_mask', description: `'${p.slice(0, 40)}' is not an input field that can be changed`, reason: 'INVALID_PATH' })),
        ]);
        const id = idOf('applications', request.application?.name ?? '', 'application.name');
        const draft = draftFromMessage(request.application, new Set(paths));
        return { application: await withEvidence(await useCases.update(ctx.caller, id, draft)) };
      },
    },
    getApplication: {
      access: 'authenticated',
      async handle(request, ctx) {
        return { application: await withEvidence(await useCases.get(ctx.caller, idOf('applications', request.name))) };
      },
    },
    listApplications: {
      access: 'authenticated',
      async handle(request, ctx) {
        const filter = {
          ...(optionalIdOf('brands', request.brand, 'brand') ? { brandId: idOf('brands', request.brand, 'brand') } : {}),
          ...(optionalIdOf('enterprises', request.enterprise, 'enterprise') ? { enterpriseId: idOf('enterprises', request.enterprise, 'enterprise') } : {}),
          ...(stateFromFilter(request.state.slice(0, 20), 'state') ? { state: stateFromFilter(request.state, 'state') } : {}),
          ...(optionalIdOf('certificationBodies', request.evaluator, 'evaluator')
            ? { evaluatorBodyId: idOf('certificationBodies', request.evaluator, 'evaluator') }
            : {}),
        };
        const page = await useCases.list(ctx.caller, filter, pageSizeOf(request.pageSize), request.pageToken);
        return { applications: page.applications.map((a) => applicationToMessage(a)), nextPageToken: page.nextPageToken };
      },
    },
    submitApplication: {
      access: enterprises,
      async handle(request, ctx) {
        return { application: await withEvidence(await useCases.submit(ctx.caller, idOf('applications', request.name))) };
      },
    },
    startReview: {
      access: evaluatorsOrAdmins,
      async handle(request, ctx) {
        const id = idOf('applications', request.name);
        const body = optionalIdOf('certificationBodies', request.evaluator, 'evaluator');
        return { application: await withEvidence(await useCases.startReview(ctx.caller, id, body)) };
      },
    },
    evaluateApplication: {
      access: certifiers,
      async handle(request, ctx) {
        assertNoViolations(textLimit('evaluator_notes', request.evaluatorNotes, MAX_NOTES));
        const id = idOf('applications', request.name);
        const application = await useCases.evaluate(ctx.caller, id, methodFromMessage(request.headlineMethod), request.evaluatorNotes || undefined);
        return { application: await withEvidence(application), report: reportToMessage(application) };
      },
    },
    rejectApplication: {
      access: evaluatorsOrAdmins,
      async handle(request, ctx) {
        assertNoViolations([
          ...(request.reasons.length === 0 ? [{ field: 'reasons', description: 'give at least one reason', reason: 'REQUIRED' }] : []),
          ...(request.reasons.length > MAX_REASONS ? [{ field: 'reasons', description: `at most ${MAX_REASONS} reasons`, reason: 'TOO_MANY' }] : []),
          ...request.reasons
            .slice(0, MAX_REASONS)
            .flatMap((r, i) => [
              ...textLimit(`reasons[${i}]`, r, MAX_REASON_CHARACTERS),
              ...(r.trim() === '' ? [{ field: `reasons[${i}]`, description: 'must not be blank', reason: 'REQUIRED' }] : []),
            ]),
        ]);
        return { application: await withEvidence(await useCases.reject(ctx.caller, idOf('applications', request.name), request.reasons)) };
      },
    },
    withdrawApplication: {
      access: enterprises,
      async handle(request, ctx) {
        assertNoViolations(textLimit('reason', request.reason, MAX_WITHDRAW_REASON));
        return { application: await withEvidence(await useCases.withdraw(ctx.caller, idOf('applications', request.name), request.reason)) };
      },
    },
    publishValuation: {
      access: evaluatorsOrAdmins,
      async handle(request, ctx) {
        const application = await useCases.publish(ctx.caller, idOf('applications', request.name));
        return { valuation: valuationToMessage(application), application: await withEvidence(application) };
      },
    },
    getValuationReport: {
      access: 'authenticated',
      async handle(request, ctx) {
        const name = request.name.slice(0, 200);
        if (!name.endsWith('/valuationReport')) {
          assertNoViolations([{ field: 'name', description: "expected 'applications/{id}/valuationReport'", reason: 'INVALID_RESOURCE_NAME' }]);
        }
        const application = await useCases.report(ctx.caller, idOf('applications', name.slice(0, -'/valuationReport'.length)));
        return { report: reportToMessage(application) };
      },
    },
    verifyValuation: {
      access: 'public',
      async handle(request) {
        const byStatement = request.statement !== undefined || request.signature !== undefined;
        if (byStatement && (!request.statement || !request.signature)) {
          assertNoViolations([
            { field: request.statement ? 'signature' : 'statement', description: 'statement and signature go together', reason: 'REQUIRED' },
          ]);
        }
        const outcome = byStatement
          ? await useCases.verify({ statement: statementFromMessage(request.statement!), signature: signatureFromMessage(request.signature!) })
          : await useCases.verify({ id: idOf('valuations', request.name) });
        return {
          genuine: outcome.genuine,
          current: outcome.current,
          reason: ValuationVerificationReason[`VALUATION_VERIFICATION_REASON_${outcome.reason}`],
          valuation: outcome.application?.publication ? valuationToMessage(outcome.application) : undefined,
          detail: outcome.detail,
        };
      },
    },
    listPublishedValuations: {
      access: 'public',
      async handle(request) {
        const sector = sectorFromFilter(request.sector.slice(0, 20), 'sector');
        if (request.year !== 0 && (request.year < 1900 || request.year > 2999))
          assertNoViolations([{ field: 'year', description: 'a year from 1900 to 2999, or 0 for all', reason: 'OUT_OF_RANGE' }]);
        const page = await useCases.listPublished(
          { ...(sector ? { sector } : {}), ...(request.year ? { year: request.year } : {}) },
          pageSizeOf(request.pageSize),
          request.pageToken,
        );
        return { valuations: page.applications.map((a) => valuationToMessage(a)), nextPageToken: page.nextPageToken };
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
