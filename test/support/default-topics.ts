/**
 * Proof that the tests leave the default topics alone: the topics `npm start` uses
 * (`pinzhi.grading.grades.v1`, `pinzhi.supervision.samples.v1`, ...) and their dead-letter
 * topics. Tests start services with startServiceForTest, which puts a namespace before every
 * topic; a test (or a service under test) that forgets it writes to the default topics.
 *
 * The integration tier's global setup (global-setup.ts) takes a snapshot of the default
 * topics' offsets before any test runs and compares it with a second snapshot in its teardown,
 * after every test file has finished (test files run in parallel, so no test file can know it
 * runs last). Only what moved during the run counts: `npm start` may have written to these
 * topics before.
 */
import { randomUUID } from 'node:crypto';
import * as events from '@pinzhi/events';
import { AssignerProtocol, type Admin, type Kafka } from 'kafkajs';

/** One partition's offsets: `high` is the offset the next record will get. */
export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

/** Offsets per topic; null when the topic does not exist. JSON-safe (it is provided to tests). */
export type OffsetSnapshot = Record<string, PartitionOffsets[] | null>;

/** A default topic that moved between two snapshots. */
export interface TopicChange {
  topic: string;
  /** Records added (negative when the topic lost records: deleted or recreated). */
  records: number;
  /** What moved, for the failure message, e.g. "partition 2: 10 → 11". */
  detail: string;
}

const SAMPLER_GROUP = 'pinzhi-test-default-topics-';

/** `<topic>.dlq`, as dlqTopicOf in @pinzhi/platform names it (not imported: global setup stays light). */
const dlqOf = (topic: string) => `${topic}.dlq`;

interface StreamLike {
  topic: string;
  decode: unknown;
}

const isStream = (value: unknown): value is StreamLike =>
  typeof value === 'object' && value !== null && typeof (value as StreamLike).topic === 'string' && typeof (value as StreamLike).decode === 'function';

/**
 * Every stream @pinzhi/events defines (gradeStream, gradeStateStream, supervisionStream, each of
 * catalogueStreams, valuationStream, and any added later) with its dead-letter topic, sorted.
 */
export function defaultTopicNames(): string[] {
  const streams = (Object.values(events) as unknown[]).flatMap((value): StreamLike[] =>
    isStream(value) ? [value] : typeof value === 'object' && value !== null ? Object.values(value).filter(isStream) : [],
  );
  return [...new Set(streams.flatMap((s) => [s.topic, dlqOf(s.topic)]))].sort();
}

const isUnknownTopic = (error: unknown) =>
  /does not host this topic-partition|UNKNOWN_TOPIC/i.test(`${(error as Error)?.message} ${(error as { type?: string })?.type}`);

/**
 * A broker just started elects its partition leaders after it answers: until then offset
 * requests fail with a retriable NOT_LEADER error (seen when `npm test` starts the stack on a
 * state directory that `npm start` had filled), so they are retried for up to 15 s.
 */
