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
  /** Where the public reaches the portal: the base of QR codes and canonical links. */
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8080'),
  /** The services the portal reads (their public and read RPCs; it owns no catalogue or grades). */
  CATALOGUE_ADDRESS: z.string().min(1).default('127.0.0.1:50051'),
  GRADING_ADDRESS: z.string().min(1).default('127.0.0.1:50052'),
  BRAND_VALUATION_ADDRESS: z.string().min(1).default('127.0.0.1:50053'),
  SAME_LINE_ADDRESS: z.string().min(1).default('127.0.0.1:50054'),
  /** Time limit of one backend call; a page answers 503 past it rather than hang. */
  BACKEND_DEADLINE_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
  /** Requests per minute one client address may make (pages and API); 429 past it. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /**
   * How long the portal keeps catalogue names (product, brand, enterprise) it has read.
   * Certificate status is never kept: concurrent requests only share the call in flight.
   */
  CATALOGUE_CACHE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** How long public answers may be cached (Cache-Control max-age, seconds). */
  PUBLIC_MAX_AGE_S: z.coerce.number().int().min(0).max(86_400).default(60),
});

export type PortalConfig = z.infer<typeof portalConfigSchema>;
