import { normaliseGtin, parseResourceName, parseStandardCode } from '@pinzhi/catalogue-reader';
import {
  CertificateVerificationReason,
  GradingServiceService,
  type IssueGradeRequest,
  type IssueGradesResult,
} from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { InvalidArgumentError, isPinzhiError, pinzhiMetrics, ResourceExhaustedError, type PinzhiError, type ServiceHandlers } from '@pinzhi/platform';
import type { GradingUseCases, IssueGradeInput } from '../../app/grading-use-cases.js';
import type { GradeFilter } from '../../app/ports.js';
import type { GradeFeed } from '../kafka/grade-feed.js';
import {
  certificateFromMessage,
  decisionRuleFromMessage,
  gradeStateOf,
  gradeToMessage,
  reasonFromMessage,
  reportFromMessage,
} from '../proto/grading-mapping.js';
import type { StoredGrade } from '../../app/ports.js';

const certifiers = { roles: ['certifier'] } as const;
/**
 * Items of one IssueGrades stream graded together: started in the same tick, their reads and
 * writes go to the store as a few shared commands per batch (group commit, by-id.ts), not a
 * few per item.
 */
const BULK_BATCH = 64;
const changers = { roles: ['certifier', 'regulator', 'admin'] } as const;

function idFrom(collection: string, name: string, field = 'name'): string {
  const parsed = parseResourceName(collection, name, field);
  if (!parsed.ok) throw new InvalidArgumentError(`invalid ${field}`, parsed.violations);
  return parsed.value;
}

function productIdFrom(name: string, field: string): string {
  const gtin = normaliseGtin(idFrom('products', name, field), field);
  if (!gtin.ok) throw new InvalidArgumentError(`invalid ${field}`, gtin.violations);
  return gtin.value;
}

function standardCodeFrom(code: string, field: string): string {
  const parsed = parseStandardCode(code, field);
  if (!parsed.ok) throw new InvalidArgumentError(`invalid ${field}`, parsed.violations);
  return parsed.value.canonical;
}

function failedItem(index: number, error: PinzhiError): IssueGradesResult {
  return {
    index,
    grade: undefined,
    created: false,
    errorCode: error.code,
    errorMessage: error.message,
    fieldViolations: error.violations.map((v) => ({ field: v.field, description: v.description, reason: v.reason ?? '' })),
  };
}

function issueInput(request: IssueGradeRequest): IssueGradeInput {
  const decisionRule = decisionRuleFromMessage(request.decisionRule);
  return {
    productId: productIdFrom(request.product, 'product'),
    standardCode: standardCodeFrom(request.standardCode, 'standard_code'),
    report: reportFromMessage(request.report),
    ...(decisionRule ? { decisionRule } : {}),
  };
}

/** gRPC adapter of grading: request → use case → response. */
export interface GradingHandlerOptions {
  /**
   * Items one IssueGrades call grades; later items are answered RESOURCE_EXHAUSTED and not
   * graded. Each result carries its grade (about 2.2 KB), and gRPC clients refuse responses
   * over 4 MB by default, so without a bound a large batch would be stored and its answer lost.
   */
  maxBulkItems: number;
}

