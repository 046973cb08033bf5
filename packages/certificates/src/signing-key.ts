import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface SigningKeyMaterial {
  keyId: string;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  privateKeyPkcs8: Uint8Array;
  notBefore: Date;
  retiredAt?: Date;
}

export interface PublicSigningKey {
  keyId: string;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  notBefore: Date;
  retiredAt?: Date;
}

// SPKI DER for Ed25519 is this fixed header followed by the 32 raw key bytes (RFC 8410).
const ED25519_SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex');
const RAW_PUBLIC_KEY_LENGTH = 32;

/** keyId = "ed25519-" + first 16 hex chars of sha256(raw public key). */
export function generateSigningKey(now: Date = new Date()): SigningKeyMaterial {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  // Plain Uint8Arrays rather than Buffers, so values compare and serialise the same everywhere.
  const raw = new Uint8Array(spki.subarray(spki.length - RAW_PUBLIC_KEY_LENGTH));
  return {
    keyId: keyIdOf(raw),
    publicKey: raw,
    privateKeyPkcs8: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
    notBefore: now,
  };
}

export function publicKeyOf(key: SigningKeyMaterial): PublicSigningKey {
  // Built field by field so private material can never ride along.
  const { keyId, publicKey, notBefore, retiredAt } = key;
  return retiredAt ? { keyId, publicKey, notBefore, retiredAt } : { keyId, publicKey, notBefore };
}

/** Whether a signature made at `at` falls inside the key's window [notBefore, retiredAt). */
export function isKeyActiveAt(key: PublicSigningKey, at: Date): boolean {
  const t = at.getTime();
  return t >= key.notBefore.getTime() && (key.retiredAt === undefined || t < key.retiredAt.getTime());
}

export function keyIdOf(rawPublicKey: Uint8Array): string {
  return 'ed25519-' + createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 16);
}

/**
 * Parsed public keys by their bytes. Parsing a key cost more than verifying with it (a CPU
 * profile of grading under certificate lookups: 1.2 s parsing to 1.0 s verifying); the
 * published keys are few, so each is parsed once (bounded all the same).
 */
const importedPublicKeys = new Map<string, KeyObject>();
const MAX_IMPORTED_PUBLIC_KEYS = 256;

/** The key object for a raw public key, or undefined when the bytes are not one. */
export function importRawPublicKey(raw: Uint8Array): KeyObject | undefined {
  if (!(raw instanceof Uint8Array) || raw.length !== RAW_PUBLIC_KEY_LENGTH) return undefined;
  const hex = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
  const known = importedPublicKeys.get(hex);
  if (known) return known;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_HEADER, raw]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
  if (importedPublicKeys.size >= MAX_IMPORTED_PUBLIC_KEYS) importedPublicKeys.delete(importedPublicKeys.keys().next().value!);
  importedPublicKeys.set(hex, key);
  return key;
}

/** Parsing a key costs more than signing with it; a signer reuses the same bytes, so keep it. */
const importedPrivateKeys = new WeakMap<Uint8Array, KeyObject>();

export function importPrivateKey(pkcs8: Uint8Array): KeyObject {
  let key = importedPrivateKeys.get(pkcs8);
  if (!key) {
    key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
    importedPrivateKeys.set(pkcs8, key);
  }
  return key;
}