async function fetchWhenLed(admin: Admin, topic: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if ((error as { retriable?: boolean })?.retriable !== true || attempt >= 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** The offsets of the topics that exist; null for the others. */
export async function snapshotOffsets(admin: Admin, topics: readonly string[]): Promise<OffsetSnapshot> {
  const existing = new Set(await admin.listTopics());
  const snapshot: OffsetSnapshot = {};
  for (const topic of topics) {
    if (!existing.has(topic)) {
      snapshot[topic] = null;
      continue;
    }
    try {
      const offsets = await fetchWhenLed(admin, topic);
      snapshot[topic] = offsets.map(({ partition, low, high }) => ({ partition, low, high })).sort((a, b) => a.partition - b.partition);
    } catch (error) {
      // Deleted between listing and fetching.
      if (!isUnknownTopic(error)) throw error;
      snapshot[topic] = null;
    }
  }
  return snapshot;
}

const recordsIn = (partitions: readonly PartitionOffsets[]) => partitions.reduce((n, p) => n + (BigInt(p.high) - BigInt(p.low)), 0n);

/**
 * What moved between two snapshots. A topic that exists in neither is fine; one created
 * during the run counts if it has records (a consumer subscribing to a missing topic may
 * create it empty); any change of a partition's end offset counts, in either direction.
 */
export function compareOffsets(before: OffsetSnapshot, after: OffsetSnapshot): TopicChange[] {
  const changes: TopicChange[] = [];
  for (const topic of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const was = before[topic] ?? null;
    const now = after[topic] ?? null;
    if (!was && !now) continue;
    if (!was) {
      const records = recordsIn(now!);
      if (records > 0n) changes.push({ topic, records: Number(records), detail: `created during the run, now holds ${records} record(s)` });
      continue;
    }
    if (!now) {
      changes.push({ topic, records: -Number(recordsIn(was)), detail: 'deleted during the run' });
      continue;
    }
    const previous = new Map(was.map((p) => [p.partition, BigInt(p.high)]));
    let records = 0n;
    const moved: string[] = [];
    for (const p of now) {
      const from = previous.get(p.partition);
      const to = BigInt(p.high);
      if (from === undefined) {
        // A partition added during the run: what it holds was written during the run.
        const held = to - BigInt(p.low);
        if (held > 0n) moved.push(`partition ${p.partition} (new): ${held} record(s)`);
        records += held;
      } else if (to !== from) {
        moved.push(`partition ${p.partition}: ${from} → ${to}${to < from ? ' (recreated?)' : ''}`);
        records += to - from;
      }
    }
    for (const p of was) if (!now.some((q) => q.partition === p.partition)) moved.push(`partition ${p.partition}: gone`);
    if (moved.length > 0) changes.push({ topic, records: Number(records), detail: moved.join(', ') });
  }
  return changes;
}

/** A few of the records written during the run, to tell who wrote them. */
export interface WrittenRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  timestamp: string;
  headers: Record<string, string>;
}

export function describeSamples(samples: readonly WrittenRecord[]): string {
  return [
    'Records written during the run:',
    ...samples.map((r) => {
      const ce = ['ce_type', 'ce_source', 'ce_subject', 'ce_id'].filter((h) => r.headers[h]).map((h) => `${h}=${r.headers[h]}`);
      return `  ${r.topic}[${r.partition}]@${r.offset} key=${r.key ?? '(none)'} at ${r.timestamp} ${ce.join(' ')}`;
    }),
  ].join('\n');
}

export function describeChanges(changes: readonly TopicChange[], samples: readonly WrittenRecord[] = [], outsideConsumers: readonly string[] = []): string {
  const lines = [
    `${changes.length} default topic(s) changed during the test run. These are the topics \`npm start\` uses, and tests must not`,
    'write to them: every topic a test uses carries its own namespace (startServiceForTest, namespace().topic, grading.topic(stream)).',
    ...changes.map((c) => `  ${c.topic}: ${c.records >= 0 ? '+' : ''}${c.records} record(s) (${c.detail})`),
  ];
  if (samples.length > 0) lines.push(describeSamples(samples));
  if (outsideConsumers.length > 0) {
    lines.push(
      `Consumer groups outside the tests read the default topics right now: ${outsideConsumers.join(', ')}.`,
      'So `npm start` (or another deployment) seems to run against this broker; what it wrote counts too: stop it and run the tests again.',
    );
  }
  lines.push(
    'If `npm start`, a benchmark or another test run wrote to this broker at the same time, that explains it;',
    'PINZHI_TEST_CHECK_DEFAULT_TOPICS=false turns this check off (e.g. against a cluster the application itself uses).',
  );
  return lines.join('\n');
}

/**
 * Consumer groups with members subscribed to any of the topics, e.g. "grading-supervision (1
 * member)": a sign that the application itself runs against this broker (test services
 * subscribe to namespaced topics only). Best effort, for the failure message.
 */
export async function consumersOf(admin: Admin, topics: readonly string[]): Promise<string[]> {
  try {
    const wanted = new Set(topics);
    const reads = (metadata: Buffer) => {
      try {
        return AssignerProtocol.MemberMetadata.decode(metadata)?.topics.some((t) => wanted.has(t)) ?? false;
      } catch {
        return false;
      }
    };
    // Not the groups this module reads the written records with (this run's or another's).
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => !id.startsWith(SAMPLER_GROUP));
    if (groups.length === 0) return [];
    const described = await admin.describeGroups(groups);
    return described.groups
      .filter((g) => g.members.some((m) => reads(m.memberMetadata)))
      .map((g) => `${g.groupId} (${g.members.length} member${g.members.length === 1 ? '' : 's'})`)
      .sort();
  } catch {
    return [];
  }
}

