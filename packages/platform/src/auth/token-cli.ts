/**
 * Development token CLI:
 *   pnpm token --role certifier --org "CNAS C001-P" --scopes down-garment,footwear [--sub alice] [--ttl 12h]
 * Reads JWT_SECRET / JWT_ISSUER / JWT_AUDIENCE / JWT_MAX_LIFETIME_S like the services do and
 * prints the token. Every token expires (--ttl, default 12 h, at most JWT_MAX_LIFETIME_S: the
 * services refuse longer ones). A mistake is one line on stderr and exit code 2, never a stack
 * trace: the CLI is usually run inside `$(…)`, where a trace disappears and a token does not.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig, commonSettings } from '../config.js';
import { ConfigError } from '../errors.js';
import { isRole, roles } from './caller.js';
import { signToken } from './jwt.js';

const USAGE = `usage: pnpm token --role <${roles.join('|')}> --org <org id> [--scopes a,b] [--sub id] [--ttl 12h]`;

function fail(message: string): never {
  console.error(`pnpm token: ${message}`);
  process.exit(2);
}

/** A jose time span ('90s', '15m', '12h', '1d') in seconds, or undefined when it is not one. */
function secondsOf(span: string): number | undefined {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(span.trim());
  if (!match) return undefined;
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      role: { type: 'string' },
      org: { type: 'string' },
      scopes: { type: 'string', default: '' },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '12h' },
    },
  }));
} catch (error) {
  fail(`${(error as Error).message}; ${USAGE}`);
}
if (!isRole(values.role) || !values.org) fail(USAGE);

let settings;
try {
  settings = loadConfig(
    z.object({
      JWT_SECRET: commonSettings.JWT_SECRET,
      JWT_ISSUER: commonSettings.JWT_ISSUER,
      JWT_AUDIENCE: commonSettings.JWT_AUDIENCE,
      JWT_MAX_LIFETIME_S: commonSettings.JWT_MAX_LIFETIME_S,
    }),
  );
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  const problems = error.message
    .split('\n')
    .slice(1)
    .map((line) => line.trim());
  fail(`${problems.join('; ')}; export the secret the services use (npm start's development secret is in scripts/run.sh)`);
}

const ttlS = secondsOf(values.ttl);
if (ttlS === undefined || ttlS <= 0) fail(`--ttl must be a time span such as 90s, 15m, 12h or 1d (got ${JSON.stringify(values.ttl)})`);
if (ttlS > settings.JWT_MAX_LIFETIME_S) {
  fail(`--ttl ${values.ttl} is longer than JWT_MAX_LIFETIME_S (${settings.JWT_MAX_LIFETIME_S} s); the services would refuse the token`);
}

const token = await signToken(
  { secret: settings.JWT_SECRET, issuer: settings.JWT_ISSUER, audience: settings.JWT_AUDIENCE },
  {
    subject: values.sub ?? `${values.role}@${values.org}`,
    role: values.role,
    org: values.org,
    scopes: values.scopes
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    expiresIn: `${ttlS}s`,
  },
);
console.log(token);
