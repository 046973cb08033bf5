/**
 * Marketplace webhooks over the real parts: the portal on Kafka and FerretDB, WebhookService
 * over gRPC, grade events published to the portal's (namespaced) topics, and local HTTP
 * receivers on 127.0.0.1 (loopback allowed by the development setting).
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { status } from '@grpc/grpc-js';
import { Grade, GradeState } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { WebhookDeliveryState, WebhookSubscriptionState } from '@pinzhi/contracts/pinzhi/webhook/v1/resources';
import { CreateSubscriptionRequest, WebhookServiceService } from '@pinzhi/contracts/pinzhi/webhook/v1/webhook_service';
import { gradeStream, webhookSubscriptionStream } from '@pinzhi/events';
import { createEventPublisher, createUnaryClient, eventToPublish, type EventPublisher, type RunningService } from '@pinzhi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, dropDatabase, failure, namespace, startServiceForTest, testKafka, waitFor } from '../../../test/support/harness.js';
import { checkTarget } from '../src/webhooks/delivery-client.js';
import { portalService } from '../src/testing.js';

const ISSUED = 'pinzhi.grading.grade.issued.v1';
const ns = namespace('webhooks');
const env = {
  HTTP_PORT: '0',
  CATALOGUE_ADDRESS: '127.0.0.1:1',
  GRADING_ADDRESS: '127.0.0.1:1',
  BRAND_VALUATION_ADDRESS: '127.0.0.1:1',
  SAME_LINE_ADDRESS: '127.0.0.1:1',
  WEBHOOK_ALLOW_LOOPBACK: 'true',
  WEBHOOK_RETRY_BASE_MS: '200',
  WEBHOOK_RETRY_MAX_MS: '800',
  WEBHOOK_DISPATCH_INTERVAL_MS: '100',
  WEBHOOK_TIMEOUT_MS: '2000',
};

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 whose answer the test decides per request. */
async function receiver(answer: (n: number) => number = () => 200, port = 0) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(answer(received.length)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const at = (server.address() as AddressInfo).port;
  return {
    received,
    port: at,
    url: `http://127.0.0.1:${at}/hook`,
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
  };
}

