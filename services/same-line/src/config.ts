import { commonSettings } from '@pinzhi/platform';
import { z } from 'zod';

export const sameLineConfigSchema = z.object({
  ...commonSettings,
  SERVICE_NAME: z.string().min(1).default('same-line'),
  GRPC_PORT: commonSettings.GRPC_PORT.default(50054),
  /**
   * How long a declaration or certificate stays valid. No source fixes a validity for 三同
   * statements (DOMAIN.md §3 [U]); a year matches the certificates users compare us with
   * (OEKO-TEX, DOMAIN.md §5), so it is configuration, not code.
   */
  CERTIFICATE_VALIDITY_MONTHS: z.coerce.number().int().min(1).max(120).default(12),
  /** How often statements whose validity ended are marked EXPIRED and announced. */
  EXPIRY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(3_600_000),
});

export type SameLineConfig = z.infer<typeof sameLineConfigSchema>;
