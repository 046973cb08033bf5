import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeGenericClientConstructor, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { DiagnosticsServiceClient } from '@pinzhi/contracts/pinzhi/diagnostics/v1/diagnostics';
import {
  connectMongo,
  ConfigError,
  diagnosticsHandlers,
  DiagnosticsServiceService,
  fieldViolationsOf,
  HealthMonitor,
  implementService,
  kafkaProbe,
  mongoProbe,
  startGrpcServer,
  TokenVerifier,
  verifyKafka,
  createKafka,
  type MongoConnection,
  type RunningGrpcServer,
} from '@pinzhi/platform';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bearer, call, failure, insecure, jwtSettings, logger, testKafka, waitFor } from '../support/harness.js';

const verifier = new TokenVerifier(jwtSettings);

async function serve(health: HealthMonitor): Promise<RunningGrpcServer> {
  return startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    services: [
      {
        definition: DiagnosticsServiceService,
        implementation: implementService(DiagnosticsServiceService, diagnosticsHandlers, { verifier, logger }),
      },
    ],
    health,
    logger,
  });
}

describe('authentication and the role matrix', () => {
  let server: RunningGrpcServer;
  let client: InstanceType<typeof DiagnosticsServiceClient>;

  beforeAll(async () => {
    const health = new HealthMonitor({ probes: [], intervalMs: 60_000, logger });
    await health.start();
    server = await serve(health);
    client = new DiagnosticsServiceClient(server.address, insecure());
  });
  afterAll(async () => {
    client.close();
    await server.shutdown(1000);
  });

  const echo = (metadata?: Metadata) => call(client.echo.bind(client), { message: 'hi' }, metadata);

  it('answers a caller with a valid token and tells it who it is', async () => {
    const response = await echo(await bearer('marketplace', 'TMALL'));
    expect(response).toEqual({ message: 'hi', callerRole: 'marketplace', callerOrg: 'TMALL' });
  });

  it('rejects a call without a token as UNAUTHENTICATED', async () => {
    await expect(echo()).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
  });

  it('rejects a forged or malformed token as UNAUTHENTICATED', async () => {
    const valid = (await bearer('admin')).get('authorization')[0] as string;
    const forged = new Metadata();
    forged.set('authorization', valid.slice(0, -4) + 'AAAA');
    await expect(echo(forged)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    const garbage = new Metadata();
    garbage.set('authorization', 'Bearer not-a-jwt');
    await expect(echo(garbage)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
  });

  it('rejects a role outside the method matrix as PERMISSION_DENIED', async () => {
    const adminEcho = (metadata: Metadata) => call(client.adminEcho.bind(client), { message: 'x' }, metadata);
    await expect(adminEcho(await bearer('certifier', 'CNAS C001-P'))).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    await expect(adminEcho(await bearer('admin'))).resolves.toEqual({ message: 'x' });
  });

  it('sends field violations as google.rpc.BadRequest details', async () => {
    const error = (await call(client.echo.bind(client), { message: 'x'.repeat(5000) }, await bearer('enterprise')).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error)).toEqual([
      { field: 'message', description: expect.stringMatching(/^at most 4096 characters, got 5000: 'x+…$/), reason: 'TOO_LONG' },
    ]);
  });

  it('answers a 70 000-character bad value with INVALID_ARGUMENT promptly, its details cut short', async () => {
    const metadata = await bearer('enterprise');
    const started = Date.now();
    const error = await new Promise<ServiceError>((resolve, reject) =>
      client.echo({ message: 'x'.repeat(70_000) }, metadata, { deadline: Date.now() + 2000 }, (e) =>
        e ? resolve(e) : reject(new Error('expected the call to fail')),
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(Date.now() - started).toBeLessThan(2000);
    const [violation] = fieldViolationsOf(error);
    expect(violation).toMatchObject({ field: 'message', reason: 'TOO_LONG' });
    expect(violation!.description.length).toBeLessThanOrEqual(200);
  });

  it('refuses a request above the receive limit as RESOURCE_EXHAUSTED', async () => {
    const health = new HealthMonitor({ probes: [], intervalMs: 60_000, logger });
    await health.start();
    const small = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      services: [
        { definition: DiagnosticsServiceService, implementation: implementService(DiagnosticsServiceService, diagnosticsHandlers, { verifier, logger }) },
      ],
      health,
      logger,
      maxReceiveBytes: 64 * 1024,
    });
    const smallClient = new DiagnosticsServiceClient(small.address, insecure());
    try {
      const error = await failure(call(smallClient.echo.bind(smallClient), { message: 'x'.repeat(100_000) }, await bearer('enterprise')));
      expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    } finally {
      smallClient.close();
      health.stop();
      await small.shutdown(1000);
    }
  });

  it('serves reflection for the hosted services and health only', async () => {
    expect((await listServicesByReflection(server.address)).sort()).toEqual(['grpc.health.v1.Health', 'pinzhi.diagnostics.v1.DiagnosticsService']);
  });
});

describe('health', () => {
  const ferretdbBin = inject('ferretdbBin');
  let ferret: ChildProcess | undefined;
  let dataDir: string;
  let port: number;

  function startFerret() {
    ferret = spawn(ferretdbBin, ['-listen', `127.0.0.1:${port}`, '-dir', dataDir], { stdio: 'ignore' });
  }
  async function stopFerret() {
    const child = ferret;
    if (!child || child.exitCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
  }

  afterAll(async () => {
    await stopFerret();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(!ferretdbBin)('flips to NOT_SERVING while FerretDB is down and back when it returns', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pinzhi-health-'));
    port = await freePort();
    startFerret();
    const mongo: MongoConnection = await waitFor(() => connectMongo({ url: `mongodb://127.0.0.1:${port}`, dbName: 'health', appName: 'test', logger }), {
      what: 'the private FerretDB',
    });
    const kafka = testKafka('health-test');
    const probe = kafkaProbe(kafka);
    const health = new HealthMonitor({ probes: [mongoProbe(mongo.db), probe], intervalMs: 300, logger });
    await health.start();
    const server = await serve(health);
    const client = new HealthClient(server.address, insecure());
    try {
      await waitFor(async () => (await check(client, '')) === 'SERVING' || undefined, { what: 'SERVING' });
      expect(await check(client, 'pinzhi.diagnostics.v1.DiagnosticsService')).toBe('SERVING');

      await stopFerret();
      await waitFor(async () => (await check(client, '')) === 'NOT_SERVING' || undefined, { what: 'NOT_SERVING' });
      expect(await check(client, 'pinzhi.diagnostics.v1.DiagnosticsService')).toBe('NOT_SERVING');
      expect(health.failing).toEqual(['mongodb']);

      startFerret();
      await waitFor(async () => (await check(client, '')) === 'SERVING' || undefined, {
        what: 'SERVING again',
        timeoutMs: 45_000,
      });
    } finally {
      health.stop();
      client.close();
      await server.shutdown(1000);
      await probe.close();
      await mongo.close();
    }
  });
});

describe('boot checks', () => {
  it('names MONGO_URL when MongoDB cannot be reached', async () => {
    const port = await freePort();
    const error = await connectMongo({
      url: `mongodb://127.0.0.1:${port}`,
      dbName: 'x',
      appName: 'test',
      logger,
      serverSelectionTimeoutMS: 500,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).settings).toEqual(['MONGO_URL']);
    expect((error as Error).message).toMatch(/^MONGO_URL: cannot reach MongoDB/);
  });

  it('names KAFKA_BROKERS when no broker answers', async () => {
    const broker = `127.0.0.1:${await freePort()}`;
    const error = await verifyKafka(createKafka({ brokers: [broker], clientId: 't', logger }), [broker]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).settings).toEqual(['KAFKA_BROKERS']);
  });
});

// --- helpers -----------------------------------------------------------------------------

const HealthClient = makeGenericClientConstructor(healthService as never, 'grpc.health.v1.Health') as unknown as new (
  address: string,
  creds: ReturnType<typeof insecure>,
) => Client & {
  check(request: { service: string }, callback: (error: ServiceError | null, response: { status: string }) => void): void;
};

function check(client: InstanceType<typeof HealthClient>, service: string): Promise<string> {
  return new Promise((resolve, reject) => client.check({ service }, (error, response) => (error ? reject(error) : resolve(response.status))));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Asks grpc.reflection.v1 for the service list, as grpcurl's `list` does. */
async function listServicesByReflection(address: string): Promise<string[]> {
  const { loadSync } = await import('@grpc/proto-loader');
  const { loadPackageDefinition, credentials } = await import('@grpc/grpc-js');
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const reflectionRoot = join(require.resolve('@grpc/reflection/package.json'), '..');
  const definition = loadSync(join(reflectionRoot, 'build/proto/grpc/reflection/v1/reflection.proto'));
  const grpcObject = loadPackageDefinition(definition) as any;
  const client = new grpcObject.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo();
    stream.on('data', (response: any) => {
      resolve(response.listServicesResponse.service.map((s: { name: string }) => s.name));
      stream.end();
    });
    stream.on('error', reject);
    stream.write({ listServices: '*' });
  });
}
