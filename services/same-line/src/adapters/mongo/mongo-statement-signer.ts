import { signBytes, verifyBytes, type PublicSigningKey } from '@pinzhi/certificates';
import { MongoKeyStore } from '@pinzhi/certificates/mongo';
import type { Db } from 'mongodb';
import type { StatementSignature, StatementSigner } from '../../app/ports.js';

/**
 * 三同 declarations and certificates are signed with same-line's own Ed25519 keys (its own
 * collection: each service writes only its own), published by GetSigningKeys.
 */
export class MongoStatementSigner implements StatementSigner {
  readonly #keys: MongoKeyStore;

  constructor(db: Db) {
    this.#keys = new MongoKeyStore(db, 'same_line_signing_keys');
  }

  ensureActiveKey(): Promise<void> {
    return this.#keys.ensureActiveKey();
  }

  async sign(bytes: Uint8Array, now: Date): Promise<StatementSignature> {
    return signBytes(bytes, await this.#keys.activeKey(), now);
  }

  async verify(bytes: Uint8Array, signature: StatementSignature): Promise<{ valid: true } | { valid: false; reason: string }> {
    const result = verifyBytes(bytes, signature, await this.#keys.publicKeys());
    return result.valid ? { valid: true } : { valid: false, reason: result.reason };
  }

  publicKeys(): Promise<PublicSigningKey[]> {
    return this.#keys.publicKeys();
  }
}
