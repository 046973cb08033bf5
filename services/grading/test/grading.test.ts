import { randomUUID } from 'node:crypto';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { verifyCertificate } from '@pinzhi/certificates';
import {
  GradingServiceService,
  IssueGradeRequest,
  IssueGradesRequest,
  IssueGradesResponse,
  WatchGradesResponse,
} from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { GradeIssued } from '@pinzhi/contracts/pinzhi/grading/v1/events';
import { Grade, GradeState } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { SampleReported } from '@pinzhi/contracts/pinzhi/supervision/v1/events';
import { ProductWithdrawn } from '@pinzhi/contracts/pinzhi/catalogue/v1/events';
import { Product } from '@pinzhi/contracts/pinzhi/catalogue/v1/resources';
import { DecisionRule } from '@pinzhi/contracts/pinzhi/catalogue/v1/resources';
import {
  createEventPublisher,
  createUnaryClient,
  fieldViolationsOf,
  newCloudEvent,
  OutboxRelay,
  type EventPublisher,
  type UnaryClient,
} from '@pinzhi/platform';
import { CatalogueReader } from '@pinzhi/catalogue-reader';
import { makeGenericClientConstructor, credentials, type Client } from '@grpc/grpc-js';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, failure, logger, namespace, startServiceForTest, testKafka, testMongo, waitFor } from '../../../test/support/harness.js';
import { loadSeeds } from '@pinzhi/catalogue/testing';
import { catalogueStreams, gradeStateStream, gradeStream, supervisionStream } from '@pinzhi/events';
import { gradeIdOf, GradingUseCases } from '../src/app/grading-use-cases.js';
import { MongoGradeRepository } from '../src/adapters/mongo/mongo-grade-repository.js';
import { reportFromMessage } from '../src/adapters/proto/grading-mapping.js';
import { gradingService } from '../src/grading-service.js';
import { superiorMeasurements } from '../src/test-fixtures.js';

// Seeded facts (seeds/catalogue): a down jacket for adults (GB 18401 category C) and an
// infant one, a certification body accredited for textiles, one for footwear only.
const JACKET = '06934567801012';
const CERTIFIER = 'CNAS C951-P';
const FOOTWEAR_ONLY = 'CNAS C962-P';
const STANDARD = 'GB/T 14272-2021';

const ns = namespace('grading');
let mongo: Awaited<ReturnType<typeof testMongo>>;
let kafka: Kafka;
let grading: Awaited<ReturnType<typeof startServiceForTest<any, { useCases: GradingUseCases; signer: any }>>>;
let client: UnaryClient<typeof GradingServiceService>;
let certifier: Metadata;
let regulator: Metadata;
let marketplace: Metadata;
/** Shifts the service's clock (expiry tests); real time otherwise. */
let clockOffsetMs = 0;
const now = () => new Date(Date.now() + clockOffsetMs);
const gradeEvents: KafkaMessage[] = [];
const stateRecords: KafkaMessage[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
let sentinels: EventPublisher;

function issueRequest(overrides: Record<string, string> = {}, product = JACKET, reportNumber = `R-${randomUUID().slice(0, 8)}`) {
  return IssueGradeRequest.fromPartial({
    product: `products/${product}`,
    standardCode: STANDARD,
    report: {
      laboratoryCnasNumber: 'CNAS L99501',
      reportNumber,
      sampleId: 'S-1',
      testedOn: '2026-11-20',
      measurements: superiorMeasurements(overrides),
    },
  });
}

function withReport(overrides: Partial<IssueGradeRequest['report'] & object>): IssueGradeRequest {
  const request = issueRequest();
  return { ...request, report: { ...request.report!, ...overrides } };
}

const eventsOf = (grade: string) => gradeEvents.filter((m) => m.headers?.ce_subject?.toString() === grade);
const typeOf = (m: KafkaMessage) => m.headers?.ce_type?.toString();

/*
 * "Nothing (more) arrives" is proven with a sentinel, not a pause: a grade's events are keyed
 * by product, and one key goes to one partition, in order. A record written with the same key
 * after the thing under test reaches this suite's consumer after anything that thing wrote,
 * so once the sentinel is here, a late duplicate would be here too.
 */

/**
 * A marker record on the grade topic with the product's key; resolves once this suite's
 * consumer has it. Only for writes already on the topic (a relay sweep returns after
 * publishing): the service publishes a write's events after the call returns, so for those
 * use issueSentinel, which takes the same path.
 */
async function gradeTopicSentinel(product: string, fields: { type?: string; data?: Uint8Array } = {}): Promise<string> {
  const id = `sentinel-${randomUUID()}`;
  const event = newCloudEvent({
    id,
    source: '/pinzhi/test',
    type: fields.type ?? 'pinzhi.test.sentinel.v1',
    subject: `sentinels/${id}`,
    data: fields.data ?? new Uint8Array(),
  });
  await sentinels.publish([{ topic: grading.topic(gradeStream), key: product, event }]);
  await waitFor(() => gradeEvents.some((m) => m.headers?.ce_id?.toString() === id) || undefined, { what: `the sentinel on the partition of ${product}` });
  return id;
}

/**
 * A sentinel through the service's own path: a new grade of the product, whose issued event
 * is awaited. The relay publishes in call order (one batch at a time), so whatever an earlier
 * call had the relay publish for this product is on the topic before it.
 */
async function issueSentinel(product = JACKET): Promise<void> {
  const { grade } = await client.issueGrade(issueRequest({}, product), certifier);
  await waitFor(() => eventsOf(grade!.name).some((m) => typeOf(m) === gradeStream.types.issued) || undefined, { what: "the sentinel grade's issued event" });
}

beforeAll(async () => {
  mongo = await testMongo(ns.dbName);
  kafka = testKafka('grading-test');
  grading = await startServiceForTest(gradingService, { ns, env: { ISSUE_GRADES_MAX_ITEMS: '4', GRADE_VALIDITY_MONTHS: '12' }, clock: now });
  cleanups.push(() => grading.stop());
  await loadSeeds(mongo.db, grading.relay, logger);
  client = createUnaryClient(GradingServiceService, grading.grpc.address);
  certifier = await bearer('certifier', CERTIFIER);
  regulator = await bearer('regulator', 'SAMR');
  marketplace = await bearer('marketplace', 'SHOP');

  const consumer = kafka.consumer({ groupId: ns.group('events') });
  await consumer.connect();
  await consumer.subscribe({ topics: [grading.topic(gradeStream), grading.topic(gradeStateStream)], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ topic, message }) => void (topic === grading.topic(gradeStream) ? gradeEvents : stateRecords).push(message),
  });
  cleanups.push(() => consumer.disconnect());
  await waitFor(() => consumer.describeGroup().then((g) => g.state === 'Stable' || undefined), { what: 'consumer group' });
  sentinels = await createEventPublisher(kafka);
  cleanups.push(() => sentinels.close());
}, 120_000);

