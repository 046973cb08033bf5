import {
  ensureQueryIndex,
  findById,
  FailedPreconditionError,
  modifyDocument,
  OUTBOX_FIELD,
  OutboxCollection,
  type NewOutboxEntry,
  type OutboxRelay,
} from '@pinzhi/platform';
import { Binary, type Db, type Document, type Filter } from 'mongodb';
import type { CurrentPointer, GradeEventSpec, GradeFilter, GradeRepository, StoredGrade } from '../../app/ports.js';
import { LIVE_STATES, type Grade } from '../../domain/grade.js';
import { encodeGradeEvent } from '../events/grade-events.js';

export const GRADES = 'grades';
export const CURRENT_GRADES = 'current_grades';

type GradeDocument = Document & { _id: string };
type PointerDocument = CurrentPointer & { _id: string };

/**
 * How a grade is stored: the queried fields as fields, and the engine's outcome with the lab
 * report (4 to 5 KB of nested verdicts, written once, never queried) as one JSON document in
 * a binary field (FerretDB stores binary as base64; a string of JSON would be escaped
 * character by character, which its CPU profile showed).
 * FerretDB's CPU cost per document read or write grows with the number of nested values,
 * not with bytes: measured on one grade, insert 3.8 ms and find 6.0 ms of FerretDB CPU with
 * the verdicts as sub-documents, against 1.0 ms and 1.5 ms without them. A grade is read and
 * rewritten several times in its life (issue, outbox, supersede, downgrade), so this counts.
 */
type StoredGradeDocument = Omit<StoredGrade, 'outcome' | 'report'> & { evidence: Binary };

function toDocument({ outcome, report, ...fields }: StoredGrade): StoredGradeDocument {
  return { ...fields, evidence: new Binary(Buffer.from(JSON.stringify({ outcome, report }))) };
}

function fromDocument(document: Document | null): StoredGrade | null {
  if (!document) return null;
  const { evidence, [OUTBOX_FIELD]: _outbox, ...fields } = document as StoredGradeDocument & Document;
  const { outcome, report } = JSON.parse(Buffer.from(evidence.buffer).toString()) as Pick<StoredGrade, 'outcome' | 'report'>;
  const grade = { ...(fields as Omit<StoredGrade, 'outcome' | 'report'>), outcome, report };
  // The driver reads bytes back as a BSON Binary; the port promises the signature's bytes.
  // A copy, not a change: concurrent reads of one grade may share the document (by-id.ts).
  const certificate = grade.certificate;
  const bytes = certificate?.signature.signature as Uint8Array | Binary | undefined;
  if (certificate && bytes instanceof Binary) {
    grade.certificate = { ...certificate, signature: { ...certificate.signature, signature: new Uint8Array(bytes.buffer) } };
  }
  return grade;
}

const pointerId = (productId: string, standardCode: string) => `${productId}|${standardCode}`;

const pointerOf = (document: Document): CurrentPointer => ({
  gradeId: document.gradeId,
  createdAt: document.createdAt,
  ...(document.supersedes ? { supersedes: document.supersedes } : {}),
  version: document.version,
});

export async function ensureGradeIndexes(db: Db): Promise<void> {
  await ensureQueryIndex(db, GRADES, { productId: 1, standardCode: 1 });
  await ensureQueryIndex(db, GRADES, { state: 1 });
}

/**
 * Grades in MongoDB. Each change and its event is ONE single-document write; the relay publishes
 * right after it (the compacted state topic is projected from the pointer: grade-convergence-consumer.ts).
 */
export class MongoGradeRepository implements GradeRepository {
  /** Grades issued at the same time (concurrent calls, a bulk IssueGrades) are inserted together. */
  readonly #grades: OutboxCollection<GradeDocument>;

  constructor(
    private readonly db: Db,
    relay: OutboxRelay,
  ) {
    this.#grades = new OutboxCollection(db, GRADES, relay, { groupInserts: true });
  }

