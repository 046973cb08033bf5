import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/**
 * Path of the binary FileDescriptorSet that `buf build` writes for every proto in protos/.
 * gRPC reflection serves it, so `grpcurl` works without local .proto files.
 */
export const descriptorSetPath = fileURLToPath(new URL('../gen/pinzhi.binpb', import.meta.url));

export function readDescriptorSet(): Buffer {
  return readFileSync(descriptorSetPath);
}

/**
 * The encoded FileDescriptorProto of every file, exactly as buf compiled them (fully
 * qualified type references), split out of the FileDescriptorSet (field 1, repeated).
 */
export function fileDescriptorProtos(): Buffer[] {
  const reader = new BinaryReader(readDescriptorSet());
  const files: Buffer[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) files.push(Buffer.from(reader.bytes()));
    else reader.skip(wireType);
  }
  return files;
}