afterAll(async () => {
  client?.close();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await mongo?.drop();
});

describe('IssueGrade', () => {
  it('grades a report, signs a certificate anyone can verify, and announces it', async () => {
    const { grade, created } = await client.issueGrade(issueRequest(), certifier);
    expect(created).toBe(true);
    expect(grade).toMatchObject({ level: 'SUPERIOR', state: GradeState.GRADE_STATE_ISSUED, gtin: JACKET, standardCode: STANDARD });
    expect(grade!.safetyGate).toMatchObject({ requiredCategory: 'C', passed: true });
    expect(grade!.certificate?.signature?.algorithm).toBe('Ed25519');

    const { keys } = await client.getSigningKeys({}, new Metadata());
    const c = grade!.certificate!;
    const fields = {
      number: c.number,
      gtin: c.gtin,
      standardCode: c.standardCode,
      level: c.level,
      validFrom: c.validFrom!,
      validUntil: c.validUntil!,
      issuerCnasNumber: c.issuerCnasNumber,
      issuerName: c.issuerName,
      grade: c.grade,
    };
    const signature = {
      algorithm: c.signature!.algorithm,
      keyId: c.signature!.keyId,
      signature: new Uint8Array(c.signature!.signature),
      signedAt: c.signature!.signTime!,
    };
    const publicKeys = keys.map((k) => ({ keyId: k.keyId, publicKey: new Uint8Array(k.publicKey), notBefore: k.notBefore! }));
    expect(verifyCertificate(fields, signature, publicKeys)).toEqual({ valid: true, keyId: signature.keyId });

    const [event] = await waitFor(() => eventsOf(grade!.name).length > 0 && eventsOf(grade!.name), { what: 'grade issued event' });
    expect(typeOf(event!)).toBe('pinzhi.grading.grade.issued.v1');
    expect(event!.key?.toString()).toBe(JACKET);
    expect(event!.headers?.ce_source?.toString()).toBe('/pinzhi/grading');
    expect(GradeIssued.decode(event!.value!).grade?.certificate?.number).toBe(c.number);
    const state = await waitFor(() => stateRecords.find((m) => m.headers?.ce_subject?.toString() === grade!.name));
    expect(state.key?.toString()).toBe(`${JACKET}|${STANDARD}`);
  });

  it('is idempotent on the report number: a retry returns the same grade and emits nothing more', async () => {
    const request = issueRequest();
    const first = await client.issueGrade(request, certifier);
    const retry = await client.issueGrade(request, certifier);
    expect(retry.created).toBe(false);
    expect(retry.grade?.name).toBe(first.grade?.name);
    expect(retry.grade?.certificate?.number).toBe(first.grade?.certificate?.number);
    await waitFor(() => eventsOf(first.grade!.name).length > 0 || undefined);
    await issueSentinel();
    expect(eventsOf(first.grade!.name).filter((m) => typeOf(m) === 'pinzhi.grading.grade.issued.v1')).toHaveLength(1);
    // The retry stored nothing: no outbox mark of it is left behind either.
    await waitFor(async () => (await mongo.db.collection('outbox_pending').countDocuments({ collection: 'grades' })) === 0 || undefined, {
      what: 'no pending grade marks',
    });
  });

  it('answers a retry with the stored grade even when the product has been withdrawn since', async () => {
    const request = issueRequest();
    const first = await client.issueGrade(request, certifier);
    const products = mongo.db.collection('products');
    await products.updateOne({ _id: JACKET as never }, { $set: { state: 'withdrawn' } });
    try {
      const retry = await client.issueGrade(request, certifier);
      expect(retry).toMatchObject({ created: false, grade: { name: first.grade!.name } });
      // A new report for the withdrawn product is refused.
      expect((await failure(client.issueGrade(issueRequest(), certifier))).code).toBe(status.FAILED_PRECONDITION);
    } finally {
      await products.updateOne({ _id: JACKET as never }, { $set: { state: 'active' } });
    }
  });

  it('applies guarded acceptance when asked: a borderline value drops to the next level', async () => {
    const request = issueRequest({ 'down-cluster-content': '90.2' });
    request.report!.measurements.find((m) => m.indicatorId === 'down-cluster-content')!.expandedUncertainty = 0.5;
    request.decisionRule = DecisionRule.DECISION_RULE_GUARDED;
    const { grade } = await client.issueGrade(request, certifier);
    expect(grade).toMatchObject({ level: 'FIRST', limitingIndicators: [`${STANDARD}#down-cluster-content`] });
  });

  it('records a report that fails the GB 18401 gate as REFUSED, with no certificate and no event', async () => {
    const { grade } = await client.issueGrade(issueRequest({ formaldehyde: '310' }), certifier);
    expect(grade).toMatchObject({ level: 'NONCONFORMING', state: GradeState.GRADE_STATE_REFUSED, certificate: undefined });
    expect(grade!.safetyGate?.passed).toBe(false);
    await issueSentinel();
    expect(eventsOf(grade!.name)).toHaveLength(0);
  });

  it.each([
    ['an unknown product', () => issueRequest({}, '06900000000007'), status.NOT_FOUND, undefined],
    [
      'a report missing an indicator',
      () => ({ ...issueRequest(), report: { ...issueRequest().report!, measurements: superiorMeasurements().filter((m) => m.indicatorId !== 'fill-power') } }),
      status.INVALID_ARGUMENT,
      'report.measurements.fill-power',
    ],
    ['an out-of-range value', () => issueRequest({ 'colour-fastness-water': '7' }), status.INVALID_ARGUMENT, 'report.measurements.colour-fastness-water.value'],
    ['a malformed GTIN', () => issueRequest({}, '123'), status.INVALID_ARGUMENT, 'product'],
    // Down bedding: the certifier is accredited for it, but GB/T 14272 grades down garments only.
    ['a standard that does not cover the product', () => issueRequest({}, '06956789002015'), status.INVALID_ARGUMENT, 'standard_code'],
    // The export twin declares EN 12935 only.
    ['a standard the product does not declare', () => issueRequest({}, '06934567801029'), status.INVALID_ARGUMENT, 'standard_code'],
    [
      "a report of another body's laboratory",
      () => withReport({ laboratoryCnasNumber: 'CNAS L99502' }),
      status.INVALID_ARGUMENT,
      'report.laboratory_cnas_number',
    ],
    ['a report tested in the future', () => withReport({ testedOn: '2099-12-31' }), status.INVALID_ARGUMENT, 'report.tested_on'],
    ['a report dated 0000-01-01', () => withReport({ testedOn: '0000-01-01' }), status.INVALID_ARGUMENT, 'report.tested_on'],
    ['a date that does not exist', () => withReport({ testedOn: '2026-02-31' }), status.INVALID_ARGUMENT, 'report.tested_on'],
    ['a 1 MiB report number', () => withReport({ reportNumber: 'R'.repeat(1 << 20) }), status.INVALID_ARGUMENT, 'report.report_number'],
    [
      'an indicator id __proto__',
      () => withReport({ measurements: [...superiorMeasurements(), { indicatorId: '__proto__', value: '1' }] }),
      status.INVALID_ARGUMENT,
      'report.measurements[15].indicator_id',
    ],
  ])('rejects %s, storing nothing', async (_label, request, code, field) => {
    const before = await mongo.db.collection('grades').countDocuments();
    const error = await failure(client.issueGrade(request() as IssueGradeRequest, certifier));
    expect(error.code).toBe(code);
    if (field) expect(fieldViolationsOf(error).map((v) => v.field)).toContain(field);
    expect(await mongo.db.collection('grades').countDocuments()).toBe(before);
  });

  it('refuses a body accredited for other standards, whatever its categories', async () => {
    // Accredited for down garments, but for EN 12935 only.
    await mongo.db.collection('certification_bodies').insertOne({
      _id: '91110000MA0000001X' as never,
      creditCode: '91110000MA0000001X',
      cnasNumber: 'CNAS C990-P',
      name: 'EN-only Certification',
      accreditedActivities: ['grading'],
      accreditedCategories: ['down-garment'],
      accreditedStandardCodes: ['EN 12935:2001'],
      laboratories: [{ name: 'Lab', cnasNumber: 'CNAS L99501' }],
      state: 'active',
    });
    const error = await failure(client.issueGrade(issueRequest(), await bearer('certifier', 'CNAS C990-P')));
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(error.details).toContain('GB/T 14272-2021');
  });

  it('refuses a different request under a report number already graded, and answers a true retry', async () => {
    const first = issueRequest();
    const { grade } = await client.issueGrade(first, certifier);
    // The same key (body, report number) with formaldehyde 400: a different request.
    const changed = issueRequest({ formaldehyde: '400' }, JACKET, first.report!.reportNumber);
    const error = await failure(client.issueGrade(changed, certifier));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.details).toContain(first.report!.reportNumber);
    const elsewhere = await failure(client.issueGrade(issueRequest({}, '06934567801036', first.report!.reportNumber), certifier));
    expect(elsewhere.code).toBe(status.FAILED_PRECONDITION);
    const retry = await client.issueGrade(first, certifier);
    expect(retry).toMatchObject({ created: false, grade: { name: grade!.name } });
  });

  it('refuses certifiers outside their scope and callers of other roles', async () => {
    expect((await failure(client.issueGrade(issueRequest(), await bearer('certifier', FOOTWEAR_ONLY)))).code).toBe(status.PERMISSION_DENIED);
    expect((await failure(client.issueGrade(issueRequest(), marketplace))).code).toBe(status.PERMISSION_DENIED);
    expect((await failure(client.issueGrade(issueRequest(), new Metadata()))).code).toBe(status.UNAUTHENTICATED);
  });

  it('supersedes the previous live grade of the same product and standard', async () => {
    const first = await client.issueGrade(issueRequest(), certifier);
    const second = await client.issueGrade(issueRequest({ 'down-cluster-content': '85' }), certifier);
    const old = await client.getGrade({ name: first.grade!.name }, marketplace);
    expect(old.grade).toMatchObject({ state: GradeState.GRADE_STATE_SUPERSEDED, cause: second.grade!.name });
    await waitFor(() => eventsOf(first.grade!.name).find((m) => typeOf(m) === 'pinzhi.grading.grade.superseded.v1'));
  });
});

