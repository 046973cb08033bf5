import { createHash } from 'node:crypto';
import { ensureQueryIndex, isDuplicateKeyError, OutboxCollection, type OutboxRelay } from '@pinzhi/platform';
import type { Collection, Db, Filter } from 'mongodb';
import type { SubscriptionFilter } from './event-matching.js';

export const SUBSCRIPTIONS = 'webhook_subscriptions';
export const DELIVERIES = 'webhook_deliveries';

export type SubscriptionState = 'active' | 'paused';
export type DeliveryState = 'pending' | 'delivered' | 'dead-letter';

export interface SubscriptionDoc {
  _id: string;
  version: number;
  owner: string;
  url: string;
  eventTypes: string[];
  filter: SubscriptionFilter;
  description: string;
  state: SubscriptionState;
  pausedReason: string;
  /** Current secret first; a rotated-out one keeps signing until its `until`. */
  secrets: { secret: string; until?: Date }[];
  failingSince?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeliveryDoc {
  /** The webhook-id of every attempt: derived from (subscription, event id), so a redelivered event finds its row. */
  _id: string;
  subscriptionId: string;
  owner: string;
  eventId: string;
  eventType: string;
  /** The CloudEvent as structured JSON, exactly the bytes signed and sent. */
  body: string;
  state: DeliveryState;
  attempts: number;
  lastStatus: number;
  lastError: string;
  createdAt: Date;
  /** For ordering newest first: createdAt in ms. */
  createdMs: number;
  nextAttemptAt: Date;
  deliveredAt?: Date;
}

export const deliveryIdOf = (subscriptionId: string, eventId: string) =>
  `msg_${createHash('sha256').update(`${subscriptionId}\u0000${eventId}`).digest('hex').slice(0, 32)}`;

/** Query indexes only (ids are unique by construction); not built on FerretDB, which never reads them. */
export async function ensureIndexes(db: Db): Promise<void> {
  await ensureQueryIndex(db, SUBSCRIPTIONS, { owner: 1, _id: 1 });
  await ensureQueryIndex(db, DELIVERIES, { state: 1, nextAttemptAt: 1 });
  await ensureQueryIndex(db, DELIVERIES, { subscriptionId: 1, createdMs: -1, _id: -1 });
}

export class WebhookStore {
  readonly subscriptions: OutboxCollection<SubscriptionDoc>;
  readonly deliveries: Collection<DeliveryDoc>;
  #active: SubscriptionDoc[] = [];
  #loadedAt = 0;

  constructor(
    db: Db,
    relay: OutboxRelay,
    private readonly cacheMs = 5_000,
  ) {
    this.subscriptions = new OutboxCollection<SubscriptionDoc>(db, SUBSCRIPTIONS, relay);
    this.deliveries = db.collection<DeliveryDoc>(DELIVERIES);
  }

  /** Active subscriptions, from a cache refreshed every few seconds and after every change made here. */
  async active(now = Date.now()): Promise<readonly SubscriptionDoc[]> {
    if (now - this.#loadedAt > this.cacheMs) {
      this.#active = await this.subscriptions.collection.find({ state: 'active' } as Filter<SubscriptionDoc>, { projection: { _outbox: 0 } }).toArray();
      this.#loadedAt = now;
    }
    return this.#active;
  }

  invalidate(): void {
    this.#loadedAt = 0;
  }

  get(id: string): Promise<SubscriptionDoc | null> {
    return this.subscriptions.findOne({ _id: id } as Filter<SubscriptionDoc>);
  }

  /** Inserts a delivery unless the (subscription, event) pair has one; true when inserted. */
  async addDelivery(delivery: DeliveryDoc): Promise<boolean> {
    try {
      await this.deliveries.insertOne(delivery);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  due(now: Date, limit: number): Promise<DeliveryDoc[]> {
    return this.deliveries
      .find({ state: 'pending', nextAttemptAt: { $lte: now } })
      .sort({ nextAttemptAt: 1 })
      .limit(limit)
      .toArray();
  }
}
