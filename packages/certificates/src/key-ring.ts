import { generateSigningKey, publicKeyOf, type PublicSigningKey, type SigningKeyMaterial } from './signing-key.js';

/** A set of keys with at most one active (not retired) key. */
export class KeyRing {
  #keys: SigningKeyMaterial[];

  constructor(keys: readonly SigningKeyMaterial[]) {
    const active = keys.filter((k) => k.retiredAt === undefined);
    // Two active keys would make "which key signs" ambiguous across service replicas.
    if (active.length > 1) {
      throw new Error(`a key ring holds at most one active key, got ${active.map((k) => k.keyId).join(', ')}`);
    }
    this.#keys = [...keys];
  }

  /** The key that signs now; throws if none. */
  active(): SigningKeyMaterial {
    const key = this.#keys.find((k) => k.retiredAt === undefined);
    if (!key) throw new Error('key ring has no active signing key');
    return key;
  }

  /**
   * Retires the active key at `now` (it keeps verifying) and adds a fresh one, returned.
   * On a ring with no active key it only adds the fresh one.
   */
  rotate(now: Date = new Date()): SigningKeyMaterial {
    // The old key's window [notBefore, now) meets the new key's [now, …) with no gap or overlap.
    this.#keys = this.#keys.map((k) => (k.retiredAt === undefined ? { ...k, retiredAt: now } : k));
    const fresh = generateSigningKey(now);
    this.#keys.push(fresh);
    return fresh;
  }

  keys(): readonly SigningKeyMaterial[] {
    return [...this.#keys];
  }

  publicKeys(): PublicSigningKey[] {
    return this.#keys.map(publicKeyOf);
  }
}