describe('concurrency', () => {
  it('leaves exactly one live grade when several reports of one product are graded at once', async () => {
    const product = '06934567801067';
    const responses = await Promise.all(Array.from({ length: 8 }, () => client.issueGrade(issueRequest({}, product), certifier)));
    expect(responses.every((r) => r.created)).toBe(true);
    const live = await mongo.db.collection('grades').countDocuments({ productId: product, standardCode: STANDARD, state: { $in: ['issued', 'downgraded'] } });
    expect(live).toBe(1);
  });
});

describe('IssueGrades (client streaming)', () => {
  it('answers per item, and a bad item does not sink the batch', async () => {
    const Constructor = makeGenericClientConstructor(GradingServiceService as never, 'grading');
    const raw = new Constructor(grading.grpc.address, credentials.createInsecure()) as Client & Record<string, (...a: unknown[]) => any>;
    const response = await new Promise<IssueGradesResponse>((resolve, reject) => {
      const stream = raw.issueGrades(certifier, (error: ServiceError | null, r: IssueGradesResponse) => (error ? reject(error) : resolve(r)));
      stream.write(IssueGradesRequest.fromPartial({ item: issueRequest() }));
      stream.write(IssueGradesRequest.fromPartial({ item: issueRequest({ ph: 'acidic' }) }));
      stream.write(IssueGradesRequest.fromPartial({ item: issueRequest({}, '06900000000007') }));
      stream.end();
    });
    raw.close();
    expect(response.results.map((r) => [r.index, r.errorCode || r.grade?.level])).toEqual([
      [0, 'SUPERIOR'],
      [1, 'INVALID_ARGUMENT'],
      [2, 'NOT_FOUND'],
    ]);
    expect(response.results[1]!.fieldViolations[0]?.field).toBe('report.measurements.ph.value');
  });

  it('answers items past the per-call bound RESOURCE_EXHAUSTED without grading them', async () => {
    const Constructor = makeGenericClientConstructor(GradingServiceService as never, 'grading');
    const raw = new Constructor(grading.grpc.address, credentials.createInsecure()) as Client & Record<string, (...a: unknown[]) => any>;
    const items = Array.from({ length: 6 }, () => issueRequest());
    const response = await new Promise<IssueGradesResponse>((resolve, reject) => {
      const stream = raw.issueGrades(certifier, (error: ServiceError | null, r: IssueGradesResponse) => (error ? reject(error) : resolve(r)));
      for (const item of items) stream.write(IssueGradesRequest.fromPartial({ item }));
      stream.end();
    });
    raw.close();
    // This suite's service grades at most 4 items per call.
    // (The four graded items are reports on one product, so all but one end up superseded.)
    expect(response.results.map((r) => r.errorCode || (r.grade ? 'graded' : 'nothing'))).toEqual([
      ...Array(4).fill('graded'),
      'RESOURCE_EXHAUSTED',
      'RESOURCE_EXHAUSTED',
    ]);
    const unanswered = gradeIdOf('91110108MA01R6KX53', items[5]!.report!.reportNumber); // the seeded body of CNAS C951-P
    const answered = gradeIdOf('91110108MA01R6KX53', items[0]!.report!.reportNumber);
    expect(await mongo.db.collection('grades').countDocuments({ _id: answered as never })).toBe(1);
    expect(await mongo.db.collection('grades').countDocuments({ _id: unanswered as never })).toBe(0);
  });
});

