import { context, propagation } from '@opentelemetry/api';
import type { Message } from 'kafkajs';
import { Binary, type Db, type Document, type Filter } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import type { CloudEvent } from '../kafka/cloud-event.js';
import { PROTOBUF_CONTENT_TYPE, toKafkaMessage } from '../kafka/cloud-event.js';
import type { EventPublisher, OutgoingEvent } from '../kafka/event-publisher.js';
import type { Logger } from '../log.js';
import { groupCommit } from '../group-commit.js';
import { withDocumentLocks } from '../mongo/document-lock.js';
import { batchedInserts, isDuplicateKeyError } from '../mongo/mongo.js';
import { pinzhiMetrics } from '../otel/metrics.js';

/**
 * The transactional outbox, embedded (DESIGN.md "No lost events"): the event a state change
 * causes is pushed into the `_outbox` array of the aggregate document in the SAME
 * single-document write as the change. No multi-document transaction is needed, so it works
 * on FerretDB and on any MongoDB. The relay then publishes the pending entries and removes
 * them; if the process dies in between, the periodic sweep publishes them later. Delivery is
 * at least once; consumers de-duplicate on the event id.
 *
 * The sweep does not search the aggregate collections for pending entries: FerretDB cannot
 * use an index for that, and scanning 5 000 grades for `_outbox.time` cost 41 s of server
 * CPU. Instead every write is marked, BEFORE it runs, in the small `outbox_pending`
 * collection; the sweep reads the marks and then each marked document by _id. The mark is
 * removed once the write's entries are published (or, when the write never happened, after
 * a minute).
 */
export const OUTBOX_FIELD = '_outbox';
export const OUTBOX_PENDING = 'outbox_pending';
/** Entries Kafka refused for good, moved out of their documents with the reason (see OutboxDeadLetter). */
export const OUTBOX_DEAD_LETTERS = 'outbox_dead_letters';

/**
 * The largest Kafka record (value + key + headers) an event may make (EVENT_MAX_BYTES).
 * The broker refuses a record batch above its message.max.bytes, 1 048 588 bytes by
 * default, with MESSAGE_TOO_LARGE; the margin leaves room for the batch's own framing and
 * for a broker configured a little lower.
 */
export const DEFAULT_EVENT_MAX_BYTES = 900_000;

/** A write that adds outbox entries to a document; its _id is the first entry's id. */
interface PendingMark {
  _id: string;
  collection: string;
  documentId: unknown;
  at: Date;
}

/** A mark whose document shows no entry of its write is left alone this long (the write may still run). */
export const DEFAULT_ABANDONED_MARK_MS = 60_000;

export interface OutboxEntry {
  id: string;
  topic: string;
  key: string;
  source: string;
  type: string;
  subject?: string;
  time: Date;
  data: Binary;
  /** Trace context of the request that caused the event, restored when it is published. */
  traceparent?: string;
  tracestate?: string;
  /** Publish a null value (compacted topics: the key has no current value any more). */
  tombstone?: true;
}

/** Documents that carry an outbox. */
export interface WithOutbox {
  [OUTBOX_FIELD]?: OutboxEntry[];
}

export interface NewOutboxEntry {
  topic: string;
  key: string;
  source: string;
  type: string;
  subject?: string;
  data: Uint8Array;
  tombstone?: true;
}

/**
 * A new outbox entry, in the active trace context. Refuses, with InvalidArgumentError, an
 * event whose record would exceed `maxBytes`: Kafka would never accept it, so it is refused
 * with the request that caused it, before anything is written, instead of being stored and
 * failing every publish after.
 */
export function outboxEntry(fields: NewOutboxEntry, maxBytes = DEFAULT_EVENT_MAX_BYTES): OutboxEntry {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const entry: OutboxEntry = {
    id: randomUUID(),
    topic: fields.topic,
    key: fields.key,
    source: fields.source,
    type: fields.type,
    time: new Date(),
    data: new Binary(fields.data),
  };
  // Optional fields only when present: $pullAll matches entries by exact value.
  if (fields.subject) entry.subject = fields.subject;
  if (fields.tombstone) entry.tombstone = true;
  if (carrier.traceparent) entry.traceparent = carrier.traceparent;
  if (carrier.tracestate) entry.tracestate = carrier.tracestate;
  const bytes = recordBytes(toKafkaMessage(toCloudEvent(entry), entry.key));
  if (bytes > maxBytes) {
    throw new InvalidArgumentError(
      `the request is too large: its ${entry.type} event would be ${bytes} bytes, more than the ${maxBytes} an event may have; send shorter text or fewer items`,
    );
  }
  return entry;
}

