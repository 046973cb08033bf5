import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../errors.js';
import { signToken, TokenVerifier } from './jwt.js';

const settings = { secret: 'unit-test-secret-unit-test-secret-123', issuer: 'pinzhi', audience: 'pinzhi' };

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
    const claims = { subject: 'a', role: 'admin', org: 'x' } as const;
    const otherKey = await signToken({ ...settings, secret: 'another-secret-another-secret-12345' }, claims);
    const otherAudience = await signToken({ ...settings, audience: 'elsewhere' }, claims);
    const expired = await signToken(settings, { ...claims, expiresIn: '-1m' });
    for (const token of [otherKey, otherAudience, expired]) {
      await expect(verifier.verify(token)).rejects.toBeInstanceOf(UnauthenticatedError);
    }
  });
});
