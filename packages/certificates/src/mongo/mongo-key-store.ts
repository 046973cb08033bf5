import { Binary, type Collection, type Db } from 'mongodb';
import { signBytes, verifyBytes, type CertificateSignatureValue } from '../certificate-signature.js';
import { generateSigningKey, publicKeyOf, type PublicSigningKey, type SigningKeyMaterial } from '../signing-key.js';

type KeyDocument = {
  _id: string;
  publicKey: Binary;
  privateKeyPkcs8: Binary;
  notBefore: Date;
  retiredAt?: Date;
};

const toMaterial = (d: KeyDocument): SigningKeyMaterial => ({
  keyId: d._id,
  publicKey: d.publicKey.buffer,
  privateKeyPkcs8: d.privateKeyPkcs8.buffer,
  notBefore: d.notBefore,
  ...(d.retiredAt ? { retiredAt: d.retiredAt } : {}),
});

/**
 * Ed25519 signing keys in a collection of the signing service's own: one active key signs,
 * retired keys stay published so what they signed keeps verifying. The private keys sit in
 * the database in this version; a KMS or HSM should hold them in production.
 */
export class MongoKeyStore {
  readonly #keys: Collection<KeyDocument>;
  #cache: { keys: SigningKeyMaterial[]; loadedAt: number } | undefined;

  /** `cacheMs` bounds how long a rotation by another instance can go unseen here. */
  constructor(
    db: Db,
    collection: string,
    private readonly cacheMs = 30_000,
  ) {
    this.#keys = db.collection(collection);
  }

  async #all(): Promise<SigningKeyMaterial[]> {
    if (!this.#cache || Date.now() - this.#cache.loadedAt > this.cacheMs) {
      const keys = (await this.#keys.find({}).sort({ notBefore: 1 }).toArray()).map(toMaterial);
      this.#cache = { keys, loadedAt: Date.now() };
    }
    return this.#cache.keys;
  }

  /** Makes sure one active key exists (first start); safe when several instances start at once. */
  async ensureActiveKey(now = new Date()): Promise<void> {
    if ((await this.#all()).some((k) => !k.retiredAt)) return;
    await this.#insert(generateSigningKey(now));
  }

  /** Retires the active key (it keeps verifying) and starts signing with a new one. */
  async rotate(now = new Date()): Promise<SigningKeyMaterial> {
    const fresh = generateSigningKey(now);
    await this.#insert(fresh);
    await this.#keys.updateMany({ _id: { $ne: fresh.keyId }, retiredAt: { $exists: false } }, { $set: { retiredAt: now } });
    this.#cache = undefined;
    return fresh;
  }

  async #insert(key: SigningKeyMaterial): Promise<void> {
    await this.#keys.insertOne({
      _id: key.keyId,
      publicKey: new Binary(key.publicKey),
      privateKeyPkcs8: new Binary(key.privateKeyPkcs8),
      notBefore: key.notBefore,
    });
    this.#cache = undefined;
  }

  /** The key that signs now. */
  async activeKey(): Promise<SigningKeyMaterial> {
    const active = (await this.#all()).filter((k) => !k.retiredAt).at(-1);
    if (!active) throw new Error('no active signing key; ensureActiveKey() runs at boot');
    return active;
  }

  async publicKeys(): Promise<PublicSigningKey[]> {
    return (await this.#all()).map(publicKeyOf);
  }
}

/**
 * Signs canonical bytes (a valuation statement, a 三同 declaration) with a service's own keys
 * and checks signatures against them, retired keys included.
 */
export class MongoBytesSigner {
  readonly #keys: MongoKeyStore;

  constructor(db: Db, collection: string) {
    this.#keys = new MongoKeyStore(db, collection);
  }

  ensureActiveKey(): Promise<void> {
    return this.#keys.ensureActiveKey();
  }

  async sign(bytes: Uint8Array, now: Date): Promise<CertificateSignatureValue> {
    return signBytes(bytes, await this.#keys.activeKey(), now);
  }

  async verify(
    bytes: Uint8Array,
    signature: { algorithm: string; keyId: string; signature: Uint8Array; signedAt: Date },
  ): Promise<{ valid: true } | { valid: false; reason: string }> {
    const result = verifyBytes(bytes, signature, await this.#keys.publicKeys());
    return result.valid ? { valid: true } : { valid: false, reason: result.reason };
  }

  publicKeys(): Promise<PublicSigningKey[]> {
    return this.#keys.publicKeys();
  }
}
