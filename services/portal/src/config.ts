import { commonSettings } from '@pinzhi/platform';
import { z } from 'zod';
import { webhookSettings } from './webhooks/settings.js';

export const portalConfigSchema = z.object({
  ...commonSettings,
  ...webhookSettings,
  SERVICE_NAME: z.string().min(1).default('portal'),
  /** The portal's own gRPC face (WebhookService for marketplaces). */
  GRPC_PORT: commonSettings.GRPC_PORT.default(50055),
  /** The public HTTP face: pages, the GS1 Digital Link resolver and the JSON API. */
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
});

export type PortalConfig = z.infer<typeof portalConfigSchema>;
