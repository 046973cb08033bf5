/**
 * The guard of the default topics (test/support/default-topics.ts). The check itself runs in
 * the global setup's teardown, after every test file; this file checks that it would catch a
 * write: the topic list, the comparison on made-up offsets, and a snapshot before and after a
 * real write (to a topic of this test's own, never to a default one).
 */
import { catalogueStreams, gradeStateStream, gradeStream, supervisionStream, valuationStream } from '@pinzhi/events';
import { dlqTopicOf, ensureTopics, newCloudEvent } from '@pinzhi/platform';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  compareOffsets,
  consumersOf,
  defaultTopicNames,
  describeChanges,
  sampleWrittenRecords,
  snapshotOffsets,
  type OffsetSnapshot,
} from '../support/default-topics.js';
import { namespace, testKafka, testPublisher, waitFor } from '../support/harness.js';

const p = (partition: number, high: number, low = 0) => ({ partition, low: String(low), high: String(high) });

describe('the default topics', () => {
  it('are every stream of @pinzhi/events with its dead-letter topic', () => {
    const streams = [gradeStream, gradeStateStream, supervisionStream, ...Object.values(catalogueStreams), valuationStream];
    const topics = defaultTopicNames();
    for (const { topic } of streams) {
      expect(topics).toContain(topic);
      expect(topics).toContain(dlqTopicOf(topic));
    }
    expect(topics).toContain('pinzhi.supervision.samples.v1');
    expect(topics.every((t) => t.startsWith('pinzhi.'))).toBe(true);
  });

  it('had their offsets recorded by the global setup before the tests ran', ({ skip }) => {
    const recorded = inject('defaultTopicOffsets');
    if (Object.keys(recorded).length === 0) skip('the check is off (PINZHI_TEST_CHECK_DEFAULT_TOPICS=false)');
    expect(Object.keys(recorded).sort()).toEqual(defaultTopicNames());
  });
});

describe('compareOffsets', () => {
  const before: OffsetSnapshot = {
    'pinzhi.grading.grades.v1': [p(0, 10), p(1, 0), p(2, 7, 3)],
    'pinzhi.supervision.samples.v1': [p(0, 5)],
    'pinzhi.supervision.samples.v1.dlq': null,
    'pinzhi.catalogue.products.v1': null,
    'pinzhi.brand.valuations.v1': null,
  };

  it('finds nothing when no end offset moved (records npm start wrote before the run do not count)', () => {
    // Retention or compaction moving the start offsets is not a write.
    const after = { ...before, 'pinzhi.grading.grades.v1': [p(0, 10, 4), p(1, 0), p(2, 7, 7)] };
    expect(compareOffsets(before, after)).toEqual([]);
  });

  it('names each topic that moved, by how much and where', () => {
    const after = { ...before, 'pinzhi.grading.grades.v1': [p(0, 12), p(1, 0), p(2, 8, 3)], 'pinzhi.supervision.samples.v1': [p(0, 6)] };
    expect(compareOffsets(before, after)).toEqual([
      { topic: 'pinzhi.grading.grades.v1', records: 3, detail: 'partition 0: 10 → 12, partition 2: 7 → 8' },
      { topic: 'pinzhi.supervision.samples.v1', records: 1, detail: 'partition 0: 5 → 6' },
    ]);
  });

  it('counts a topic created during the run only if it holds records', () => {
    const after = { ...before, 'pinzhi.catalogue.products.v1': [p(0, 0), p(1, 0), p(2, 0)], 'pinzhi.brand.valuations.v1': [p(0, 0), p(1, 2), p(2, 0)] };
    expect(compareOffsets(before, after)).toEqual([
      { topic: 'pinzhi.brand.valuations.v1', records: 2, detail: 'created during the run, now holds 2 record(s)' },
    ]);
  });

  it('counts a topic deleted or recreated during the run, and records on a partition added during it', () => {
    const after = {
      ...before,
      'pinzhi.grading.grades.v1': null,
      'pinzhi.supervision.samples.v1': [p(0, 1), p(1, 4)],
    };
    expect(compareOffsets(before, after)).toEqual([
      { topic: 'pinzhi.grading.grades.v1', records: -14, detail: 'deleted during the run' },
      { topic: 'pinzhi.supervision.samples.v1', records: 0, detail: 'partition 0: 5 → 1 (recreated?), partition 1 (new): 4 record(s)' },
    ]);
  });

  it('says which topics moved in the failure message', () => {
    const message = describeChanges([{ topic: 'pinzhi.supervision.samples.v1', records: 1, detail: 'partition 0: 5 → 6' }]);
    expect(message).toContain('pinzhi.supervision.samples.v1: +1 record(s) (partition 0: 5 → 6)');
    expect(message).toContain('PINZHI_TEST_CHECK_DEFAULT_TOPICS=false');
    expect(message).not.toContain('outside the tests');
    const running = describeChanges([{ topic: 'pinzhi.grading.grades.v1', records: 2, detail: 'partition 1: 0 → 2' }], [], ['grading-supervision (1 member)']);
    expect(running).toContain('Consumer groups outside the tests read the default topics right now: grading-supervision (1 member).');
  });
});

describe('snapshots of a real topic', () => {
  const kafka = testKafka('default-topics-test');
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('see a write, and the failure message shows the record', async () => {
    // A topic of this test's own, standing in for a default one.
    const ns = namespace('default-topics');
    const topic = ns.topic('guarded');
    const missing = ns.topic('never-created');
    await ensureTopics(kafka, [{ topic }]);
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const publisher = await testPublisher(kafka);
    cleanups.push(() => publisher.close());

    const before = await snapshotOffsets(admin, [topic, missing]);
    expect(before[missing]).toBeNull();
    expect(before[topic]).toHaveLength(3);
    expect(compareOffsets(before, await snapshotOffsets(admin, [topic, missing]))).toEqual([]);

    const event = newCloudEvent({ source: '/pinzhi/test', type: 'pinzhi.test.stray.v1', subject: 'strays/1', data: new Uint8Array([1]) });
    await publisher.publish([{ topic, key: 'stray-1', event }]);
    const changes = compareOffsets(before, await snapshotOffsets(admin, [topic, missing]));
    expect(changes).toEqual([{ topic, records: 1, detail: expect.stringMatching(/^partition \d: 0 → 1$/) }]);

    const samples = await sampleWrittenRecords(kafka, before, changes);
    expect(samples).toEqual([expect.objectContaining({ topic, key: 'stray-1', offset: '0' })]);
    expect(describeChanges(changes, samples)).toContain(
      `key=stray-1 at ${samples[0]!.timestamp} ce_type=pinzhi.test.stray.v1 ce_source=/pinzhi/test ce_subject=strays/1 ce_id=${event.id}`,
    );

    // A group reading the topic (as `npm start` reads the default ones) is named; the group
    // that sampled the records is not.
    expect(await consumersOf(admin, [topic])).toEqual([]);
    const reader = kafka.consumer({ groupId: ns.group('reader') });
    cleanups.push(() => reader.disconnect());
    await reader.connect();
    await reader.subscribe({ topic });
    await reader.run({ eachMessage: async () => undefined });
    expect(await waitFor(async () => (await consumersOf(admin, [topic])).length > 0 && consumersOf(admin, [topic]), { what: 'the reader group' })).toEqual([
      `${ns.group('reader')} (1 member)`,
    ]);
  });
});
