import { randomUUID } from 'node:crypto';
import { status, type Metadata } from '@grpc/grpc-js';
import { loadSeeds } from '@pinzhi/catalogue/testing';
import { CatalogueReader } from '@pinzhi/catalogue-reader';
import { GradingServiceService } from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import type { TestReport } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { CaseCertified, CaseDeclared, CaseSuspended } from '@pinzhi/contracts/pinzhi/sameline/v1/events';
import { CaseState, FindingSeverity, SameLineCase, SameLinePath } from '@pinzhi/contracts/pinzhi/sameline/v1/resources';
import { SameLineServiceService, SameLineVerificationReason } from '@pinzhi/contracts/pinzhi/sameline/v1/same_line_service';
import { SampleReported } from '@pinzhi/contracts/pinzhi/supervision/v1/events';
import { sameLineStream, supervisionStream } from '@pinzhi/events';
import { gradingService, superiorMeasurements } from '@pinzhi/grading/testing';
import { createEventPublisher, createUnaryClient, fieldViolationsOf, newCloudEvent, type EventPublisher, type UnaryClient } from '@pinzhi/platform';
import { startTelemetry } from '@pinzhi/platform/telemetry';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, dropDatabase, failure, logger, namespace, startServiceForTest, testKafka, waitFor } from '../../../test/support/harness.js';
import type { SameLineUseCases } from '../src/app/same-line-use-cases.js';
import { loadSameLineSeeds } from '../src/seed.js';
import { sameLineService } from '../src/same-line-service.js';

// Seeded facts (seeds/catalogue): Suzhou Chengyu owns the jacket and coat pairs, Shenzhen
// Tongyue the infant snowsuit pair; Huazhi (CNAS C951-P) is accredited for same-line and
// down garments, Pinheng (CNAS C962-P) for grading of footwear and apparel only.
const CHENGYU = '91320500MA1N7D4B8T';
const TONGYUE = '91440300MA5G3L2W1W';
const NUANMIAN = '91330100MA2H8P5R6H';
const HUAZHI = 'CNAS C951-P';
const JACKET = '06934567801012';
const JACKET_EU = '06934567801029';
const COAT = '06934567801036';
const SNOWSUIT = '06972043154054';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

// Trace context propagates from gRPC through the outbox to the event's traceparent header.
startTelemetry({ serviceName: 'same-line-test' });

