import { sign, verify } from 'node:crypto';
import { canonicalCertificateBytes, type CertificateFields } from './canonical-bytes.js';
import { importPrivateKey, importRawPublicKey, isKeyActiveAt, type PublicSigningKey, type SigningKeyMaterial } from './signing-key.js';

export interface CertificateSignatureValue {
  algorithm: 'Ed25519';
  keyId: string;
  signature: Uint8Array;
  signedAt: Date;
}

export type VerificationResult =
  { valid: true; keyId: string } | { valid: false; reason: 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'UNSUPPORTED_ALGORITHM' | 'KEY_NOT_YET_VALID' | 'MALFORMED_KEY' };

type FailureReason = Extract<VerificationResult, { valid: false }>['reason'];

export function signCertificate(c: CertificateFields, key: SigningKeyMaterial, now: Date = new Date()): CertificateSignatureValue {
  return signBytes(canonicalCertificateBytes(c), key, now);
}

/** Signs canonical bytes of any signed document (a certificate, a valuation statement). */
export function signBytes(bytes: Uint8Array, key: SigningKeyMaterial, now: Date = new Date()): CertificateSignatureValue {
  // A signature outside the key's window would be rejected by every verifier; refuse to make one.
  if (!isKeyActiveAt(key, now)) {
    throw new RangeError(`signing key ${key.keyId} is not active at ${now.toISOString()}`);
  }
  const signature = sign(null, bytes, importPrivateKey(key.privateKeyPkcs8));
  return { algorithm: 'Ed25519', keyId: key.keyId, signature: new Uint8Array(signature), signedAt: now };
}

/**
 * Verifies against the published keys. Retired keys still verify certificates signed while they
 * were active: signedAt must be >= notBefore and, if retired, < retiredAt. Never throws on bad input.
 */
export function verifyCertificate(
  c: CertificateFields,
  signature: { algorithm: string; keyId: string; signature: Uint8Array; signedAt: Date },
  keys: readonly PublicSigningKey[],
): VerificationResult {
  try {
    return verifyBytes(canonicalCertificateBytes(c), signature, keys);
  } catch {
    return failure('BAD_SIGNATURE');
  }
}

/** Verifies a signature over canonical bytes against the published keys; never throws on bad input. */
export function verifyBytes(
  bytes: Uint8Array,
  signature: { algorithm: string; keyId: string; signature: Uint8Array; signedAt: Date },
  keys: readonly PublicSigningKey[],
): VerificationResult {
  try {
    if (signature.algorithm !== 'Ed25519') return failure('UNSUPPORTED_ALGORITHM');
    const key = keys.find((k) => k.keyId === signature.keyId);
    if (!key) return failure('UNKNOWN_KEY');
    const publicKey = importRawPublicKey(key.publicKey);
    if (!publicKey) return failure('MALFORMED_KEY');
    const signedAt = signature.signedAt.getTime();
    if (Number.isNaN(signedAt)) return failure('BAD_SIGNATURE');
    if (signedAt < key.notBefore.getTime()) return failure('KEY_NOT_YET_VALID');
    if (key.retiredAt && signedAt >= key.retiredAt.getTime()) return failure('BAD_SIGNATURE');
    const ok = verify(null, bytes, publicKey, signature.signature);
    return ok ? { valid: true, keyId: key.keyId } : failure('BAD_SIGNATURE');
  } catch {
    // Verifiers see wire data of any shape (missing fields, invalid dates, non-bytes);
    // whatever cannot be checked fails closed.
    return failure('BAD_SIGNATURE');
  }
}

function failure(reason: FailureReason): VerificationResult {
  return { valid: false, reason };
}
