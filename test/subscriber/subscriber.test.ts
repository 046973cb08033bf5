import { CurrentGrade, GradeDowngraded, GradeIssued, GradeRevoked, GradeSuperseded } from '@pinzhi/contracts/pinzhi/grading/v1/events';
import { GradingServiceService } from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { Grade, GradeState } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { createUnaryClient, ensureTopics, newCloudEvent, type CloudEvent, type EventPublisher } from '@pinzhi/platform';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, dropDatabase, kafkaBrokers, logger, namespace, startServiceForTest, testKafka, testPublisher, waitFor } from '../support/harness.js';
import { loadSeeds } from '@pinzhi/catalogue/testing';
import { gradingService } from '@pinzhi/grading';
import { generateSigningKey, publicKeyOf, signCertificate, type SigningKeyMaterial } from '@pinzhi/certificates';
import { gradeStateStream, gradeStream } from '@pinzhi/events';
import {
  createGradeSubscriber,
  signingKeysFromGrading,
  type CurrentGradeInfo,
  type GradeSubscriber,
  type GradeSubscriberOptions,
  type TypedGradeEvent,
} from '@pinzhi/subscriber';
import { memoryBadgeStore, startMarketplace, type Badge, type BadgeStore } from '@pinzhi/example-marketplace';

const SOURCE = '/pinzhi/grading';
const STANDARD = 'GB/T 14272-2021';

let kafka: Kafka;
let publisher: EventPublisher;
// Valid from a minute ago: a signature must fall inside the key's window.
const signingKey: SigningKeyMaterial = generateSigningKey(new Date(Date.now() - 60_000));
const cleanups: Array<() => Promise<unknown>> = [];
/** Stopped together: each waits out its consumer's long poll. */
const running: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  kafka = testKafka();
  publisher = await testPublisher(kafka);
  cleanups.push(() => publisher.close());
});

