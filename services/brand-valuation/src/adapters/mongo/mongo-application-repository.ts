import { ensureQueryIndex, OUTBOX_FIELD, OutboxCollection, type OutboxRelay } from '@pinzhi/platform';
import { Binary, type Db, type Document, type Filter } from 'mongodb';
import type { Application, ApplicationFilter, ApplicationRepository, ValuationEvent } from '../../app/ports.js';
import { encodeValuationEvent } from '../events/valuation-events.js';

export const APPLICATIONS = 'brand_applications';

type ApplicationDocument = Document & { _id: string };

/**
 * An application is one document, its published valuation included, so every step and its
 * event are one single-document write. The engine's report (hundreds of figures, written
 * once, never queried) is stored as JSON in a binary field: FerretDB's cost per write grows
 * with the number of nested values (see grading's repository).
 */
function toDocument(a: Application): ApplicationDocument {
  const { evaluation, publication, ...fields } = a;
  return {
    ...fields,
    ...(evaluation ? { evaluation: new Binary(Buffer.from(JSON.stringify(evaluation))) } : {}),
    ...(publication
      ? { publication: { ...publication, signature: { ...publication.signature, signature: new Binary(publication.signature.signature) } } }
      : {}),
  };
}

function fromDocument(d: Document | null): Application | null {
  if (!d) return null;
  const { [OUTBOX_FIELD]: _outbox, evaluation, publication, ...fields } = d;
  const a = fields as Application;
  if (evaluation) {
    const parsed = JSON.parse(Buffer.from((evaluation as Binary).buffer).toString()) as Application['evaluation'] & { evaluatedAt: string };
    a.evaluation = { ...parsed!, evaluatedAt: new Date(parsed.evaluatedAt) };
  }
  if (publication) {
    a.publication = { ...publication, signature: { ...publication.signature, signature: new Uint8Array((publication.signature.signature as Binary).buffer) } };
  }
  return a;
}

export async function ensureApplicationIndexes(db: Db): Promise<void> {
  await ensureQueryIndex(db, APPLICATIONS, { brandId: 1, state: 1 });
  await ensureQueryIndex(db, APPLICATIONS, { state: 1, 'publication.valueFen': -1 });
}

export class MongoApplicationRepository implements ApplicationRepository {
  readonly #applications: OutboxCollection<ApplicationDocument>;

  constructor(db: Db, relay: OutboxRelay) {
    this.#applications = new OutboxCollection(db, APPLICATIONS, relay);
  }

  insert(application: Application): Promise<'inserted' | 'exists'> {
    return this.#applications.insert(toDocument(application), []);
  }

  async get(id: string): Promise<Application | null> {
    return fromDocument(await this.#applications.findOne({ _id: id }));
  }

  change<T>(id: string, decide: (current: Application | null) => { next: Application; events: ValuationEvent[]; result: T } | { result: T }): Promise<T> {
    return this.#applications.modify(id, (document) => {
      const decided = decide(fromDocument(document));
      if (!('next' in decided)) return { result: decided.result };
      const { _id, ...fields } = toDocument(decided.next);
      return { update: { $set: fields }, events: decided.events.map(encodeValuationEvent), result: decided.result };
    });
  }

  async #find(filter: Filter<ApplicationDocument>, limit: number, sort: Document): Promise<Application[]> {
    const documents = await this.#applications.collection
      .find(filter, { projection: { [OUTBOX_FIELD]: 0 } })
      .sort(sort)
      .limit(limit)
      .toArray();
    return documents.map((d) => fromDocument(d)!);
  }

  list(filter: ApplicationFilter, after: string | undefined, limit: number): Promise<Application[]> {
    const query: Document = {};
    if (filter.brandId) query.brandId = filter.brandId;
    if (filter.enterpriseId) query.enterpriseId = filter.enterpriseId;
    if (filter.state) query.state = filter.state;
    if (filter.evaluatorBodyId) query['evaluator.bodyId'] = filter.evaluatorBodyId;
    if (after !== undefined) query._id = { $gt: after };
    return this.#find(query, limit, { _id: 1 });
  }

  listPublished(filter: { sector?: string; year?: number }, after: { valueFen: number; id: string } | undefined, limit: number): Promise<Application[]> {
    const query: Document = { state: 'published' };
    if (filter.sector) query['input.sector'] = filter.sector;
    if (filter.year) query['publication.year'] = filter.year;
    if (after) {
      query.$or = [{ 'publication.valueFen': { $lt: after.valueFen } }, { 'publication.valueFen': after.valueFen, _id: { $gt: after.id } }];
    }
    return this.#find(query, limit, { 'publication.valueFen': -1, _id: 1 });
  }

  publishedOfBrand(brandId: string): Promise<Application[]> {
    return this.#find({ brandId, state: 'published' }, 100, { _id: 1 });
  }
}