/** The bytes of a Kafka record's key, value and headers (its framing adds a few dozen more). */
export function recordBytes(message: Message): number {
  const size = (value: unknown) => (value == null ? 0 : Buffer.isBuffer(value) ? value.length : Buffer.byteLength(String(value)));
  let bytes = size(message.key) + size(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name) + (Array.isArray(value) ? value.reduce<number>((n, v) => n + size(v), 0) : size(value));
  }
  return bytes;
}

/** The update operator that appends entries to a document's outbox, to merge into a write. */
export function pushOutbox(entries: readonly OutboxEntry[]): { $push: Document } {
  return { $push: { [OUTBOX_FIELD]: { $each: [...entries] } } };
}

/**
 * An event to publish now, without an outbox: for records that are derived again on every
 * redelivery (a projection's compacted state), where a stored entry could only go stale.
 */
export function eventToPublish(fields: NewOutboxEntry, maxBytes = DEFAULT_EVENT_MAX_BYTES): OutgoingEvent {
  const entry = outboxEntry(fields, maxBytes);
  return { topic: entry.topic, key: entry.key, event: toCloudEvent(entry) };
}

function toCloudEvent(entry: OutboxEntry): CloudEvent {
  return {
    id: entry.id,
    source: entry.source,
    type: entry.type,
    subject: entry.subject,
    time: entry.time,
    dataContentType: PROTOBUF_CONTENT_TYPE,
    data: entry.data.buffer,
    traceparent: entry.traceparent,
    tracestate: entry.tracestate,
    tombstone: entry.tombstone,
  };
}

export interface OutboxRelayOptions {
  db: Db;
  publisher: EventPublisher;
  /**
   * Collections whose documents carry this service's outbox; the sweep takes only their marks
   * (services sharing a database share `outbox_pending`).
   */
  collections: readonly string[];
  logger: Logger;
  sweepIntervalMs: number;
  /** The sweep leaves entries younger than this to the writer's own publish. */
  sweepMinAgeMs?: number;
  sweepBatchSize?: number;
  /** The record size OutboxCollection lets an event have (EVENT_MAX_BYTES); also bounds one publish request. */
  maxEventBytes?: number;
  /** Entries in one publish request; default 500. */
  maxBatchEntries?: number;
  /**
   * A mark whose document shows no entry of its write is removed after this long
   * (OUTBOX_ABANDONED_MARK_MS): its write never happened (the process died before it) or
   * failed. Shorter clears `outbox_pending` sooner after a crash; it must stay longer than any
   * write can take, or an entry written after its mark was removed waits for no sweep.
   */
  abandonedMarkMs?: number;
}

/**
 * An outbox entry Kafka refused for good (a record above the broker's limit) or that cannot
 * be encoded at all, kept with the reason in `outbox_dead_letters` (keyed by the entry id)
 * once it is out of its document, so it no longer holds back the events behind it. Operators
 * list them with listOutboxDeadLetters (or find() on the collection) and decide what to do.
 */
export interface OutboxDeadLetter {
  _id: string;
  collection: string;
  documentId: unknown;
  entry: OutboxEntry;
  reason: string;
  error: { name: string; message: string; type?: string };
  at: Date;
}

/** The newest dead-lettered entries first, without their payloads (which may be the very problem). */
export function listOutboxDeadLetters(db: Db, options: { limit?: number } = {}): Promise<Omit<OutboxDeadLetter, 'entry'>[]> {
  return db
    .collection<OutboxDeadLetter>(OUTBOX_DEAD_LETTERS)
    .find({}, { projection: { entry: 0 } })
    .sort({ at: -1 })
    .limit(options.limit ?? 100)
    .toArray();
}

/** What kafkajs raises when the broker refuses a record itself, whatever else the batch holds; retrying never helps. */
const REFUSED_RECORD_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

/**
 * Whether the broker refused a record of the request for good. Other non-retriable errors
 * (an unauthorised or invalid topic) refuse every record alike: dead-lettering would empty the
 * outbox into the dead letters, so those leave the entries pending and are logged, as a
 * broker outage is.
 */
