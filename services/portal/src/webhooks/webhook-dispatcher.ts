import { WebhookSubscriptionPaused } from '@pinzhi/contracts/pinzhi/webhook/v1/events';
import { webhookSubscriptionStream } from '@pinzhi/events';
import { pinzhiMetrics, type Logger } from '@pinzhi/platform';
import type { Filter } from 'mongodb';
import { nextAttempt, type RetryPolicy } from './backoff.js';
import { postWebhook, type AttemptResult } from './delivery-client.js';
import { webhookHeaders } from './signature.js';
import type { DeliveryDoc, SubscriptionDoc, WebhookStore } from './webhook-store.js';

export interface DispatcherOptions {
  store: WebhookStore;
  clock: () => Date;
  logger: Logger;
  policy: RetryPolicy;
  concurrency: number;
  perEndpoint: number;
  timeoutMs: number;
  allowLoopback: boolean;
  /** Test seam: how one attempt is sent. */
  post?: typeof postWebhook;
}

/**
 * Sends due deliveries with bounded concurrency: at most `concurrency` attempts at once and
 * at most `perEndpoint` to one subscription, so a slow or dead receiver holds its own slots
 * only. New deliveries are queued at once by the consumer; the sweep finds retries that fell
 * due and anything a restart left behind. An attempt first moves the row's due time past its
 * time limit (a claim), so the sweep does not send it twice, and a crash mid-attempt only
 * makes it due again later: at least once.
 */
export class WebhookDispatcher {
  readonly #queue: DeliveryDoc[] = [];
  readonly #queued = new Set<string>();
  readonly #perEndpoint = new Map<string, number>();
  #running = 0;
  #stopped = false;
  readonly #idle: Array<() => void> = [];

  constructor(private readonly options: DispatcherOptions) {}

