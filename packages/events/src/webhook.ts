import { WebhookSubscriptionPaused } from '@pinzhi/contracts/pinzhi/webhook/v1/events';
import { defineStream } from './stream.js';

/**
 * The portal's webhook subscriptions: today only "paused because the endpoint failed for a
 * day", which tells the owning marketplace; keyed by subscription id.
 */
export const webhookSubscriptionStream = defineStream({
  topic: 'pinzhi.portal.webhook-subscriptions.v1',
  source: '/pinzhi/portal',
  messages: { paused: WebhookSubscriptionPaused },
  typeOf: (verb) => `pinzhi.portal.webhook-subscription.${verb}.v1`,
});

export type WebhookSubscriptionVerb = keyof typeof webhookSubscriptionStream.types;
