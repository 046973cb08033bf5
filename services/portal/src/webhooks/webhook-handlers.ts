import { randomUUID } from 'node:crypto';
import { WebhookDeliveryState, WebhookSubscriptionState, type WebhookDelivery, type WebhookSubscription } from '@pinzhi/contracts/pinzhi/webhook/v1/resources';
import { WebhookServiceService } from '@pinzhi/contracts/pinzhi/webhook/v1/webhook_service';
import {
  AlreadyExistsError,
  assertNoViolations,
  decodeKeysetToken,
  decodePageToken,
  encodeKeysetToken,
  encodePageToken,
  InvalidArgumentError,
  NotFoundError,
  pageSizeOf,
  type FieldViolation,
  type ServiceHandlers,
} from '@pinzhi/platform';
import type { Filter } from 'mongodb';
import { checkTarget, TargetRefusedError } from './delivery-client.js';
import { SUBSCRIBABLE_TYPES } from './event-matching.js';
import { generateSecret } from './signature.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';
import type { DeliveryDoc, DeliveryState, SubscriptionDoc, WebhookStore } from './webhook-store.js';

const marketplaces = { roles: ['marketplace'] } as const;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const BRAND = /^brands\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ENTERPRISE = /^enterprises\/[0-9A-HJ-NPQRTUWXY]{18}$/;
const MAX_TYPES = 32;
const MAX_FILTER_VALUES = 100;
const MAX_DESCRIPTION = 500;

export interface HandlerDeps {
  store: WebhookStore;
  dispatcher: WebhookDispatcher;
  clock: () => Date;
  allowLoopback: boolean;
  secretGraceMs: number;
}

const stateOut = {
  active: WebhookSubscriptionState.WEBHOOK_SUBSCRIPTION_STATE_ACTIVE,
  paused: WebhookSubscriptionState.WEBHOOK_SUBSCRIPTION_STATE_PAUSED,
} as const;
const deliveryStateOut = {
  pending: WebhookDeliveryState.WEBHOOK_DELIVERY_STATE_PENDING,
  delivered: WebhookDeliveryState.WEBHOOK_DELIVERY_STATE_DELIVERED,
  'dead-letter': WebhookDeliveryState.WEBHOOK_DELIVERY_STATE_DEAD_LETTER,
} as const;
const deliveryStateIn: Partial<Record<WebhookDeliveryState, DeliveryState>> = {
  [WebhookDeliveryState.WEBHOOK_DELIVERY_STATE_PENDING]: 'pending',
  [WebhookDeliveryState.WEBHOOK_DELIVERY_STATE_DELIVERED]: 'delivered',
  [WebhookDeliveryState.WEBHOOK_DELIVERY_STATE_DEAD_LETTER]: 'dead-letter',
};

export function subscriptionOut(s: SubscriptionDoc): WebhookSubscription {
  return {
    name: `subscriptions/${s._id}`,
    url: s.url,
    eventTypes: s.eventTypes,
    filter: { brands: [...s.filter.brands], enterprises: [...s.filter.enterprises], categories: [...s.filter.categories] },
    description: s.description,
    state: stateOut[s.state],
    pausedReason: s.pausedReason,
    owner: s.owner,
    failingSince: s.failingSince ?? undefined,
    createTime: s.createdAt,
    updateTime: s.updatedAt,
  };
}

export function deliveryOut(d: DeliveryDoc): WebhookDelivery {
  return {
    name: `subscriptions/${d.subscriptionId}/deliveries/${d._id}`,
    eventId: d.eventId,
    eventType: d.eventType,
    state: deliveryStateOut[d.state],
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createTime: d.createdAt,
    nextAttemptTime: d.state === 'pending' ? d.nextAttemptAt : undefined,
    deliveredTime: d.deliveredAt,
  };
}

function subscriptionIdOf(name: string, field = 'name'): string {
  const m = /^subscriptions\/([^/]+)$/.exec(name.slice(0, 100));
  if (!m || !SLUG.test(m[1]!))
    throw new InvalidArgumentError(`${field} is invalid`, [{ field, description: 'subscriptions/{subscription_id}', reason: 'INVALID_RESOURCE_NAME' }]);
  return m[1]!;
}