afterAll(async () => {
  await Promise.all(running.map((r) => r.stop().catch(() => undefined)));
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

type Verb = 'issued' | 'downgraded' | 'revoked' | 'expired' | 'superseded';

/** A grade as grading puts it in its events: the certificate is signed at the issued level. */
function gradeMessage(opts: {
  gtin: string;
  gradeId: string;
  level: string;
  issuedLevel?: string;
  state?: GradeState;
  certified?: boolean;
  created?: Date;
}): Grade {
  const name = `grades/${opts.gradeId}`;
  const fields = {
    number: `PZ-G-2025-${opts.gradeId}`,
    gtin: opts.gtin,
    standardCode: STANDARD,
    level: opts.issuedLevel ?? opts.level,
    validFrom: new Date('2025-03-01T00:00:00.000Z'),
    validUntil: new Date('2027-02-28T15:59:59.999Z'),
    issuerCnasNumber: 'CNAS C951-P',
    issuerName: '纺织品质量认证中心',
    grade: name,
  };
  const signature = signCertificate(fields, signingKey);
  return Grade.fromPartial({
    name,
    product: `products/${opts.gtin}`,
    gtin: opts.gtin,
    standardCode: STANDARD,
    level: opts.level,
    state: opts.state ?? GradeState.GRADE_STATE_ISSUED,
    certificate:
      opts.certified === false
        ? undefined
        : {
            ...fields,
            signature: {
              algorithm: signature.algorithm,
              keyId: signature.keyId,
              signature: Buffer.from(signature.signature),
              signTime: signature.signedAt,
            },
          },
    audit: { createTime: opts.created ?? new Date('2025-03-01T00:00:00.000Z') },
  });
}

/** The change event exactly as grading encodes it (grade-events.ts), keyed by GTIN-14. */
function gradeEvent(verb: Verb, grade: Grade, extra: { previousLevel?: string; supersededBy?: string } = {}): CloudEvent {
  const data =
    verb === 'issued'
      ? GradeIssued.encode({ grade }).finish()
      : verb === 'downgraded'
        ? GradeDowngraded.encode({ grade, previousLevel: extra.previousLevel ?? '' }).finish()
        : verb === 'superseded'
          ? GradeSuperseded.encode({ grade, supersededBy: extra.supersededBy ?? '' }).finish()
          : GradeRevoked.encode({ grade }).finish(); // expired has the same shape
  return newCloudEvent({ source: SOURCE, type: `pinzhi.grading.grade.${verb}.v1`, subject: grade.name, data });
}

const publishChanges = (topic: string, ...events: CloudEvent[]) =>
  publisher.publish(events.map((event) => ({ topic, key: GradeDowngraded.decode(event.data).grade?.gtin ?? 'unknown', event })));

/** A record of the compacted state topic: the current grade, or a tombstone when there is none. */
function publishState(topic: string, gtin: string, grade: Grade | null) {
  const key = `${gtin}|${STANDARD}`;
  const base = newCloudEvent({
    source: SOURCE,
    type: 'pinzhi.grading.current-grade.v1',
    subject: grade?.name,
    data: grade ? CurrentGrade.encode({ grade }).finish() : new Uint8Array(),
  });
  return publisher.publish([{ topic, key, event: grade ? base : { ...base, tombstone: true } }]);
}

async function topicsFor(label: string) {
  const ns = namespace(label);
  const topics = { grades: ns.topic('grades'), gradeState: ns.topic('grade-state') };
  await ensureTopics(kafka, [
    { topic: topics.grades, numPartitions: 3 },
    { topic: topics.gradeState, numPartitions: 3, config: { 'cleanup.policy': 'compact' } },
  ]);
  return { ns, topics };
}

let keyFetches = 0;
const signingKeys = async () => {
  keyFetches++;
  return [publicKeyOf(signingKey)];
};

async function startSubscriber(
  options: Pick<GradeSubscriberOptions, 'groupId' | 'topics' | 'onCurrentGrade'> & Partial<GradeSubscriberOptions>,
): Promise<{ subscriber: GradeSubscriber; received: TypedGradeEvent[] }> {
  const received: TypedGradeEvent[] = [];
  const subscriber = createGradeSubscriber({
    brokers: kafkaBrokers(),
    signingKeys,
    logger,
    onGrade: async (event) => void received.push(event),
    ...options,
  });
  running.push(subscriber);
  await subscriber.start();
  return { subscriber, received };
}

describe('grade subscriber on the real Kafka', () => {
  it('hands over typed grade events with verified certificates, and skips types it does not know', async () => {
    const { ns, topics } = await topicsFor('typed');
    const { received } = await startSubscriber({ groupId: ns.group('marketplace'), topics });
    const gtin = '06901234567892';

    const issued = gradeEvent('issued', gradeMessage({ gtin, gradeId: 'g-1', level: 'SUPERIOR' }));
    const traced = {
      ...gradeEvent('downgraded', gradeMessage({ gtin, gradeId: 'g-1', level: 'FIRST', issuedLevel: 'SUPERIOR', state: GradeState.GRADE_STATE_DOWNGRADED }), {
        previousLevel: 'SUPERIOR',
      }),
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    };
    const unknown = newCloudEvent({ source: SOURCE, type: 'pinzhi.grading.grade.teleported.v1', data: Uint8Array.from([1, 2, 3]) });
    const superseded = gradeEvent(
      'superseded',
      gradeMessage({ gtin, gradeId: 'g-1', level: 'FIRST', issuedLevel: 'SUPERIOR', state: GradeState.GRADE_STATE_SUPERSEDED }),
      { supersededBy: 'grades/g-2' },
    );
    const uncertified = gradeEvent('issued', gradeMessage({ gtin, gradeId: 'g-2', level: 'NONCONFORMING', certified: false }));
    await publishChanges(topics.grades, issued, traced);
    await publisher.publish([{ topic: topics.grades, key: gtin, event: unknown }]);
    await publishChanges(topics.grades, superseded, uncertified);

    await waitFor(() => received.length >= 4, { what: 'four grade events' });
    expect(received.map((e) => [e.type, e.id])).toEqual([
      ['issued', issued.id],
      ['downgraded', traced.id],
      ['superseded', superseded.id],
      ['issued', uncertified.id],
    ]);
    expect(received[0]).toMatchObject({ signatureValid: true, grade: { gtin, level: 'SUPERIOR', name: 'grades/g-1' } });
    expect(received[0]!.time.toISOString()).toBe(issued.time.toISOString());
    expect(received[1]).toMatchObject({ signatureValid: true, previousLevel: 'SUPERIOR', traceparent: traced.traceparent, grade: { level: 'FIRST' } });
    expect(received[2]).toMatchObject({ signatureValid: true, supersededBy: 'grades/g-2' });
    expect(received[3]!.signatureValid).toBeNull();
    expect(received[0]).not.toHaveProperty('previousLevel');
  });

  it('reports a tampered certificate as not verified', async () => {
    const { ns, topics } = await topicsFor('tampered');
    const { received } = await startSubscriber({ groupId: ns.group('marketplace'), topics });
    const gtin = '06934567801012';

    const genuine = gradeMessage({ gtin, gradeId: 'g-7', level: 'QUALIFIED' });
    // Someone lifts the printed level after signing.
    const forged = Grade.fromPartial({ ...genuine, level: 'SUPERIOR', certificate: { ...genuine.certificate!, level: 'SUPERIOR' } });
    await publishChanges(topics.grades, gradeEvent('issued', forged), gradeEvent('issued', genuine));

    await waitFor(() => received.length >= 2, { what: 'both events' });
    expect(received.map((e) => [e.grade.certificate?.level, e.signatureValid])).toEqual([
      ['SUPERIOR', false],
      ['QUALIFIED', true],
    ]);
  });

  it('passes a redelivered event (same ce_id) to onGrade once', async () => {
    const { ns, topics } = await topicsFor('dedupe');
    const fetchesBefore = keyFetches;
    const { received } = await startSubscriber({ groupId: ns.group('marketplace'), topics });
    const gtin = '06901234567892';

    const event = gradeEvent('issued', gradeMessage({ gtin, gradeId: 'g-3', level: 'FIRST' }));
    // A relay that crashed after publishing but before clearing its outbox entry publishes again.
    await publishChanges(topics.grades, event);
    await publishChanges(topics.grades, { ...event });
    const sentinel = gradeEvent('revoked', gradeMessage({ gtin, gradeId: 'g-3', level: 'FIRST', state: GradeState.GRADE_STATE_REVOKED }));
    await publishChanges(topics.grades, sentinel);

    // Same key, same partition: the copy arrives before the sentinel.
    await waitFor(() => received.some((e) => e.id === sentinel.id), { what: 'the event after the copy' });
    expect(received.map((e) => e.id)).toEqual([event.id, sentinel.id]);
    // The keys were fetched once and cached.
    expect(keyFetches - fetchesBefore).toBe(1);
  });

  it('delivers again an event whose handler kept failing, instead of dropping it', async () => {
    const { ns, topics } = await topicsFor('redeliver');
    const gtin = '06901234567892';
    let failures = 0;
    const handled: string[] = [];
    await startSubscriber({
      groupId: ns.group('marketplace'),
      topics,
      maxAttempts: 2,
      retryBackoffMs: 10,
      onGrade: async (event) => {
        // Six failures outlast the SDK's own two attempts; marked non-retriable, which kafkajs
        // alone would take as a reason to stop the consumer for good.
        if (failures < 6) {
          failures++;
          throw Object.assign(new Error('listing database is read-only'), { retriable: false });
        }
        handled.push(event.id);
      },
    });
    const event = gradeEvent('issued', gradeMessage({ gtin, gradeId: 'g-9', level: 'FIRST' }));
    await publishChanges(topics.grades, event);

    await waitFor(() => handled.length > 0, { what: 'the event after the handler recovers', timeoutMs: 45_000 });
    expect(handled).toEqual([event.id]);
    expect(failures).toBe(6);
  });

  it('bootstraps the latest state per key (null for a tombstone) before following changes', async () => {
    const { ns, topics } = await topicsFor('bootstrap');
    const [a, b, c] = ['06900000000011', '06900000000028', '06900000000035'];
    // a: issued, then downgraded; b: issued, then revoked (tombstone); c: issued.
    await publishState(topics.gradeState, a, gradeMessage({ gtin: a, gradeId: 'a-1', level: 'SUPERIOR' }));
    await publishState(topics.gradeState, b, gradeMessage({ gtin: b, gradeId: 'b-1', level: 'FIRST' }));
    await publishState(topics.gradeState, c, gradeMessage({ gtin: c, gradeId: 'c-1', level: 'QUALIFIED' }));
    await publishState(
      topics.gradeState,
      a,
      gradeMessage({ gtin: a, gradeId: 'a-1', level: 'FIRST', issuedLevel: 'SUPERIOR', state: GradeState.GRADE_STATE_DOWNGRADED }),
    );
    await publishState(topics.gradeState, b, null);
    // History from before the start: reflected in the snapshot, not replayed to onGrade.
    const old = gradeEvent('issued', gradeMessage({ gtin: c, gradeId: 'c-1', level: 'QUALIFIED' }));
    await publishChanges(topics.grades, old);

    const order: string[] = [];
    const current = new Map<string, { grade: Grade | null; info: CurrentGradeInfo }>();
    const { received } = await startSubscriber({
      groupId: ns.group('marketplace'),
      topics,
      onCurrentGrade: async (key, grade, info) => {
        order.push(`current ${key}`);
        expect(current.has(key)).toBe(false); // once per key
        current.set(key, { grade, info });
      },
      onGrade: async (event) => {
        order.push(`grade ${event.id}`);
        received.push(event);
      },
    });

    // start() resolved: the snapshot is complete.
    expect(current.size).toBe(3);
    expect(current.get(`${a}|${STANDARD}`)).toMatchObject({
      grade: { level: 'FIRST', state: GradeState.GRADE_STATE_DOWNGRADED },
      info: { signatureValid: true },
    });
    expect(current.get(`${b}|${STANDARD}`)).toEqual({ grade: null, info: { signatureValid: null } });
    expect(current.get(`${c}|${STANDARD}`)).toMatchObject({ grade: { level: 'QUALIFIED' }, info: { signatureValid: true } });

    const next = gradeEvent('revoked', gradeMessage({ gtin: c, gradeId: 'c-1', level: 'QUALIFIED', state: GradeState.GRADE_STATE_REVOKED }));
    await publishChanges(topics.grades, next);
    await waitFor(() => received.some((e) => e.id === next.id), { what: 'the change after the snapshot' });
    // Same key as `old`, so `old` would have come first had it been replayed.
    expect(received.map((e) => e.id)).toEqual([next.id]);
    expect(order.slice(0, 3).every((o) => o.startsWith('current '))).toBe(true);
    expect(order.slice(3)).toEqual([`grade ${next.id}`]);
  });
});

describe('example marketplace badge table', () => {
  it('shows, lowers and removes a badge as issued → downgraded → revoked arrive, after loading the snapshot', async () => {
    const { ns, topics } = await topicsFor('badges');
    const [listed, jacket] = ['06934567801012', '06934567801029'];
    // Already graded before the marketplace starts: comes from the snapshot.
    await publishState(topics.gradeState, listed, gradeMessage({ gtin: listed, gradeId: 'l-1', level: 'FIRST' }));

    const store = memoryBadgeStore();
    const changes: string[] = [];
    const watched: BadgeStore = {
      ...store,
      put: async (badge: Badge) => {
        changes.push(`${badge.gtin} ${badge.state} ${badge.level}`);
        await store.put(badge);
      },
      remove: async (gtin: string) => {
        changes.push(`${gtin} removed`);
        await store.remove(gtin);
      },
    };
    const tables: string[] = [];
    const marketplace = await startMarketplace({
      brokers: kafkaBrokers(),
      groupId: ns.group('marketplace'),
      signingKeys,
      store: watched,
      logger,
      topics,
      print: (table) => tables.push(table),
    });
    running.push(marketplace);
    expect(await store.list()).toEqual([
      expect.objectContaining({ gtin: listed, level: 'FIRST', state: 'issued', certificateNumber: 'PZ-G-2025-l-1', verified: true }),
    ]);

    await publishChanges(
      topics.grades,
      gradeEvent('issued', gradeMessage({ gtin: jacket, gradeId: 'j-1', level: 'SUPERIOR' })),
      gradeEvent(
        'downgraded',
        gradeMessage({ gtin: jacket, gradeId: 'j-1', level: 'FIRST', issuedLevel: 'SUPERIOR', state: GradeState.GRADE_STATE_DOWNGRADED }),
        { previousLevel: 'SUPERIOR' },
      ),
      gradeEvent('revoked', gradeMessage({ gtin: jacket, gradeId: 'j-1', level: 'FIRST', issuedLevel: 'SUPERIOR', state: GradeState.GRADE_STATE_REVOKED })),
    );

    await waitFor(() => changes.includes(`${jacket} removed`), { what: 'the revocation' });
    expect(changes).toEqual([`${listed} issued FIRST`, `${jacket} issued SUPERIOR`, `${jacket} downgraded FIRST`, `${jacket} removed`]);
    expect(await store.list()).toEqual([
      {
        gtin: listed,
        level: 'FIRST',
        state: 'issued',
        certificateNumber: 'PZ-G-2025-l-1',
        verified: true,
        standardCode: STANDARD,
        grade: 'grades/l-1',
        gradeCreated: '2025-03-01T00:00:00.000Z',
      },
    ]);
    // Printed after the snapshot and after each change.
    expect(tables).toHaveLength(4);
    expect(tables[2]).toMatch(new RegExp(`${jacket}\\s+FIRST\\s+downgraded\\s+PZ-G-2025-j-1\\s+verified`));
    expect(tables[3]).not.toContain(jacket);

    // After a crash grading's outbox may deliver an older grade's news after a newer one's:
    // l-2 (newer) is shown, then l-0's late issued event must not replace it, and l-0's
    // superseded event must not remove it.
    const newer = gradeMessage({ gtin: listed, gradeId: 'l-2', level: 'SUPERIOR', created: new Date('2025-03-05T00:00:00.000Z') });
    const older = gradeMessage({ gtin: listed, gradeId: 'l-0', level: 'FIRST', created: new Date('2025-03-04T00:00:00.000Z') });
    await publishChanges(
      topics.grades,
      gradeEvent('issued', newer),
      gradeEvent('issued', older),
      gradeEvent('superseded', { ...older, state: GradeState.GRADE_STATE_SUPERSEDED }, { supersededBy: 'grades/l-2' }),
      gradeEvent(
        'superseded',
        { ...gradeMessage({ gtin: listed, gradeId: 'l-1', level: 'FIRST' }), state: GradeState.GRADE_STATE_SUPERSEDED },
        { supersededBy: 'grades/l-2' },
      ),
    );
    await waitFor(() => changes.includes(`${listed} issued SUPERIOR`), { what: 'the newer grade' });
    await publishChanges(topics.grades, gradeEvent('issued', gradeMessage({ gtin: jacket, gradeId: 'j-9', level: 'FIRST' })));
    await waitFor(() => changes.includes(`${jacket} issued FIRST`), { what: 'a sentinel after the late events' });
    expect((await store.get(listed))?.grade).toBe('grades/l-2');
  });
});

describe('against the real grading service', () => {
  it('follows issued → downgraded → revoked as grading publishes them, verified with the keys from GetSigningKeys', async () => {
    const ns = namespace('e2e');
    const grading = await startServiceForTest(gradingService, { ns });
    cleanups.push(async () => {
      await grading.stop();
      await dropDatabase(ns.dbName);
    });
    await loadSeeds(grading.db, grading.relay, logger);

    // This instance's own topics: follow them with a group of our own.
    const keys = signingKeysFromGrading(grading.grpc.address);
    cleanups.push(async () => keys.close());
    const { received: everything } = await startSubscriber({
      groupId: ns.group('marketplace'),
      signingKeys: keys,
      topics: { grades: grading.topic(gradeStream), gradeState: grading.topic(gradeStateStream) },
    });

    const client = createUnaryClient(GradingServiceService, grading.grpc.address);
    cleanups.push(async () => client.close());
    const certifier = await bearer('certifier', 'CNAS C951-P');
    // A jacket that declares GB/T 14272 (grading refuses a standard the product does not declare).
    const jacket = '06934567801036';
    const { grade } = await client.issueGrade(
      {
        product: `products/${jacket}`,
        standardCode: STANDARD,
        decisionRule: 0,
        report: {
          laboratoryCnasNumber: 'CNAS L99501',
          reportNumber: `R-${ns.id}`,
          sampleId: 'S-1',
          batch: '',
          testedOn: '2026-11-20',
          measurements: Object.entries({
            'down-cluster-content': '92',
            'fill-power': '18',
            'fill-weight-deviation': '-1',
            'oxygen-number': '3.2',
            turbidity: '650',
            'fat-content': '0.8',
            odour: 'pass',
            alkylphenols: '4',
            formaldehyde: '40',
            ph: '6.5',
            'colour-fastness-water': '4',
            'colour-fastness-acid-perspiration': '3-4',
            'colour-fastness-alkaline-perspiration': '4',
            'colour-fastness-dry-rubbing': '4',
            'banned-aromatic-amines': '5',
          }).map(([indicatorId, value]) => ({ indicatorId, value })),
        },
      },
      certifier,
    );
    const ours = grade!.name;
    await client.downgradeGrade({ name: ours, level: 'FIRST', reason: 'complaint upheld' }, certifier);
    await client.revokeGrade({ name: ours, reason: 'fraudulent report' }, await bearer('regulator', 'SAMR'));

    // Filtered afterwards: the issued event may arrive before issueGrade's response does.
    const received = await waitFor(
      () => {
        const mine = everything.filter((e) => e.grade.name === ours);
        return mine.length >= 3 && mine;
      },
      { what: 'three events from grading' },
    );
    expect(received.map((e) => [e.type, e.grade.level, e.signatureValid])).toEqual([
      ['issued', 'SUPERIOR', true],
      ['downgraded', 'FIRST', true],
      ['revoked', 'FIRST', true],
    ]);
    expect(received[1]!.previousLevel).toBe('SUPERIOR');
    expect(received[0]!.grade.certificate?.number).toBe(grade!.certificate?.number);
  });
});