export function gradingHandlers(useCases: GradingUseCases, feed: GradeFeed, options: GradingHandlerOptions): ServiceHandlers<typeof GradingServiceService> {
  return {
    issueGrade: {
      access: certifiers,
      async handle(request, ctx) {
        const { grade, created } = await useCases.issueGrade(ctx.caller, issueInput(request));
        if (created) pinzhiMetrics.gradeIssued(grade.level);
        return { grade: gradeToMessage(grade), created };
      },
    },
    issueGrades: {
      access: certifiers,
      async handle(requests, ctx) {
        const results: IssueGradesResult[] = [];
        let unexpected: unknown;
        const issueOne = async (index: number, request: IssueGradeRequest): Promise<void> => {
          try {
            const { grade, created } = await useCases.issueGrade(ctx.caller, issueInput(request));
            if (created) pinzhiMetrics.gradeIssued(grade.level);
            results[index] = { index, grade: gradeToMessage(grade), created, errorCode: '', errorMessage: '', fieldViolations: [] };
          } catch (error) {
            if (!isPinzhiError(error)) {
              unexpected ??= error;
              return;
            }
            results[index] = failedItem(index, error);
          }
        };
        const overBound = new ResourceExhaustedError(`at most ${options.maxBulkItems} items per IssueGrades call; send the rest in another call`);
        let index = 0;
        let batch: Array<[number, IssueGradeRequest]> = [];
        // The stream is read no faster than batches finish.
        const flush = async () => {
          const started = batch.map(([i, item]) => issueOne(i, item));
          batch = [];
          await Promise.all(started);
        };
        for await (const request of requests) {
          if (index >= options.maxBulkItems) {
            results[index] = failedItem(index, overBound);
            index++;
            continue;
          }
          batch.push([index++, request.item ?? ({} as IssueGradeRequest)]);
          if (batch.length >= BULK_BATCH) await flush();
        }
        await flush();
        // A fault that is not the item's (the store went away) fails the call, as for IssueGrade.
        if (unexpected !== undefined) throw unexpected;
        return { results };
      },
    },
    getGrade: {
      access: 'authenticated',
      async handle(request) {
        return { grade: gradeToMessage(await useCases.get(idFrom('grades', request.name))) };
      },
    },
    listGrades: {
      access: 'authenticated',
      async handle(request) {
        const filter: GradeFilter = {
          ...(request.product ? { productId: productIdFrom(request.product, 'product') } : {}),
          ...(request.brand ? { brandId: idFrom('brands', request.brand, 'brand') } : {}),
          ...(request.enterprise ? { enterpriseId: idFrom('enterprises', request.enterprise, 'enterprise') } : {}),
          ...(request.standardCode ? { standardCode: standardCodeFrom(request.standardCode, 'standard_code') } : {}),
          ...(request.level ? { level: request.level.toUpperCase() } : {}),
          ...(request.state ? { state: request.state.toLowerCase() } : {}),
        };
        const page = await useCases.list(filter, request.pageSize, request.pageToken);
        return { grades: page.items.map(gradeToMessage), nextPageToken: page.nextPageToken };
      },
    },
    downgradeGrade: {
      access: changers,
      async handle(request, ctx) {
        const grade = await useCases.downgradeGrade(
          ctx.caller,
          idFrom('grades', request.name),
          request.level.trim().toUpperCase(),
          reasonFromMessage(request.reason),
        );
        return { grade: gradeToMessage(grade) };
      },
    },
    revokeGrade: {
      access: changers,
      async handle(request, ctx) {
        return { grade: gradeToMessage(await useCases.revokeGrade(ctx.caller, idFrom('grades', request.name), reasonFromMessage(request.reason))) };
      },
    },
    verifyCertificate: {
      access: 'public',
      async handle(request) {
        const certificate = request.certificate ? certificateFromMessage(request.certificate) : undefined;
        const status = await useCases.verifyCertificate(certificate, request.certificateNumber.trim());
        return {
          signatureValid: status.signatureValid,
          genuine: status.genuine,
          current: status.current,
          reason: CertificateVerificationReason[`CERTIFICATE_VERIFICATION_REASON_${status.reason}`],
          state: status.grade ? gradeStateOf(status.grade.state) : 0,
          level: status.grade?.level ?? '',
          detail: status.detail,
          grade: status.grade ? publicGradeMessage(status.grade) : undefined,
        };
      },
    },
    getSigningKeys: {
      access: 'public',
      async handle() {
        const keys = await useCases.publicKeys();
        return {
          keys: keys.map((k) => ({
            keyId: k.keyId,
            algorithm: 'Ed25519',
            publicKey: Buffer.from(k.publicKey),
            notBefore: k.notBefore,
            retireTime: k.retiredAt,
          })),
        };
      },
    },
    watchGrades: {
      access: 'authenticated',
      async handle(request, ctx, send) {
        const filter = {
          ...(request.enterprise ? { enterpriseId: idFrom('enterprises', request.enterprise, 'enterprise') } : {}),
          ...(request.brand ? { brandId: idFrom('brands', request.brand, 'brand') } : {}),
          ...(request.product ? { productId: productIdFrom(request.product, 'product') } : {}),
        };
        await feed.watch(filter, request.resumeToken, ctx.signal, (event, resumeToken) => send({ event, resumeToken }));
      },
    },
  };
}

/** A grade as anyone may see it: who created and changed it stays with authenticated callers. */
function publicGradeMessage(grade: StoredGrade) {
  const message = gradeToMessage(grade);
  return { ...message, audit: undefined, history: message.history.map((change) => ({ ...change, changedBy: '' })) };
}
