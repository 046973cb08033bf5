import type { StreamDefinition } from '@pinzhi/events';
import type { CloudEvent, EventHandler } from '@pinzhi/platform';
import { matchesFilter, refsOf, SUBSCRIBABLE_TYPES } from './event-matching.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';
import { deliveryIdOf, type DeliveryDoc, type WebhookStore } from './webhook-store.js';

/** The CloudEvent as structured JSON (CloudEvents JSON format), its payload as protobuf JSON. */
export function structuredEvent(event: CloudEvent, data: unknown): string {
  return JSON.stringify({
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: event.type,
    ...(event.subject ? { subject: event.subject } : {}),
    time: event.time.toISOString(),
    datacontenttype: 'application/json',
    data,
  });
}

/**
 * Turns one event of a public stream into a delivery per matching subscription (its event
 * types, its brand, enterprise and category filters, and created before the event), stored
 * before the offset is committed and handed to the dispatcher at once. The delivery id comes
 * from (subscription, event id), so a redelivered event adds nothing: at least once, never
 * twice to the receiver's store of webhook-ids.
 */
export function webhookFeedHandler(
  stream: StreamDefinition<any>,
  deps: { store: WebhookStore; dispatcher: WebhookDispatcher; clock: () => Date },
): EventHandler {
  return async (event) => {
    if (!SUBSCRIBABLE_TYPES.has(event.type)) return;
    const data = stream.toJson(event);
    if (data === undefined) return;
    const refs = refsOf(data);
    const subscriptions = (await deps.store.active()).filter(
      (s) => s.eventTypes.includes(event.type) && s.createdAt.getTime() <= event.time.getTime() && matchesFilter(s.filter, refs),
    );
    if (subscriptions.length === 0) return;
    const body = structuredEvent(event, data);
    const now = deps.clock();
    const added: DeliveryDoc[] = [];
    for (const s of subscriptions) {
      const delivery: DeliveryDoc = {
        _id: deliveryIdOf(s._id, event.id),
        subscriptionId: s._id,
        owner: s.owner,
        eventId: event.id,
        eventType: event.type,
        body,
        state: 'pending',
        attempts: 0,
        lastStatus: 0,
        lastError: '',
        createdAt: now,
        createdMs: now.getTime(),
        nextAttemptAt: now,
      };
      if (await deps.store.addDelivery(delivery)) added.push(delivery);
    }
    deps.dispatcher.enqueue(added);
  };
}