/** The Standard Webhooks signature, computed here independently of the portal's code. */
function verifies(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`).digest('base64');
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((s) => s === `v1,${expected}`);
}

let portal: RunningService;
let publisher: EventPublisher;
let client: ReturnType<typeof createUnaryClient<typeof WebhookServiceService>>;
let seq = 0;
const cleanups: Array<() => Promise<unknown>> = [];

/** Publishes a grade-issued event for a fresh grade of `brand`; its ce_id. */
async function publishIssued(brand = 'brands/brand-chengyu'): Promise<string> {
  const id = `wh-${ns.id}-${seq++}`;
  const grade = Grade.fromPartial({
    name: `grades/${id}`,
    product: 'products/06934567801036',
    gtin: '06934567801036',
    brand,
    enterprise: 'enterprises/91320500MA1N7D4B8T',
    category: 'down-garment',
    standardCode: 'GB/T 14272-2021',
    level: 'SUPERIOR',
    state: GradeState.GRADE_STATE_ISSUED,
  });
  const event = eventToPublish(gradeStream.event('issued', { grade }, { key: grade.gtin, subject: grade.name }));
  await publisher.publish([event]);
  return event.event.id;
}

const startPortal = (extra: Record<string, string> = {}) => startServiceForTest(portalService, { ns, env: { ...env, ...extra } });

beforeAll(async () => {
  portal = await startPortal();
  await portal.consumersReady;
  publisher = await createEventPublisher(testKafka(), { topicPrefix: ns.prefix });
  cleanups.push(() => publisher.close());
  client = createUnaryClient(WebhookServiceService, portal.address);
  cleanups.push(async () => client.close());
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await portal?.stop();
  await dropDatabase(ns.dbName);
});

const subscribe = async (org: string, url: string, filter = {}) =>
  client.createSubscription(
    CreateSubscriptionRequest.fromPartial({ subscription: { url, eventTypes: [ISSUED], filter, description: 'test' } }),
    await bearer('marketplace', org),
  );

describe('webhooks', () => {
  it('signs every attempt the Standard Webhooks way and retries a failing receiver with the same webhook-id until it answers', async () => {
    const hook = await receiver((n) => (n <= 3 ? 500 : 200));
    cleanups.push(hook.close);
    const { subscription, secret } = await subscribe('MKT-A', hook.url);
    // Another brand's event does not match the filter of a second subscription.
    const filtered = await subscribe('MKT-A', hook.url.replace('/hook', '/other'), { brands: ['brands/someone-else'] });
    const eventId = await publishIssued();

    await waitFor(() => hook.received.length >= 4 || undefined, { what: 'four attempts' });
    const attempts = hook.received.filter((r) => r.headers['webhook-id'] === hook.received[0]!.headers['webhook-id']);
    expect(attempts).toHaveLength(4);
    expect(attempts.every((r) => verifies(secret, r))).toBe(true);
    expect(verifies(`whsec_${Buffer.from('not the secret').toString('base64')}`, attempts[0]!)).toBe(false);
    const event = JSON.parse(attempts[0]!.body);
    expect(event).toMatchObject({
      specversion: '1.0',
      id: eventId,
      type: ISSUED,
      datacontenttype: 'application/json',
      data: { grade: { brand: 'brands/brand-chengyu' } },
    });
    expect(attempts[0]!.headers['content-type']).toContain('application/cloudevents+json');

    const owner = await bearer('marketplace', 'MKT-A');
    const deliveries = await waitFor(async () => {
      const { deliveries } = await client.listDeliveries({ parent: subscription!.name, pageSize: 10, pageToken: '', state: 0 }, owner);
      return deliveries[0]?.state === WebhookDeliveryState.WEBHOOK_DELIVERY_STATE_DELIVERED && deliveries;
    });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ eventId, eventType: ISSUED, attempts: 4, lastStatus: 200 });
    expect((await client.listDeliveries({ parent: filtered.subscription!.name, pageSize: 10, pageToken: '', state: 0 }, owner)).deliveries).toEqual([]);
    expect(hook.received.some((r) => r.headers['webhook-id'] !== attempts[0]!.headers['webhook-id'])).toBe(false);
  });

  it('delivers everything to a receiver that was down once it is back', async () => {
    const probe = await receiver();
    const port = probe.port;
    await probe.close(); // the port is free again: attempts are refused until the receiver returns
    const { subscription } = await subscribe('MKT-C', `http://127.0.0.1:${port}/hook`);
    const ids = [await publishIssued(), await publishIssued()];
    const owner = await bearer('marketplace', 'MKT-C');
    await waitFor(async () => {
      const { deliveries } = await client.listDeliveries({ parent: subscription!.name, pageSize: 10, pageToken: '', state: 0 }, owner);
      return deliveries.length === 2 && deliveries.every((d) => d.attempts >= 1 && d.lastStatus === 0);
    });
    const back = await receiver(() => 200, port);
    cleanups.push(back.close);
    await waitFor(() => back.received.length >= 2 || undefined, { what: 'both events after the receiver came back', timeoutMs: 20_000 });
    expect(new Set(back.received.map((r) => JSON.parse(r.body).id))).toEqual(new Set(ids));
  });

  it('refuses private, link-local and (without the development setting) loopback endpoints', async () => {
    const owner = await bearer('marketplace', 'MKT-A');
    for (const url of [
      'https://10.0.0.1/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://192.168.1.20/hook',
      'https://[fd00::1]/hook',
      'https://[fe80::1]/hook',
      'http://203.0.113.9/hook',
    ]) {
      const refused = await failure(client.createSubscription(CreateSubscriptionRequest.fromPartial({ subscription: { url, eventTypes: [ISSUED] } }), owner));
      expect(refused.code, url).toBe(status.INVALID_ARGUMENT);
      expect(refused.details, url).toMatch(/subscription\.url/);
    }
    await expect(checkTarget('http://127.0.0.1:8080/hook', false)).rejects.toMatchObject({ reason: 'HTTPS_REQUIRED' });
    await expect(checkTarget('https://127.0.0.1/hook', false)).rejects.toMatchObject({ reason: 'FORBIDDEN_ADDRESS' });
  });

  it("keeps another marketplace's subscriptions invisible", async () => {
    const hook = await receiver();
    cleanups.push(hook.close);
    const { subscription } = await subscribe('MKT-A', hook.url);
    const other = await bearer('marketplace', 'MKT-B');
    expect((await failure(client.getSubscription({ name: subscription!.name }, other))).code).toBe(status.NOT_FOUND);
    expect((await failure(client.pauseSubscription({ name: subscription!.name }, other))).code).toBe(status.NOT_FOUND);
    expect((await client.listSubscriptions({ pageSize: 50, pageToken: '' }, other)).subscriptions).toEqual([]);
    expect((await failure(client.getSubscription({ name: subscription!.name }, await bearer('enterprise', 'MKT-A')))).code).toBe(status.PERMISSION_DENIED);
  });
});

