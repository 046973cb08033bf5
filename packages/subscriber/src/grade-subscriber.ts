import { setTimeout as sleep } from 'node:timers/promises';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { gradeStateStream } from '@pinzhi/events';
import type { Grade } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { contextOf, createLogger, spanAttributes, type CloudEvent, type Logger } from '@pinzhi/platform';
import type { EventLog, LogEntry } from './event-log.js';
import { decodeGradeEvent, defaultGradeTopics, type TypedGradeEvent } from './grade-event.js';
import { createKafkaEventLog } from './kafka-event-log.js';
import { memoryProcessedEvents, type ProcessedEvents } from './processed-event-ids.js';
import { createSignatureCheck, type SignatureCheckOptions, type SigningKeySource } from './signature-check.js';

/** ce_type of the records on the compacted state topic. */
export const CURRENT_GRADE_TYPE = gradeStateStream.types.current;

export interface CurrentGradeInfo {
  /** As on TypedGradeEvent; null for a tombstone or a grade without certificate. */
  signatureValid: boolean | null;
}

export interface GradeSubscriberOptions {
  /** host:port of the Kafka brokers. */
  brokers: readonly string[];
  /** Consumer group that follows the change topic; also the name processed ids are kept under. */
  groupId: string;
  /** The published public keys, e.g. signingKeysFromGrading(address). Cached; refetched on an unknown key id. */
  signingKeys: SigningKeySource;
  /**
   * Each grade change, in order per product, at most once per ce_id (per dedupe store).
   * A rejection is retried with backoff; if it keeps failing, the record stays uncommitted and
   * is delivered again, so a handler that fails for good holds its partition: catch what you
   * mean to skip.
   */
  onGrade(event: TypedGradeEvent): Promise<void>;
  /**
   * Bootstrap: the current grade of each `{gtin14}|{standard code}` key on the compacted state
   * topic as it stood at start(), null when the key's latest record is a tombstone (the product
   * has no valid grade against that standard any more). Called once per key, before the first
   * onGrade. Leave it out to skip the bootstrap.
   */
  onCurrentGrade?(key: string, grade: Grade | null, info: CurrentGradeInfo): Promise<void> | void;
  /** Topic names; the defaults are the ones grading publishes to. */
  topics?: { grades?: string; gradeState?: string };
  /** Processed ce_ids. Default: the last 100 000 in memory. `mongoProcessedEvents(db)` from @pinzhi/platform persists them. */
  dedupe?: ProcessedEvents;
  logger?: Logger;
  /** Kafka client id. Default `pinzhi-subscriber`. The bootstrap's throwaway groups are named `<groupId>-bootstrap-<uuid>`. */
  clientId?: string;
  /** Attempts per handler call (and key fetch) before the record is left for redelivery. Default 5. */
  maxAttempts?: number;
  retryBackoffMs?: number;
  signatureCheck?: SignatureCheckOptions;
}

export interface GradeSubscriber {
  /** Loads the current grades (onCurrentGrade), then follows the changes (onGrade). Resolves once following. */
  start(): Promise<void>;
  /** Stops following and disconnects; start() cannot be called again. */
  stop(): Promise<void>;
}

/** A marketplace's view of grading: current grades first, then every change, typed and verified. */
export function createGradeSubscriber(options: GradeSubscriberOptions): GradeSubscriber {
  if (options.brokers.length === 0) throw new TypeError('brokers: at least one host:port is required');
  const logger = options.logger ?? createLogger('pinzhi-subscriber');
  const clientId = options.clientId ?? 'pinzhi-subscriber';
  return subscribeGrades(createKafkaEventLog({ brokers: options.brokers, clientId, groupPrefix: options.groupId, logger }), { ...options, logger });
}

