import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  createEventPublisher,
  createKafka,
  createLogger,
  signToken,
  startService,
  type CommonConfig,
  type EventPublisher,
  type PinzhiService,
  type Role,
  type RunningService,
} from '@pinzhi/platform';
import { Kafka } from 'kafkajs';
import { MongoClient, type Db } from 'mongodb';
import { inject } from 'vitest';

export const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

export const jwtSettings = {
  secret: 'pinzhi-integration-tests-secret-0123456789',
  issuer: 'pinzhi',
  audience: 'pinzhi',
};

/** A private namespace per test: its own database name and topic names, so tests never share state. */
export function namespace(label: string) {
  const id = `${label}-${randomUUID().slice(0, 8)}`;
  return {
    id,
    dbName: `t_${id.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 63),
    topic: (name: string) => `pinzhi.test-${id}.${name}.v1`,
    group: (name: string) => `test-${id}-${name}`,
    /** What a service started by startServiceForTest puts before its topics and groups. */
    prefix: `test-${id}.`,
  };
}

export type Namespace = ReturnType<typeof namespace>;

/**
 * A running instance of a service for an integration test: its own database and its own
 * topics, consumer groups and dead-letter topics (all prefixed with the namespace), so no
 * test touches the data `npm start` uses. Services given the same namespace share them.
 */
export async function startServiceForTest<C extends CommonConfig, E>(
  service: PinzhiService<C, E>,
  options: { ns?: Namespace; env?: Record<string, string>; clock?: () => Date } = {},
): Promise<RunningService<C, E> & { ns: Namespace }> {
  const ns = options.ns ?? namespace(service.name);
  const running = await startService(service, {
    env: {
      MONGO_URL: mongoUrl(),
      MONGO_DB: ns.dbName,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      JWT_SECRET: jwtSettings.secret,
      JWT_ISSUER: jwtSettings.issuer,
      JWT_AUDIENCE: jwtSettings.audience,
      GRPC_PORT: '0',
      HEALTH_PROBE_INTERVAL_MS: '60000',
      OUTBOX_SWEEP_INTERVAL_MS: '60000',
      SHUTDOWN_GRACE_MS: '1000',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...options.env,
    },
    namePrefix: ns.prefix,
    logger: logger.child({ service: service.name }),
    ...(options.clock ? { clock: options.clock } : {}),
    // Tests stop instances themselves; a lost lease must not SIGTERM the test runner.
    onWriterLeaseLost: () => logger.warn({ service: service.name }, 'writer lease lost'),
  });
  return Object.assign(running, { ns });
}

export const kafkaBrokers = () => inject('kafkaBrokers');
export const mongoUrl = () => inject('mongoUrl');

export function testKafka(clientId = 'pinzhi-test'): Kafka {
  return createKafka({ brokers: kafkaBrokers(), clientId, logger });
}

export async function testMongo(dbName: string): Promise<{ client: MongoClient; db: Db; drop(): Promise<void> }> {
  const client = new MongoClient(mongoUrl(), { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const db = client.db(dbName);
  return {
    client,
    db,
    async drop() {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}

/** Drops a test's database (after the services using it have stopped). */
export async function dropDatabase(dbName: string): Promise<void> {
  const client = new MongoClient(mongoUrl(), { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    await client.db(dbName).dropDatabase();
  } finally {
    await client.close();
  }
}

export async function testPublisher(kafka: Kafka): Promise<EventPublisher> {
  return createEventPublisher(kafka);
}

export async function bearer(role: Role, org = 'ORG-TEST', scopes: string[] = []): Promise<Metadata> {
  const token = await signToken(jwtSettings, { subject: `${role}-user`, role, org, scopes });
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** Polls until the check returns a value other than undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** Calls a callback-style unary client method and returns the response or the ServiceError. */
export function call<Q, R>(
  method: (request: Q, metadata: Metadata, callback: (error: ServiceError | null, response: R) => void) => unknown,
  request: Q,
  metadata: Metadata = new Metadata(),
): Promise<R> {
  return new Promise((resolve, reject) => method(request, metadata, (error, response) => (error ? reject(error) : resolve(response))));
}

export const insecure = () => credentials.createInsecure();

/** The error a call was expected to fail with; a call that succeeds fails the test. */
export async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: ServiceError) => error,
  );
}
