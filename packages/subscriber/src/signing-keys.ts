import { credentials as grpcCredentials, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import type { PublicSigningKey } from '@pinzhi/certificates';
import type { SigningKey } from '@pinzhi/contracts/pinzhi/common/v1/signature';
import { GradingServiceService } from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { createUnaryClient, UnavailableError } from '@pinzhi/platform';
import type { SigningKeySource } from './signature-check.js';

export interface GradingSigningKeys extends SigningKeySource {
  /** Closes the gRPC channel. */
  close(): void;
}

/** A published key as the verifier wants it; a key without a start time is left out (fails closed). */
export function publicKeyFromMessage(key: SigningKey): PublicSigningKey | undefined {
  if (!key.notBefore) return undefined;
  return {
    keyId: key.keyId,
    publicKey: new Uint8Array(key.publicKey),
    notBefore: key.notBefore,
    ...(key.retireTime ? { retiredAt: key.retireTime } : {}),
  };
}

/** The public keys from grading's GetSigningKeys (a public RPC: no token needed). */
export function signingKeysFromGrading(address: string, credentials: ChannelCredentials = grpcCredentials.createInsecure()): GradingSigningKeys {
  const client = createUnaryClient(GradingServiceService, address, credentials);
  const source = async () => {
    let response;
    try {
      response = await client.getSigningKeys({});
    } catch (error) {
      throw new UnavailableError(`GetSigningKeys at ${address} failed: ${(error as ServiceError).details ?? (error as Error).message}`, { cause: error });
    }
    return response.keys.map(publicKeyFromMessage).filter((k): k is PublicSigningKey => k !== undefined);
  };
  return Object.assign(source, { close: () => client.close() });
}