const ns = namespace('sameline');
let kafka: Kafka;
let client: UnaryClient<typeof SameLineServiceService>;
let grading: UnaryClient<typeof GradingServiceService>;
let publisher: EventPublisher;
let sameLine: Awaited<ReturnType<typeof startServiceForTest<any, { useCases: SameLineUseCases }>>>;
let owner: Metadata;
let tongyue: Metadata;
let otherEnterprise: Metadata;
let certifier: Metadata;
let outsideCertifier: Metadata;
let admin: Metadata;
let regulator: Metadata;
let marketplace: Metadata;
let clockOffsetMs = 0;
const records: KafkaMessage[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

const report = (number: string, overrides: Record<string, string> = {}): TestReport => ({
  laboratoryCnasNumber: 'CNAS L99501',
  reportNumber: number,
  sampleId: `S-${number}`,
  batch: `B-${number}`,
  testedOn: '2026-10-01',
  measurements: superiorMeasurements(overrides),
});
/** Passes the infant snowsuit's GB 18401 category A as well (formaldehyde ≤ 20). */
const infantReport = (number: string, overrides: Record<string, string> = {}) => report(number, { formaldehyde: '12', ...overrides });

const caseId = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

function fileRequest(path: SameLinePath, domestic: string, reports: TestReport[], id = caseId('case'), extra: Partial<SameLineCase> = {}) {
  return { caseId: id, sameLineCase: SameLineCase.fromPartial({ path, domesticProduct: `products/${domestic}`, domesticReports: reports, ...extra }) };
}

const eventsOf = (id: string) => records.filter((r) => r.key?.toString() === id);
const typesOf = (id: string) => eventsOf(id).map((r) => r.headers!.ce_type!.toString().replace(/^pinzhi\.sameline\.case\.(\w+)\.v1$/, '$1'));
const waitForEvent = (id: string, verb: string) =>
  waitFor(() => eventsOf(id).find((r) => r.headers?.ce_type?.toString() === sameLineStream.types[verb as 'filed']), { what: `${verb} of ${id}` });

async function declared(domestic = JACKET, reports = [report(`R-${randomUUID().slice(0, 8)}`)]) {
  const { sameLineCase } = await client.fileCase(
    fileRequest(SameLinePath.SAME_LINE_PATH_SELF_DECLARED, domestic, reports),
    domestic === SNOWSUIT ? tongyue : owner,
  );
  return sameLineCase!;
}

async function certified(domestic = COAT) {
  const { sameLineCase } = await client.fileCase(
    fileRequest(SameLinePath.SAME_LINE_PATH_THIRD_PARTY, domestic, [report(`R-${randomUUID().slice(0, 8)}`)]),
    owner,
  );
  await client.startEvaluation({ name: sameLineCase!.name, certificationBody: '' }, certifier);
  const done = await client.certifyCase({ name: sameLineCase!.name, notes: 'line audited' }, certifier);
  return done.sameLineCase!;
}

const idOf = (c: SameLineCase) => c.name.replace(/^cases\//, '');

beforeAll(async () => {
  const clock = () => new Date(Date.now() + clockOffsetMs);
  sameLine = await startServiceForTest(sameLineService, { ns, clock });
  cleanups.push(() => sameLine.stop());
  const gradingInstance = await startServiceForTest(gradingService, { ns });
  cleanups.push(() => gradingInstance.stop());
  await loadSeeds(sameLine.db, sameLine.relay, logger);
  client = createUnaryClient(SameLineServiceService, sameLine.address);
  grading = createUnaryClient(GradingServiceService, gradingInstance.address);
  [owner, tongyue, otherEnterprise, certifier, outsideCertifier, admin, regulator, marketplace] = await Promise.all([
    bearer('enterprise', CHENGYU),
    bearer('enterprise', TONGYUE),
    bearer('enterprise', NUANMIAN),
    bearer('certifier', HUAZHI),
    bearer('certifier', 'CNAS C962-P'),
    bearer('admin', 'pinzhi'),
    bearer('regulator', 'SAMR'),
    bearer('marketplace', 'SHOP'),
  ]);
  kafka = testKafka('same-line-test');
  publisher = await createEventPublisher(kafka);
  cleanups.push(() => publisher.close());
  const consumer = kafka.consumer({ groupId: ns.group('events') });
  await consumer.connect();
  await consumer.subscribe({ topic: sameLine.topic(sameLineStream), fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void records.push(message) });
  cleanups.push(() => consumer.disconnect());
  await sameLine.consumersReady;
}, 120_000);

afterAll(async () => {
  client?.close();
  grading?.close();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await dropDatabase(ns.dbName);
});

describe('the self-declared path', () => {
  it('declares at once when the checks pass, signs a declaration and announces it with CloudEvents headers and the caller’s trace', async () => {
    const traced = owner.clone();
    traced.set('traceparent', `00-${TRACE_ID}-00f067aa0ba902b7-01`);
    const id = caseId('jacket');
    const { sameLineCase } = await client.fileCase(fileRequest(SameLinePath.SAME_LINE_PATH_SELF_DECLARED, JACKET, [report('R-1')], id), traced);
    expect(sameLineCase).toMatchObject({
      name: `cases/${id}`,
      state: CaseState.CASE_STATE_DECLARED,
      enterprise: `enterprises/${CHENGYU}`,
      exportProduct: `products/${JACKET_EU}`,
      productionLines: ['productionLines/line-chengyu-down-1'],
      domesticStandardCodes: ['GB/T 14272-2021', 'GB 18401-2010'],
      exportMarket: 'EU',
      exportStandardCodes: ['EN 12935:2001'],
      category: 'down-garment',
    });
    expect(sameLineCase!.checks!.passed).toBe(true);
    expect(sameLineCase!.checks!.sameStandard!.items.map((i) => [i.subject, i.passed])).toEqual([
      ['oxygen-number', true],
      ['turbidity', true],
      ['odour', true],
    ]);
    expect(sameLineCase!.certificate!.statement).toMatchObject({
      number: `PZ-SD-${new Date().getUTCFullYear()}-${id}`,
      issuer: `enterprises/${CHENGYU}`,
      issuerCnasNumber: '',
    });
    expect(sameLineCase!.history.map((t) => [t.action, t.toState, t.role, t.organisation])).toEqual([
      ['declare', CaseState.CASE_STATE_DECLARED, 'enterprise', CHENGYU],
    ]);

    const event = await waitForEvent(id, 'declared');
    const h = (k: string) => event.headers?.[k]?.toString();
    expect(h('ce_specversion')).toBe('1.0');
    expect(h('ce_source')).toBe('/pinzhi/same-line');
    expect(h('ce_type')).toBe('pinzhi.sameline.case.declared.v1');
    expect(h('ce_subject')).toBe(`cases/${id}`);
    expect(h('ce_id')).toMatch(/\S/);
    expect(h('ce_time')).toMatch(/^\d{4}-/);
    expect(h('content-type')).toBe('application/protobuf');
    expect(h('traceparent')).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    expect(event.key?.toString()).toBe(id);
    const payload = CaseDeclared.decode(event.value!);
    expect(payload.certificate!.statement!.number).toBe(sameLineCase!.certificate!.statement!.number);

    const verified = await client.verifySameLineCertificate({
      certificateNumber: sameLineCase!.certificate!.statement!.number,
      statement: undefined,
      signature: undefined,
    });
    expect(verified).toMatchObject({ genuine: true, current: true, reason: SameLineVerificationReason.SAME_LINE_VERIFICATION_REASON_VALID });
    expect(verified.listing).toMatchObject({
      enterpriseCreditCode: CHENGYU,
      path: SameLinePath.SAME_LINE_PATH_SELF_DECLARED,
      state: CaseState.CASE_STATE_DECLARED,
    });
  });

  it('refuses a declaration with a gap, with every gap as a field violation, and stores and emits nothing', async () => {
    const id = caseId('refused');
    const error = await failure(
      client.fileCase(
        fileRequest(SameLinePath.SAME_LINE_PATH_SELF_DECLARED, JACKET, [report('R-bad', { 'oxygen-number': '6.1', turbidity: '450' })], id),
        owner,
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const violations = fieldViolationsOf(error);
    expect(violations.map((v) => [v.field, v.reason])).toEqual([
      ['same_line_case.domestic_reports[0].measurements', 'LIMIT_NOT_MET'],
      ['same_line_case.domestic_reports[0].measurements', 'LIMIT_NOT_MET'],
    ]);
    expect(violations[0]!.description).toContain('R-bad#oxygen-number');
    expect((await failure(client.getCase({ name: `cases/${id}` }, owner))).code).toBe(status.NOT_FOUND);
    // Sentinel on the same key (the case id): a passing declaration under the same id. Its
    // event comes after anything the refused filing could have sent.
    await client.fileCase(fileRequest(SameLinePath.SAME_LINE_PATH_SELF_DECLARED, JACKET, [report('R-good')], id), owner);
    await waitForEvent(id, 'declared');
    // Filing under a taken id is ALREADY_EXISTS and announces nothing either.
    const taken = await failure(client.fileCase(fileRequest(SameLinePath.SAME_LINE_PATH_SELF_DECLARED, JACKET, [report('R-again')], id), owner));
    expect(taken.code).toBe(status.ALREADY_EXISTS);
    await client.withdrawCase({ name: `cases/${id}`, reason: 'sentinel' }, owner);
    await waitForEvent(id, 'withdrawn');
    expect(typesOf(id)).toEqual(['declared', 'withdrawn']);
  });

  it('compares at the level the case claims, and refuses a level the domestic standards do not have', async () => {
    const error = await failure(
      client.fileCase(fileRequest(SameLinePath.SAME_LINE_PATH_SELF_DECLARED, JACKET, [report('R-2')], caseId('gold'), { claimedLevel: 'GOLD' }), owner),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error)[0]).toMatchObject({ field: 'same_line_case.claimed_level', reason: 'UNKNOWN_LEVEL' });
    const { sameLineCase } = await client.fileCase(
      fileRequest(SameLinePath.SAME_LINE_PATH_SELF_DECLARED, JACKET, [report('R-3')], caseId('superior'), { claimedLevel: 'SUPERIOR' }),
      owner,
    );
    expect(sameLineCase!.checks!.comparedLevels).toContainEqual({ standardCode: 'GB/T 14272-2021', side: 'DOMESTIC', level: 'SUPERIOR' });
  });
});

describe('the third-party path', () => {
  it('walks FILED → UNDER_EVALUATION → CERTIFIED with findings, keeping every transition and announcing filed and certified', async () => {
    const id = caseId('coat');
    const { sameLineCase: filed } = await client.fileCase(
      fileRequest(SameLinePath.SAME_LINE_PATH_THIRD_PARTY, COAT, [report('R-10'), report('R-11', { 'oxygen-number': '3.0' })], id),
      owner,
    );
    expect(filed!.state).toBe(CaseState.CASE_STATE_FILED);
    expect(filed!.checks!.passed).toBe(true);
    // The coat and its twin share line 2 only.
    expect(filed!.productionLines).toEqual(['productionLines/line-chengyu-down-2']);

    const { sameLineCase: evaluating } = await client.startEvaluation({ name: filed!.name, certificationBody: '' }, certifier);
    expect(evaluating).toMatchObject({
      state: CaseState.CASE_STATE_UNDER_EVALUATION,
      certificationBody: 'certificationBodies/91110108MA01R6KX53',
      certificationBodyCnasNumber: HUAZHI,
    });
    await client.addFinding(
      {
        name: filed!.name,
        finding: {
          name: '',
          severity: FindingSeverity.FINDING_SEVERITY_MINOR,
          indicatorId: 'oxygen-number',
          text: 'batch records incomplete for B-10',
          author: '',
          authorOrganisation: '',
        },
      },
      certifier,
    );
    const { sameLineCase: done } = await client.certifyCase({ name: filed!.name, notes: 'line audit on site' }, certifier);
    expect(done!.state).toBe(CaseState.CASE_STATE_CERTIFIED);
    expect(done!.findings).toHaveLength(1);
    expect(done!.certificate!.statement).toMatchObject({
      number: expect.stringMatching(/^PZ-SC-\d{4}-/),
      issuer: 'certificationBodies/91110108MA01R6KX53',
      issuerCnasNumber: HUAZHI,
    });
    expect(done!.history.map((t) => [t.action, t.toState, t.role, t.organisation])).toEqual([
      ['file', CaseState.CASE_STATE_FILED, 'enterprise', CHENGYU],
      ['start_evaluation', CaseState.CASE_STATE_UNDER_EVALUATION, 'certifier', HUAZHI],
      ['certify', CaseState.CASE_STATE_CERTIFIED, 'certifier', HUAZHI],
    ]);
    await waitForEvent(id, 'certified');
    expect(typesOf(id)).toEqual(['filed', 'certified']);
    const payload = CaseCertified.decode(eventsOf(id).at(-1)!.value!);
    expect(payload.sameLineCase!.state).toBe(CaseState.CASE_STATE_CERTIFIED);

    // An illegal step names the current state and changes nothing.
    const again = await failure(client.startEvaluation({ name: filed!.name, certificationBody: '' }, certifier));
    expect(again.code).toBe(status.FAILED_PRECONDITION);
    expect(again.details).toContain('CERTIFIED');
    const late = await failure(client.rejectCase({ name: filed!.name, reasons: ['too late'] }, admin));
    expect(late.code).toBe(status.FAILED_PRECONDITION);
    expect(late.details).toContain('CERTIFIED');
  });

  it('does not certify over a major finding; the body rejects with reasons', async () => {
    const { sameLineCase } = await client.fileCase(fileRequest(SameLinePath.SAME_LINE_PATH_THIRD_PARTY, COAT, [report('R-20')]), owner);
    await client.startEvaluation({ name: sameLineCase!.name, certificationBody: '' }, certifier);
    await client.addFinding(
      {
        name: sameLineCase!.name,
        finding: {
          name: '',
          severity: FindingSeverity.FINDING_SEVERITY_MAJOR,
          indicatorId: '',
          text: 'export batches come from a second, unregistered line',
          author: '',
          authorOrganisation: '',
        },
      },
      certifier,
    );
    const refused = await failure(client.certifyCase({ name: sameLineCase!.name, notes: '' }, certifier));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.details).toContain('major');
    const { sameLineCase: rejected } = await client.rejectCase(
      { name: sameLineCase!.name, reasons: ['export batches not made on the registered line'] },
      certifier,
    );
    expect(rejected).toMatchObject({ state: CaseState.CASE_STATE_REJECTED, rejectionReasons: ['export batches not made on the registered line'] });
    await waitForEvent(idOf(rejected!), 'rejected');
  });

  it('refuses certification while the checks find gaps, naming them', async () => {
    const { sameLineCase } = await client.fileCase(fileRequest(SameLinePath.SAME_LINE_PATH_THIRD_PARTY, COAT, [report('R-30', { turbidity: '420' })]), owner);
    // Filed anyway on this path, gaps kept for the evaluator.
    expect(sameLineCase!.checks!.passed).toBe(false);
    await client.startEvaluation({ name: sameLineCase!.name, certificationBody: '' }, certifier);
    const error = await failure(client.certifyCase({ name: sameLineCase!.name, notes: '' }, certifier));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(fieldViolationsOf(error).map((v) => v.reason)).toEqual(['LIMIT_NOT_MET']);
  });
});

describe('who may do what', () => {
  it('refuses another enterprise, a marketplace, and a certifier outside same-line, storing nothing', async () => {
    const request = fileRequest(SameLinePath.SAME_LINE_PATH_THIRD_PARTY, COAT, [report('R-40')]);
    expect((await failure(client.fileCase(request, otherEnterprise))).code).toBe(status.PERMISSION_DENIED);
    expect((await failure(client.fileCase(request, marketplace))).code).toBe(status.PERMISSION_DENIED);
    expect((await failure(client.getCase({ name: `cases/${request.caseId}` }, owner))).code).toBe(status.NOT_FOUND);

    const { sameLineCase } = await client.fileCase(request, owner);
    expect((await failure(client.getCase({ name: sameLineCase!.name }, otherEnterprise))).code).toBe(status.NOT_FOUND);
    // Pinheng (CNAS C962-P) is accredited for grading only.
    expect((await failure(client.startEvaluation({ name: sameLineCase!.name, certificationBody: '' }, outsideCertifier))).code).toBe(status.PERMISSION_DENIED);
    expect((await failure(client.getCase({ name: sameLineCase!.name }, outsideCertifier))).code).toBe(status.NOT_FOUND);
    // An eligible body sees the FILED case waiting for it; a regulator sees it too.
    expect((await client.getCase({ name: sameLineCase!.name }, certifier)).sameLineCase!.state).toBe(CaseState.CASE_STATE_FILED);
    expect((await client.getCase({ name: sameLineCase!.name }, regulator)).sameLineCase!.state).toBe(CaseState.CASE_STATE_FILED);
    // Only the evaluating body certifies; the enterprise cannot.
    expect((await failure(client.certifyCase({ name: sameLineCase!.name, notes: '' }, owner))).code).toBe(status.PERMISSION_DENIED);
    const { sameLineCases } = await client.listCases({ pageSize: 500, pageToken: '', enterprise: '', state: 'FILED', product: '' }, certifier);
    expect(sameLineCases.map((c) => c.name)).toContain(sameLineCase!.name);
    expect(
      (await failure(client.listCases({ pageSize: 10, pageToken: '', enterprise: `enterprises/${CHENGYU}`, state: '', product: '' }, otherEnterprise))).code,
    ).toBe(status.PERMISSION_DENIED);
    // The owner pages through its own cases.
    const first = await client.listCases({ pageSize: 1, pageToken: '', enterprise: '', state: '', product: `products/${COAT}` }, owner);
    const second = await client.listCases({ pageSize: 1, pageToken: first.nextPageToken, enterprise: '', state: '', product: `products/${COAT}` }, owner);
    expect(first.nextPageToken).not.toBe('');
    expect(second.sameLineCases[0]!.name > first.sameLineCases[0]!.name).toBe(true);
    expect([...first.sameLineCases, ...second.sameLineCases].every((c) => c.enterprise === `enterprises/${CHENGYU}`)).toBe(true);
  });

  it('refuses a product of another enterprise and a malformed request as field violations', async () => {
    expect((await failure(client.fileCase(fileRequest(SameLinePath.SAME_LINE_PATH_SELF_DECLARED, SNOWSUIT, [infantReport('R-41')]), owner))).code).toBe(
      status.PERMISSION_DENIED,
    );
    const error = await failure(
      client.fileCase({ caseId: 'Bad Id', sameLineCase: SameLineCase.fromPartial({ domesticProduct: 'products/123', exportMarket: 'europe' }) }, owner),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error).map((v) => v.field)).toEqual(
      expect.arrayContaining([
        'case_id',
        'same_line_case.path',
        'same_line_case.domestic_product',
        'same_line_case.export_market',
        'same_line_case.domestic_reports',
      ]),
    );
  });
});

describe('surveillance', () => {
  it('suspends a certificate when a grade of its twin is revoked, and the body reinstates it; the owner withdraws it', async () => {
    const c = await certified();
    const id = idOf(c);
    const { grade } = await grading.issueGrade(
      { product: `products/${COAT}`, standardCode: 'GB/T 14272-2021', decisionRule: 0, report: { ...report(`G-${randomUUID().slice(0, 8)}`), batch: '' } },
      certifier,
    );
    await grading.revokeGrade({ name: grade!.name, reason: 'fraudulent report' }, regulator);
    const event = await waitForEvent(id, 'suspended');
    const suspended = CaseSuspended.decode(event.value!);
    expect(suspended).toMatchObject({ cause: grade!.name, causeEventType: 'pinzhi.grading.grade.revoked.v1' });
    expect(suspended.reason).toContain('revoked');
    const { sameLineCase: stored } = await client.getCase({ name: c.name }, owner);
    expect(stored).toMatchObject({ state: CaseState.CASE_STATE_SUSPENDED, suspensionReason: suspended.reason });
    expect(stored!.surveillance).toEqual([expect.objectContaining({ cause: grade!.name, product: `products/${COAT}`, suspended: true })]);
    expect(stored!.history.at(-1)).toMatchObject({ action: 'suspend', role: 'system' });
    const number = c.certificate!.statement!.number;
    expect(await client.verifySameLineCertificate({ certificateNumber: number, statement: undefined, signature: undefined })).toMatchObject({
      genuine: true,
      current: false,
      reason: SameLineVerificationReason.SAME_LINE_VERIFICATION_REASON_SUSPENDED,
    });
    // The listing shows why.
    const { listings } = await client.searchListings({
      pageSize: 500,
      pageToken: '',
      enterpriseCreditCode: '',
      gtin: COAT,
      category: '',
      exportMarket: '',
      path: 0,
      state: CaseState.CASE_STATE_SUSPENDED,
    });
    expect(listings.find((l) => l.sameLineCase === c.name)!.stateReason).toContain('revoked');

    expect((await failure(client.reinstateCase({ name: c.name, reason: 'retested', domesticReports: [], exportReports: [] }, owner))).code).toBe(
      status.PERMISSION_DENIED,
    );
    const { sameLineCase: back } = await client.reinstateCase(
      { name: c.name, reason: 'retested batch B-52 at an independent lab', domesticReports: [report('R-52')], exportReports: [] },
      certifier,
    );
    expect(back).toMatchObject({ state: CaseState.CASE_STATE_CERTIFIED, suspensionReason: '' });
    expect(back!.domesticReports.map((r) => r.reportNumber)).toEqual(['R-52']);
    await waitForEvent(id, 'reinstated');
    expect((await client.verifySameLineCertificate({ certificateNumber: number, statement: undefined, signature: undefined })).reason).toBe(
      SameLineVerificationReason.SAME_LINE_VERIFICATION_REASON_VALID,
    );

    const { sameLineCase: gone } = await client.withdrawCase({ name: c.name, reason: 'model discontinued' }, owner);
    expect(gone!.state).toBe(CaseState.CASE_STATE_WITHDRAWN);
    await waitForEvent(id, 'withdrawn');
    expect(typesOf(id)).toEqual(['filed', 'certified', 'suspended', 'reinstated', 'withdrawn']);
    expect((await client.verifySameLineCertificate({ certificateNumber: number, statement: undefined, signature: undefined })).reason).toBe(
      SameLineVerificationReason.SAME_LINE_VERIFICATION_REASON_WITHDRAWN,
    );
    const illegal = await failure(client.reinstateCase({ name: c.name, reason: 'x', domesticReports: [], exportReports: [] }, certifier));
    expect(illegal.code).toBe(status.FAILED_PRECONDITION);
    expect(illegal.details).toContain('WITHDRAWN');
  });

  it('suspends a declaration on a failed supervision sample once, however often the sample arrives; the enterprise reinstates on new evidence that passes', async () => {
    const c = await declared(SNOWSUIT, [infantReport('R-60')]);
    const id = idOf(c);
    const sampleId = `SAMR-${randomUUID().slice(0, 8)}`;
    const sample = (sid: string) =>
      SampleReported.encode(
        SampleReported.fromPartial({
          sampleId: sid,
          product: `products/${SNOWSUIT}`,
          standardCode: 'GB 18401-2010',
          passed: false,
          regulator: 'SAMR Guangdong',
          report: {
            laboratoryCnasNumber: 'CNAS L0192',
            reportNumber: sid,
            sampleId: sid,
            testedOn: '2026-11-25',
            measurements: superiorMeasurements({ formaldehyde: '31' }),
          },
        }),
      ).finish();
    const event = newCloudEvent({ source: '/samr', type: supervisionStream.types.reported, subject: `products/${SNOWSUIT}`, data: sample(sampleId) });
    const topic = sameLine.topic(supervisionStream);
    await publisher.publish([{ topic, key: SNOWSUIT, event }]);
    await waitForEvent(id, 'suspended');
    // The same event again (a redelivery: the kit skips it), and the same sample under a new
    // event id (the effect is idempotent on the sample), then a passed sample (ignored).
    await publisher.publish([{ topic, key: SNOWSUIT, event }]);
    await publisher.publish([{ topic, key: SNOWSUIT, event: { ...event, id: randomUUID() } }]);
    const passed = newCloudEvent({
      source: '/samr',
      type: supervisionStream.types.reported,
      subject: `products/${SNOWSUIT}`,
      data: SampleReported.encode(SampleReported.fromPartial({ sampleId: `${sampleId}-ok`, product: `products/${SNOWSUIT}`, passed: true })).finish(),
    });
    await publisher.publish([{ topic, key: SNOWSUIT, event: passed }]);
    // Sentinel on the same key: another failed sample, recorded on the suspended case without
    // a new suspension; once it shows, everything published before it has been handled.
    const sentinelId = `${sampleId}-2`;
    await publisher.publish([
      {
        topic,
        key: SNOWSUIT,
        event: newCloudEvent({ source: '/samr', type: supervisionStream.types.reported, subject: `products/${SNOWSUIT}`, data: sample(sentinelId) }),
      },
    ]);
    const surveillance = await waitFor(
      async () => {
        const { sameLineCase } = await client.getCase({ name: c.name }, tongyue);
        return sameLineCase!.surveillance.some((r) => r.cause === `supervisionSamples/${sentinelId}`) && sameLineCase!.surveillance;
      },
      { what: 'the sentinel sample on the case' },
    );
    expect(surveillance.map((r) => [r.cause, r.suspended])).toEqual([
      [`supervisionSamples/${sampleId}`, true],
      [`supervisionSamples/${sentinelId}`, false],
    ]);

    // Self path: reinstated by new evidence, which must be given and must pass.
    const missing = await failure(client.reinstateCase({ name: c.name, reason: 'retested', domesticReports: [], exportReports: [] }, tongyue));
    expect(fieldViolationsOf(missing)[0]).toMatchObject({ field: 'domestic_reports', reason: 'REQUIRED' });
    const failing = await failure(
      client.reinstateCase({ name: c.name, reason: 'retested', domesticReports: [infantReport('R-61', { 'oxygen-number': '7' })], exportReports: [] }, tongyue),
    );
    expect(failing.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(failing).map((v) => v.reason)).toEqual(['LIMIT_NOT_MET']);
    expect((await client.getCase({ name: c.name }, tongyue)).sameLineCase!.state).toBe(CaseState.CASE_STATE_SUSPENDED);
    const { sameLineCase: back } = await client.reinstateCase(
      { name: c.name, reason: 'batch B-62 retested', domesticReports: [infantReport('R-62')], exportReports: [] },
      tongyue,
    );
    expect(back!.state).toBe(CaseState.CASE_STATE_DECLARED);
    await waitForEvent(id, 'reinstated');
    expect(typesOf(id)).toEqual(['declared', 'suspended', 'reinstated']);
  });
});

describe('the public listing', () => {
  it('searches by enterprise, GTIN, category, market, path and state, newest first, page by page', async () => {
    const mine = [await declared(), await declared(), await declared()];
    const filter = {
      enterpriseCreditCode: CHENGYU,
      gtin: JACKET_EU,
      category: 'down-garment',
      exportMarket: 'EU',
      path: SameLinePath.SAME_LINE_PATH_SELF_DECLARED,
      state: CaseState.CASE_STATE_DECLARED,
    };
    const seen: string[] = [];
    const times: number[] = [];
    let pageToken = '';
    do {
      const page = await client.searchListings({ ...filter, pageSize: 2, pageToken });
      expect(page.listings.length).toBeLessThanOrEqual(2);
      for (const l of page.listings) {
        expect(l).toMatchObject({
          enterpriseCreditCode: CHENGYU,
          category: 'down-garment',
          exportMarket: 'EU',
          path: SameLinePath.SAME_LINE_PATH_SELF_DECLARED,
          state: CaseState.CASE_STATE_DECLARED,
        });
        expect(l.exportProduct).toMatchObject({ gtin: JACKET_EU, model: 'CY-M2401-EU' });
        expect(l.domesticProduct).toMatchObject({ gtin: JACKET, model: 'CY-M2401' });
        expect(l.domesticStandardCodes).toEqual(['GB/T 14272-2021', 'GB 18401-2010']);
        expect(l.evidence).toMatchObject({ domesticReportCount: 1, laboratoryCnasNumbers: ['CNAS L99501'] });
        seen.push(l.sameLineCase);
        times.push(l.listingTime!.getTime());
      }
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(mine.map((c) => c.name)));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The newest first: the last one filed leads.
    expect(seen[0]).toBe(mine[2]!.name);

    const none = async (f: object) => (await client.searchListings({ ...filter, pageSize: 10, pageToken: '', ...f })).listings;
    expect(await none({ exportMarket: 'US' })).toEqual([]);
    expect(await none({ category: 'footwear' })).toEqual([]);
    expect(await none({ enterpriseCreditCode: TONGYUE })).toEqual([]);
    expect(await none({ path: SameLinePath.SAME_LINE_PATH_THIRD_PARTY })).toEqual([]);

    const first = await client.searchListings({ ...filter, pageSize: 1, pageToken: '' });
    const mismatch = await failure(client.searchListings({ ...filter, exportMarket: '', pageSize: 1, pageToken: first.nextPageToken }));
    expect(fieldViolationsOf(mismatch)[0]).toMatchObject({ field: 'page_token', reason: 'PAGE_TOKEN_MISMATCH' });
    const notPublic = await failure(client.searchListings({ ...filter, state: CaseState.CASE_STATE_FILED, pageSize: 1, pageToken: '' }));
    expect(fieldViolationsOf(notPublic)[0]).toMatchObject({ field: 'state', reason: 'NOT_LISTED' });
  });

  it('never lists a case before it is declared or certified', async () => {
    const { sameLineCase } = await client.fileCase(fileRequest(SameLinePath.SAME_LINE_PATH_THIRD_PARTY, COAT, [report('R-70')]), owner);
    const { listings } = await client.searchListings({
      pageSize: 500,
      pageToken: '',
      enterpriseCreditCode: CHENGYU,
      gtin: '',
      category: '',
      exportMarket: '',
      path: 0,
      state: 0,
    });
    expect(listings.length).toBeGreaterThan(0);
    expect(listings.map((l) => l.sameLineCase)).not.toContain(sameLineCase!.name);
  });
});

describe('signed statements', () => {
  it('verifies a certificate offline-checkable with the published keys, and fails it after one changed byte', async () => {
    const c = await certified();
    const { statement, signature } = c.certificate!;
    expect(await client.verifySameLineCertificate({ statement, signature, certificateNumber: '' })).toMatchObject({ genuine: true, current: true });
    const forged = { ...statement!, exportModel: statement!.exportModel.replace(/.$/, (ch) => (ch === 'U' ? 'V' : 'U')) };
    expect(await client.verifySameLineCertificate({ statement: forged, signature, certificateNumber: '' })).toMatchObject({
      genuine: false,
      current: false,
      reason: SameLineVerificationReason.SAME_LINE_VERIFICATION_REASON_SIGNATURE_INVALID,
    });
    const { keys } = await client.getSigningKeys({});
    expect(keys.map((k) => k.keyId)).toContain(signature!.keyId);
    expect((await client.verifySameLineCertificate({ certificateNumber: 'PZ-SC-2026-no-such-case', statement: undefined, signature: undefined })).reason).toBe(
      SameLineVerificationReason.SAME_LINE_VERIFICATION_REASON_NOT_FOUND,
    );
  });

  it('expires statements at the end of their validity through the sweep', async () => {
    const c = await declared();
    clockOffsetMs = 366 * 24 * 3600 * 1000;
    try {
      const expired = await sameLine.exposed.useCases.expireDue(1000);
      expect(expired).toBeGreaterThanOrEqual(1);
      await waitForEvent(idOf(c), 'expired');
      expect(
        (await client.verifySameLineCertificate({ certificateNumber: c.certificate!.statement!.number, statement: undefined, signature: undefined })).reason,
      ).toBe(SameLineVerificationReason.SAME_LINE_VERIFICATION_REASON_EXPIRED);
    } finally {
      clockOffsetMs = 0;
    }
  });
});

describe('seeds', () => {
  it('loads one declared, one certified and one suspended case once; a second load changes nothing', async () => {
    const seed = () => loadSameLineSeeds(sameLine.exposed.useCases, new CatalogueReader(sameLine.db), logger);
    expect(await seed()).toBe(3);
    expect(await seed()).toBe(0);
    const stateOf = async (id: string) => (await client.getCase({ name: `cases/${id}` }, admin)).sameLineCase!.state;
    expect(await stateOf('chengyu-jacket-eu')).toBe(CaseState.CASE_STATE_DECLARED);
    expect(await stateOf('chengyu-coat-eu')).toBe(CaseState.CASE_STATE_CERTIFIED);
    expect(await stateOf('xiaoyue-snowsuit-eu')).toBe(CaseState.CASE_STATE_SUSPENDED);
  });
});
