import { webhookSubscriptionStream } from '@pinzhi/events';
import { defineService } from '@pinzhi/platform';
import { Backends } from './app/backends.js';
import { PortalLookups } from './app/lookups.js';
import { portalConfigSchema } from './config.js';
import { startHttpServer } from './http/http-server.js';
import { createRouter } from './http/router.js';
import { ensureWebhookIndexes, WEBHOOK_OUTBOX_COLLECTIONS, webhookParts } from './webhooks/webhook-parts.js';

/**
 * The public portal (HTTP pages, GS1 Digital Link resolver, JSON API) over the other services'
 * RPCs, and marketplace webhooks. It owns no catalogue or grade data.
 */
export const portalService = defineService({
  name: 'portal',
  config: portalConfigSchema,
  outboxCollections: WEBHOOK_OUTBOX_COLLECTIONS,
  publishes: [webhookSubscriptionStream],
  indexes: ensureWebhookIndexes,
  async start(context) {
    const { config, logger } = context;
    const webhooks = await webhookParts(context);
    const backends = new Backends(
      {
        catalogue: config.CATALOGUE_ADDRESS,
        grading: config.GRADING_ADDRESS,
        brandValuation: config.BRAND_VALUATION_ADDRESS,
        sameLine: config.SAME_LINE_ADDRESS,
      },
      { secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
      config.BACKEND_DEADLINE_MS,
    );
    const http = await startHttpServer({
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      handle: createRouter({
        lookups: new PortalLookups(backends, { catalogueTtlMs: config.CATALOGUE_CACHE_MS }),
        readiness: () => backends.readiness(),
        publicBaseUrl: config.PUBLIC_BASE_URL,
        rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
        publicMaxAgeS: config.PUBLIC_MAX_AGE_S,
        logger,
      }),
    });
    logger.info({ address: http.address, publicBaseUrl: config.PUBLIC_BASE_URL }, 'portal HTTP listening');
    return {
      ...webhooks,
      stop: [...webhooks.stop, { name: 'http', run: () => http.close() }, { name: 'backend clients', run: async () => backends.close() }],
      exposed: { httpAddress: http.address },
    };
  },
});