/** Validates the inputs of CreateSubscription, every problem at once; the address check needs DNS. */
async function inputOf(s: WebhookSubscription | undefined, allowLoopback: boolean) {
  const at = (f: string) => `subscription.${f}`;
  const violations: FieldViolation[] = [];
  const url = s?.url ?? '';
  if (url === '') violations.push({ field: at('url'), description: 'required', reason: 'REQUIRED' });
  else {
    try {
      await checkTarget(url, allowLoopback);
    } catch (error) {
      if (!(error instanceof TargetRefusedError)) throw error;
      violations.push({ field: at('url'), description: error.message, reason: error.reason });
    }
  }
  const types = s?.eventTypes ?? [];
  if (types.length === 0) violations.push({ field: at('event_types'), description: 'at least one event type', reason: 'REQUIRED' });
  if (types.length > MAX_TYPES) violations.push({ field: at('event_types'), description: `at most ${MAX_TYPES}`, reason: 'TOO_MANY' });
  types.slice(0, MAX_TYPES).forEach((t, i) => {
    if (!SUBSCRIBABLE_TYPES.has(t))
      violations.push({ field: at(`event_types[${i}]`), description: `one of ${[...SUBSCRIBABLE_TYPES].join(', ')}`, reason: 'UNKNOWN_EVENT_TYPE' });
  });
  const list = (field: string, values: string[], pattern: RegExp, shape: string) => {
    if (values.length > MAX_FILTER_VALUES) violations.push({ field: at(`filter.${field}`), description: `at most ${MAX_FILTER_VALUES}`, reason: 'TOO_MANY' });
    values.slice(0, MAX_FILTER_VALUES).forEach((v, i) => {
      if (!pattern.test(v.slice(0, 100))) violations.push({ field: at(`filter.${field}[${i}]`), description: shape, reason: 'INVALID_VALUE' });
    });
    return [...new Set(values)];
  };
  const filter = {
    brands: list('brands', s?.filter?.brands ?? [], BRAND, 'brands/{brand_id}'),
    enterprises: list('enterprises', s?.filter?.enterprises ?? [], ENTERPRISE, 'enterprises/{credit_code}'),
    categories: list('categories', s?.filter?.categories ?? [], SLUG, '1-63 lowercase letters, digits and "-"'),
  };
  const description = s?.description ?? '';
  if ([...description].length > MAX_DESCRIPTION)
    violations.push({ field: at('description'), description: `at most ${MAX_DESCRIPTION} characters`, reason: 'TOO_LONG' });
  assertNoViolations(violations);
  return { url, eventTypes: [...new Set(types)], filter, description };
}

