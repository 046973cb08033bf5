import { defineService } from '@pinzhi/platform';
import { portalConfigSchema } from './config.js';
import { startHttpServer } from './http/http-server.js';
import { ensureWebhookIndexes, WEBHOOK_OUTBOX_COLLECTIONS, webhookParts } from './webhooks/webhook-parts.js';

/** The public portal (HTTP pages, Digital Link, JSON API) and marketplace webhooks. */
export const portalService = defineService({
  name: 'portal',
  config: portalConfigSchema,
  outboxCollections: WEBHOOK_OUTBOX_COLLECTIONS,
  publishes: [],
  indexes: ensureWebhookIndexes,
  async start(context) {
    const { config } = context;
    const webhooks = await webhookParts(context);
    const http = await startHttpServer({
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      handle: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('pinzhi portal\n');
      },
    });
    context.logger.info({ address: http.address }, 'portal HTTP listening');
    return {
      ...webhooks,
      stop: [...webhooks.stop, { name: 'http', run: () => http.close() }],
      exposed: { httpAddress: http.address },
    };
  },
});
