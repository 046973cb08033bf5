import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Environment settings every service shares. A service builds its schema with
 * `z.object({ ...commonSettings, ...its own })` and parses it once at boot with loadConfig.
 */
export const commonSettings = {
  SERVICE_NAME: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRPC_HOST: z.string().min(1).default('127.0.0.1'),
  GRPC_PORT: z.coerce.number().int().min(0).max(65535),
  /** Largest gRPC request message a server accepts (grpc-js's default, 4 MiB). */
  GRPC_MAX_RECEIVE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must be a mongodb:// or mongodb+srv:// connection string'),
  MONGO_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be 1-63 letters, digits, _ or -')
    .default('pinzhi'),
  KAFKA_BROKERS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port')).min(1)),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters (HS256 key)'),
  JWT_ISSUER: z.string().min(1).default('pinzhi'),
  JWT_AUDIENCE: z.string().min(1).default('pinzhi'),
  /** Longest lifetime (exp − iat) a token may claim; longer ones are refused. */
  JWT_MAX_LIFETIME_S: z.coerce
    .number()
    .int()
    .min(60)
    .default(24 * 60 * 60),
  HEALTH_PROBE_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
  OUTBOX_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
  /** After a crash, how long an outbox mark of a write that never happened is kept (see OutboxRelayOptions.abandonedMarkMs). */
  OUTBOX_ABANDONED_MARK_MS: z.coerce.number().int().min(5_000).max(3_600_000).default(60_000),
  /**
   * Largest Kafka record (key, value, headers) an event may make; a request causing a larger
   * one is refused. Keep it below the broker's message.max.bytes (1 048 588 by default).
   */
  EVENT_MAX_BYTES: z.coerce.number().int().min(1024).default(900_000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10000),
  /**
   * Put before every topic and consumer group the service uses; staging clusters and
   * benchmarks set it so they never touch the default topics.
   */
  TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,100}$/, 'letters, digits, ".", "_" or "-" only')
    .default(''),
};

export const commonConfigSchema = z.object(commonSettings);
export type CommonConfig = z.infer<typeof commonConfigSchema>;

const SECRET_NAME = /SECRET|PASSWORD|PRIVATE|CREDENTIAL/i;

/**
 * Parses the environment against a schema. Every problem is reported at once, each naming
 * its variable, so a misconfigured process stops at boot with a message a person can act on.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    // The variable is the first path element; later ones point inside a parsed value
    // (KAFKA_BROKERS.0 is the first broker of the list).
    const name = issue.path.length > 0 ? String(issue.path[0]) : '(environment)';
    const value = env[name];
    if (value === undefined) return { name, text: `${name}: must be set (not set)` };
    // A secret is never echoed: a 31-character JWT_SECRET is still most of the real key.
    const shown = SECRET_NAME.test(name) ? `got ${value.length} characters` : `got ${JSON.stringify(value)}`;
    return { name, text: `${name}: ${issue.message} (${shown})` };
  });
  throw new ConfigError([...new Set(problems.map((p) => p.name))], `invalid configuration:\n  ${problems.map((p) => p.text).join('\n  ')}`);
}
