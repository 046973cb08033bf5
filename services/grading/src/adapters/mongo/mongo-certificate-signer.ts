import { signCertificate, type CertificateFields, type CertificateSignatureValue, type PublicSigningKey, type SigningKeyMaterial } from '@pinzhi/certificates';
import { MongoKeyStore } from '@pinzhi/certificates/mongo';
import type { Db } from 'mongodb';
import type { CertificateSigner } from '../../app/ports.js';

/** Grade certificates are signed with grading's own keys, in its `signing_keys` collection. */
export class MongoCertificateSigner implements CertificateSigner {
  readonly #keys: MongoKeyStore;

  /** `cacheMs` bounds how long a rotation by another instance can go unseen here. */
  constructor(db: Db, cacheMs = 30_000) {
    this.#keys = new MongoKeyStore(db, 'signing_keys', cacheMs);
  }

  ensureActiveKey(now = new Date()): Promise<void> {
    return this.#keys.ensureActiveKey(now);
  }

  /** Retires the active key (it keeps verifying) and starts signing with a new one. */
  rotate(now = new Date()): Promise<SigningKeyMaterial> {
    return this.#keys.rotate(now);
  }

  async sign(fields: CertificateFields, now: Date): Promise<CertificateSignatureValue> {
    return signCertificate(fields, await this.#keys.activeKey(), now);
  }

  publicKeys(): Promise<PublicSigningKey[]> {
    return this.#keys.publicKeys();
  }
}
