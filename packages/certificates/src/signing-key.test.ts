import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, publicKeyOf } from './signing-key.js';

describe('generateSigningKey', () => {
  it('gives a raw 32-byte public key and derives the key id from its sha256', () => {
    const key = generateSigningKey(new Date('2025-01-01T00:00:00Z'));
    expect(key.publicKey).toHaveLength(32);
    const digest = createHash('sha256').update(key.publicKey).digest('hex');
    expect(key.keyId).toBe(`ed25519-${digest.slice(0, 16)}`);
    expect(key.notBefore).toEqual(new Date('2025-01-01T00:00:00Z'));
    expect(key.retiredAt).toBeUndefined();
  });

  it('makes a different key every time', () => {
    expect(generateSigningKey().keyId).not.toBe(generateSigningKey().keyId);
  });
});

describe('publicKeyOf', () => {
  it('carries no private material', () => {
    const key = { ...generateSigningKey(), retiredAt: new Date() };
    const published = publicKeyOf(key);
    expect(Object.keys(published).sort()).toEqual(['keyId', 'notBefore', 'publicKey', 'retiredAt']);
    expect(published).toMatchObject({ keyId: key.keyId, publicKey: key.publicKey, retiredAt: key.retiredAt });
  });

  it('omits retiredAt for an active key', () => {
    expect(publicKeyOf(generateSigningKey())).not.toHaveProperty('retiredAt');
  });
});
