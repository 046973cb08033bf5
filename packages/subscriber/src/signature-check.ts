import { certificateFieldsOf, verifyCertificate, type PublicSigningKey, type VerificationResult } from '@pinzhi/certificates';
import type { Grade } from '@pinzhi/contracts/pinzhi/grading/v1/resources';

// Part of the SDK so a marketplace rebuilds a certificate's signed fields from grading's own list.
export { certificateFieldsOf };

/** Where the published public keys come from, e.g. grading's GetSigningKeys (signingKeysFromGrading). */
export type SigningKeySource = () => Promise<readonly PublicSigningKey[]>;

export type SignatureCheckResult =
  | { valid: true }
  | { valid: false; reason: Extract<VerificationResult, { valid: false }>['reason'] | 'UNSIGNED' }
  /** The grade has no certificate (a NONCONFORMING outcome): nothing to verify. */
  | { valid: null };

export interface SignatureCheckOptions {
  /** Refetch the whole key set after this long, so a key withdrawn as compromised stops verifying. */
  keysMaxAgeMs?: number;
  /** After a refetch still does not know a key id, wait this long before refetching for it again. */
  unknownKeyRetryMs?: number;
  now?: () => number;
}

export interface SignatureCheck {
  check(grade: Grade): Promise<SignatureCheckResult>;
}

const MAX_REMEMBERED_UNKNOWN_KEYS = 1000;

/**
 * Verifies grade certificates against the published keys. The keys are cached; a key id the
 * cache does not know triggers one refetch (the issuer rotated its key), and an id still
 * unknown after that is not refetched for again until `unknownKeyRetryMs` has passed, so a
 * stream of forged key ids cannot hammer the key source. Failing to fetch keys rejects: the
 * signature was not checked, which is not the same as invalid.
 */
export function createSignatureCheck(source: SigningKeySource, options: SignatureCheckOptions = {}): SignatureCheck {
  const keysMaxAgeMs = options.keysMaxAgeMs ?? 60 * 60_000;
  const unknownKeyRetryMs = options.unknownKeyRetryMs ?? 60_000;
  const now = options.now ?? Date.now;
  let keys: readonly PublicSigningKey[] | undefined;
  let fetchedAt = 0;
  let inflight: Promise<readonly PublicSigningKey[]> | undefined;
  const unknownSince = new Map<string, number>();

  function fetchKeys(): Promise<readonly PublicSigningKey[]> {
    // Concurrent callers share one request.
    inflight ??= source()
      .then((fetched) => {
        keys = fetched;
        fetchedAt = now();
        return fetched;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  async function cachedKeys(): Promise<readonly PublicSigningKey[]> {
    return keys !== undefined && now() - fetchedAt < keysMaxAgeMs ? keys : fetchKeys();
  }

  return {
    async check(grade) {
      const certificate = grade.certificate;
      if (!certificate) return { valid: null };
      if (!certificate.signature) return { valid: false, reason: 'UNSIGNED' };
      const fields = certificateFieldsOf(certificate);
      const signature = {
        algorithm: certificate.signature.algorithm,
        keyId: certificate.signature.keyId,
        signature: new Uint8Array(certificate.signature.signature),
        signedAt: certificate.signature.signTime ?? new Date(0),
      };
      let result = verifyCertificate(fields, signature, await cachedKeys());
      if (!result.valid && result.reason === 'UNKNOWN_KEY') {
        const since = unknownSince.get(signature.keyId);
        if (since === undefined || now() - since >= unknownKeyRetryMs) {
          result = verifyCertificate(fields, signature, await fetchKeys());
          if (!result.valid && result.reason === 'UNKNOWN_KEY') {
            if (unknownSince.size >= MAX_REMEMBERED_UNKNOWN_KEYS) unknownSince.clear();
            unknownSince.set(signature.keyId, now());
          } else {
            unknownSince.delete(signature.keyId);
          }
        }
      }
      return result.valid ? { valid: true } : { valid: false, reason: result.reason };
    },
  };
}