  #events(events: GradeEventSpec[]): NewOutboxEntry[] {
    return events.flatMap(encodeGradeEvent);
  }

  insert(grade: StoredGrade, events: GradeEventSpec[]): Promise<'inserted' | 'exists'> {
    return this.#grades.insert(toDocument(grade) as GradeDocument, this.#events(events));
  }

  change(
    id: string,
    changedBy: string,
    decide: (grade: StoredGrade) => { next: Grade; events: (stored: StoredGrade) => GradeEventSpec[] } | null,
  ): Promise<StoredGrade | null> {
    return this.#grades.modify(id, (document) => {
      const current = fromDocument(document);
      const change = current && decide(current);
      if (!current || !change) return { result: null };
      const stored = this.#successor(current, change.next, changedBy);
      const { _id, ...fields } = toDocument(stored);
      return { update: { $set: fields }, events: this.#events(change.events(stored)), result: stored };
    });
  }

  #successor(current: StoredGrade, next: Grade, changedBy: string): StoredGrade {
    return { ...next, _id: current._id, audit: { ...current.audit, updatedBy: changedBy, updatedAt: new Date() }, version: current.version + 1 };
  }

  async update(current: StoredGrade, next: Grade, changedBy: string, events: (stored: StoredGrade) => GradeEventSpec[]): Promise<StoredGrade> {
    const stored = this.#successor(current, next, changedBy);
    const { _id, ...fields } = toDocument(stored);
    if (!(await this.#grades.updateIfVersion(_id, current.version, { $set: fields }, this.#events(events(stored))))) {
      throw new FailedPreconditionError(`grades/${_id} was changed by another request; read it again and retry`);
    }
    return stored;
  }

  async #find(filter: Filter<GradeDocument>, limit: number, sort?: Document): Promise<StoredGrade[]> {
    const cursor = this.#grades.collection.find(filter, { projection: { [OUTBOX_FIELD]: 0 } }).limit(limit);
    return (await (sort ? cursor.sort(sort) : cursor).toArray()).map((d) => fromDocument(d)!);
  }

  async get(id: string): Promise<StoredGrade | null> {
    return fromDocument(await this.#grades.findById(id));
  }

  /** Certificate numbers end with the grade id (PZ-G-{year}-{ID}), so this is an _id lookup. */
  async findByCertificateNumber(number: string): Promise<StoredGrade | null> {
    const id = /^PZ-G-\d{4}-([0-9A-F]+)$/.exec(number)?.[1]?.toLowerCase();
    const grade = id ? await this.get(id) : null;
    return grade?.certificate?.number === number ? grade : null;
  }

  async current(productId: string, standardCode: string): Promise<CurrentPointer | null> {
    const document = await findById<PointerDocument>(this.db, CURRENT_GRADES, pointerId(productId, standardCode));
    return document ? pointerOf(document) : null;
  }

  async findLive(productId: string, standardCode: string): Promise<StoredGrade[]> {
    const pointer = await this.current(productId, standardCode);
    const grade = pointer ? await this.get(pointer.gradeId) : null;
    return grade && LIVE_STATES.includes(grade.state) ? [grade] : [];
  }

  /** A query on productId: on MongoDB its index; on FerretDB a scan, fine for a rare event. */
  async findLiveOfProduct(productId: string): Promise<StoredGrade[]> {
    return this.#find({ productId, state: { $in: [...LIVE_STATES] } }, 1000);
  }

  async changeCurrent<T>(
    productId: string,
    standardCode: string,
    decide: (current: CurrentPointer | null) => { next?: Omit<CurrentPointer, 'version'>; result: T },
  ): Promise<T> {
    return modifyDocument(this.db, CURRENT_GRADES, pointerId(productId, standardCode), (document) => {
      const current = document ? pointerOf(document) : null;
      const { next, result } = decide(current);
      if (!next) return { result };
      return current ? { update: { $set: { ...next, version: current.version + 1 } }, result } : { insert: { ...next, version: 1 }, result };
    });
  }

  async findExpired(now: Date, limit: number): Promise<StoredGrade[]> {
    return this.#find({ state: { $in: [...LIVE_STATES] }, 'certificate.validUntil': { $lte: now } }, limit);
  }

  async list(filter: GradeFilter, after: string | undefined, limit: number): Promise<StoredGrade[]> {
    const query: Document = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== ''));
    if (after !== undefined) query._id = { $gt: after };
    return this.#find(query, limit, { _id: 1 });
  }
}