describe('lifecycle', () => {
  it('downgrades and revokes, refusing illegal transitions as FAILED_PRECONDITION', async () => {
    const { grade } = await client.issueGrade(issueRequest(), certifier);
    const name = grade!.name;
    expect((await failure(client.downgradeGrade({ name, level: 'SUPERIOR', reason: 'x' }, certifier))).code).toBe(status.FAILED_PRECONDITION);
    expect((await failure(client.downgradeGrade({ name, level: 'FIRST', reason: '' }, certifier))).code).toBe(status.INVALID_ARGUMENT);
    const downgraded = await client.downgradeGrade({ name, level: 'FIRST', reason: 'complaint upheld' }, certifier);
    expect(downgraded.grade).toMatchObject({ level: 'FIRST', state: GradeState.GRADE_STATE_DOWNGRADED });
    expect((await failure(client.revokeGrade({ name, reason: 'x' }, await bearer('certifier', FOOTWEAR_ONLY)))).code).toBe(status.PERMISSION_DENIED);
    const revoked = await client.revokeGrade({ name, reason: 'fraudulent report' }, regulator);
    expect(revoked.grade?.state).toBe(GradeState.GRADE_STATE_REVOKED);
    expect((await failure(client.revokeGrade({ name, reason: 'again' }, regulator))).code).toBe(status.FAILED_PRECONDITION);
    await waitFor(() => eventsOf(name).find((m) => typeOf(m) === 'pinzhi.grading.grade.revoked.v1'));
    expect(eventsOf(name).map(typeOf)).toEqual(['pinzhi.grading.grade.issued.v1', 'pinzhi.grading.grade.downgraded.v1', 'pinzhi.grading.grade.revoked.v1']);
    // The compacted topic ends with a tombstone for this product and standard.
    await waitFor(() => stateRecords.find((m) => m.headers?.ce_subject?.toString() === name && m.value === null));
  });

  it('verifies certificates: valid and current, tampered, and revoked', async () => {
    const { grade } = await client.issueGrade(issueRequest(), certifier);
    const certificate = grade!.certificate!;
    expect(await client.verifyCertificate({ certificate, certificateNumber: '' }, new Metadata())).toMatchObject({
      signatureValid: true,
      current: true,
      level: 'SUPERIOR',
    });
    const tampered = { ...certificate, level: 'SUPERIOR ' };
    expect((await client.verifyCertificate({ certificate: tampered, certificateNumber: '' }, new Metadata())).signatureValid).toBe(false);
    const flipped = {
      ...certificate,
      signature: { ...certificate.signature!, signature: Buffer.from(certificate.signature!.signature).map((b, i) => (i === 0 ? b ^ 1 : b)) as Buffer },
    };
    expect((await client.verifyCertificate({ certificate: flipped, certificateNumber: '' }, new Metadata())).signatureValid).toBe(false);
    await client.revokeGrade({ name: grade!.name, reason: 'withdrawn by the body' }, certifier);
    expect(await client.verifyCertificate({ certificate: undefined, certificateNumber: certificate.number }, new Metadata())).toMatchObject({
      current: false,
      state: GradeState.GRADE_STATE_REVOKED,
    });
  });

  it('keeps verifying certificates signed with a key that was rotated out', async () => {
    const { grade: before } = await client.issueGrade(issueRequest(), certifier);
    const fresh = await grading.exposed.signer.rotate(new Date());
    const { grade: after } = await client.issueGrade(issueRequest(), certifier);
    expect(after!.certificate!.signature!.keyId).toBe(fresh.keyId);
    expect(before!.certificate!.signature!.keyId).not.toBe(fresh.keyId);
    for (const certificate of [before!.certificate!, after!.certificate!]) {
      expect((await client.verifyCertificate({ certificate, certificateNumber: '' }, new Metadata())).signatureValid).toBe(true);
    }
    const { keys } = await client.getSigningKeys({}, new Metadata());
    expect(keys.find((k) => k.keyId === before!.certificate!.signature!.keyId)?.retireTime).toBeInstanceOf(Date);
  });

  it('expires grades whose certificate has ended, in a sweep, with an event', async () => {
    const { grade } = await client.issueGrade(issueRequest(), certifier);
    clockOffsetMs = 400 * 24 * 3600 * 1000;
    try {
      expect(await grading.exposed.useCases.expireDue()).toBeGreaterThan(0);
    } finally {
      clockOffsetMs = 0;
    }
    expect((await client.getGrade({ name: grade!.name }, marketplace)).grade?.state).toBe(GradeState.GRADE_STATE_EXPIRED);
    await waitFor(() => eventsOf(grade!.name).find((m) => typeOf(m) === 'pinzhi.grading.grade.expired.v1'));
  });
});

