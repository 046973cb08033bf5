import { randomUUID } from 'node:crypto';
import type { GradeEvent } from '@pinzhi/contracts/pinzhi/grading/v1/events';
import type { Grade } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { fromKafkaMessage, InvalidArgumentError, UnavailableError, type Logger } from '@pinzhi/platform';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { gradeStream } from '@pinzhi/events';

export type FeedFilter = { enterpriseId?: string; brandId?: string; productId?: string };

/** Offsets per partition of the grade topic, as an opaque token. */
function encodeToken(offsets: Record<number, string>): string {
  return Buffer.from(JSON.stringify(offsets)).toString('base64url');
}

function decodeToken(token: string): Record<number, string> {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as Record<string, unknown>;
    if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((v) => typeof v !== 'string' || !/^\d+$/.test(v))) throw new Error();
    return parsed as Record<number, string>;
  } catch {
    throw new InvalidArgumentError('invalid resume_token', [
      { field: 'resume_token', reason: 'INVALID_RESUME_TOKEN', description: 'use a token from a previous WatchGradesResponse' },
    ]);
  }
}

type Deliver = (event: GradeEvent, resumeToken: string) => Promise<void>;

/** Events a live watcher has not taken yet, before it counts as fallen behind. */
const MAX_QUEUED = 1000;

function matches(filter: FeedFilter, grade: Grade): boolean {
  if (filter.productId && grade.gtin !== filter.productId) return false;
  if (filter.brandId && grade.brand !== `brands/${filter.brandId}`) return false;
  if (filter.enterpriseId && grade.enterprise !== `enterprises/${filter.enterpriseId}`) return false;
  return true;
}

function decodeGradeEvent(message: KafkaMessage): GradeEvent | undefined {
  const event = fromKafkaMessage(message);
  const decoded = gradeStream.decode(event);
  return decoded.kind === 'event' && decoded.payload.grade ? { id: event.id, type: event.type, grade: decoded.payload.grade } : undefined;
}

/** One watcher of the shared feed: a queue of its own, so a slow stream holds up no other. */
class LiveWatcher {
  readonly #queue: Array<[GradeEvent, string]> = [];
  #pumping = false;
  readonly failed: Promise<never>;
  #fail!: (error: Error) => void;

  constructor(
    readonly filter: FeedFilter,
    private readonly deliver: Deliver,
  ) {
    this.failed = new Promise<never>((_, reject) => (this.#fail = reject));
    this.failed.catch(() => undefined);
  }

  offer(event: GradeEvent, resumeToken: string): void {
    if (this.#queue.length >= MAX_QUEUED) {
      this.#fail(new UnavailableError('this watcher fell behind the grade feed; reconnect with the last resume_token'));
      return;
    }
    this.#queue.push([event, resumeToken]);
    if (!this.#pumping) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) await this.deliver(...next);
    } catch (error) {
      this.#fail(error as Error);
    } finally {
      this.#pumping = false;
    }
  }
}

/**
 * Grade events from Kafka for WatchGrades, for marketplaces that cannot reach the broker.
 *
 * Live watchers (no resume token) share ONE consumer per service instance, started on the
 * first watch: a new watcher gets events from the moment it connects, with no consumer group
 * of its own to join. A watcher that resumes reads the topic with a consumer of its own from
 * the offsets in its token (kafkajs cannot read partitions without a group). The resume token
 * carries the last offset per partition.
 */
export class GradeFeed {
  #live: Promise<{ consumer: Consumer; watchers: Set<LiveWatcher> }> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly logger: Logger,
    /** The grade stream's topic as this instance names it (tests prefix it). */
    private readonly topic: string = gradeStream.topic,
  ) {}

  async watch(filter: FeedFilter, resumeToken: string, signal: AbortSignal, deliver: Deliver): Promise<void> {
    const offsets = resumeToken ? decodeToken(resumeToken) : undefined;
    const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    if (offsets) return this.#resume(filter, offsets, signal, stopped, deliver);
    const live = await (this.#live ??= this.#startLive());
    const watcher = new LiveWatcher(filter, (event, token) => (signal.aborted ? Promise.resolve() : deliver(event, token)));
    live.watchers.add(watcher);
    try {
      await Promise.race([stopped, watcher.failed]);
    } finally {
      live.watchers.delete(watcher);
    }
  }

  async #startLive(): Promise<{ consumer: Consumer; watchers: Set<LiveWatcher> }> {
    const watchers = new Set<LiveWatcher>();
    const offsets: Record<number, string> = {};
    const consumer = this.kafka.consumer({ groupId: `grading-watch-${randomUUID()}` });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: false });
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          offsets[partition] = message.offset;
          const event = decodeGradeEvent(message);
          if (!event) return;
          const token = encodeToken(offsets);
          for (const watcher of watchers) if (matches(watcher.filter, event.grade!)) watcher.offer(event, token);
        },
      });
      await joined;
      return { consumer, watchers };
    } catch (error) {
      this.#live = undefined;
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async #resume(filter: FeedFilter, offsets: Record<number, string>, signal: AbortSignal, stopped: Promise<void>, deliver: Deliver): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: `grading-watch-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: this.topic, fromBeginning: false });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          offsets[partition] = message.offset;
          const event = decodeGradeEvent(message);
          if (event && matches(filter, event.grade!) && !signal.aborted) await deliver(event, encodeToken(offsets));
        },
      });
      // Continue after the offsets the watcher already saw (kafkajs applies seeks once assigned).
      for (const [partition, offset] of Object.entries(offsets)) {
        consumer.seek({ topic: this.topic, partition: Number(partition), offset: String(BigInt(offset) + 1n) });
      }
      await stopped;
    } finally {
      await consumer.disconnect().catch((error: unknown) => this.logger.warn({ err: error }, 'watch consumer disconnect failed'));
    }
  }

  /** Stops the shared consumer (service shutdown). */
  async stop(): Promise<void> {
    const live = await this.#live?.catch(() => undefined);
    this.#live = undefined;
    await live?.consumer.disconnect();
  }
}
