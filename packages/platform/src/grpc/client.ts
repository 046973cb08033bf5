import {
  credentials as grpcCredentials,
  makeGenericClientConstructor,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import type { ServiceDefinitionLike } from './handler.js';

type RequestOf<M> = M extends { requestSerialize(value: infer Q): Buffer } ? Q : never;
type ResponseOf<M> = M extends { responseDeserialize(bytes: Buffer): infer R } ? R : never;

/** Promise-returning unary methods derived from a ts-proto service definition. */
export type UnaryClient<D extends ServiceDefinitionLike> = {
  [K in keyof D as D[K] extends { requestStream: false; responseStream: false } ? K : never]: (
    request: RequestOf<D[K]>,
    metadata?: Metadata,
    options?: CallOptions,
  ) => Promise<ResponseOf<D[K]>>;
} & { close(): void };

/**
 * A typed client for the unary methods of a service, for tests, tools and other services.
 * Failed calls reject with the grpc-js ServiceError (code, details, metadata with
 * field violations: see fieldViolationsOf).
 */
export function createUnaryClient<D extends ServiceDefinitionLike>(
  definition: D,
  address: string,
  credentials: ChannelCredentials = grpcCredentials.createInsecure(),
): UnaryClient<D> {
  const Constructor = makeGenericClientConstructor(definition as never, 'pinzhi');
  const client = new Constructor(address, credentials) as Client & Record<string, (...args: unknown[]) => unknown>;
  const methods: Record<string, unknown> = { close: () => client.close() };
  for (const [name, method] of Object.entries(definition)) {
    if (method.requestStream || method.responseStream) continue;
    methods[name] = (request: unknown, metadata = new Metadata(), options: CallOptions = {}) =>
      new Promise((resolve, reject) =>
        client[name]!(request, metadata, options, (error: ServiceError | null, response: unknown) => (error ? reject(error) : resolve(response))),
      );
  }
  return methods as UnaryClient<D>;
}
