import { randomUUID } from 'node:crypto';
import { status, type Metadata } from '@grpc/grpc-js';
import { loadSeeds } from '@pinzhi/catalogue/testing';
import { ValuationFlaggedForReview, ValuationPublished } from '@pinzhi/contracts/pinzhi/brand/v1/events';
import { BrandValuationServiceService, ValuationVerificationReason } from '@pinzhi/contracts/pinzhi/brand/v1/brand_valuation_service';
import { Application, ApplicationState, Sector, ValuationMethod } from '@pinzhi/contracts/pinzhi/brand/v1/resources';
import { GradingServiceService } from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { sameLineStream, valuationStream } from '@pinzhi/events';
import { gradingService, superiorMeasurements } from '@pinzhi/grading/testing';
import { createEventPublisher, createUnaryClient, fieldViolationsOf, newCloudEvent, type UnaryClient } from '@pinzhi/platform';
import { CaseState, SameLineCase } from '@pinzhi/contracts/pinzhi/sameline/v1/resources';
import { startTelemetry } from '@pinzhi/platform/telemetry';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, dropDatabase, failure, logger, namespace, startServiceForTest, testKafka, waitFor } from '../../../test/support/harness.js';
import { CatalogueReader } from '@pinzhi/catalogue-reader';
import { brandValuationService } from '../src/brand-valuation-service.js';
import type { BrandValuationUseCases } from '../src/app/brand-valuation-use-cases.js';
import { loadValuationSeeds } from '../src/seed.js';

// Seeded facts (seeds/catalogue): CHENGYU belongs to Suzhou Chengyu; Zhongpin (CNAS C977-P) is
// accredited for brand-valuation, Huazhi (CNAS C951-P) only for grading and same-line.
const BRAND = 'brands/brand-chengyu';
const OWNER_ORG = '91320500MA1N7D4B8T';
const EVALUATOR_ORG = 'CNAS C977-P';
const JACKET = '06934567801012';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

// Trace context propagates from gRPC through the outbox to the event's traceparent header.
startTelemetry({ serviceName: 'brand-valuation-test' });