describe('supervision sampling', () => {
  it('downgrades on a failed sample, names the sample as cause, and ignores the duplicate', async () => {
    const { grade } = await client.issueGrade(issueRequest(), certifier);
    const sampleId = `SAMR-${randomUUID().slice(0, 8)}`;
    const publisher: EventPublisher = await createEventPublisher(kafka);
    cleanups.push(() => publisher.close());
    const sample = SampleReported.encode(
      SampleReported.fromPartial({
        sampleId,
        product: `products/${JACKET}`,
        standardCode: STANDARD,
        passed: false,
        regulator: 'SAMR Jiangsu',
        report: {
          laboratoryCnasNumber: 'CNAS L0192',
          reportNumber: sampleId,
          sampleId,
          testedOn: '2026-11-25',
          measurements: superiorMeasurements({ 'down-cluster-content': '82' }),
        },
      }),
    ).finish();
    const event = newCloudEvent({ source: '/samr', type: 'pinzhi.supervision.sample.reported.v1', subject: `products/${JACKET}`, data: sample });
    await publisher.publish([{ topic: grading.topic(supervisionStream), key: JACKET, event }]);
    const downgraded = await waitFor(
      async () => {
        const g = (await client.getGrade({ name: grade!.name }, marketplace)).grade;
        return g?.state === GradeState.GRADE_STATE_DOWNGRADED && g;
      },
      { what: 'the downgrade' },
    );
    expect(downgraded).toMatchObject({ level: 'FIRST', cause: `supervisionSamples/${sampleId}` });
    const downgradeEvents = () => eventsOf(grade!.name).filter((m) => typeOf(m) === 'pinzhi.grading.grade.downgraded.v1');
    await waitFor(() => downgradeEvents().length > 0 || undefined);

    // The same sample again (a redelivery with a new event id): nothing changes.
    await publisher.publish([{ topic: grading.topic(supervisionStream), key: JACKET, event: { ...event, id: randomUUID() } }]);
    await publisher.publish([{ topic: grading.topic(supervisionStream), key: JACKET, event }]);
    // Sentinel, through the same path (sample topic → consumer → outbox → grade topic, all
    // keyed by the product): a later sample, nonconforming, revokes the grade. Its revocation
    // reaches the grade topic after anything the duplicates caused.
    const sentinelId = `SAMR-${randomUUID().slice(0, 8)}`;
    const sentinel = SampleReported.fromPartial({
      sampleId: sentinelId,
      product: `products/${JACKET}`,
      standardCode: STANDARD,
      passed: false,
      regulator: 'SAMR Jiangsu',
      report: {
        laboratoryCnasNumber: 'CNAS L0192',
        reportNumber: sentinelId,
        sampleId: sentinelId,
        testedOn: '2026-11-26',
        measurements: superiorMeasurements({ formaldehyde: '310' }),
      },
    });
    await publisher.publish([
      {
        topic: grading.topic(supervisionStream),
        key: JACKET,
        event: newCloudEvent({
          source: '/samr',
          type: supervisionStream.types.reported,
          subject: `products/${JACKET}`,
          data: SampleReported.encode(sentinel).finish(),
        }),
      },
    ]);
    await waitFor(() => eventsOf(grade!.name).some((m) => typeOf(m) === gradeStream.types.revoked) || undefined, {
      what: 'the revocation by the sentinel sample',
    });
    expect(downgradeEvents()).toHaveLength(1);
    const history = (await client.getGrade({ name: grade!.name }, marketplace)).grade!.history;
    expect(history.map((h) => h.cause).slice(1)).toEqual([`supervisionSamples/${sampleId}`, `supervisionSamples/${sentinelId}`]);
  });

  it('revokes the live grades of a product the catalogue withdraws, and only if it is withdrawn here', async () => {
    const PRODUCT = '06934567801050'; // graded by no other test of this file
    const { grade: ours } = await client.issueGrade(issueRequest({}, PRODUCT), certifier);
    const { grade: jacket } = await client.issueGrade(issueRequest(), certifier);
    const publisher: EventPublisher = await createEventPublisher(kafka);
    cleanups.push(() => publisher.close());
    const withdrawal = (gtin14: string) =>
      newCloudEvent({
        source: '/pinzhi/catalogue',
        type: 'pinzhi.catalogue.product.withdrawn.v1',
        subject: `products/${gtin14}`,
        data: ProductWithdrawn.encode({ product: Product.fromPartial({ name: `products/${gtin14}`, gtin: gtin14 }) }).finish(),
      });

    // The catalogue withdraws PRODUCT (its record first, then its event), and an event about
    // the jacket arrives that this catalogue does not back (the jacket is active here).
    await mongo.db.collection('products').updateOne({ _id: PRODUCT as never }, { $set: { state: 'withdrawn' } });
    const event = withdrawal(PRODUCT);
    await publisher.publish([
      { topic: grading.topic(catalogueStreams.product), key: JACKET, event: withdrawal(JACKET) },
      { topic: grading.topic(catalogueStreams.product), key: PRODUCT, event },
    ]);
    const revoked = await waitFor(
      async () => {
        const g = (await client.getGrade({ name: ours!.name }, marketplace)).grade;
        return g?.state === GradeState.GRADE_STATE_REVOKED && g;
      },
      { what: 'the revocation' },
    );
    expect(revoked).toMatchObject({ cause: `events/${event.id}`, stateReason: 'the product was withdrawn from the catalogue' });
    await waitFor(() => eventsOf(ours!.name).some((m) => typeOf(m) === 'pinzhi.grading.grade.revoked.v1') || undefined);
    expect((await client.getGrade({ name: jacket!.name }, marketplace)).grade?.state).toBe(GradeState.GRADE_STATE_ISSUED);
  });
});