function isRefusedRecord(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { type, retriable } = e as { type?: unknown; retriable?: unknown };
    if (typeof type === 'string' && REFUSED_RECORD_TYPES.has(type) && retriable !== true) return true;
  }
  return false;
}

/** An entry in the document that does not make a Kafka record (a field of the wrong type). */
class OutboxEncodingError extends Error {
  override name = 'OutboxEncodingError';
}

/** One entry on its way: where it lives, the event to publish and its record size. */
interface PendingEntry {
  collection: string;
  documentId: unknown;
  entry: OutboxEntry;
  outgoing: OutgoingEvent;
  bytes: number;
}

/**
 * The event of an entry, checked the way kafkajs will encode it, so an entry that cannot be
 * encoded is told apart from a failed request before anything is sent.
 */
function encodeEntry(entry: OutboxEntry): { outgoing: OutgoingEvent; bytes: number } {
  try {
    const event = toCloudEvent(entry);
    if (typeof entry.topic !== 'string' || typeof entry.key !== 'string') throw new TypeError('topic and key must be strings');
    if (!(entry.time instanceof Date) || Number.isNaN(entry.time.getTime())) throw new TypeError('time must be a date');
    const message = toKafkaMessage(event, entry.key);
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      if (typeof value !== 'string') throw new TypeError(`header ${name} must be a string`);
    }
    return { outgoing: { topic: entry.topic, key: entry.key, event }, bytes: recordBytes(message) };
  } catch (error) {
    throw new OutboxEncodingError(`the outbox entry cannot be encoded as a Kafka record: ${(error as Error).message}`, { cause: error });
  }
}

export interface PublishOutcome {
  published: number;
  deadLettered: number;
}

/**
 * Documents cleared by one update statement, and the entry bytes it may carry. The clear is
 * ONE statement (an updateMany of `$pullAll` with every entry of the chunk: each document
 * loses exactly its own), not one per document: FerretDB v1 keeps every statement's cursor
 * of a command open until the command ends, each on its own SQLite connection (of 100), and
 * ~100 statements hung it; one statement also costs it a quarter less per document
 * (measured on 5 KB grades: 2.3 ms against 3.2 ms in updateOne statements of 16).
 */
const CLEARS_PER_STATEMENT = 64;
const CLEAR_BYTES_PER_STATEMENT = 4_000_000;

/** The entries one write added to one document's outbox. */
interface WrittenEntries {
  collection: string;
  documentId: unknown;
  entries: readonly OutboxEntry[];
}

/**
 * Consecutive runs of `items` of at most `maxItems` items and `maxBytes` bytes (an item larger
 * than `maxBytes` makes a run alone): publish requests and clear statements.
 */
function* runsOf<T>(items: readonly T[], maxItems: number, maxBytes: number, bytesOf: (item: T) => number): Generator<T[]> {
  let run: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    if (run.length > 0 && (run.length === maxItems || bytes + size > maxBytes)) {
      yield run;
      run = [];
      bytes = 0;
    }
    run.push(item);
    bytes += size;
  }
  if (run.length > 0) yield run;
}

