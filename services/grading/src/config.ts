import { commonSettings, loadConfig } from '@pinzhi/platform';
import { z } from 'zod';

export const gradingConfigSchema = z.object({
  ...commonSettings,
  SERVICE_NAME: z.string().min(1).default('grading'),
  GRPC_PORT: commonSettings.GRPC_PORT.default(50052),
  /** Certificate validity when the standard sets none. */
  GRADE_VALIDITY_MONTHS: z.coerce.number().int().min(1).max(120).default(12),
  EXPIRY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  /** How long standards and certification bodies are cached; a catalogue change shows within it. */
  CATALOGUE_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
});

export type GradingConfig = z.infer<typeof gradingConfigSchema>;

export const loadGradingConfig = (env: Record<string, string | undefined> = process.env) => loadConfig(gradingConfigSchema, env);