describe('webhooks across a restart and past the give-up window', () => {
  it('finishes a pending delivery after the portal restarts, and dead-letters and pauses an endpoint that keeps failing', async () => {
    const flaky = await receiver(() => 503);
    cleanups.push(flaky.close);
    const owner = await bearer('marketplace', 'MKT-R');
    const { subscription } = await subscribe('MKT-R', flaky.url);
    const eventId = await publishIssued();
    await waitFor(() => flaky.received.length >= 1 || undefined, { what: 'a first failed attempt' });
    await portal.stop();
    // While the portal is down the endpoint heals: a receiver that answers, on the same port.
    await flaky.close();
    const back = await receiver(() => 200, flaky.port);
    cleanups.push(back.close);
    portal = await startPortal({ WEBHOOK_GIVE_UP_AFTER_MS: '1500' });
    client.close();
    client = createUnaryClient(WebhookServiceService, portal.address);
    await waitFor(() => back.received.some((r) => JSON.parse(r.body).id === eventId) || undefined, {
      what: 'the delivery after the restart',
      timeoutMs: 20_000,
    });
    // The dispatcher records the answer after the receiver has it: wait for the row.
    const delivered = await waitFor(async () => {
      const [row] = (await client.listDeliveries({ parent: subscription!.name, pageSize: 10, pageToken: '', state: 0 }, owner)).deliveries;
      return row?.state === WebhookDeliveryState.WEBHOOK_DELIVERY_STATE_DELIVERED && row;
    });
    expect(delivered).toMatchObject({ eventId, state: WebhookDeliveryState.WEBHOOK_DELIVERY_STATE_DELIVERED });

    // An endpoint that fails for longer than the give-up window (1.5 s here, a day by default).
    const dead = await receiver(() => 500);
    cleanups.push(dead.close);
    const failing = await subscribe('MKT-R', dead.url);
    const lostId = await publishIssued();
    const deadLettered = await waitFor(
      async () => {
        const { deliveries } = await client.listDeliveries(
          { parent: failing.subscription!.name, pageSize: 10, pageToken: '', state: WebhookDeliveryState.WEBHOOK_DELIVERY_STATE_DEAD_LETTER },
          owner,
        );
        return deliveries[0];
      },
      { what: 'a dead-lettered delivery', timeoutMs: 20_000 },
    );
    expect(deadLettered).toMatchObject({ eventId: lostId, lastStatus: 500 });
    // The endpoint is paused right after its delivery is dead-lettered (two writes): wait for it.
    const paused = await waitFor(async () => {
      const answer = await client.getSubscription({ name: failing.subscription!.name }, owner);
      return answer.subscription?.state === WebhookSubscriptionState.WEBHOOK_SUBSCRIPTION_STATE_PAUSED && answer;
    });
    expect(paused.subscription).toMatchObject({
      state: WebhookSubscriptionState.WEBHOOK_SUBSCRIPTION_STATE_PAUSED,
      pausedReason: expect.stringContaining('failed'),
    });
    // The owner is told by event.
    const consumer = testKafka().consumer({ groupId: ns.group('paused-reader') });
    cleanups.push(() => consumer.disconnect());
    // By ce_id: the outbox publishes at least once, so a repeat of the same event may come.
    const told = new Map<string, string>();
    await consumer.connect();
    await consumer.subscribe({ topic: portal.topic(webhookSubscriptionStream), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void told.set(String(message.headers?.ce_id), `${message.headers?.ce_type?.toString()} ${message.headers?.ce_subject?.toString()}`),
    });
    await waitFor(() => told.size > 0 || undefined, { what: 'the paused event', timeoutMs: 30_000 });
    expect([...told.values()], JSON.stringify([...told])).toEqual([`pinzhi.portal.webhook-subscription.paused.v1 ${failing.subscription!.name}`]);
  }, 90_000);
});
