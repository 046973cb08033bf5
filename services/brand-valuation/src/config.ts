import { commonSettings } from '@pinzhi/platform';
import { z } from 'zod';

const yuan = z.string().regex(/^\d{1,15}$/, 'whole yuan, digits only');

export const brandValuationConfigSchema = z.object({
  ...commonSettings,
  SERVICE_NAME: z.string().min(1).default('brand-valuation'),
  GRPC_PORT: commonSettings.GRPC_PORT.default(50053),
  /**
   * Eligibility at submission. The defaults are the 2014 annual list's rules (DOMAIN.md §2:
   * three consecutive profitable years, average net profit ¥30 m / ¥100 m / ¥50 m); a later
   * list may set others, so they are configuration, not code.
   */
  ELIGIBLE_PROFITABLE_YEARS: z.coerce.number().int().min(1).max(10).default(3),
  ELIGIBLE_MIN_NET_PROFIT_AGRICULTURE: yuan.default('30000000'),
  ELIGIBLE_MIN_NET_PROFIT_MANUFACTURING: yuan.default('100000000'),
  ELIGIBLE_MIN_NET_PROFIT_SERVICES: yuan.default('50000000'),
});

export type BrandValuationConfig = z.infer<typeof brandValuationConfigSchema>;
