import { context, propagation } from '@opentelemetry/api';
import { Binary, type Db, type Document, type Filter } from 'mongodb';
import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '../kafka/cloud-event.js';
import { PROTOBUF_CONTENT_TYPE } from '../kafka/cloud-event.js';
import type { EventPublisher } from '../kafka/event-publisher.js';
import type { Logger } from '../log.js';
import { groupCommit } from '../group-commit.js';
import { withDocumentLocks } from '../mongo/document-lock.js';

/**
 * The transactional outbox, embedded (DESIGN.md "No lost events"): the event a state change
 * causes is pushed into the `_outbox` array of the aggregate document in the SAME
 * single-document write as the change. No multi-document transaction is needed, so it works
 * on FerretDB and on any MongoDB. The relay then publishes the pending entries and removes
 * them; if the process dies in between, the periodic sweep publishes them later. Delivery is
 * at least once; consumers de-duplicate on the event id.
 */
export const OUTBOX_FIELD = '_outbox';

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
  /** Collections whose documents carry an outbox. */
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
    return written.map(() => undefined);
  });

  constructor(private readonly options: OutboxRelayOptions) {}

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
    const pending = written.filter((w) => w.entries.length > 0);
    if (pending.length === 0) return;
    await this.options.publisher.publish(
      pending.flatMap((w) => w.entries.map((entry) => ({ topic: entry.topic, key: entry.key, event: toCloudEvent(entry) }))),
    );
    // $pullAll removes exactly these entries (FerretDB v1 lacks $pull with a condition); a
    // write that added more entries meanwhile keeps them.
    for (const collection of new Set(pending.map((w) => w.collection))) {
      const mine = pending.filter((w) => w.collection === collection);
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
    const cutoff = new Date(Date.now() - (this.options.sweepMinAgeMs ?? 2000));
    let published = 0;
    for (const name of this.options.collections) {
      const documents = await this.options.db
        .collection<WithOutbox & Document>(name)
        .find({ [`${OUTBOX_FIELD}.time`]: { $lte: cutoff } }, { projection: { [OUTBOX_FIELD]: 1 } })
        .limit(this.options.sweepBatchSize ?? 500)
        .toArray();
      const written = documents.map((document) => ({ collection: name, documentId: document._id, entries: document[OUTBOX_FIELD] ?? [] }));
      await this.#publish(written);
      published += written.reduce((n, w) => n + w.entries.length, 0);
    }
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
