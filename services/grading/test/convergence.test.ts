import { randomUUID } from 'node:crypto';
import { loadSeeds } from '@pinzhi/catalogue/testing';
import { CatalogueReader } from '@pinzhi/catalogue-reader';
import {
  CertificateVerificationReason,
  GradingServiceService,
  IssueGradeRequest,
  ListGradesRequest,
  VerifyCertificateRequest,
} from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { GradeState } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { createUnaryClient, UnavailableError, type UnaryClient } from '@pinzhi/platform';
import { status, type Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, dropDatabase, failure, logger, startServiceForTest, waitFor } from '../../../test/support/harness.js';
import { GradingUseCases } from '../src/app/grading-use-cases.js';
import type { GradeRepository } from '../src/app/ports.js';
import { MongoGradeRepository } from '../src/adapters/mongo/mongo-grade-repository.js';
import { reportFromMessage } from '../src/adapters/proto/grading-mapping.js';
import { gradingService } from '../src/grading-service.js';
import { superiorMeasurements } from '../src/test-fixtures.js';

// A product no other suite grades, so its grades here are this file's alone.
const PRODUCT = '06934567801067';
const STANDARD = 'GB/T 14272-2021';
const CERTIFIER = 'CNAS C951-P';
const caller = { subject: 'certifier-user', role: 'certifier' as const, org: CERTIFIER, scopes: [] };

let grading: Awaited<ReturnType<typeof startServiceForTest<any, { useCases: GradingUseCases; signer: any }>>>;
let client: UnaryClient<typeof GradingServiceService>;
let certifier: Metadata;

const request = (reportNumber: string) =>
  IssueGradeRequest.fromPartial({
    product: `products/${PRODUCT}`,
    standardCode: STANDARD,
    report: { laboratoryCnasNumber: 'CNAS L99501', reportNumber, sampleId: 'S-1', testedOn: '2026-11-20', measurements: superiorMeasurements() },
  });

async function live() {
  const { grades } = await client.listGrades(
    ListGradesRequest.fromPartial({ product: `products/${PRODUCT}`, standardCode: STANDARD, pageSize: 50 }),
    certifier,
  );
  return grades.filter((g) => g.state === GradeState.GRADE_STATE_ISSUED || g.state === GradeState.GRADE_STATE_DOWNGRADED);
}

/** Use cases on the service's own store whose writes fail once at the named step, as a crash or a dropped connection would. */
function interruptedAt(step: 'changeCurrent' | 'change') {
  const store = new MongoGradeRepository(grading.db, grading.relay);
  let failures = 1;
  const interrupted = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== step || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => (failures-- > 0 ? Promise.reject(new UnavailableError('the connection dropped')) : value.apply(target, args));
    },
  }) as GradeRepository;
  return new GradingUseCases(interrupted, new CatalogueReader(grading.db), grading.exposed.signer, { defaultValidityMonths: 12 });
}

beforeAll(async () => {
  grading = await startServiceForTest(gradingService, {});
  await loadSeeds(grading.db, grading.relay, logger);
  client = createUnaryClient(GradingServiceService, grading.address);
  certifier = await bearer('certifier', CERTIFIER);
  await grading.consumersReady;
}, 120_000);

afterAll(async () => {
  client?.close();
  await grading?.stop();
  await dropDatabase(grading.ns.dbName);
});

