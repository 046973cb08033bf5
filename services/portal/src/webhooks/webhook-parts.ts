import type { ServiceContext, ServiceParts } from '@pinzhi/platform';
import type { Db } from 'mongodb';
import type { PortalConfig } from '../config.js';

/** Webhook subscriptions and deliveries: the portal's gRPC face, its consumers and sweeps. */
export async function webhookParts(_context: ServiceContext<PortalConfig>): Promise<Required<Pick<ServiceParts, 'grpc' | 'consumers' | 'sweeps' | 'stop'>>> {
  return { grpc: [], consumers: [], sweeps: [], stop: [] };
}

/** Collections whose documents carry an outbox. */
export const WEBHOOK_OUTBOX_COLLECTIONS: readonly string[] = [];

/** Creates the webhook collections' indexes (idempotent). */
export async function ensureWebhookIndexes(_db: Db): Promise<void> {}
