import { commonSettings } from '@pinzhi/platform';
import { z } from 'zod';

export const gradingConfigSchema = z.object({
  ...commonSettings,
  SERVICE_NAME: z.string().min(1).default('grading'),
  GRPC_PORT: commonSettings.GRPC_PORT.default(50052),
  /** Certificate validity when the standard sets none. */
  GRADE_VALIDITY_MONTHS: z.coerce.number().int().min(1).max(120).default(12),
  /**
   * The expiry sweep scans the live grades (FerretDB: about 1 ms of server CPU per grade), so
   * it runs hourly; VerifyCertificate checks the validity window itself, so a certificate
   * past its end never verifies as current, whenever the sweep runs.
   */
  EXPIRY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  /** How long standards and certification bodies are cached; a catalogue change shows within it. */
  CATALOGUE_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** Items one IssueGrades call grades; more are answered RESOURCE_EXHAUSTED (responses stay under 4 MB). */
  ISSUE_GRADES_MAX_ITEMS: z.coerce.number().int().min(1).max(1_500).default(1_000),
});

export type GradingConfig = z.infer<typeof gradingConfigSchema>;