export function webhookHandlers(deps: HandlerDeps): ServiceHandlers<typeof WebhookServiceService> {
  const { store, clock } = deps;

  /** The caller's subscription; another organisation's is NOT_FOUND, like a missing one. */
  async function owned(name: string, org: string, field = 'name'): Promise<SubscriptionDoc> {
    const id = subscriptionIdOf(name, field);
    const found = await store.get(id);
    if (!found || found.owner !== org) throw new NotFoundError(`subscriptions/${id} not found`);
    return found;
  }

  /** A change to the caller's subscription through the outbox collection (version moves on). */
  async function change(name: string, org: string, decide: (s: SubscriptionDoc) => Record<string, unknown> | undefined): Promise<SubscriptionDoc> {
    const id = subscriptionIdOf(name);
    const result = await store.subscriptions.modify(id, (s) => {
      if (!s || s.owner !== org) throw new NotFoundError(`subscriptions/${id} not found`);
      const set = decide(s);
      if (!set) return { result: s };
      const next = { ...s, ...set, updatedAt: clock(), version: s.version + 1 };
      return { update: { $set: { ...set, updatedAt: next.updatedAt }, $inc: { version: 1 } }, result: next };
    });
    store.invalidate();
    return result;
  }

  return {
    createSubscription: {
      access: marketplaces,
      async handle(request, ctx) {
        const id = request.subscriptionId === '' ? randomUUID().slice(0, 8) : request.subscriptionId;
        if (!SLUG.test(id))
          throw new InvalidArgumentError('subscription_id is invalid', [
            { field: 'subscription_id', description: '1-63 lowercase letters, digits and "-"', reason: 'INVALID_ID' },
          ]);
        const input = await inputOf(request.subscription, deps.allowLoopback);
        const now = clock();
        const secret = generateSecret();
        const doc: SubscriptionDoc = {
          _id: id,
          version: 1,
          owner: ctx.caller.org,
          ...input,
          state: 'active',
          pausedReason: '',
          secrets: [{ secret }],
          failingSince: null,
          createdAt: now,
          updatedAt: now,
        };
        if ((await store.subscriptions.insert(doc, [])) === 'exists') throw new AlreadyExistsError(`subscriptions/${id} already exists`);
        store.invalidate();
        return { subscription: subscriptionOut(doc), secret };
      },
    },
    getSubscription: {
      access: marketplaces,
      handle: async (request, ctx) => ({ subscription: subscriptionOut(await owned(request.name, ctx.caller.org)) }),
    },
    listSubscriptions: {
      access: marketplaces,
      async handle(request, ctx) {
        const size = pageSizeOf(request.pageSize);
        const after = decodePageToken(request.pageToken, 'ListSubscriptions', ctx.caller.org);
        const filter: Filter<SubscriptionDoc> = { owner: ctx.caller.org, ...(after ? { _id: { $gt: after } } : {}) };
        const found = await store.subscriptions.collection
          .find(filter, { projection: { _outbox: 0 } })
          .sort({ _id: 1 })
          .limit(size + 1)
          .toArray();
        const page = found.slice(0, size);
        return {
          subscriptions: page.map(subscriptionOut),
          nextPageToken: found.length > size ? encodePageToken(page.at(-1)!._id, 'ListSubscriptions', ctx.caller.org) : '',
        };
      },
    },
    rotateSubscriptionSecret: {
      access: marketplaces,
      async handle(request, ctx) {
        const secret = generateSecret();
        const until = new Date(clock().getTime() + deps.secretGraceMs);
        const s = await change(request.name, ctx.caller.org, (s) => ({ secrets: [{ secret }, { secret: s.secrets[0]!.secret, until }] }));
        return { subscription: subscriptionOut(s), secret };
      },
    },
    pauseSubscription: {
      access: marketplaces,
      async handle(request, ctx) {
        const s = await change(request.name, ctx.caller.org, (s) =>
          s.state === 'paused' ? undefined : { state: 'paused', pausedReason: 'paused by its owner' },
        );
        return { subscription: subscriptionOut(s) };
      },
    },
    resumeSubscription: {
      access: marketplaces,
      async handle(request, ctx) {
        const s = await change(request.name, ctx.caller.org, (s) =>
          s.state === 'active' ? undefined : { state: 'active', pausedReason: '', failingSince: null },
        );
        // What waited while paused is due now (a slow scan, but only on resume).
        await store.deliveries.updateMany({ subscriptionId: s._id, state: 'pending' }, { $set: { nextAttemptAt: clock() } });
        void deps.dispatcher.sweep().catch(() => undefined);
        return { subscription: subscriptionOut(s) };
      },
    },
    listDeliveries: {
      access: marketplaces,
      async handle(request, ctx) {
        const s = await owned(request.parent, ctx.caller.org, 'parent');
        const size = pageSizeOf(request.pageSize);
        const state = deliveryStateIn[request.state];
        if (request.state !== WebhookDeliveryState.WEBHOOK_DELIVERY_STATE_UNSPECIFIED && !state) {
          throw new InvalidArgumentError('state is invalid', [{ field: 'state', description: 'PENDING, DELIVERED or DEAD_LETTER', reason: 'INVALID_VALUE' }]);
        }
        const listing = { parent: s._id, state: state ?? '' };
        const after = decodeKeysetToken(request.pageToken, 'ListDeliveries', listing);
        const filter: Filter<DeliveryDoc> = {
          subscriptionId: s._id,
          ...(state ? { state } : {}),
          ...(after ? { $or: [{ createdMs: { $lt: after.key } }, { createdMs: after.key, _id: { $lt: after.id } }] } : {}),
        };
        const found = await store.deliveries
          .find(filter)
          .sort({ createdMs: -1, _id: -1 })
          .limit(size + 1)
          .toArray();
        const page = found.slice(0, size);
        const last = page.at(-1);
        return {
          deliveries: page.map(deliveryOut),
          nextPageToken: found.length > size && last ? encodeKeysetToken(last.createdMs, last._id, 'ListDeliveries', listing) : '',
        };
      },
    },
    replayDelivery: {
      access: marketplaces,
      async handle(request, ctx) {
        const m = /^(subscriptions\/[^/]+)\/deliveries\/(msg_[0-9a-f]{32})$/.exec(request.name.slice(0, 200));
        if (!m)
          throw new InvalidArgumentError('name is invalid', [
            { field: 'name', description: 'subscriptions/{subscription_id}/deliveries/{delivery_id}', reason: 'INVALID_RESOURCE_NAME' },
          ]);
        const s = await owned(m[1]!, ctx.caller.org);
        const now = clock();
        const replayed = await store.deliveries.findOneAndUpdate(
          { _id: m[2]!, subscriptionId: s._id } as Filter<DeliveryDoc>,
          { $set: { state: 'pending', nextAttemptAt: now, createdAt: now } },
          { returnDocument: 'after' },
        );
        if (!replayed) throw new NotFoundError(`${request.name} not found`);
        deps.dispatcher.enqueue([replayed]);
        return { delivery: deliveryOut(replayed) };
      },
    },
  };
}
