import { loadConfig } from '@pinzhi/platform';
import { z } from 'zod';

const schema = z.object({
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port')).min(1)),
  /** Where grading's gRPC API answers, for GetSigningKeys (`npm start` puts it on 50052). */
  GRADING_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')
    .default('127.0.0.1:50052'),
  /** Unset: the badge table lives in memory and is rebuilt from the snapshot on every start. */
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must be a mongodb:// or mongodb+srv:// connection string')
    .optional(),
  MONGO_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be 1-63 letters, digits, _ or -')
    .default('example_marketplace'),
  GROUP_ID: z.string().min(1).default('example-marketplace'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type MarketplaceConfig = z.infer<typeof schema>;

export const loadMarketplaceConfig = (env: Record<string, string | undefined> = process.env): MarketplaceConfig => loadConfig(schema, env);
