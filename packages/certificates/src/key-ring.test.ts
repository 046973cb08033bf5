import { describe, expect, it } from 'vitest';
import type { CertificateFields } from './canonical-bytes.js';
import { signCertificate, verifyCertificate } from './certificate-signature.js';
import { KeyRing } from './key-ring.js';
import { generateSigningKey } from './signing-key.js';

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

const t0 = new Date('2025-01-01T00:00:00Z');
const rotatedAt = new Date('2025-06-01T00:00:00Z');
const later = new Date('2025-07-01T00:00:00Z');

describe('KeyRing', () => {
  it('keeps verifying certificates signed by the old key after a rotation, and signs new ones with the new key', () => {
    const ring = new KeyRing([generateSigningKey(t0)]);
    const old = ring.active();
    const before = signCertificate(certificate, old, new Date('2025-03-01T00:00:00Z'));

    const fresh = ring.rotate(rotatedAt);
    expect(ring.active()).toBe(fresh);
    expect(fresh.keyId).not.toBe(old.keyId);
    expect(ring.keys().find((k) => k.keyId === old.keyId)?.retiredAt).toEqual(rotatedAt);

    const after = signCertificate(certificate, ring.active(), later);
    expect(after.keyId).toBe(fresh.keyId);
    expect(verifyCertificate(certificate, before, ring.publicKeys())).toEqual({ valid: true, keyId: old.keyId });
    expect(verifyCertificate(certificate, after, ring.publicKeys())).toEqual({ valid: true, keyId: fresh.keyId });
  });

  it('does not change key material handed to it or handed out earlier', () => {
    const original = generateSigningKey(t0);
    const ring = new KeyRing([original]);
    const snapshot = ring.keys();
    ring.rotate(rotatedAt);
    expect(original.retiredAt).toBeUndefined();
    expect(snapshot).toHaveLength(1);
    expect(ring.keys()).toHaveLength(2);
  });

  it('rejects more than one active key', () => {
    expect(() => new KeyRing([generateSigningKey(t0), generateSigningKey(t0)])).toThrow(/at most one active key/);
  });

  it('throws from active() when every key is retired, and rotate() then starts a new one', () => {
    const ring = new KeyRing([{ ...generateSigningKey(t0), retiredAt: rotatedAt }]);
    expect(() => ring.active()).toThrow(/no active signing key/);
    const fresh = ring.rotate(later);
    expect(ring.active()).toBe(fresh);
    expect(ring.publicKeys()).toHaveLength(2);
  });
});
