import { SignJWT, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../errors.js';
import { signToken, TokenVerifier } from './jwt.js';

const settings = { secret: 'unit-test-secret-unit-test-secret-123', issuer: 'pinzhi', audience: 'pinzhi' };
const claims = { subject: 'a', role: 'admin', org: 'x' } as const;
const HOUR = 3600;
const now = new Date('2026-03-01T08:00:00Z');
const nowS = now.getTime() / 1000;

/** A token with exactly the time claims given (undefined: left out), signed with the right key. */
function tokenWith(times: { iat?: number; nbf?: number; exp?: number }): Promise<string> {
  const jwt = new SignJWT({ role: 'admin', org: 'x', ...times })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('a')
    .setIssuer(settings.issuer)
    .setAudience(settings.audience);
  return jwt.sign(new TextEncoder().encode(settings.secret));
}

async function refusal(token: string, verifier = new TokenVerifier(settings, () => now)): Promise<UnauthenticatedError> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return error as UnauthenticatedError;
}

describe('TokenVerifier', () => {
  it('turns a signed token into a caller with role, organisation and scopes', async () => {
    const token = await signToken(settings, {
      subject: 'alice',
      role: 'certifier',
      org: 'CNAS C001-P',
      scopes: ['down-garment'],
    });
    await expect(new TokenVerifier(settings).verify(token)).resolves.toEqual({
      subject: 'alice',
      role: 'certifier',
      org: 'CNAS C001-P',
      scopes: ['down-garment'],
    });
  });

  it('rejects a token signed with another key, for another audience, or expired', async () => {
    const verifier = new TokenVerifier(settings);
    const otherKey = await signToken({ ...settings, secret: 'another-secret-another-secret-12345' }, claims);
    const otherAudience = await signToken({ ...settings, audience: 'elsewhere' }, claims);
    const expired = await signToken(settings, { ...claims, expiresIn: '-5m' });
    for (const token of [otherKey, otherAudience, expired]) {
      await expect(verifier.verify(token)).rejects.toBeInstanceOf(UnauthenticatedError);
    }
  });

  it('refuses a token without an expiry', async () => {
    expect((await refusal(await tokenWith({ iat: nowS }))).message).toBe('the token has no valid expiry (exp)');
  });

  it('refuses a token that lives longer than the maximum lifetime, measured from iat or, without iat, from now', async () => {
    expect((await refusal(await tokenWith({ iat: nowS, exp: nowS + 10 * 365 * 24 * HOUR }))).message).toMatch(/longer than the 86400 s allowed/);
    await refusal(await tokenWith({ iat: nowS - HOUR, exp: nowS + 24 * HOUR }));
    await refusal(await tokenWith({ exp: nowS + 25 * HOUR }));
    // A configured maximum applies instead of the default.
    const strict = new TokenVerifier({ ...settings, maxLifetimeS: HOUR }, () => now);
    await refusal(await tokenWith({ iat: nowS, exp: nowS + 2 * HOUR }), strict);
  });

  it('accepts a token at the maximum lifetime, and one without iat that ends within it', async () => {
    const verifier = new TokenVerifier(settings, () => now);
    await expect(verifier.verify(await tokenWith({ iat: nowS, exp: nowS + 24 * HOUR }))).resolves.toMatchObject({ subject: 'a' });
    await expect(verifier.verify(await tokenWith({ exp: nowS + HOUR }))).resolves.toMatchObject({ subject: 'a' });
  });

  it('honours nbf and iat with 60 s of clock skew', async () => {
    const verifier = new TokenVerifier(settings, () => now);
    const exp = nowS + HOUR;
    await expect(verifier.verify(await tokenWith({ iat: nowS + 30, nbf: nowS + 30, exp }))).resolves.toMatchObject({ subject: 'a' });
    expect((await refusal(await tokenWith({ iat: nowS, nbf: nowS + 300, exp }))).message).toBe('the token is not valid yet (nbf)');
    expect((await refusal(await tokenWith({ iat: nowS + 300, exp }))).message).toMatch(/issued in the future/);
    // Expired 30 s ago is within the skew; 90 s ago is not.
    await expect(verifier.verify(await tokenWith({ iat: nowS - HOUR, exp: nowS - 30 }))).resolves.toMatchObject({ subject: 'a' });
    expect((await refusal(await tokenWith({ iat: nowS - HOUR, exp: nowS - 90 }))).message).toBe('the token has expired');
  });
});

describe('signToken', () => {
  it('sets iat and an expiry, 8 h unless told otherwise', async () => {
    const { iat, exp } = decodeJwt(await signToken(settings, claims));
    expect(exp! - iat!).toBe(8 * HOUR);
    const short = decodeJwt(await signToken(settings, { ...claims, expiresIn: '15m' }));
    expect(short.exp! - short.iat!).toBe(15 * 60);
  });
});
