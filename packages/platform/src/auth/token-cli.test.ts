import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('./token-cli.ts', import.meta.url));
const repo = fileURLToPath(new URL('../../../..', import.meta.url));
const secret = 'token-cli-test-secret-0123456789abcdef';

/** Runs the CLI as `npm run token` does, with only the given JWT settings in its environment. */
function token(args: string[], env: Record<string, string> = {}) {
  const { JWT_SECRET: _secret, JWT_MAX_LIFETIME_S: _max, ...inherited } = process.env;
  const run = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repo, env: { ...inherited, ...env }, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
}

describe('token CLI', () => {
  it.each([
    ['JWT_SECRET is missing', {}, /^pnpm token: JWT_SECRET: must be set \(not set\); export the secret/],
    ['JWT_SECRET is too short', { JWT_SECRET: 'short-secret' }, /^pnpm token: JWT_SECRET: must be at least 32 characters .*\(got 12 characters\)/],
  ])('says in one line and exit code 2 when %s', (_what, env, message) => {
    const run = token(['--role', 'admin', '--org', 'pinzhi'], env);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it('refuses a --ttl the services would refuse, in one line', () => {
    const run = token(['--role', 'admin', '--org', 'pinzhi', '--ttl', '30d'], { JWT_SECRET: secret });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('pnpm token: --ttl 30d is longer than JWT_MAX_LIFETIME_S (86400 s); the services would refuse the token');
  });

  it('prints a token that expires after 12 h, or after --ttl', () => {
    const run = token(['--role', 'certifier', '--org', 'CNAS C001-P', '--scopes', 'footwear'], { JWT_SECRET: secret });
    expect(run.status).toBe(0);
    const claims = decodeJwt(run.stdout);
    expect(claims).toMatchObject({ role: 'certifier', org: 'CNAS C001-P', scopes: ['footwear'] });
    expect(claims.exp! - claims.iat!).toBe(12 * 3600);
    const short = decodeJwt(token(['--role', 'admin', '--org', 'pinzhi', '--ttl', '15m'], { JWT_SECRET: secret }).stdout);
    expect(short.exp! - short.iat!).toBe(15 * 60);
  });
});