const ns = namespace('brand');
let kafka: Kafka;
let seed: () => Promise<number>;
let sameLineTopic: string;
let client: UnaryClient<typeof BrandValuationServiceService>;
let grading: UnaryClient<typeof GradingServiceService>;
let owner: Metadata;
let otherEnterprise: Metadata;
let evaluator: Metadata;
let gradingOnlyCertifier: Metadata;
let admin: Metadata;
let marketplace: Metadata;
const records: KafkaMessage[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

/** Three profitable years of ¥120 m net profit (manufacturing needs an average of ¥100 m). */
function inputs(netProfit = '120000000.00') {
  const year = (y: number) => ({
    year: y,
    revenue: '800000000.00',
    operatingProfit: '160000000.00',
    netProfit,
    currentAssets: '300000000.00',
    nonCurrentAssets: '500000000.00',
    incomeTaxRate: '0.25',
  });
  const score = (value: number, evidence: string) => ({ score: value, evidence });
  return {
    brand: BRAND,
    sector: Sector.SECTOR_MANUFACTURING,
    valuationDate: '2026-06-30',
    historicalYears: [year(2023), year(2024), year(2025)],
    forecast: [2026, 2027, 2028, 2029, 2030].map((y) => ({ year: y, revenue: '850000000.00', operatingMargin: '0.20' })),
    discount: { $case: 'discountRate' as const, value: '0.10' },
    terminalGrowth: '0.02',
    royaltyRateRange: { low: '0.03', high: '0.05' },
    lendingRateOneYear: '0.03',
    lendingRateFiveYear: '0.035',
    brandAttributableShare: '0.3',
    brandStrength: {
      tangible: score(70, 'two plants'),
      quality: score(80, 'no failed samples since 2022'),
      innovation: score(60, '12 patents'),
      service: score(65, '48-hour repairs'),
      intangible: score(55, 'founded 2005'),
    },
    headlineMethod: ValuationMethod.VALUATION_METHOD_RELIEF_FROM_ROYALTY,
  };
}

const eventsOf = (name: string) =>
  records.filter((r) => r.headers?.ce_subject?.toString() === name || r.headers?.ce_subject?.toString() === name.replace('applications/', 'valuations/'));
const typesOf = (name: string) => eventsOf(name).map((r) => r.headers!.ce_type!.toString());

async function draft(netProfit?: string) {
  const { application } = await client.createApplication(
    { application: Application.fromPartial(inputs(netProfit)), applicationId: `chengyu-${randomUUID().slice(0, 8)}` },
    owner,
  );
  return application!;
}

async function published() {
  const application = await draft();
  await client.submitApplication({ name: application.name }, owner);
  await client.startReview({ name: application.name, evaluator: '' }, evaluator);
  await client.evaluateApplication({ name: application.name, headlineMethod: 0, evaluatorNotes: 'checked the audited accounts' }, evaluator);
  // The caller's trace (W3C traceparent) travels with the call into the event it causes.
  const traced = evaluator.clone();
  traced.set('traceparent', `00-${TRACE_ID}-00f067aa0ba902b7-01`);
  const { valuation } = await client.publishValuation({ name: application.name }, traced);
  return { application, valuation: valuation! };
}

beforeAll(async () => {
  const brandService = await startServiceForTest(brandValuationService, { ns });
  cleanups.push(() => brandService.stop());
  const gradingInstance = await startServiceForTest(gradingService, { ns });
  cleanups.push(() => gradingInstance.stop());
  await loadSeeds(brandService.db, brandService.relay, logger);
  sameLineTopic = brandService.topic(sameLineStream);
  seed = () => loadValuationSeeds((brandService.exposed as { useCases: BrandValuationUseCases }).useCases, new CatalogueReader(brandService.db), logger);
  client = createUnaryClient(BrandValuationServiceService, brandService.address);
  grading = createUnaryClient(GradingServiceService, gradingInstance.address);
  [owner, otherEnterprise, evaluator, gradingOnlyCertifier, admin, marketplace] = await Promise.all([
    bearer('enterprise', OWNER_ORG),
    bearer('enterprise', '91330100MA2H8P5R6H'),
    bearer('certifier', EVALUATOR_ORG),
    bearer('certifier', 'CNAS C951-P'),
    bearer('admin', 'pinzhi'),
    bearer('marketplace', 'SHOP'),
  ]);
  kafka = testKafka('brand-test');
  const consumer = kafka.consumer({ groupId: ns.group('events') });
  await consumer.connect();
  await consumer.subscribe({ topic: brandService.topic(valuationStream), fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void records.push(message) });
  cleanups.push(() => consumer.disconnect());
  await brandService.consumersReady;
}, 120_000);

afterAll(async () => {
  client?.close();
  grading?.close();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await dropDatabase(ns.dbName);
});

describe('the application workflow', () => {
  it('walks DRAFT → SUBMITTED → UNDER_REVIEW → EVALUATED → PUBLISHED, keeping every transition and announcing each step', async () => {
    const { application, valuation } = await published();
    const { application: stored } = await client.getApplication({ name: application.name }, owner);
    expect(stored!.state).toBe(ApplicationState.APPLICATION_STATE_PUBLISHED);
    expect(stored!.history.map((t) => [t.toState, t.role, t.organisation])).toEqual([
      [ApplicationState.APPLICATION_STATE_DRAFT, 'enterprise', OWNER_ORG],
      [ApplicationState.APPLICATION_STATE_SUBMITTED, 'enterprise', OWNER_ORG],
      [ApplicationState.APPLICATION_STATE_UNDER_REVIEW, 'certifier', EVALUATOR_ORG],
      [ApplicationState.APPLICATION_STATE_EVALUATED, 'certifier', EVALUATOR_ORG],
      [ApplicationState.APPLICATION_STATE_PUBLISHED, 'certifier', EVALUATOR_ORG],
    ]);
    expect(stored!.evaluator).toBe('certificationBodies/91110105MA00BP7K2U');
    expect(valuation.valueDecimal).toMatch(/^\d+\.\d{2}$/);
    expect(valuation.method).toBe(ValuationMethod.VALUATION_METHOD_RELIEF_FROM_ROYALTY);

    await waitFor(() => typesOf(application.name).length >= 3 || undefined, { what: 'three events' });
    expect(typesOf(application.name)).toEqual([
      'pinzhi.brand.application.submitted.v1',
      'pinzhi.brand.application.evaluated.v1',
      'pinzhi.brand.valuation.published.v1',
    ]);
    const publishedEvent = eventsOf(application.name).at(-1)!;
    expect(publishedEvent.key?.toString()).toBe('brand-chengyu');
    expect(publishedEvent.headers?.ce_source?.toString()).toBe('/pinzhi/brand-valuation');
    expect(publishedEvent.headers?.traceparent?.toString()).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    const payload = ValuationPublished.decode(publishedEvent.value!);
    expect(payload).toMatchObject({
      valueDecimal: valuation.valueDecimal,
      currencyCode: 'CNY',
      evaluator: 'certificationBodies/91110105MA00BP7K2U',
      brand: BRAND,
    });
    expect(payload.bsi).toBeCloseTo(valuation.bsi, 6);
  });

  it('returns the whole calculation, whose headline equals the published value and whose years re-add by hand', async () => {
    const { application, valuation } = await published();
    const { report } = await client.getValuationReport({ name: `${application.name}/valuationReport` }, owner);
    expect(report!.headline!.total).toBe(valuation.valueDecimal);
    expect(report!.headline!.years).toHaveLength(5);
    expect(report!.crossCheck!.method).toBe(ValuationMethod.VALUATION_METHOD_EXCESS_EARNINGS);
    // Present values plus the terminal's present value make the total, to within a fen per line.
    const fen = (s: string) => Math.round(Number(s) * 100);
    const sum = report!.headline!.years.reduce((n, y) => n + fen(y.presentValue), 0) + fen(report!.headline!.terminalPresentValue);
    expect(Math.abs(sum - fen(report!.headline!.total))).toBeLessThanOrEqual(6);
    expect(report!.sensitivity!.rows.length).toBeGreaterThanOrEqual(9);
  });

  it('refuses an ineligible application with every reason, and it stays a DRAFT with no event', async () => {
    const application = await draft('20000000.00');
    const error = await failure(client.submitApplication({ name: application.name }, owner));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const violations = fieldViolationsOf(error);
    expect(violations.length).toBeGreaterThanOrEqual(1);
    expect(
      violations.map((v) => v.reason),
      JSON.stringify(violations),
    ).toContain('NOT_ELIGIBLE');
    const { application: stored } = await client.getApplication({ name: application.name }, owner);
    expect(stored!.state).toBe(ApplicationState.APPLICATION_STATE_DRAFT);
    // A later event on the same key (brand) arrives after anything this submit could have sent.
    const sentinel = await published();
    await waitFor(() => typesOf(sentinel.application.name).includes('pinzhi.brand.valuation.published.v1') || undefined, { what: 'the sentinel' });
    expect(typesOf(application.name)).toEqual([]);
  });

  it('names the current state when a step is out of order, and changes nothing', async () => {
    const application = await draft();
    const error = await failure(client.evaluateApplication({ name: application.name, headlineMethod: 0, evaluatorNotes: '' }, evaluator));
    // The evaluator is not yet assigned, so it cannot see the application at all.
    expect(error.code).toBe(status.NOT_FOUND);
    const early = await failure(client.publishValuation({ name: application.name }, admin));
    expect(early.code).toBe(status.FAILED_PRECONDITION);
    expect(early.details).toContain('DRAFT');
    const { application: stored } = await client.getApplication({ name: application.name }, owner);
    expect(stored!.history).toHaveLength(1);
  });

  it('lets the applicant withdraw before publication, and an admin reject with reasons', async () => {
    const withdrawn = await draft();
    await client.submitApplication({ name: withdrawn.name }, owner);
    const { application: w } = await client.withdrawApplication({ name: withdrawn.name, reason: 'restating 2025 accounts' }, owner);
    expect(w!.state).toBe(ApplicationState.APPLICATION_STATE_WITHDRAWN);
    const rejected = await draft();
    await client.submitApplication({ name: rejected.name }, owner);
    const { application: r } = await client.rejectApplication({ name: rejected.name, reasons: ['accounts not audited'] }, admin);
    expect(r!.state).toBe(ApplicationState.APPLICATION_STATE_REJECTED);
    expect(r!.rejectionReasons).toEqual(['accounts not audited']);
  });
});

describe('who may do what', () => {
  it('refuses another enterprise, a marketplace, an unknown brand and a body not accredited for brand-valuation, storing nothing', async () => {
    const request = { application: Application.fromPartial(inputs()), applicationId: `x-${randomUUID().slice(0, 8)}` };
    expect((await failure(client.createApplication(request, otherEnterprise))).code).toBe(status.PERMISSION_DENIED);
    expect((await failure(client.createApplication(request, marketplace))).code).toBe(status.PERMISSION_DENIED);
    const unknown = { ...request, application: Application.fromPartial({ ...inputs(), brand: 'brands/no-such-brand' }) };
    expect((await failure(client.createApplication(unknown, owner))).code).toBe(status.NOT_FOUND);
    expect((await failure(client.getApplication({ name: `applications/${request.applicationId}` }, owner))).code).toBe(status.NOT_FOUND);

    const application = await draft();
    await client.submitApplication({ name: application.name }, owner);
    expect((await failure(client.startReview({ name: application.name, evaluator: '' }, gradingOnlyCertifier))).code).toBe(status.PERMISSION_DENIED);
    expect((await failure(client.getApplication({ name: application.name }, otherEnterprise))).code).toBe(status.NOT_FOUND);
    await client.startReview({ name: application.name, evaluator: '' }, evaluator);
    // Only the assigned body evaluates.
    expect((await failure(client.evaluateApplication({ name: application.name, headlineMethod: 0, evaluatorNotes: '' }, gradingOnlyCertifier))).code).toBe(
      status.NOT_FOUND,
    );
  });

  it('refuses bad values as field violations naming the input', async () => {
    const bad = inputs();
    bad.terminalGrowth = '0.12';
    bad.royaltyRateRange = { low: '0.06', high: '0.02' };
    const { application } = await client.createApplication({ application: Application.fromPartial(bad), applicationId: '' }, owner);
    const error = await failure(client.submitApplication({ name: application!.name }, owner));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const fields = fieldViolationsOf(error).map((v) => v.field);
    expect(
      fields.some((f) => f.startsWith('royalty_rate_range')),
      fields.join(),
    ).toBe(true);
    expect(fields.some((f) => f === 'terminal_growth' || f === 'discount_rate')).toBe(true);
    const malformed = await failure(client.getApplication({ name: 'applications/%E0%A4%A' }, owner));
    expect(malformed.code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('signed valuations and the public list', () => {
  it('verifies a published statement, and fails it after one changed byte', async () => {
    const { valuation } = await published();
    const byName = await client.verifyValuation({ name: valuation.name, statement: undefined, signature: undefined });
    expect(byName).toMatchObject({ genuine: true, current: true, reason: ValuationVerificationReason.VALUATION_VERIFICATION_REASON_VALID });
    const forged = { ...valuation.statement!, valueDecimal: valuation.statement!.valueDecimal.replace(/\d/, (d) => String((Number(d) + 1) % 10)) };
    const tampered = await client.verifyValuation({ name: '', statement: forged, signature: valuation.signature });
    expect(tampered).toMatchObject({ genuine: false, current: false, reason: ValuationVerificationReason.VALUATION_VERIFICATION_REASON_SIGNATURE_INVALID });
    const { keys } = await client.getSigningKeys({});
    expect(keys.map((k) => k.keyId)).toContain(valuation.signature!.keyId);
  });

  it('lists published valuations by value, highest first, without a token', async () => {
    await published();
    const { valuations } = await client.listPublishedValuations({ pageSize: 50, pageToken: '', sector: 'MANUFACTURING', year: 2026 });
    expect(valuations.length).toBeGreaterThanOrEqual(2);
    const values = valuations.map((v) => Number(v.valueDecimal));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    const first = await client.listPublishedValuations({ pageSize: 1, pageToken: '', sector: 'MANUFACTURING', year: 2026 });
    const second = await client.listPublishedValuations({ pageSize: 1, pageToken: first.nextPageToken, sector: 'MANUFACTURING', year: 2026 });
    expect(second.valuations[0]!.name).not.toBe(first.valuations[0]!.name);
  });
});

describe('quality evidence from grade events', () => {
  it('shows the brand live grades, and a revoked grade flags its published valuation for review', async () => {
    const { application, valuation } = await published();
    const certifier = gradingOnlyCertifier;
    const { grade } = await grading.issueGrade(
      {
        product: `products/${JACKET}`,
        standardCode: 'GB/T 14272-2021',
        decisionRule: 0,
        report: {
          laboratoryCnasNumber: 'CNAS L99501',
          reportNumber: `R-${randomUUID().slice(0, 8)}`,
          sampleId: 'S-1',
          batch: '',
          testedOn: '2026-11-20',
          measurements: superiorMeasurements(),
        },
      },
      certifier,
    );
    const evidence = await waitFor(
      async () => {
        const { application: a } = await client.getApplication({ name: application.name }, owner);
        return (a!.qualityEvidence?.liveGradesByLevel.SUPERIOR ?? 0) > 0 && a!.qualityEvidence;
      },
      { what: 'the grade in the brand evidence' },
    );
    expect(evidence.shareTopTwoLevels).not.toBe('0');

    await grading.revokeGrade({ name: grade!.name, reason: 'fraudulent report' }, await bearer('regulator', 'SAMR'));
    await waitFor(() => typesOf(application.name).includes('pinzhi.brand.valuation.flagged.v1') || undefined, { what: 'the flagged event' });
    const flagged = ValuationFlaggedForReview.decode(
      eventsOf(application.name).find((r) => r.headers?.ce_type?.toString() === 'pinzhi.brand.valuation.flagged.v1')!.value!,
    );
    expect(flagged.reason).toContain('revoked');
    expect(flagged.causeEventType).toBe('pinzhi.grading.grade.revoked.v1');
    const check = await client.verifyValuation({ name: valuation.name, statement: undefined, signature: undefined });
    expect(check).toMatchObject({ genuine: true, current: false, reason: ValuationVerificationReason.VALUATION_VERIFICATION_REASON_FLAGGED_FOR_REVIEW });
    const { application: after } = await client.getApplication({ name: application.name }, owner);
    expect(after!.qualityEvidence!.revocationsLast12Months).toBeGreaterThanOrEqual(1);
  });
});

describe('quality evidence from 三同 cases', () => {
  it('counts a case in force, and a suspension flags the published valuation once', async () => {
    const { application } = await published();
    const publisher = await createEventPublisher(kafka);
    try {
      const sameLineCase = { name: 'cases/chengyu-twin', state: CaseState.CASE_STATE_DECLARED, domesticProduct: `products/${JACKET}` };
      const event = (verb: 'declared' | 'suspended', state: CaseState) => {
        const payload = {
          sameLineCase: SameLineCase.fromPartial({ ...sameLineCase, state }),
          reason: 'failed sample SAMR-9',
          cause: '',
          causeEventId: '',
          causeEventType: '',
          certificate: undefined,
        };
        const { type, data, key } = sameLineStream.event(verb, payload as never, { key: 'chengyu-twin' });
        return { topic: sameLineTopic, key, event: newCloudEvent({ source: sameLineStream.source, type, subject: sameLineCase.name, data }) };
      };
      await publisher.publish([event('declared', CaseState.CASE_STATE_DECLARED)]);
      await waitFor(
        async () => {
          const { application: a } = await client.getApplication({ name: application.name }, owner);
          return a!.qualityEvidence?.sameLineCasesInForce === 1 || undefined;
        },
        { what: 'the case in the evidence' },
      );
      const suspended = event('suspended', CaseState.CASE_STATE_SUSPENDED);
      // Delivered twice: flagged once.
      await publisher.publish([suspended, suspended]);
      await waitFor(() => typesOf(application.name).includes('pinzhi.brand.valuation.flagged.v1') || undefined, { what: 'the flagged event' });
      const { application: after } = await client.getApplication({ name: application.name }, owner);
      expect(after!.flaggedForReview).toBe(true);
      expect(after!.flagReason).toContain('三同');
      expect(after!.qualityEvidence).toMatchObject({ sameLineCasesInForce: 0, sameLineSuspensionsLast12Months: 1 });
    } finally {
      await publisher.close();
    }
  });
});

describe('seeds', () => {
  it('loads the fictional applications in their states once; a second load changes nothing', async () => {
    expect(await seed()).toBe(3);
    expect(await seed()).toBe(0);
    const check = await client.verifyValuation({ name: 'valuations/chengyu-2026', statement: undefined, signature: undefined });
    expect(check.genuine).toBe(true);
    const { application } = await client.getApplication({ name: 'applications/nuanmian-2026' }, admin);
    expect(application!.state).toBe(ApplicationState.APPLICATION_STATE_SUBMITTED);
  });
});