describe('reliability', () => {
  it('delivers a grade whose publish was interrupted, once, through the sweep', async () => {
    // A relay whose broker connection is gone: the write succeeds, the publish fails.
    const broken = new OutboxRelay({
      db: mongo.db,
      publisher: { publish: () => Promise.reject(new Error('broker unreachable')), send: () => Promise.reject(new Error('x')), close: async () => undefined },
      collections: ['grades'],
      logger,
      sweepIntervalMs: 60_000,
    });
    const useCases = new GradingUseCases(
      new MongoGradeRepository(mongo.db, broken),
      new CatalogueReader(mongo.db),
      grading.exposed.signer,
      { defaultValidityMonths: 12 },
      now,
    );
    const caller = { subject: 'certifier-user', role: 'certifier' as const, org: CERTIFIER, scopes: [] };
    const request = issueRequest({}, '06934567801036');
    const { grade } = await useCases.issueGrade(caller, {
      productId: '06934567801036',
      standardCode: STANDARD,
      report: reportFromMessage(request.report),
    });
    const name = `grades/${grade._id}`;
    expect(await mongo.db.collection('grades').countDocuments({ _id: grade._id as never, '_outbox.0': { $exists: true } })).toBe(1);
    await gradeTopicSentinel('06934567801036');
    expect(eventsOf(name)).toHaveLength(0);

    const relay = new OutboxRelay({
      db: mongo.db,
      publisher: await createEventPublisher(kafka, { topicPrefix: ns.prefix }),
      collections: ['grades'],
      logger,
      sweepIntervalMs: 60_000,
      sweepMinAgeMs: 0,
    });
    expect(await relay.sweep()).toBe(1);
    await waitFor(() => eventsOf(name).length > 0 || undefined);
    await relay.sweep();
    // The sweep returns once it has published: a sentinel written now comes after a repeat.
    await gradeTopicSentinel('06934567801036');
    expect(eventsOf(name).map(typeOf)).toEqual(['pinzhi.grading.grade.issued.v1']);
  });
});

