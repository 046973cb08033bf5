import type { ServiceContext, ServiceParts } from '@pinzhi/platform';
import type { PortalConfig } from '../config.js';

/** Webhook subscriptions and deliveries: the portal's gRPC face, its consumers and sweeps. */
export async function webhookParts(_context: ServiceContext<PortalConfig>): Promise<Required<Pick<ServiceParts, 'grpc' | 'consumers' | 'sweeps' | 'stop'>>> {
  return { grpc: [], consumers: [], sweeps: [], stop: [] };
}

/** Collections whose documents carry an outbox. */
export const WEBHOOK_OUTBOX_COLLECTIONS: readonly string[] = [];
