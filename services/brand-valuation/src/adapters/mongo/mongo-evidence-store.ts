import { modifyDocument } from '@pinzhi/platform';
import type { Db, Document } from 'mongodb';
import type { EvidenceStore } from '../../app/ports.js';
import type { BrandEvidence } from '../../domain/quality-evidence.js';

export const EVIDENCE = 'brand_quality_evidence';

const evidenceOf = (document: Document): BrandEvidence => ({ grades: document.grades, cases: document.cases ?? {}, changes: document.changes });

/** One document per brand, kept by the grade-event consumer; it causes no events of its own. */
export class MongoEvidenceStore implements EvidenceStore {
  constructor(private readonly db: Db) {}

  async get(brandId: string): Promise<BrandEvidence | null> {
    const document = await this.db.collection<Document & { _id: string }>(EVIDENCE).findOne({ _id: brandId });
    return document ? evidenceOf(document) : null;
  }

  change<T>(brandId: string, decide: (current: BrandEvidence | null) => { next?: BrandEvidence; result: T }): Promise<T> {
    return modifyDocument(this.db, EVIDENCE, brandId, (document) => {
      const { next, result } = decide(document ? evidenceOf(document) : null);
      if (!next) return { result };
      return document
        ? { update: { $set: { grades: next.grades, cases: next.cases ?? {}, changes: next.changes, version: document.version + 1 } }, result }
        : { insert: { grades: next.grades, cases: next.cases ?? {}, changes: next.changes, version: 1 }, result };
    });
  }
}
