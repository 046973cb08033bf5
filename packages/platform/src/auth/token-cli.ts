/**
 * Development token CLI:
 *   pnpm token --role certifier --org "CNAS C001-P" --scopes down-garment,footwear [--sub alice] [--ttl 8h]
 * Reads JWT_SECRET / JWT_ISSUER / JWT_AUDIENCE like the services do and prints the token.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig, commonSettings } from '../config.js';
import { isRole, roles } from './caller.js';
import { signToken } from './jwt.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    org: { type: 'string' },
    scopes: { type: 'string', default: '' },
    sub: { type: 'string' },
    ttl: { type: 'string', default: '8h' },
  },
});

if (!isRole(values.role) || !values.org) {
  console.error(`usage: pnpm token --role <${roles.join('|')}> --org <org id> [--scopes a,b] [--sub id] [--ttl 8h]`);
  process.exit(2);
}
const settings = loadConfig(
  z.object({
    JWT_SECRET: commonSettings.JWT_SECRET,
    JWT_ISSUER: commonSettings.JWT_ISSUER,
    JWT_AUDIENCE: commonSettings.JWT_AUDIENCE,
  }),
);
const token = await signToken(
  { secret: settings.JWT_SECRET, issuer: settings.JWT_ISSUER, audience: settings.JWT_AUDIENCE },
  {
    subject: values.sub ?? `${values.role}@${values.org}`,
    role: values.role,
    org: values.org,
    scopes: values.scopes.split(',').map((s) => s.trim()).filter(Boolean),
    expiresIn: values.ttl,
  },
);
console.log(token);
