import { z } from 'zod';

const DAY_MS = 24 * 60 * 60 * 1000;
const flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');
const ms = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

/** The webhook settings, spread into the portal's config schema (see ../config.ts). */
export const webhookSettings = {
  /**
   * Development only: endpoints may be on a loopback address (127.0.0.0/8, ::1), and over
   * plain http there. Private and link-local addresses stay refused.
   */
  WEBHOOK_ALLOW_LOOPBACK: flag,
  /** First retry after about this long; each further one doubles it (with jitter). */
  WEBHOOK_RETRY_BASE_MS: ms(5_000),
  /** The longest wait between two attempts. */
  WEBHOOK_RETRY_MAX_MS: ms(2 * 60 * 60 * 1000),
  /** A delivery failing this long goes to DEAD_LETTER; an endpoint failing this long is paused. */
  WEBHOOK_GIVE_UP_AFTER_MS: ms(DAY_MS),
  /** After a rotation the previous secret still signs (a second signature) this long. */
  WEBHOOK_SECRET_GRACE_MS: ms(DAY_MS),
  /** One attempt's time limit (connect, TLS, answer). */
  WEBHOOK_TIMEOUT_MS: ms(10_000),
  /** How often the dispatcher looks for due retries (new events are sent at once). */
  WEBHOOK_DISPATCH_INTERVAL_MS: ms(1_000),
  /** Attempts in flight at once, over all endpoints. */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(64),
  /** Attempts in flight at once to one endpoint, so a slow receiver cannot take every slot. */
  WEBHOOK_CONCURRENCY_PER_ENDPOINT: z.coerce.number().int().min(1).max(256).default(8),
};