/** The subscriber on any EventLog; createGradeSubscriber wires the Kafka one. */
export function subscribeGrades(log: EventLog, options: Omit<GradeSubscriberOptions, 'brokers' | 'logger'> & { logger: Logger }): GradeSubscriber {
  const { groupId } = options;
  if (!groupId) throw new TypeError('groupId is required');
  const topics = { ...defaultGradeTopics, ...options.topics };
  const dedupe = options.dedupe ?? memoryProcessedEvents();
  const signatures = createSignatureCheck(options.signingKeys, options.signatureCheck);
  const logger = options.logger.child({ component: 'grade-subscriber', groupId });
  const maxAttempts = options.maxAttempts ?? 5;
  const backoffMs = options.retryBackoffMs ?? 200;
  const tracer = trace.getTracer('pinzhi-subscriber');
  let phase: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  async function withRetry<T>(what: string, attemptOnce: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptOnce();
      } catch (error) {
        if (attempt >= maxAttempts || phase === 'stopped') throw error;
        logger.warn({ err: error, attempt, what }, 'failed; retrying');
        await sleep(backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  async function bootstrap(onCurrentGrade: NonNullable<GradeSubscriberOptions['onCurrentGrade']>) {
    const until = await log.offsets(topics.gradeState);
    // The latest record per key: an uncompacted log still holds older ones.
    const latest = new Map<string, Exclude<LogEntry, { kind: 'malformed' }>>();
    let records = 0;
    await log.readUntil(topics.gradeState, until, async (entry) => {
      records++;
      if (entry.kind === 'malformed') {
        logger.error({ ...entry.position, reason: entry.reason }, 'state record is not a CloudEvent; skipped');
        return;
      }
      const key = entry.position.key;
      if (key === undefined) {
        logger.error(entry.position, 'state record without a key; skipped');
        return;
      }
      latest.set(key, entry);
    });
    for (const [key, entry] of latest) {
      if (entry.kind === 'tombstone') {
        await withRetry('onCurrentGrade', async () => onCurrentGrade(key, null, { signatureValid: null }));
        continue;
      }
      const grade = currentGradeOf(entry.event, entry.position);
      if (!grade) continue;
      const signature = await withRetry('fetching signing keys', () => signatures.check(grade));
      await withRetry('onCurrentGrade', async () => onCurrentGrade(key, grade, { signatureValid: signature.valid }));
    }
    logger.info({ topic: topics.gradeState, records, keys: latest.size }, 'current grades loaded');
  }

  function currentGradeOf(event: CloudEvent, position: object): Grade | undefined {
    const decoded = gradeStateStream.decode(event);
    if (decoded.kind === 'unknown-type') {
      logger.warn({ ...position, type: event.type, eventId: event.id }, 'unknown state record type; skipped');
    } else if (decoded.kind === 'malformed') {
      logger.error({ ...position, eventId: event.id, reason: decoded.reason }, 'state record does not decode; skipped');
    } else if (decoded.payload.grade) {
      return decoded.payload.grade;
    } else {
      logger.error({ ...position, eventId: event.id }, 'state record carries no grade; skipped');
    }
    return undefined;
  }

  async function handleChange(entry: LogEntry): Promise<void> {
    if (entry.kind === 'malformed') {
      logger.error({ ...entry.position, reason: entry.reason }, 'grade record is not a CloudEvent; skipped');
      return;
    }
    if (entry.kind === 'tombstone') {
      logger.error(entry.position, 'grade record without a value; skipped');
      return;
    }
    const decoded = decodeGradeEvent(entry.event);
    if (decoded.kind === 'unknown-type') {
      logger.warn({ ...entry.position, type: decoded.type, eventId: entry.event.id }, 'unknown grade event type; skipped');
      return;
    }
    if (decoded.kind === 'malformed') {
      logger.error({ ...entry.position, reason: decoded.reason, eventId: entry.event.id }, 'grade event does not decode; skipped');
      return;
    }
    const event = decoded.event;
    if (await dedupe.has(groupId, event.id)) {
      logger.debug({ eventId: event.id }, 'duplicate grade event skipped');
      return;
    }
    const parent = contextOf(entry.event);
    const span = tracer.startSpan(
      `process ${entry.position.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          [spanAttributes.consumerGroup]: groupId,
          [spanAttributes.eventId]: event.id,
          [spanAttributes.eventType]: entry.event.type,
        },
      },
      parent,
    );
    try {
      const signature = await withRetry('fetching signing keys', () => signatures.check(event.grade));
      if (signature.valid === false) {
        logger.warn({ eventId: event.id, gtin: event.grade.gtin, reason: signature.reason }, 'certificate signature does not verify');
      }
      const typed: TypedGradeEvent = { ...event, signatureValid: signature.valid };
      await context.with(trace.setSpan(parent, span), () => withRetry('onGrade', () => options.onGrade(typed)));
      await dedupe.remember(groupId, event.id);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      logger.error({ err: error, eventId: event.id, ...entry.position }, 'grade event not handled; it will be delivered again');
      throw error;
    } finally {
      span.end();
    }
  }

  return {
    async start() {
      if (phase !== 'new') throw new Error(`start() on a grade subscriber that is already ${phase}`);
      phase = 'starting';
      try {
        // Taken before the snapshot is read: a change published while bootstrapping is
        // followed rather than lost between the two topics.
        const changesFrom = await log.offsets(topics.grades);
        if (options.onCurrentGrade) await bootstrap(options.onCurrentGrade);
        await log.follow(topics.grades, groupId, changesFrom, handleChange);
        phase = 'running';
        logger.info({ topic: topics.grades }, 'following grade events');
      } catch (error) {
        phase = 'stopped';
        await log.close().catch(() => undefined);
        throw error;
      }
    },
    async stop() {
      phase = 'stopped';
      await log.close();
    },
  };
}
