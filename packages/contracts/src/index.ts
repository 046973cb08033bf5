import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Path of the binary FileDescriptorSet that `buf build` writes for every proto in protos/.
 * gRPC reflection serves it, so `grpcurl` works without local .proto files.
 */
export const descriptorSetPath = fileURLToPath(new URL('../gen/pinzhi.binpb', import.meta.url));

export function readDescriptorSet(): Buffer {
  return readFileSync(descriptorSetPath);
}
