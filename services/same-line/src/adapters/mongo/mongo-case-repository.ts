import { ensureQueryIndex, OUTBOX_FIELD, OutboxCollection, type OutboxRelay } from '@pinzhi/platform';
import { Binary, type Db, type Document, type Filter } from 'mongodb';
import type { CaseEvent, CaseFilter, CaseRepository, ChangeDecision, ListingFilter, SameLineCase } from '../../app/ports.js';
import type { CaseChecks } from '../../domain/case-checks.js';
import { LISTED_STATES } from '../../domain/case-lifecycle.js';
import { encodeCaseEvent } from '../events/case-events.js';

export const CASES = 'same_line_cases';

type CaseDocument = Document & { _id: string };

/** States whose statement is in force or suspended: surveillance and expiry concern these. */
const WITH_STATEMENT = ['declared', 'certified', 'suspended'];

/**
 * A case is one document, its statement and history included, so every step and its event
 * are one single-document write. The evidence (lab reports, dozens of results each) and the
 * checks (an item per indicator and report) are written whole and never queried, so they are
 * stored as JSON in binary fields: FerretDB's cost per write grows with the number of nested
 * values, not with bytes (see grading's repository).
 */
function toDocument(c: SameLineCase): CaseDocument {
  const { evidence, checks, statement, ...fields } = c;
  return {
    ...fields,
    evidence: json(evidence),
    checks: json(checks),
    ...(statement ? { statement: { ...statement, signature: { ...statement.signature, signature: new Binary(statement.signature.signature) } } } : {}),
  };
}

function fromDocument(d: Document | null): SameLineCase | null {
  if (!d) return null;
  const { [OUTBOX_FIELD]: _outbox, evidence, checks, statement, ...fields } = d;
  const parsedChecks = parse(checks) as CaseChecks & { checkedAt: string };
  return {
    ...(fields as Omit<SameLineCase, 'evidence' | 'checks' | 'statement'>),
    evidence: parse(evidence) as SameLineCase['evidence'],
    checks: { ...parsedChecks, checkedAt: new Date(parsedChecks.checkedAt) },
    ...(statement
      ? { statement: { ...statement, signature: { ...statement.signature, signature: new Uint8Array((statement.signature.signature as Binary).buffer) } } }
      : {}),
  } as SameLineCase;
}

const json = (value: unknown) => new Binary(Buffer.from(JSON.stringify(value)));
const parse = (value: unknown): unknown => JSON.parse(Buffer.from((value as Binary).buffer).toString());

export async function ensureCaseIndexes(db: Db): Promise<void> {
  await ensureQueryIndex(db, CASES, { productIds: 1, state: 1 });
  await ensureQueryIndex(db, CASES, { state: 1, listedAt: -1 });
  await ensureQueryIndex(db, CASES, { enterpriseId: 1 });
  await ensureQueryIndex(db, CASES, { state: 1, validUntil: 1 });
}

const and = (conditions: Document[]): Document => (conditions.length === 0 ? {} : conditions.length === 1 ? conditions[0]! : { $and: conditions });

export class MongoCaseRepository implements CaseRepository {
  readonly #cases: OutboxCollection<CaseDocument>;

  constructor(db: Db, relay: OutboxRelay) {
    this.#cases = new OutboxCollection(db, CASES, relay);
  }

  insert(sameLineCase: SameLineCase, events: CaseEvent[]): Promise<'inserted' | 'exists'> {
    return this.#cases.insert(toDocument(sameLineCase), events.map(encodeCaseEvent));
  }

  async get(id: string): Promise<SameLineCase | null> {
    return fromDocument(await this.#cases.findOne({ _id: id }));
  }

  change<T>(id: string, decide: (current: SameLineCase | null) => ChangeDecision<T>): Promise<T> {
    return this.#cases.modify(id, (document) => {
      const decided = decide(fromDocument(document));
      if (!('next' in decided)) return { result: decided.result };
      const { _id, ...fields } = toDocument(decided.next);
      // Cleared optional fields (a reinstatement ends the suspension) must go from the document too.
      const cleared = ['suspendedFrom', 'stateReason'].filter((f) => !(f in fields));
      return {
        update: { $set: fields, ...(cleared.length > 0 ? { $unset: Object.fromEntries(cleared.map((f) => [f, ''])) } : {}) },
        events: decided.events.map(encodeCaseEvent),
        result: decided.result,
      };
    });
  }

  async #find(filter: Filter<CaseDocument>, limit: number, sort: Document): Promise<SameLineCase[]> {
    const documents = await this.#cases.collection
      .find(filter, { projection: { [OUTBOX_FIELD]: 0 } })
      .sort(sort)
      .limit(limit)
      .toArray();
    return documents.map((d) => fromDocument(d)!);
  }

  list(filter: CaseFilter, after: string | undefined, limit: number): Promise<SameLineCase[]> {
    const conditions: Document[] = [];
    if (filter.enterpriseId) conditions.push({ enterpriseId: filter.enterpriseId });
    if (filter.state) conditions.push({ state: filter.state });
    if (filter.productId) conditions.push({ productIds: filter.productId });
    if (filter.certifier) {
      conditions.push({
        $or: [{ 'body.bodyId': filter.certifier.bodyId }, { state: 'filed', path: 'third_party', category: { $in: [...filter.certifier.categories] } }],
      });
    }
    if (after !== undefined) conditions.push({ _id: { $gt: after } });
    return this.#find(and(conditions), limit, { _id: 1 });
  }

  withStatementOf(productId: string): Promise<SameLineCase[]> {
    return this.#find({ productIds: productId, state: { $in: WITH_STATEMENT } }, 1000, { _id: 1 });
  }

  search(filter: ListingFilter, after: { listedAt: number; id: string } | undefined, limit: number): Promise<SameLineCase[]> {
    const conditions: Document[] = [{ state: filter.state ?? { $in: [...LISTED_STATES] } }];
    if (filter.enterpriseId) conditions.push({ enterpriseId: filter.enterpriseId });
    if (filter.productId) conditions.push({ productIds: filter.productId });
    if (filter.category) conditions.push({ category: filter.category });
    if (filter.exportMarket) conditions.push({ exportMarket: filter.exportMarket });
    if (filter.path) conditions.push({ path: filter.path });
    if (after) {
      const at = new Date(after.listedAt);
      conditions.push({ $or: [{ listedAt: { $lt: at } }, { listedAt: at, _id: { $gt: after.id } }] });
    }
    return this.#find(and(conditions), limit, { listedAt: -1, _id: 1 });
  }

  expiredBy(now: Date, limit: number): Promise<SameLineCase[]> {
    return this.#find({ state: { $in: WITH_STATEMENT }, validUntil: { $lte: now } }, limit, { _id: 1 });
  }
}
