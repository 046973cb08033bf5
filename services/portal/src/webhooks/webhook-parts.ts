import { WebhookServiceService } from '@pinzhi/contracts/pinzhi/webhook/v1/webhook_service';
import type { ServiceContext, ServiceParts } from '@pinzhi/platform';
import type { Db } from 'mongodb';
import type { PortalConfig } from '../config.js';
import { SUBSCRIBABLE_STREAMS } from './event-matching.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { webhookFeedHandler } from './webhook-feed.js';
import { webhookHandlers } from './webhook-handlers.js';
import { ensureIndexes, SUBSCRIPTIONS, WebhookStore } from './webhook-store.js';

/**
 * Webhook subscriptions and deliveries: WebhookService (gRPC, marketplaces), one consumer per
 * public stream feeding deliveries into MongoDB, and the dispatcher that sends them (at once,
 * and from a sweep for retries and whatever a restart left).
 */
export async function webhookParts(context: ServiceContext<PortalConfig>): Promise<Required<Pick<ServiceParts, 'grpc' | 'consumers' | 'sweeps' | 'stop'>>> {
  const { config, db, relay, logger, clock } = context;
  const store = new WebhookStore(db, relay);
  const dispatcher = new WebhookDispatcher({
    store,
    clock,
    logger: logger.child({ component: 'webhooks' }),
    policy: { baseMs: config.WEBHOOK_RETRY_BASE_MS, maxMs: config.WEBHOOK_RETRY_MAX_MS, giveUpAfterMs: config.WEBHOOK_GIVE_UP_AFTER_MS },
    concurrency: config.WEBHOOK_CONCURRENCY,
    perEndpoint: config.WEBHOOK_CONCURRENCY_PER_ENDPOINT,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    allowLoopback: config.WEBHOOK_ALLOW_LOOPBACK,
  });
  return {
    grpc: [
      {
        definition: WebhookServiceService,
        handlers: webhookHandlers({ store, dispatcher, clock, allowLoopback: config.WEBHOOK_ALLOW_LOOPBACK, secretGraceMs: config.WEBHOOK_SECRET_GRACE_MS }),
      },
    ],
    consumers: SUBSCRIBABLE_STREAMS.map(({ stream }) => ({
      group: `portal-webhooks.${stream.topic}`,
      stream,
      handle: webhookFeedHandler(stream, { store, dispatcher, clock }),
    })),
    sweeps: [{ name: 'webhook dispatch', everyMs: config.WEBHOOK_DISPATCH_INTERVAL_MS, run: () => dispatcher.sweep() }],
    stop: [{ name: 'webhook dispatcher', run: () => dispatcher.stop() }],
  };
}

/** Collections whose documents carry an outbox (a paused subscription tells its owner by event). */
export const WEBHOOK_OUTBOX_COLLECTIONS: readonly string[] = [SUBSCRIPTIONS];

/** Creates the webhook collections' indexes (idempotent). */
export function ensureWebhookIndexes(db: Db): Promise<void> {
  return ensureIndexes(db);
}
