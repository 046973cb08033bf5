import type { Collection, Db } from 'mongodb';
import type { Grade } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import type { CurrentGradeInfo, TypedGradeEvent } from '@pinzhi/subscriber';
import { sameBadge, splitStateKey, updateForCurrentGrade, updateForEvent, type Badge, type BadgeUpdate } from './badge-table.js';

/** Where the badges live: one per GTIN. */
export interface BadgeStore {
  get(gtin: string): Promise<Badge | undefined>;
  put(badge: Badge): Promise<void>;
  remove(gtin: string): Promise<void>;
  list(): Promise<Badge[]>;
}

export function memoryBadgeStore(): BadgeStore {
  const badges = new Map<string, Badge>();
  return {
    async get(gtin) {
      return badges.get(gtin);
    },
    async put(badge) {
      badges.set(badge.gtin, { ...badge });
    },
    async remove(gtin) {
      badges.delete(gtin);
    },
    async list() {
      return [...badges.values()].map((b) => ({ ...b }));
    },
  };
}

type BadgeDoc = Omit<Badge, 'gtin'> & { _id: string };

/** Badges in a MongoDB collection, keyed by GTIN, so they survive a restart. */
export function mongoBadgeStore(db: Db, collectionName = 'badges'): BadgeStore {
  const collection: Collection<BadgeDoc> = db.collection(collectionName);
  const toBadge = ({ _id, ...rest }: BadgeDoc): Badge => ({ gtin: _id, ...rest });
  return {
    async get(gtin) {
      const doc = await collection.findOne({ _id: gtin });
      return doc ? toBadge(doc) : undefined;
    },
    async put({ gtin, ...rest }) {
      await collection.replaceOne({ _id: gtin }, rest, { upsert: true });
    },
    async remove(gtin) {
      await collection.deleteOne({ _id: gtin });
    },
    async list() {
      return (await collection.find().toArray()).map(toBadge);
    },
  };
}

/** Applies one update; true when the table changed. */
async function apply(store: BadgeStore, current: Badge | undefined, update: BadgeUpdate): Promise<boolean> {
  if (update.action === 'show') {
    if (sameBadge(current, update.badge)) return false;
    await store.put(update.badge);
    return true;
  }
  if (update.action === 'remove') {
    await store.remove(update.gtin);
    return true;
  }
  return false;
}

/** The subscriber callbacks that keep a badge table; `changed` runs after each change. */
export function badgeHandlers(store: BadgeStore, changed: () => Promise<void> | void = () => undefined) {
  return {
    async onGrade(event: TypedGradeEvent): Promise<void> {
      const current = await store.get(event.grade.gtin);
      if (await apply(store, current, updateForEvent(current, event))) await changed();
    },
    async onCurrentGrade(key: string, grade: Grade | null, info: CurrentGradeInfo): Promise<void> {
      const gtin = grade?.gtin ?? splitStateKey(key).gtin;
      const current = await store.get(gtin);
      if (await apply(store, current, updateForCurrentGrade(current, key, grade, info.signatureValid))) await changed();
    },
  };
}
