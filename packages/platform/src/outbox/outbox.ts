import { context, propagation } from '@opentelemetry/api';
import { Binary, type Db, type Document, type Filter } from 'mongodb';
import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '../kafka/cloud-event.js';
import { PROTOBUF_CONTENT_TYPE } from '../kafka/cloud-event.js';
import type { EventPublisher } from '../kafka/event-publisher.js';
import type { Logger } from '../log.js';
import { groupCommit } from '../group-commit.js';
import { withDocumentLocks } from '../mongo/document-lock.js';
import { batchedInserts } from '../mongo/mongo.js';

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

/** A write that adds outbox entries to a document; its _id is the first entry's id. */
interface PendingMark {
  _id: string;
  collection: string;
  documentId: unknown;
  at: Date;
}

/** A mark whose document shows no entry of its write is left alone this long (the write may still run). */
const ABANDONED_MARK_MS = 60_000;

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

export function outboxEntry(fields: NewOutboxEntry): OutboxEntry {
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
  return entry;
}

/** The update operator that appends entries to a document's outbox, to merge into a write. */
export function pushOutbox(entries: readonly OutboxEntry[]): { $push: Document } {
  return { $push: { [OUTBOX_FIELD]: { $each: [...entries] } } };
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
}

/**
 * Outbox clears sent in one update command. FerretDB v1 keeps every statement's cursor of an
 * update command open until the whole command ends, each on its own SQLite connection (of
 * 100): a command of ~100 statements hung the server for good (seen at 16 concurrent
 * IssueGrade calls). Small commands keep well clear of that.
 */
const CLEARS_PER_COMMAND = 16;

/** The entries one write added to one document's outbox. */
interface WrittenEntries {
  collection: string;
  documentId: unknown;
  entries: readonly OutboxEntry[];
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

  async #publish(written: readonly WrittenEntries[]): Promise<void> {
    // Callers pass only writes with entries (publishAfterWrite and the sweep both skip empty ones).
    if (written.length === 0) return;
    await this.options.publisher.publish(
      written.flatMap((w) => w.entries.map((entry) => ({ topic: entry.topic, key: entry.key, event: toCloudEvent(entry) }))),
    );
    // $pullAll removes exactly these entries (FerretDB v1 lacks $pull with a condition); a
    // write that added more entries meanwhile keeps them.
    for (const collection of new Set(written.map((w) => w.collection))) {
      const mine = written.filter((w) => w.collection === collection);
      for (let start = 0; start < mine.length; start += CLEARS_PER_COMMAND) {
        const chunk = mine.slice(start, start + CLEARS_PER_COMMAND);
        await withDocumentLocks(
          collection,
          chunk.map((w) => w.documentId),
          () =>
            this.options.db.collection<WithOutbox>(collection).bulkWrite(
              chunk.map((w) => ({
                updateOne: { filter: { _id: w.documentId } as Filter<WithOutbox>, update: { $pullAll: { [OUTBOX_FIELD]: [...w.entries] } } },
              })),
              { ordered: false },
            ),
        );
      }
    }
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
    await this.#publish(written);
    // A mark goes once its write's entries are out; a mark whose write shows no entries is
    // either published already or its write never happened, unless that write is still running.
    await this.#unmark(marks.filter((m) => pendingIds.has(m._id) || now - m.at.getTime() > ABANDONED_MARK_MS).map((m) => m._id));
    const published = written.reduce((n, w) => n + w.entries.length, 0);
    if (published > 0) this.options.logger.info({ published }, 'outbox sweep published leftover events');
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