/**
 * Reads up to `limit` of the records the changes added (best effort, for the failure message,
 * within `timeoutMs`: vitest gives a global teardown 10 s): a throwaway consumer group, seeked
 * to the offsets of the first snapshot.
 */
export async function sampleWrittenRecords(
  kafka: Kafka,
  before: OffsetSnapshot,
  changes: readonly TopicChange[],
  { limit = 10, timeoutMs = 5_000 } = {},
): Promise<WrittenRecord[]> {
  const topics = changes.filter((c) => c.records > 0).map((c) => c.topic);
  if (topics.length === 0) return [];
  const wanted = Math.min(
    limit,
    changes.reduce((n, c) => n + Math.max(c.records, 0), 0),
  );
  const samples: WrittenRecord[] = [];
  const consumer = kafka.consumer({ groupId: `${SAMPLER_GROUP}${randomUUID()}` });
  let done!: () => void;
  const enough = new Promise<void>((resolve) => (done = resolve));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    // No commits: the group leaves nothing behind on the broker.
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const from = before[topic]?.find((p) => p.partition === partition)?.high;
        if (from !== undefined && BigInt(message.offset) < BigInt(from)) return;
        if (samples.length < wanted) {
          samples.push({
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString(),
            timestamp: new Date(Number(message.timestamp)).toISOString(),
            headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v ?? '')])),
          });
        }
        if (samples.length >= wanted) done();
      },
    });
    const read = async () => {
      await joined;
      for (const topic of topics) for (const p of before[topic] ?? []) consumer.seek({ topic, partition: p.partition, offset: p.high });
      await enough;
    };
    await Promise.race([read(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  } catch {
    // Only for the message; the check itself has already failed.
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return samples;
}

/**
 * Takes the first snapshot now; `verify` takes the second and throws, naming each default
 * topic that moved and by how much, if any did. Used by the integration tier's global setup.
 */
export async function watchDefaultTopics(
  kafka: Kafka,
  topics: readonly string[] = defaultTopicNames(),
): Promise<{ before: OffsetSnapshot; verify(): Promise<void> }> {
  const admin = kafka.admin();
  await admin.connect();
  let before: OffsetSnapshot;
  try {
    before = await snapshotOffsets(admin, topics);
  } finally {
    await admin.disconnect();
  }
  return {
    before,
    async verify() {
      const admin = kafka.admin();
      await admin.connect();
      let changes: TopicChange[];
      let outside: string[] = [];
      try {
        changes = compareOffsets(before, await snapshotOffsets(admin, topics));
        if (changes.length > 0) outside = await consumersOf(admin, topics);
      } finally {
        await admin.disconnect();
      }
      if (changes.length === 0) return;
      // vitest reports an error thrown by a global teardown but still exits 0; and it cuts a
      // teardown short after teardownTimeout. So: the exit code and the message first.
      process.exitCode = 1;
      const print = (text: string) => process.stderr.write(`[default topics] ${text.replaceAll('\n', '\n[default topics] ')}\n`);
      print(describeChanges(changes, [], outside));
      const samples = await sampleWrittenRecords(kafka, before, changes);
      if (samples.length > 0) print(describeSamples(samples));
      throw new Error(describeChanges(changes, samples, outside));
    },
  };
}
