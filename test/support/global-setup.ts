/**
 * Finds or starts the real servers for the integration tests, in this order:
 * 1. KAFKA_BROKERS and MONGO_URL both set: use them (a user's own cluster, or CI's);
 * 2. a Docker engine answers: start Kafka and MongoDB with testcontainers;
 * 3. otherwise: the project's local stack (infra/scripts/stack.sh), stopped again at the end
 *    if this run started it.
 *
 * Then it guards the default topics (the ones `npm start` uses, see default-topics.ts): their
 * offsets are recorded before the tests run and compared in the teardown, after every test
 * file has finished; the teardown fails, naming each topic that moved, if any did.
 * PINZHI_TEST_CHECK_DEFAULT_TOPICS=false turns the guard off.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { TestProject } from 'vitest/node';
import { watchDefaultTopics, type OffsetSnapshot } from './default-topics.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const stackScript = `${repo}infra/scripts/stack.sh`;

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    mongoUrl: string;
    /** Path of a FerretDB binary tests may start themselves; '' when not running locally. */
    ferretdbBin: string;
    /** The database server this run started: 'ferretdb', 'mongodb', or '' when it was given. */
    startedBackend: '' | 'ferretdb' | 'mongodb';
    /** Offsets of the default topics before the tests ran (null: no such topic); {} when not guarded. */
    defaultTopicOffsets: OffsetSnapshot;
  }
}

function stack(...args: string[]): string {
  return execFileSync('bash', [stackScript, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function dockerAnswers(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 }).status === 0;
}

export default async function setup(project: TestProject) {
  const servers = await provideServers(project);
  try {
    if (process.env.PINZHI_TEST_CHECK_DEFAULT_TOPICS === 'false') {
      process.stdout.write('[default topics] not checked (PINZHI_TEST_CHECK_DEFAULT_TOPICS=false)\n');
      project.provide('defaultTopicOffsets', {});
      return servers.stop;
    }
    const kafka = new Kafka({ clientId: 'pinzhi-test-default-topics', brokers: servers.kafkaBrokers, logLevel: logLevel.ERROR });
    const guard = await watchDefaultTopics(kafka);
    project.provide('defaultTopicOffsets', guard.before);
    return async () => {
      try {
        await guard.verify();
        const existing = Object.values(guard.before).filter(Boolean).length;
        process.stdout.write(`[default topics] unchanged during the run (${Object.keys(guard.before).length} checked, ${existing} of them exist)\n`);
      } finally {
        await servers.stop?.();
      }
    };
  } catch (error) {
    await servers.stop?.();
    throw error;
  }
}

/** Finds or starts Kafka and the database server and provides their addresses; `stop` stops what it started. */
async function provideServers(project: TestProject): Promise<{ kafkaBrokers: string[]; stop?: () => Promise<void> | void }> {
  const fromEnv = process.env.KAFKA_BROKERS && process.env.MONGO_URL;
  if (fromEnv) {
    const kafkaBrokers = process.env.KAFKA_BROKERS!.split(',');
    project.provide('kafkaBrokers', kafkaBrokers);
    project.provide('mongoUrl', process.env.MONGO_URL!);
    project.provide('ferretdbBin', process.env.PINZHI_FERRETDB_BIN ?? '');
    project.provide('startedBackend', '');
    return { kafkaBrokers };
  }

  if (process.env.PINZHI_TEST_DOCKER !== 'false' && dockerAnswers()) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const { MongoDBContainer } = await import('@testcontainers/mongodb');
    const [kafka, mongo] = await Promise.all([new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start(), new MongoDBContainer('mongo:7').start()]);
    const kafkaBrokers = [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`];
    project.provide('kafkaBrokers', kafkaBrokers);
    project.provide('mongoUrl', `${mongo.getConnectionString()}?directConnection=true`);
    project.provide('ferretdbBin', '');
    project.provide('startedBackend', 'mongodb');
    return {
      kafkaBrokers,
      stop: async () => {
        await Promise.all([kafka.stop(), mongo.stop()]);
      },
    };
  }

  const before = stack('status');
  const alreadyRunning = before.includes('kafka: running') && before.includes('ferretdb: running');
  const upOutput = stack('up');
  process.stdout.write(upOutput);
  const kafkaBrokers = [`127.0.0.1:${process.env.PINZHI_KAFKA_PORT ?? 9092}`];
  project.provide('kafkaBrokers', kafkaBrokers);
  project.provide('mongoUrl', `mongodb://127.0.0.1:${process.env.PINZHI_MONGO_PORT ?? 27017}`);
  project.provide('ferretdbBin', stack('ferretdb-bin').trim());
  // A server that already listened on the port may not be ours (stack.sh says "using it").
  project.provide('startedBackend', /something already listens on 127\.0\.0\.1:\d+; using it as MongoDB/.test(upOutput) ? '' : 'ferretdb');
  return {
    kafkaBrokers,
    stop: () => {
      if (!alreadyRunning) process.stdout.write(stack('down'));
    },
  };
}
