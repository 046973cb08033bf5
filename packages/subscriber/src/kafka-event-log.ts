import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafka, fromKafkaMessage, UnavailableError, type Logger } from '@pinzhi/platform';
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { EventLog, LogEntry, RecordPosition } from './event-log.js';

export interface KafkaEventLogOptions {
  brokers: readonly string[];
  clientId: string;
  /** Prefix of the bootstrap's throwaway group ids (a marketplace's ACLs may allow only its own prefix). */
  groupPrefix: string;
  logger: Logger;
}

function entryOf(topic: string, partition: number, message: KafkaMessage): LogEntry {
  const position: RecordPosition = { topic, partition, offset: message.offset, key: message.key?.toString() };
  if (message.value === null) return { kind: 'tombstone', position };
  try {
    return { kind: 'event', event: fromKafkaMessage(message), position };
  } catch (error) {
    return { kind: 'malformed', reason: (error as Error).message, position };
  }
}

/** Tells kafkajs to retry, and once out of retries to restart the consumer: the record is delivered again. */
class RedeliverError extends Error {
  override name = 'RedeliverError';
  readonly retriable = true;
  constructor(cause: unknown) {
    super(`handling the record failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** The subscriber's EventLog on kafkajs, through platform's createKafka (our logger, our retry settings). */
export function createKafkaEventLog(options: KafkaEventLogOptions): EventLog {
  const kafka: Kafka = createKafka({ brokers: options.brokers, clientId: options.clientId, logger: options.logger });
  const logger = options.logger;
  let admin: Admin | undefined;
  const consumers = new Set<Consumer>();
  /** Rejects reads still waiting for their end when the log is closed. */
  const abortReads = new Set<(error: Error) => void>();
  let closed = false;

  async function connectedAdmin(): Promise<Admin> {
    if (!admin) {
      const fresh = kafka.admin();
      await fresh.connect();
      admin = fresh;
    }
    return admin;
  }

  function assertOpen() {
    if (closed) throw new Error('the grade subscriber is stopped');
  }

  return {
    async offsets(topic) {
      assertOpen();
      const kafkaAdmin = await connectedAdmin();
      // Checked first: kafkajs would retry for about a minute and then blame a partition.
      if (!(await kafkaAdmin.listTopics()).includes(topic)) {
        throw new UnavailableError(`topic ${topic} does not exist on ${options.brokers.join(',')}: grading creates it when it first starts`);
      }
      // kafkajs gives up at once on a partition whose leader is moving (or, just after the
      // topic was created, not elected yet), though the error says retriable.
      for (let attempt = 1; ; attempt++) {
        try {
          const offsets = await kafkaAdmin.fetchTopicOffsets(topic);
          return offsets.map(({ partition, low, high }) => ({ partition, low, high }));
        } catch (error) {
          if ((error as { retriable?: boolean }).retriable !== true || attempt >= 5) throw error;
          logger.warn({ err: error, topic, attempt }, 'reading the topic offsets failed; retrying');
          await sleep(200 * 2 ** (attempt - 1));
        }
      }
    },

    async readUntil(topic, until, handle) {
      assertOpen();
      // Partitions still to read, with the offset to stop before.
      const remaining = new Map<number, bigint>();
      for (const p of until) if (BigInt(p.high) > BigInt(p.low)) remaining.set(p.partition, BigInt(p.high));
      if (remaining.size === 0) return;

      // A throwaway group that commits nothing: kafkajs has no manual partition assignment,
      // and an empty group without offsets disappears from the broker once we leave.
      const consumer = kafka.consumer({ groupId: `${options.groupPrefix}-bootstrap-${randomUUID()}`, allowAutoTopicCreation: false });
      consumers.add(consumer);
      let settle!: { resolve: () => void; reject: (error: Error) => void };
      const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      // Awaited below; this only keeps an early abort (during connect) from being reported as unhandled.
      finished.catch(() => undefined);
      abortReads.add(settle.reject);
      try {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = remaining.get(batch.partition);
            if (end === undefined) return;
            try {
              for (const message of batch.messages) {
                if (BigInt(message.offset) >= end) break;
                await handle(entryOf(topic, batch.partition, message));
              }
            } catch (error) {
              settle.reject(error as Error);
              return;
            }
            // lastOffset counts records kafkajs filtered out (control records), so a partition
            // whose last offsets hold no data still ends.
            if (BigInt(batch.lastOffset()) + 1n >= end) {
              remaining.delete(batch.partition);
              consumer.pause([{ topic, partitions: [batch.partition] }]);
              if (remaining.size === 0) settle.resolve();
            }
          },
        });
        await finished;
      } finally {
        abortReads.delete(settle.reject);
        consumers.delete(consumer);
        await consumer.disconnect().catch((error) => logger.warn({ err: error }, 'bootstrap consumer did not disconnect cleanly'));
      }
    },

    async follow(topic, groupId, startAt, handle) {
      assertOpen();
      const [committed] = await (await connectedAdmin()).fetchOffsets({ groupId, topics: [topic] });
      const hasOffset = new Set(committed?.partitions.filter((p) => Number(p.offset) >= 0).map((p) => p.partition));
      const startOf = new Map(startAt.filter((p) => !hasOffset.has(p.partition)).map((p) => [p.partition, p.high]));
      const consumer = kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
        retry: { retries: 10, initialRetryTime: 300 },
      });
      consumers.add(consumer);
      // A group new to a partition starts at the snapshot, not at the start of history. kafkajs
      // emits GROUP_JOIN synchronously before its first fetch, and keeps a seek for that fetch,
      // so no record before the snapshot is handed over. Only on the first join: after that
      // the group's committed offsets say where to go on.
      let joined = false;
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        if (joined) return;
        joined = true;
        for (const partition of payload.memberAssignment[topic] ?? []) {
          const offset = startOf.get(partition);
          if (offset !== undefined) consumer.seek({ topic, partition, offset });
        }
      });
      await consumer.connect();
      // Partitions neither committed nor in the snapshot (added to the topic since) hold only
      // new records: read them from their start.
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        eachMessage: async ({ partition, message }) => {
          try {
            await handle(entryOf(topic, partition, message));
          } catch (error) {
            // kafkajs stops for good on an error marked `retriable: false` (pinzhi's own errors
            // carry that flag); a record whose handling failed must come back instead.
            throw new RedeliverError(error);
          }
        },
      });
    },

    async close() {
      closed = true;
      for (const abort of abortReads) abort(new Error('the grade subscriber was stopped during bootstrap'));
      await Promise.all([...consumers].map((c) => c.disconnect().catch(() => undefined)));
      consumers.clear();
      await admin?.disconnect().catch(() => undefined);
      admin = undefined;
    },
  };
}
