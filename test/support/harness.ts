import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  createEventPublisher,
  createKafka,
  createLogger,
  signToken,
  type EventPublisher,
  type Role,
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
  };
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