describe('WatchGrades', () => {
  it('streams grade events to a marketplace without Kafka access', async () => {
    const Constructor = makeGenericClientConstructor(GradingServiceService as never, 'grading');
    const raw = new Constructor(grading.grpc.address, credentials.createInsecure()) as Client & Record<string, (...a: unknown[]) => any>;
    const received: WatchGradesResponse[] = [];
    const stream = raw.watchGrades({ enterprise: 'enterprises/91320500MA1N7D4B8T', brand: '', product: '', resumeToken: '' }, marketplace);
    stream.on('data', (r: WatchGradesResponse) => received.push(r));
    stream.on('error', () => undefined);
    try {
      // The watcher's consumer needs a moment to join; keep issuing until one arrives.
      const grade = await waitFor(
        async () => {
          const { grade } = await client.issueGrade(issueRequest(), certifier);
          const arrived = await waitFor(() => received.some((r) => r.event?.grade?.name === grade!.name) || undefined, {
            timeoutMs: 1500,
            what: 'this grade',
          }).catch(() => false);
          return arrived && grade;
        },
        { timeoutMs: 45_000, intervalMs: 0, what: 'a streamed grade event' },
      );
      const event = received.find((r) => r.event?.grade?.name === grade!.name)!;
      expect(event.event?.type).toBe('pinzhi.grading.grade.issued.v1');
      expect(event.resumeToken).not.toBe('');
    } finally {
      stream.cancel();
      raw.close();
    }
  });

  it('serves later watchers from the shared feed at once, each with its filter, and resumes from a token', async () => {
    const Constructor = makeGenericClientConstructor(GradingServiceService as never, 'grading');
    const raw = new Constructor(grading.grpc.address, credentials.createInsecure()) as Client & Record<string, (...a: unknown[]) => any>;
    const open = (filter: { enterprise?: string; product?: string }, resumeToken = '') => {
      const received: WatchGradesResponse[] = [];
      const stream = raw.watchGrades({ enterprise: '', brand: '', product: '', ...filter, resumeToken }, marketplace);
      stream.on('data', (r: WatchGradesResponse) => received.push(r));
      stream.on('error', () => undefined);
      return { received, stream, has: (name: string) => received.find((r) => r.event?.grade?.name === name) };
    };
    const OTHER = '06934567801036';
    // The shared feed is running since the test above; these watchers join it straight away.
    const everything = open({ enterprise: 'enterprises/91320500MA1N7D4B8T' });
    const oneProduct = open({ product: `products/${OTHER}` });
    try {
      // Registered once both take a grade issued after they opened (keep issuing until then).
      await waitFor(
        async () => {
          const { grade: warmUp } = await client.issueGrade(issueRequest({}, OTHER), certifier);
          return waitFor(() => (everything.has(warmUp!.name) && oneProduct.has(warmUp!.name)) || undefined, {
            timeoutMs: 2_000,
            what: 'the warm-up grade',
          }).catch(() => undefined);
        },
        { intervalMs: 0, what: 'both watchers registered' },
      );
      const { grade: jacket } = await client.issueGrade(issueRequest(), certifier);
      const { grade: other } = await client.issueGrade(issueRequest({}, OTHER), certifier);
      await waitFor(() => (everything.has(jacket!.name) && everything.has(other!.name) && oneProduct.has(other!.name)) || undefined, {
        what: 'both watchers served',
      });
      // Sentinel: an event the product watcher takes (a grade of OTHER) on the jacket's
      // partition, so the shared feed reads it after the jacket's event and queues it behind
      // anything it handed that watcher for the jacket.
      const marker = Grade.fromPartial({ name: `grades/sentinel-${randomUUID()}`, gtin: OTHER });
      await gradeTopicSentinel(JACKET, { type: gradeStream.types.issued, data: GradeIssued.encode(GradeIssued.fromPartial({ grade: marker })).finish() });
      await waitFor(() => oneProduct.has(marker.name) || undefined, { what: 'the sentinel at the product watcher' });
      expect(oneProduct.has(jacket!.name)).toBeUndefined();

      // A watcher that comes back with its last token gets what it missed while away.
      const token = everything.has(other!.name)!.resumeToken;
      everything.stream.cancel();
      const { grade: missed } = await client.issueGrade(issueRequest(), certifier);
      const resumed = open({ enterprise: 'enterprises/91320500MA1N7D4B8T' }, token);
      try {
        await waitFor(() => resumed.has(missed!.name) || undefined, { timeoutMs: 30_000, what: 'the missed grade after resuming' });
        expect(resumed.has(other!.name)).toBeUndefined();
      } finally {
        resumed.stream.cancel();
      }
    } finally {
      everything.stream.cancel();
      oneProduct.stream.cancel();
      raw.close();
    }
  });
});