export class OutboxRelay {
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<number> | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  /** Writes that finish together are published in one Kafka request and cleared in one command. */
  readonly #publishTogether = groupCommit<WrittenEntries, void>(async (written) => {
    await this.#publish(written);
    await this.#unmark(written.map((w) => w.entries[0]!.id));
    return written.map(() => undefined);
  });
  readonly #mark: (mark: PendingMark) => Promise<'inserted' | 'exists'>;

  constructor(private readonly options: OutboxRelayOptions) {
    this.#mark = batchedInserts(options.db.collection<PendingMark>(OUTBOX_PENDING));
  }

  /**
   * Call BEFORE a write that adds `entries` to a document's outbox (then publishAfterWrite
   * after it): the mark lets the sweep find the entries if this process dies in between.
   */
  async beforeWrite(collection: string, documentId: unknown, entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#mark({ _id: entries[0]!.id, collection, documentId, at: new Date() });
  }

  /** Call when the write that `beforeWrite` announced did not happen (a duplicate, a lost race). */
  async cancelWrite(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length > 0) await this.#unmark([entries[0]!.id]);
  }

  async #unmark(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.options.db.collection<PendingMark>(OUTBOX_PENDING).deleteMany({ _id: { $in: [...ids] } });
  }

  /**
   * Publishes the entries just written to one document, then removes them from its outbox.
   * Call right after the write for low latency. A failure is logged, not thrown: the write
   * has succeeded and the sweep will deliver the entries.
   */
  publishAfterWrite(collection: string, documentId: unknown, entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const task = this.#publishTogether({ collection, documentId, entries }).catch((error: unknown) => {
      this.options.logger.warn({ err: error, collection, documentId }, 'outbox publish failed; the sweep will retry');
    });
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
    return task;
  }

  get maxEventBytes(): number {
    return this.options.maxEventBytes ?? DEFAULT_EVENT_MAX_BYTES;
  }

  /**
   * Publishes the entries in bounded requests and removes each request's entries from their
   * documents once Kafka has them. Until now all pending entries went in one request, so one
   * record above the broker's limit failed every sweep and held back every other event.
   * When the broker refuses a record of a request for good, the request's entries are
   * published one by one and the refused ones are dead-lettered; an entry that cannot be
   * encoded is dead-lettered before anything is sent. Anything else (a broker outage) is
   * thrown, and what was not yet published stays pending for the sweep.
   */
  async #publish(written: readonly WrittenEntries[]): Promise<PublishOutcome> {
    const outcome: PublishOutcome = { published: 0, deadLettered: 0 };
    const pending: PendingEntry[] = [];
    for (const { collection, documentId, entries } of written) {
      for (const entry of entries) {
        try {
          pending.push({ collection, documentId, entry, ...encodeEntry(entry) });
        } catch (error) {
          await this.#deadLetter({ collection, documentId, entry }, error);
          outcome.deadLettered++;
        }
      }
    }
    // Requests of at most maxBatchEntries entries and maxEventBytes of records.
    for (const batch of runsOf(pending, this.options.maxBatchEntries ?? 500, this.maxEventBytes, (p) => p.bytes)) {
      try {
        await this.options.publisher.publish(batch.map((p) => p.outgoing));
      } catch (error) {
        if (!isRefusedRecord(error)) throw error;
        const sent: PendingEntry[] = [];
        try {
          for (const one of batch) {
            try {
              await this.options.publisher.publish([one.outgoing]);
              sent.push(one);
            } catch (oneError) {
              if (!isRefusedRecord(oneError)) throw oneError;
              await this.#deadLetter(one, oneError);
              outcome.deadLettered++;
            }
          }
        } finally {
          await this.#clear(sent);
          outcome.published += sent.length;
        }
        continue;
      }
      await this.#clear(batch);
      outcome.published += batch.length;
    }
    return outcome;
  }

  /** Removes published entries from their documents. */
  async #clear(sent: readonly Pick<PendingEntry, 'collection' | 'documentId' | 'entry'>[]): Promise<void> {
    const byDocument = new Map<string, WrittenEntries & { entries: OutboxEntry[] }>();
    for (const { collection, documentId, entry } of sent) {
      const key = `${collection}/${String(documentId)}`;
      const group = byDocument.get(key) ?? { collection, documentId, entries: [] };
      group.entries.push(entry);
      byDocument.set(key, group);
    }
    const written = [...byDocument.values()];
    // $pullAll removes exactly these entries (FerretDB v1 lacks $pull with a condition), each
    // document only its own (entry ids are unique); a write that added more entries meanwhile
    // keeps them.
    for (const collection of new Set(written.map((w) => w.collection))) {
      const mine = written.filter((w) => w.collection === collection);
      const entryBytes = (w: WrittenEntries) => w.entries.reduce((n, e) => n + e.data.length(), 0);
      for (const chunk of runsOf(mine, CLEARS_PER_STATEMENT, CLEAR_BYTES_PER_STATEMENT, entryBytes)) {
        await withDocumentLocks(
          collection,
          chunk.map((w) => w.documentId),
          () =>
            this.options.db.collection<WithOutbox>(collection).updateMany({ _id: { $in: chunk.map((w) => w.documentId) } } as Filter<WithOutbox>, {
              $pullAll: { [OUTBOX_FIELD]: chunk.flatMap((w) => w.entries) },
            }),
        );
      }
    }
  }

  /**
   * Moves an entry aside: first into outbox_dead_letters (idempotent on the entry id), then
   * out of its document, so a crash in between leaves it in both and the next attempt
   * finishes the move.
   */
  async #deadLetter(pending: Pick<PendingEntry, 'collection' | 'documentId' | 'entry'>, error: unknown): Promise<void> {
    const { collection, documentId, entry } = pending;
    const e = error as { name?: unknown; message?: unknown; type?: unknown };
    const letter: OutboxDeadLetter = {
      _id: entry.id,
      collection,
      documentId,
      entry,
      reason: error instanceof OutboxEncodingError ? 'the entry cannot be encoded as a Kafka record' : 'Kafka refused the record for good',
      error: { name: String(e?.name ?? 'Error'), message: String(e?.message ?? error), ...(typeof e?.type === 'string' ? { type: e.type } : {}) },
      at: new Date(),
    };
    try {
      await this.options.db.collection<OutboxDeadLetter>(OUTBOX_DEAD_LETTERS).insertOne(letter);
    } catch (insertError) {
      if (!isDuplicateKeyError(insertError)) throw insertError;
    }
    await withDocumentLocks(collection, [documentId], () =>
      this.options.db.collection<WithOutbox>(collection).updateOne({ _id: documentId } as Filter<WithOutbox>, { $pullAll: { [OUTBOX_FIELD]: [entry] } }),
    );
    pinzhiMetrics.outboxDeadLettered(entry.topic);
    this.options.logger.error(
      { collection, documentId, eventId: entry.id, eventType: entry.type, topic: entry.topic, reason: letter.reason, err: error },
      `outbox entry moved to ${OUTBOX_DEAD_LETTERS}; the events behind it go on`,
    );
  }

  /** Marks of this relay's collections not cleared yet: writes whose events are not out yet (metric pinzhi.outbox.pending). */
  pendingCount(): Promise<number> {
    return this.options.db.collection<PendingMark>(OUTBOX_PENDING).countDocuments({ collection: { $in: [...this.options.collections] } });
  }

  /** Publishes every entry older than the minimum age, in document order. Returns the count. */
  sweep(): Promise<number> {
    this.#sweeping ??= this.#sweep().finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  async #sweep(): Promise<number> {
    const now = Date.now();
    const cutoff = new Date(now - (this.options.sweepMinAgeMs ?? 2000));
    const marks = await this.options.db
      .collection<PendingMark>(OUTBOX_PENDING)
      .find({ collection: { $in: [...this.options.collections] }, at: { $lte: cutoff } })
      .limit(this.options.sweepBatchSize ?? 500)
      .toArray();
    const written: WrittenEntries[] = [];
    const pendingIds = new Set<string>();
    const seen = new Set<string>();
    for (const mark of marks) {
      const key = `${mark.collection}/${String(mark.documentId)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const document = await this.options.db
        .collection<WithOutbox & Document>(mark.collection)
        .findOne({ _id: mark.documentId } as Filter<Document>, { projection: { [OUTBOX_FIELD]: 1 } });
      // Entries younger than the cutoff belong to writes still being published by their writer.
      const entries = (document?.[OUTBOX_FIELD] ?? []).filter((entry) => entry.time <= cutoff);
      for (const entry of entries) pendingIds.add(entry.id);
      if (entries.length > 0) written.push({ collection: mark.collection, documentId: mark.documentId, entries });
    }
    const { published, deadLettered } = await this.#publish(written);
    // A mark goes once its write's entries are out; a mark whose write shows no entries is
    // either published already or its write never happened, unless that write is still running.
    await this.#unmark(
      marks.filter((m) => pendingIds.has(m._id) || now - m.at.getTime() > (this.options.abandonedMarkMs ?? DEFAULT_ABANDONED_MARK_MS)).map((m) => m._id),
    );
    if (published > 0 || deadLettered > 0) this.options.logger.info({ published, deadLettered }, 'outbox sweep published leftover events');
    return published;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.options.logger.warn({ err: error }, 'outbox sweep failed'));
    }, this.options.sweepIntervalMs);
    this.#timer.unref();
  }

  /** Stops the sweep and waits for publishes already started. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.allSettled([...this.#inFlight, this.#sweeping]);
  }
}
