import { setTimeout as sleep } from 'node:timers/promises';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Consumer, EachBatchPayload, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Collection, Db } from 'mongodb';
import { isRetriable } from '../errors.js';
import type { Logger } from '../log.js';
import { isDuplicateKeyError } from '../mongo/mongo.js';
import { spanAttributes } from '../otel/attributes.js';
import { pinzhiMetrics } from '../otel/metrics.js';
import { contextOf, fromKafkaMessage, type CloudEvent } from './cloud-event.js';
import type { EventPublisher } from './event-publisher.js';

export interface EventRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
}

export type EventHandler = (event: CloudEvent, record: EventRecord) => Promise<void>;

/**
 * Remembers which event ids a consumer has processed, so a redelivered event (a relay
 * republishing after a crash, a rebalance replaying uncommitted offsets) is skipped.
 */
export interface ProcessedEvents {
  has(consumer: string, eventId: string): Promise<boolean>;
  remember(consumer: string, eventId: string): Promise<void>;
}

interface ProcessedEventDoc {
  _id: string;
  consumer: string;
  eventId: string;
  processedAt: Date;
}

/** Processed ids in MongoDB: one document per (consumer, event id), keyed by _id. */
export function mongoProcessedEvents(db: Db, collectionName = 'processed_events'): ProcessedEvents {
  const collection: Collection<ProcessedEventDoc> = db.collection(collectionName);
  return {
    async has(consumer, eventId) {
      return (await collection.countDocuments({ _id: `${consumer}:${eventId}` }, { limit: 1 })) > 0;
    },
    async remember(consumer, eventId) {
      try {
        await collection.insertOne({ _id: `${consumer}:${eventId}`, consumer, eventId, processedAt: new Date() });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    },
  };
}

export const dlqTopicOf = (topic: string) => `${topic}.dlq`;

/** Headers a dead-lettered record carries besides its original ones. */
export const dlqHeaders = {
  error: 'pinzhi_dlq_error',
  errorType: 'pinzhi_dlq_error_type',
  consumer: 'pinzhi_dlq_consumer',
  topic: 'pinzhi_dlq_original_topic',
  partition: 'pinzhi_dlq_original_partition',
  offset: 'pinzhi_dlq_original_offset',
  time: 'pinzhi_dlq_time',
} as const;

export interface EventConsumerOptions {
  kafka: Kafka;
  /** Consumer group id; also the name under which processed event ids are remembered. */
  groupId: string;
  topics: readonly string[];
  handle: EventHandler;
  /**
   * Processed event ids, to skip a redelivered event. Omit it only for a handler that is
   * idempotent by construction (it derives its outcome from the store each time): the
   * bookkeeping costs two storage commands per event.
   */
  processed?: ProcessedEvents;
  /** Used to write poison records to `<topic>.dlq`. */
  publisher: EventPublisher;
  logger: Logger;
  fromBeginning?: boolean;
  /** Attempts for a retriable failure before the consumer stops to let kafkajs restart it. */
  maxAttempts?: number;
  retryBackoffMs?: number;
  /** Return once subscribed, without waiting for the group to join (see RunningConsumer.joined). */
  joinInBackground?: boolean;
  /**
   * Partitions whose records are handled at the same time (kafkajs partitionsConsumedConcurrently;
   * default 1). Records of one partition stay in order; handlers of different partitions then
   * share storage commands (by-id.ts).
   */
  partitionsAtOnce?: number;
  /**
   * Handle the records of a fetched batch with different keys at the same time (records of one
   * key stay in order), so their storage commands are shared (by-id.ts). A record that fails
   * for good has its whole batch delivered again: only for an idempotent handler.
   */
  keysAtOnce?: boolean;
}

/** Keys of one batch handled at the same time (keysAtOnce). */
const KEYS_AT_ONCE = 128;

export interface RunningConsumer {
  consumer: Consumer;
  /** Resolves once the group has joined and partitions are assigned. */
  joined: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs a consumer group that is idempotent and loud (STYLE.md habit 8):
 * - a record whose ce_id this group already processed is skipped;
 * - a retriable failure (database or broker down) is retried with backoff, and if it keeps
 *   failing the offset is not committed, so the record is seen again;
 * - anything else is poison: it goes to `<topic>.dlq` with the reason in headers, and the
 *   consumer moves on. Nothing is acknowledged and dropped silently.
 */
export async function startEventConsumer(options: EventConsumerOptions): Promise<RunningConsumer> {
  const logger = options.logger.child({ consumer: options.groupId });
  const maxAttempts = options.maxAttempts ?? 5;
  const backoffMs = options.retryBackoffMs ?? 200;
  const tracer = trace.getTracer('pinzhi');
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: 30000,
    heartbeatInterval: 3000,
    // A disconnect waits for the fetch in flight: a 1 s long poll keeps a stop under a second
    // (the 5 s default made an idle service take up to 5 s to stop) for one fetch a second idle.
    maxWaitTimeInMs: 1000,
    retry: { retries: 10, initialRetryTime: 300 },
  });

  async function deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    await options.publisher.send([
      {
        topic: dlqTopicOf(topic),
        messages: [
          {
            key: message.key,
            value: message.value,
            headers: {
              ...message.headers,
              [dlqHeaders.error]: reason,
              [dlqHeaders.errorType]: (error as Error)?.name ?? 'Error',
              [dlqHeaders.consumer]: options.groupId,
              [dlqHeaders.topic]: topic,
              [dlqHeaders.partition]: String(partition),
              [dlqHeaders.offset]: message.offset,
              [dlqHeaders.time]: new Date().toISOString(),
            },
          },
        ],
      },
    ]);
    logger.error({ topic, partition, offset: message.offset, reason }, 'record sent to the dead-letter topic');
    pinzhiMetrics.deadLettered(options.groupId, topic);
  }

  async function handleWithRetry(event: CloudEvent, record: EventRecord) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await options.handle(event, record);
      } catch (error) {
        if (!isRetriable(error) || attempt >= maxAttempts) throw error;
        logger.warn({ err: error, attempt, eventId: event.id }, 'retriable failure; retrying');
        await sleep(backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  await consumer.connect();
  for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? false });
  async function processMessage(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const record: EventRecord = { topic, partition, offset: message.offset, key: message.key?.toString() };
    let event: CloudEvent;
    try {
      event = fromKafkaMessage(message);
    } catch (error) {
      return deadLetter(topic, partition, message, error);
    }
    if (await options.processed?.has(options.groupId, event.id)) {
      logger.debug({ eventId: event.id }, 'duplicate event skipped');
      return;
    }
    const parent = contextOf(event);
    const span = tracer.startSpan(
      `process ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          [spanAttributes.consumerGroup]: options.groupId,
          [spanAttributes.eventId]: event.id,
          [spanAttributes.eventType]: event.type,
        },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), () => handleWithRetry(event, record));
      await options.processed?.remember(options.groupId, event.id);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      if (isRetriable(error)) {
        // Leave the offset uncommitted: kafkajs restarts the consumer and redelivers.
        logger.error({ err: error, eventId: event.id }, 'retriable failure persisted; will be redelivered');
        throw error;
      }
      span.setAttribute(spanAttributes.deadLettered, true);
      await deadLetter(topic, partition, message, error);
    } finally {
      span.end();
    }
  }

  /**
   * A fetched batch of one partition, its keys at the same time: each key's records in order,
   * at most KEYS_AT_ONCE keys at once. The batch's offsets are committed once every record of
   * it is handled; when one fails for good (retriable, retries spent) the whole batch is
   * delivered again, so only an idempotent handler may be run this way.
   */
  async function processByKey(topic: string, partition: number, messages: readonly KafkaMessage[]): Promise<void> {
    const byKey = new Map<string, KafkaMessage[]>();
    for (const message of messages) {
      const key = message.key?.toString() ?? '';
      const records = byKey.get(key);
      if (records) records.push(message);
      else byKey.set(key, [message]);
    }
    const keys = [...byKey.values()];
    for (let start = 0; start < keys.length; start += KEYS_AT_ONCE) {
      const outcomes = await Promise.allSettled(
        keys.slice(start, start + KEYS_AT_ONCE).map(async (records) => {
          for (const message of records) await processMessage(topic, partition, message);
        }),
      );
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  const joined = consumer.run({
    autoCommit: true,
    partitionsConsumedConcurrently: options.partitionsAtOnce ?? 1,
    ...(options.keysAtOnce
      ? {
          eachBatch: async ({ batch, heartbeat }: EachBatchPayload) => {
            await processByKey(batch.topic, batch.partition, batch.messages);
            await heartbeat();
          },
        }
      : { eachMessage: ({ topic, partition, message }: EachMessagePayload) => processMessage(topic, partition, message) }),
  });
  // After a crash the group waits out the dead member's session (30 s) before it joins:
  // a service serves meanwhile, and can stop meanwhile, so the join runs in the background.
  joined.catch((error: unknown) => logger.error({ err: error }, 'consumer failed to join its group'));
  if (!options.joinInBackground) await joined;
  return {
    consumer,
    joined,
    async stop() {
      await consumer.disconnect();
    },
  };
}