  enqueue(deliveries: readonly DeliveryDoc[]): void {
    for (const d of deliveries) {
      if (this.#stopped || this.#queued.has(d._id)) continue;
      this.#queued.add(d._id);
      this.#queue.push(d);
    }
    this.#pump();
  }

  /** Queues what is due; the kit runs it every WEBHOOK_DISPATCH_INTERVAL_MS. */
  async sweep(): Promise<number> {
    if (this.#stopped) return 0;
    // Read no more than can start soon; the rest waits for the next sweep.
    const room = Math.max(0, this.options.concurrency * 4 - this.#queue.length);
    if (room === 0) return 0;
    const due = await this.options.store.due(this.options.clock(), room);
    this.enqueue(due);
    return due.length;
  }

  /** Stops starting attempts and waits for those in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue.length = 0;
    if (this.#running > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    for (let i = 0; i < this.#queue.length && this.#running < this.options.concurrency;) {
      const d = this.#queue[i]!;
      const busy = this.#perEndpoint.get(d.subscriptionId) ?? 0;
      if (busy >= this.options.perEndpoint) {
        i += 1;
        continue;
      }
      this.#queue.splice(i, 1);
      this.#running += 1;
      this.#perEndpoint.set(d.subscriptionId, busy + 1);
      void this.#attempt(d)
        .catch((error: unknown) => this.options.logger.warn({ err: error, delivery: d._id }, 'webhook attempt failed to record'))
        .finally(() => {
          this.#running -= 1;
          this.#queued.delete(d._id);
          const left = (this.#perEndpoint.get(d.subscriptionId) ?? 1) - 1;
          if (left > 0) this.#perEndpoint.set(d.subscriptionId, left);
          else this.#perEndpoint.delete(d.subscriptionId);
          if (this.#running === 0) this.#idle.splice(0).forEach((resolve) => resolve());
          if (!this.#stopped) this.#pump();
        });
    }
  }

  async #attempt(d: DeliveryDoc): Promise<void> {
    const { store, clock, timeoutMs } = this.options;
    const subscription = await store.get(d.subscriptionId);
    // Paused (or gone): the row stays pending; ResumeSubscription makes it due again.
    if (!subscription || subscription.state !== 'active') return;
    const now = clock();
    const claim = await store.deliveries.updateOne({ _id: d._id, state: 'pending', nextAttemptAt: d.nextAttemptAt } as Filter<DeliveryDoc>, {
      $set: { nextAttemptAt: new Date(now.getTime() + timeoutMs + 5_000) },
    });
    if (claim.matchedCount !== 1) return; // sent or re-planned meanwhile
    const secrets = subscription.secrets.filter((s) => !s.until || s.until.getTime() > now.getTime()).map((s) => s.secret);
    const headers = webhookHeaders(secrets, d._id, Math.floor(now.getTime() / 1000), d.body);
    const result = await (this.options.post ?? postWebhook)(subscription.url, headers, d.body, { allowLoopback: this.options.allowLoopback, timeoutMs });
    await this.#record(d, subscription, result);
  }

  async #record(d: DeliveryDoc, subscription: SubscriptionDoc, result: AttemptResult): Promise<void> {
    const { store, clock, policy } = this.options;
    const now = clock();
    const last = { lastStatus: result.status, lastError: (result.error ?? '').slice(0, 500) };
    if (result.ok) {
      pinzhiMetrics.webhookAttempt('delivered');
      await store.deliveries.updateOne({ _id: d._id } as Filter<DeliveryDoc>, {
        $set: { state: 'delivered', deliveredAt: now, ...last },
        $inc: { attempts: 1 },
      });
      if (subscription.failingSince)
        await store.subscriptions.collection.updateOne({ _id: subscription._id } as Filter<SubscriptionDoc>, { $set: { failingSince: null } });
      return;
    }
    const next = nextAttempt(d.createdAt, now, d.attempts + 1, policy);
    pinzhiMetrics.webhookAttempt(next === 'dead-letter' ? 'dead-letter' : 'failed');
    await store.deliveries.updateOne(
      { _id: d._id } as Filter<DeliveryDoc>,
      next === 'dead-letter'
        ? { $set: { state: 'dead-letter', ...last }, $inc: { attempts: 1 } }
        : { $set: { nextAttemptAt: next, ...last }, $inc: { attempts: 1 } },
    );
    this.options.logger.debug({ delivery: d._id, status: result.status, error: result.error }, 'webhook attempt failed');
    await this.#noteFailure(subscription._id, now, next === 'dead-letter');
  }

  /**
   * The endpoint's first failure starts its clock; failing for the give-up window pauses it
   * and tells the owner. A delivery dead-lettered while the endpoint is still failing pauses
   * it too: that delivery failed for the whole window, and no later attempt may come to.
   */
  async #noteFailure(subscriptionId: string, now: Date, deadLettered: boolean): Promise<void> {
    const { store, policy } = this.options;
    const paused = await store.subscriptions.modify(subscriptionId, (s) => {
      if (!s || s.state !== 'active') return { result: false };
      if (!s.failingSince) return { update: { $set: { failingSince: now }, $inc: { version: 1 } }, result: false };
      if (!deadLettered && now.getTime() - s.failingSince.getTime() < policy.giveUpAfterMs) return { result: false };
      const reason = `every attempt failed since ${s.failingSince.toISOString()}`;
      return {
        update: { $set: { state: 'paused', pausedReason: reason, updatedAt: now }, $inc: { version: 1 } },
        events: [
          webhookSubscriptionStream.event(
            'paused',
            WebhookSubscriptionPaused.fromPartial({
              subscription: `subscriptions/${s._id}`,
              owner: s.owner,
              url: s.url,
              reason,
              failingSince: s.failingSince,
              pauseTime: now,
            }),
            { key: s._id, subject: `subscriptions/${s._id}` },
          ),
        ],
        result: true,
      };
    });
    if (paused) {
      store.invalidate();
      this.options.logger.warn({ subscription: subscriptionId }, 'webhook endpoint failing for the give-up window: paused');
    }
  }
}
