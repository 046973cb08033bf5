import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { fileDescriptorProtos } from '@pinzhi/contracts';
import type { Logger } from '../log.js';
import type { HealthMonitor } from './health.js';
import type { ServiceDefinitionLike } from './handler.js';

const HEALTH_SERVICE = 'grpc.health.v1.Health';

export interface HostedService {
  definition: ServiceDefinitionLike;
  implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  services: readonly HostedService[];
  health: HealthMonitor;
  logger: Logger;
  /** Largest request message accepted (GRPC_MAX_RECEIVE_BYTES); larger ones get RESOURCE_EXHAUSTED. */
  maxReceiveBytes?: number;
}

/** grpc-js's own default. No pinzhi request comes near it; it bounds what one hostile call makes a server decode. */
export const DEFAULT_GRPC_MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

export interface RunningGrpcServer {
  server: Server;
  port: number;
  address: string;
  /** Stops taking calls, lets running calls finish for up to graceMs, then cancels the rest. */
  shutdown(graceMs: number): Promise<void>;
}

/** `/pinzhi.x.v1.FooService/Bar` → `pinzhi.x.v1.FooService`. */
export function serviceNameOf(definition: ServiceDefinitionLike): string {
  const first = Object.values(definition)[0];
  if (!first) throw new Error('a service definition needs at least one method');
  return first.path.slice(1, first.path.lastIndexOf('/'));
}

/**
 * Starts a gRPC server hosting the given services plus `grpc.health.v1` (driven by the
 * HealthMonitor) and server reflection for exactly the hosted services and health, so
 * `grpcurl -plaintext host:port list` works without .proto files.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server({ 'grpc.max_receive_message_length': options.maxReceiveBytes ?? DEFAULT_GRPC_MAX_RECEIVE_BYTES });
  const names = options.services.map((s) => serviceNameOf(s.definition));
  for (const { definition, implementation } of options.services) {
    server.addService(definition as never, implementation);
    options.health.addService(serviceNameOf(definition));
  }
  options.health.implementation.addToServer(server);
  // Reflection serves buf's own descriptors, grpc.health.v1 included: re-serialising them
  // through protobufjs loses the fully-qualified type references grpcurl needs.
  const descriptors = { pinzhi: { fileDescriptorProtos: fileDescriptorProtos() } };
  new ReflectionService(descriptors as never, { services: [...names, HEALTH_SERVICE] }).addToServer(server);

  const address = `${options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(new Error(`cannot listen on ${address} (GRPC_HOST/GRPC_PORT): ${error.message}`)) : resolve(bound),
    ),
  );
  const boundAddress = `${options.host}:${port}`;
  options.logger.info({ address: boundAddress, services: names }, 'gRPC server listening');

  return {
    server,
    port,
    address: boundAddress,
    shutdown: (graceMs) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          options.logger.warn({ graceMs }, 'calls still running after the grace period; cancelling them');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
