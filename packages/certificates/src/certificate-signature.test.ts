import { describe, expect, it } from 'vitest';
import type { CertificateFields } from './canonical-bytes.js';
import { signCertificate, verifyCertificate } from './certificate-signature.js';
import { generateSigningKey, publicKeyOf } from './signing-key.js';

const certificate: CertificateFields = {
  number: 'PZ-2025-000123',
  gtin: '06901234567892',
  standardCode: 'GB/T 14272-2021',
  level: '一等品',
  validFrom: new Date('2025-03-01T00:00:00.000Z'),
  validUntil: new Date('2026-02-28T15:59:59.999Z'),
  issuerCnasNumber: 'CNAS L0192',
  issuerName: '杭州市质量检测中心',
  grade: 'grades/g-42',
};

const keyCreatedAt = new Date('2025-01-01T00:00:00Z');
const signedAt = new Date('2025-03-01T08:00:00Z');
const key = generateSigningKey(keyCreatedAt);
const published = [publicKeyOf(key)];
const signature = signCertificate(certificate, key, signedAt);

describe('signCertificate and verifyCertificate', () => {
  it('round-trips', () => {
    expect(signature).toMatchObject({ algorithm: 'Ed25519', keyId: key.keyId, signedAt });
    expect(signature.signature).toHaveLength(64);
    expect(verifyCertificate(certificate, signature, published)).toEqual({ valid: true, keyId: key.keyId });
  });

  const changed: { [K in keyof CertificateFields]: CertificateFields[K] } = {
    number: 'PZ-2025-000124',
    gtin: '06901234567885',
    standardCode: 'GB/T 14272-2011',
    level: '合格品',
    validFrom: new Date(certificate.validFrom.getTime() + 1),
    validUntil: new Date(certificate.validUntil.getTime() + 1),
    issuerCnasNumber: 'CNAS L0193',
    issuerName: '杭州市质量检测中心 ',
    grade: 'grades/g-43',
  };
  it.each(Object.keys(changed) as (keyof CertificateFields)[])('rejects a certificate whose %s changed', (field) => {
    const tampered = { ...certificate, [field]: changed[field] };
    expect(verifyCertificate(tampered, signature, published)).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
  });

  it('rejects a signature with any single byte changed', () => {
    for (let i = 0; i < signature.signature.length; i++) {
      const bytes = signature.signature.slice();
      bytes[i] ^= 0x01;
      expect(verifyCertificate(certificate, { ...signature, signature: bytes }, published), `byte ${i}`).toEqual({
        valid: false,
        reason: 'BAD_SIGNATURE',
      });
    }
  });

  it('rejects a truncated signature', () => {
    const truncated = { ...signature, signature: signature.signature.subarray(0, 63) };
    expect(verifyCertificate(certificate, truncated, published)).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
  });

  it('reports a key id it was not given as UNKNOWN_KEY', () => {
    const other = [publicKeyOf(generateSigningKey(keyCreatedAt))];
    expect(verifyCertificate(certificate, signature, other)).toEqual({ valid: false, reason: 'UNKNOWN_KEY' });
    expect(verifyCertificate(certificate, { ...signature, keyId: 'ed25519-0000000000000000' }, published)).toEqual({
      valid: false,
      reason: 'UNKNOWN_KEY',
    });
  });

  it('reports any algorithm but Ed25519 as UNSUPPORTED_ALGORITHM', () => {
    expect(verifyCertificate(certificate, { ...signature, algorithm: 'ed25519' }, published)).toEqual({
      valid: false,
      reason: 'UNSUPPORTED_ALGORITHM',
    });
  });

  it('reports a signature dated before the key existed as KEY_NOT_YET_VALID', () => {
    const early = { ...signature, signedAt: new Date(keyCreatedAt.getTime() - 1) };
    expect(verifyCertificate(certificate, early, published)).toEqual({ valid: false, reason: 'KEY_NOT_YET_VALID' });
  });

  it('accepts a retired key only for signatures made before it retired', () => {
    const retired = [{ ...published[0]!, retiredAt: new Date(signedAt.getTime() + 1) }];
    expect(verifyCertificate(certificate, signature, retired)).toEqual({ valid: true, keyId: key.keyId });
    const atRetirement = [{ ...published[0]!, retiredAt: signedAt }];
    expect(verifyCertificate(certificate, signature, atRetirement)).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
  });

  it('reports a 31-byte public key as MALFORMED_KEY instead of throwing', () => {
    const malformed = [{ ...published[0]!, publicKey: key.publicKey.subarray(0, 31) }];
    expect(verifyCertificate(certificate, signature, malformed)).toEqual({ valid: false, reason: 'MALFORMED_KEY' });
  });

  it('fails closed instead of throwing on input of the wrong shape', () => {
    const cases: [unknown, unknown, unknown][] = [
      [{ ...certificate, validFrom: new Date(Number.NaN) }, signature, published],
      [{ ...certificate, gtin: undefined }, signature, published],
      [certificate, { ...signature, signedAt: new Date(Number.NaN) }, published],
      [certificate, { ...signature, signedAt: '2025-03-01' }, published],
      [certificate, { ...signature, signature: 'not bytes' }, published],
      [certificate, signature, [{ ...published[0]!, notBefore: undefined }]],
      [certificate, {}, published],
    ];
    for (const [c, s, k] of cases) {
      const result = verifyCertificate(c as CertificateFields, s as typeof signature, k as typeof published);
      expect(result.valid).toBe(false);
    }
  });

  it('refuses to sign outside the key window', () => {
    expect(() => signCertificate(certificate, key, new Date(keyCreatedAt.getTime() - 1))).toThrow(RangeError);
    const retired = { ...key, retiredAt: signedAt };
    expect(() => signCertificate(certificate, retired, signedAt)).toThrow(RangeError);
  });
});
