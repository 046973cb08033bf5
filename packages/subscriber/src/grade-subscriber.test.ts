import { publicKeyOf } from '@pinzhi/certificates';
import type { Grade } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { GradeState } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { createLogger, newCloudEvent, type CloudEvent } from '@pinzhi/platform';
import { describe, expect, it } from 'vitest';
import type { EntryHandler, EventLog, LogEntry } from './event-log.js';
import type { TypedGradeEvent } from './grade-event.js';
import { subscribeGrades, type CurrentGradeInfo } from './grade-subscriber.js';
import { currentGradeCloudEvent, gradeCloudEvent, signedGrade, STANDARD, testKey } from './test-grades.js';

const logger = createLogger('subscriber-test', 'silent');
const key = testKey();
const signingKeys = async () => [publicKeyOf(key)];
const topics = { grades: 'grades', gradeState: 'grade-state' };

type Record_ = { key: string; event?: CloudEvent; tombstone?: true; malformed?: string };

/** One partition per topic, in memory: what the subscriber sees of Kafka. */
function memoryLog() {
  const records = new Map<string, Record_[]>([
    [topics.grades, []],
    [topics.gradeState, []],
  ]);
  const followers: Array<{ topic: string; handle: EntryHandler; next: number }> = [];
  const state = { closed: false, redeliveries: 0 };
  const entryAt = (topic: string, offset: number): LogEntry => {
    const r = records.get(topic)![offset]!;
    const position = { topic, partition: 0, offset: String(offset), key: r.key };
    if (r.tombstone) return { kind: 'tombstone', position };
    if (r.malformed) return { kind: 'malformed', reason: r.malformed, position };
    return { kind: 'event', event: r.event!, position };
  };
  /** Hands every follower its pending records; a rejected record is offered again, as Kafka would. */
  async function deliver() {
    for (const follower of followers) {
      const log = records.get(follower.topic)!;
      while (follower.next < log.length) {
        try {
          await follower.handle(entryAt(follower.topic, follower.next));
          follower.next++;
        } catch {
          state.redeliveries++;
          if (state.redeliveries > 20) throw new Error('redelivered too often');
        }
      }
    }
  }
  const log: EventLog = {
    async offsets(topic) {
      return [{ partition: 0, low: '0', high: String(records.get(topic)!.length) }];
    },
    async readUntil(topic, until, handle) {
      for (let offset = 0; offset < Number(until[0]!.high); offset++) await handle(entryAt(topic, offset));
    },
    async follow(topic, _groupId, startAt, handle) {
      followers.push({ topic, handle, next: Number(startAt[0]!.high) });
    },
    async close() {
      state.closed = true;
    },
  };
  return {
    log,
    state,
    async append(topic: string, ...added: Record_[]) {
      records.get(topic)!.push(...added);
      await deliver();
    },
  };
}

const gtin = '06901234567892';

describe('subscribeGrades', () => {
  it('hands over the latest current grade per key, null for a tombstone, before any change, then only new changes', async () => {
    const { log, append } = memoryLog();
    const first = signedGrade(key, { gtin, gradeId: 'a', level: 'SUPERIOR' });
    const lowered = signedGrade(key, { gtin, gradeId: 'a', level: 'FIRST', state: GradeState.GRADE_STATE_DOWNGRADED });
    const other = '06900000000028';
    await append(
      topics.gradeState,
      { key: `${gtin}|${STANDARD}`, event: currentGradeCloudEvent(first) },
      { key: `${other}|${STANDARD}`, event: currentGradeCloudEvent(signedGrade(key, { gtin: other, gradeId: 'b' })) },
      { key: `${gtin}|${STANDARD}`, event: currentGradeCloudEvent(lowered) },
      { key: `${other}|${STANDARD}`, tombstone: true },
      { key: 'x|y', malformed: 'the record has no ce_type header' },
      { key: 'z|y', event: newCloudEvent({ source: '/s', type: 'pinzhi.grading.current-grade.v2', data: new Uint8Array() }) },
    );
    await append(topics.grades, { key: gtin, event: gradeCloudEvent('issued', first) });

    const seen: string[] = [];
    const current = new Map<string, [Grade | null, CurrentGradeInfo]>();
    const subscriber = subscribeGrades(log, {
      groupId: 'shop',
      topics,
      signingKeys,
      logger,
      onCurrentGrade: (k, grade, info) => {
        seen.push(`current ${k}`);
        current.set(k, [grade, info]);
      },
      onGrade: async (event) => void seen.push(`${event.type} ${event.grade.level}`),
    });
    await subscriber.start();
    expect([...current.keys()]).toEqual([`${gtin}|${STANDARD}`, `${other}|${STANDARD}`]);
    expect(current.get(`${gtin}|${STANDARD}`)).toEqual([lowered, { signatureValid: true }]);
    expect(current.get(`${other}|${STANDARD}`)).toEqual([null, { signatureValid: null }]);

    await append(topics.grades, {
      key: gtin,
      event: gradeCloudEvent('revoked', signedGrade(key, { gtin, gradeId: 'a', state: GradeState.GRADE_STATE_REVOKED })),
    });
    expect(seen).toEqual([`current ${gtin}|${STANDARD}`, `current ${other}|${STANDARD}`, 'revoked FIRST']);
  });

  it('passes each ce_id once, skips what it cannot read, and keeps going', async () => {
    const { log, append } = memoryLog();
    const received: TypedGradeEvent[] = [];
    const subscriber = subscribeGrades(log, { groupId: 'shop', topics, signingKeys, logger, onGrade: async (e) => void received.push(e) });
    await subscriber.start();
    const issued = gradeCloudEvent('issued', signedGrade(key, { gtin }));
    await append(
      topics.grades,
      { key: gtin, event: issued },
      { key: gtin, event: { ...issued } },
      { key: gtin, event: newCloudEvent({ source: '/s', type: 'pinzhi.grading.grade.teleported.v1', data: new Uint8Array() }) },
      { key: gtin, malformed: 'the record has no ce_id header' },
      { key: gtin, tombstone: true },
      { key: gtin, event: gradeCloudEvent('issued', signedGrade(key, { gtin, gradeId: 'n', certified: false })) },
    );
    expect(received.map((e) => [e.id === issued.id, e.signatureValid])).toEqual([
      [true, true],
      [false, null],
    ]);
  });

  it('retries a failing handler, and leaves the record for redelivery when it keeps failing', async () => {
    const { log, append, state } = memoryLog();
    let calls = 0;
    const handled: string[] = [];
    const subscriber = subscribeGrades(log, {
      groupId: 'shop',
      topics,
      signingKeys,
      logger,
      maxAttempts: 2,
      retryBackoffMs: 1,
      onGrade: async (event) => {
        if (++calls <= 3) throw new Error('listing store down');
        handled.push(event.id);
      },
    });
    await subscriber.start();
    const issued = gradeCloudEvent('issued', signedGrade(key, { gtin }));
    await append(topics.grades, { key: gtin, event: issued });
    // Two attempts, redelivered; two more, the second succeeds. Not remembered as processed until then.
    expect(calls).toBe(4);
    expect(state.redeliveries).toBe(1);
    expect(handled).toEqual([issued.id]);
  });

  it('starts once and closes the log on stop', async () => {
    const { log, state } = memoryLog();
    const subscriber = subscribeGrades(log, { groupId: 'shop', topics, signingKeys, logger, onGrade: async () => undefined });
    await subscriber.start();
    await expect(subscriber.start()).rejects.toThrow('already running');
    await subscriber.stop();
    expect(state.closed).toBe(true);
  });
});
