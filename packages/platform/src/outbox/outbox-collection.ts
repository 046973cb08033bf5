import type { Collection, Db, Document, Filter } from 'mongodb';
import { FailedPreconditionError } from '../errors.js';
import { batchedInserts, isDuplicateKeyError } from '../mongo/mongo.js';
import { findById } from '../mongo/by-id.js';
import { modifyDocument, updateIfVersion } from '../mongo/document-lock.js';
import { OUTBOX_FIELD, outboxEntry, pushOutbox, type NewOutboxEntry, type OutboxEntry, type OutboxRelay } from './outbox.js';

/** What a read-modify-write decided: the write (if any), the events it causes, and the caller's result. */
export interface OutboxModification<T> {
  update?: Document;
  insert?: Document;
  events?: readonly NewOutboxEntry[];
  result: T;
}

/**
 * A collection whose writes carry their events (DESIGN.md "No lost events"). It owns the
 * sequence every such write needs, so no repository writes it out by hand:
 *   mark in outbox_pending → the single-document write with the entries in `_outbox` →
 *   remove the mark at once when the write is known not to have happened (duplicate, lost
 *   version race) → publish right after the write, off the caller's path.
 * Events are built before the mark, so one too large for Kafka (EVENT_MAX_BYTES) refuses the
 * request as INVALID_ARGUMENT with nothing written.
 * A write that fails for another reason (the connection dropped mid-command) keeps its
 * mark: the write may have landed, and the sweep decides once the mark is old enough.
 */
export class OutboxCollection<D extends Document & { _id: string } = Document & { _id: string }> {
  readonly collection: Collection<D>;
  readonly #insert: (document: D) => Promise<'inserted' | 'exists'>;

  constructor(
    private readonly db: Db,
    readonly name: string,
    private readonly relay: OutboxRelay,
    /** Group concurrent inserts into one insertMany (hot insert paths, e.g. grades). */
    options: { groupInserts?: boolean } = {},
  ) {
    this.collection = db.collection<D>(name);
    this.#insert = options.groupInserts
      ? (batchedInserts(this.collection) as (document: D) => Promise<'inserted' | 'exists'>)
      : (document) => this.#insertOne(document);
  }

  async #insertOne(document: D): Promise<'inserted' | 'exists'> {
    try {
      await this.collection.insertOne(document as never);
      return 'inserted';
    } catch (error) {
      if (isDuplicateKeyError(error)) return 'exists';
      throw error;
    }
  }

  /** Inserts the document with its events; 'exists' (and nothing written or emitted) when a unique key is taken. */
  async insert(document: D, events: readonly NewOutboxEntry[]): Promise<'inserted' | 'exists'> {
    const entries = this.#entries(events);
    await this.relay.beforeWrite(this.name, document._id, entries);
    if ((await this.#insert({ ...document, [OUTBOX_FIELD]: entries })) === 'exists') {
      await this.relay.cancelWrite(entries);
      return 'exists';
    }
    this.#published(document._id, entries);
    return 'inserted';
  }

  /** Applies `update` and its events only if the document still has `expectedVersion`; false otherwise. */
  async updateIfVersion(id: string, expectedVersion: number, update: Document, events: readonly NewOutboxEntry[]): Promise<boolean> {
    const entries = this.#entries(events);
    await this.relay.beforeWrite(this.name, id, entries);
    if (!(await updateIfVersion(this.db, this.name, id, expectedVersion, { ...update, ...pushOutbox(entries) }))) {
      await this.relay.cancelWrite(entries);
      return false;
    }
    this.#published(id, entries);
    return true;
  }

  /**
   * Read-modify-write of one document (see modifyDocument). On MongoDB `decide` runs again
   * after a lost version race; the lost attempt's mark is removed before the next one is
   * taken, so a retried write leaves exactly one mark, for the write that landed.
   */
  async modify<T>(id: string, decide: (document: D | null) => OutboxModification<T> | Promise<OutboxModification<T>>): Promise<T> {
    let pending: OutboxEntry[] = [];
    const attempt = modifyDocument(this.db, this.name, id, async (document) => {
      if (pending.length > 0) {
        // Called again: the previous attempt's write did not happen.
        await this.relay.cancelWrite(pending);
        pending = [];
      }
      const decided = await decide(document as D | null);
      if (!decided.update && !decided.insert) return { result: decided.result };
      const entries = this.#entries(decided.events ?? []);
      await this.relay.beforeWrite(this.name, id, entries);
      pending = entries;
      return decided.update
        ? { update: { ...decided.update, ...pushOutbox(entries) }, result: decided.result }
        : { insert: { ...decided.insert, [OUTBOX_FIELD]: entries }, result: decided.result };
    });
    let result: T;
    try {
      result = await attempt;
    } catch (error) {
      // Every attempt lost its race: nothing was written.
      if (error instanceof FailedPreconditionError) await this.relay.cancelWrite(pending);
      throw error;
    }
    this.#published(id, pending);
    return result;
  }

  /** Reads one document by _id without the outbox, in one command with the reads of the moment (by-id.ts). */
  findById(id: string): Promise<D | null> {
    return findById<D>(this.db, this.name, id, { [OUTBOX_FIELD]: 0 });
  }

  /** Reads without the outbox. */
  findOne(filter: Filter<D>): Promise<D | null> {
    return this.collection.findOne(filter, { projection: { [OUTBOX_FIELD]: 0 } }) as Promise<D | null>;
  }

  /** The entries for a write's events; an event too large for Kafka refuses the request here, before anything is marked or written. */
  #entries(events: readonly NewOutboxEntry[]): OutboxEntry[] {
    return events.map((event) => outboxEntry(event, this.relay.maxEventBytes));
  }

  #published(id: string, entries: readonly OutboxEntry[]): void {
    // Off the caller's path; the sweep covers a failure.
    if (entries.length > 0) void this.relay.publishAfterWrite(this.name, id, entries);
  }
}
