import type { CloudEvent } from '@pinzhi/platform';

/** Where a record sits; for log lines a person can act on. */
export interface RecordPosition {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
}

/** One record of a topic, already read as a CloudEvent where it is one. */
export type LogEntry =
  | { kind: 'event'; event: CloudEvent; position: RecordPosition }
  /** A null value: on a compacted topic, the key no longer has a value. */
  | { kind: 'tombstone'; position: RecordPosition }
  | { kind: 'malformed'; reason: string; position: RecordPosition };

/** Per partition: the earliest offset still in the log and the high-water mark (next offset to be written). */
export type TopicOffsets = ReadonlyArray<{ partition: number; low: string; high: string }>;

export type EntryHandler = (entry: LogEntry) => Promise<void>;

/**
 * What the subscriber needs from the broker. The SDK's own seam (STYLE.md: keep kafkajs behind
 * our own interface): the subscriber logic never sees a kafkajs type, and tests can drive it
 * without a broker.
 */
export interface EventLog {
  /** The topic's offsets now. */
  offsets(topic: string): Promise<TopicOffsets>;
  /**
   * Reads every partition from its earliest offset up to (not including) `until`'s high-water
   * marks, one partition in offset order, and resolves when all are read. Commits nothing.
   */
  readUntil(topic: string, until: TopicOffsets, handle: EntryHandler): Promise<void>;
  /**
   * Follows the topic as consumer group `groupId`. Partitions the group has no committed offset
   * for start at `startAt`'s high-water marks. A handler that rejects leaves the record
   * uncommitted, so it is delivered again. Resolves once the consumer runs.
   */
  follow(topic: string, groupId: string, startAt: TopicOffsets, handle: EntryHandler): Promise<void>;
  /** Stops following and reading and disconnects. */
  close(): Promise<void>;
}