describe('an issue interrupted between its writes', () => {
  it('converges without a retry: the issued event finishes the pointer and supersedes the older grade', async () => {
    const { grade: first } = await client.issueGrade(request(`R-${randomUUID().slice(0, 8)}`), certifier);
    const report = request(`R-${randomUUID().slice(0, 8)}`).report!;
    // Stored and announced, but the pointer never moved: two live grades until it converges.
    await expect(
      interruptedAt('changeCurrent').issueGrade(caller, { productId: PRODUCT, standardCode: STANDARD, report: reportFromMessage(report) }),
    ).rejects.toThrow('dropped');
    const survivors = await waitFor(
      async () => {
        const grades = await live();
        return grades.length === 1 && grades[0]!.name !== first!.name && grades;
      },
      { what: 'one live grade' },
    );
    const { grade: older } = await client.getGrade({ name: first!.name }, certifier);
    expect(older!.state).toBe(GradeState.GRADE_STATE_SUPERSEDED);
    expect(older!.cause).toBe(survivors[0]!.name);
    const verdict = await client.verifyCertificate(VerifyCertificateRequest.fromPartial({ certificateNumber: first!.certificate!.number }));
    expect(verdict).toMatchObject({ genuine: true, current: false, reason: CertificateVerificationReason.CERTIFICATE_VERIFICATION_REASON_SUPERSEDED });
  });

  it('converges on the retry when the pointer moved but the older grade was not superseded', async () => {
    const { grade: first } = await client.issueGrade(request(`R-${randomUUID().slice(0, 8)}`), certifier);
    const reportNumber = `R-${randomUUID().slice(0, 8)}`;
    await expect(
      interruptedAt('change').issueGrade(caller, { productId: PRODUCT, standardCode: STANDARD, report: reportFromMessage(request(reportNumber).report!) }),
    ).rejects.toThrow('dropped');
    // The client retries the same report: it gets the stored grade, and the issue is finished.
    const retried = await client.issueGrade(request(reportNumber), certifier);
    expect(retried.created).toBe(false);
    const grades = await waitFor(
      async () => {
        const found = await live();
        return found.length === 1 && found;
      },
      { what: 'one live grade' },
    );
    expect(grades[0]!.name).toBe(retried.grade!.name);
    const { grade: older } = await client.getGrade({ name: first!.name }, certifier);
    expect(older!.state).toBe(GradeState.GRADE_STATE_SUPERSEDED);
  });

  it('answers a refused request with nothing stored', async () => {
    const bad = request(`R-${randomUUID().slice(0, 8)}`);
    bad.report!.measurements = bad.report!.measurements.filter((m) => m.indicatorId !== 'formaldehyde');
    const error = await failure(client.issueGrade(bad, certifier));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect((await live()).length).toBe(1);
  });
});

describe('VerifyCertificate', () => {
  it('calls a tampered certificate neither genuine nor current, and says why', async () => {
    const { grade } = await client.issueGrade(request(`R-${randomUUID().slice(0, 8)}`), certifier);
    const certificate = grade!.certificate!;
    const byNumber = await client.verifyCertificate(VerifyCertificateRequest.fromPartial({ certificateNumber: certificate.number }));
    expect(byNumber).toMatchObject({ genuine: true, current: true, reason: CertificateVerificationReason.CERTIFICATE_VERIFICATION_REASON_VALID });
    const asShown = await client.verifyCertificate(VerifyCertificateRequest.fromPartial({ certificate }));
    expect(asShown).toMatchObject({ signatureValid: true, genuine: true, current: true });
    // One changed field: the level a marketplace would show.
    const tampered = await client.verifyCertificate(
      VerifyCertificateRequest.fromPartial({ certificate: { ...certificate, level: certificate.level === 'SUPERIOR' ? 'FIRST' : 'SUPERIOR' } }),
    );
    expect(tampered).toMatchObject({
      signatureValid: false,
      genuine: false,
      current: false,
      reason: CertificateVerificationReason.CERTIFICATE_VERIFICATION_REASON_SIGNATURE_INVALID,
    });
    const unknown = await client.verifyCertificate(VerifyCertificateRequest.fromPartial({ certificateNumber: 'PZ-G-2026-000000000000000000000000' }));
    expect(unknown).toMatchObject({ genuine: false, current: false, reason: CertificateVerificationReason.CERTIFICATE_VERIFICATION_REASON_NOT_FOUND });
  });
});
