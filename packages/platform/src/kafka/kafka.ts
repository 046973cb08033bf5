import { Kafka, logLevel, type Admin, type ITopicConfig, type LogEntry } from 'kafkajs';
import { ConfigError } from '../errors.js';
import type { HealthProbe } from '../grpc/health.js';
import type { Logger } from '../log.js';

export interface CreateKafkaOptions {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
}

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs behind our own logger; the rest of pinzhi sees Kafka only through this package. */
export function createKafka(options: CreateKafkaOptions): Kafka {
  const logger = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3000,
    requestTimeout: 15000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        // kafkajs logs every error response from a broker ("Response GroupCoordinator ...: The
        // group coordinator is not available") at error level, before its own retry; on a fresh
        // broker that is routine. If the retries run out, the operation itself fails and that
        // is logged where it is handled, so these are warnings.
        const retried = level === logLevel.ERROR && typeof message === 'string' && message.startsWith('Response ');
        logger[retried ? 'warn' : (levels[level] ?? 'info')](rest, message);
      },
  });
}

/** Checks at boot that a broker answers; otherwise stops the process naming KAFKA_BROKERS. */
export async function verifyKafka(kafka: Kafka, brokers: readonly string[]): Promise<void> {
  const admin = kafka.admin({ retry: { retries: 2, initialRetryTime: 300 } });
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw new ConfigError(['KAFKA_BROKERS'], `KAFKA_BROKERS: cannot reach Kafka at ${brokers.join(',')}: ${(error as Error).message}`, { cause: error });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
  /** e.g. { 'cleanup.policy': 'compact' } for state topics. */
  config?: Record<string, string>;
}

/**
 * Creates the topics that do not exist yet; existing topics are left as they are. Several
 * processes may race to create the same topics on a fresh broker (services starting
 * together, parallel test workers), so a failed attempt is retried after re-reading what
 * exists.
 */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[], attempts = 10): Promise<void> {
  if (specs.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const existing = new Set(await admin.listTopics());
        const missing: ITopicConfig[] = specs
          .filter((s) => !existing.has(s.topic))
          .map((s) => ({
            topic: s.topic,
            numPartitions: s.numPartitions ?? 3,
            replicationFactor: -1,
            configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
          }));
        if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
        // A topic another process created a moment ago is listed before its partitions have
        // leaders; using it then fails with "This server does not host this topic-partition".
        const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
        const leaderless = topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
        if (leaderless.length > 0) throw new Error(`topics without leaders yet: ${leaderless.join(', ')}`);
        return;
      } catch (error) {
        if (attempt >= attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Health probe: asks the cluster for its metadata; a dead broker fails it quickly. */
export function kafkaProbe(kafka: Kafka): HealthProbe & { close(): Promise<void> } {
  let admin: Admin | undefined;
  return {
    name: 'kafka',
    async check() {
      try {
        admin ??= kafka.admin({ retry: { retries: 0 } });
        await admin.connect();
        await admin.describeCluster();
      } catch (error) {
        const stale = admin;
        admin = undefined;
        await stale?.disconnect().catch(() => undefined);
        throw error;
      }
    },
    async close() {
      await admin?.disconnect().catch(() => undefined);
    },
  };
}

/** A consumer group and the topic it reads, as the lag reader reports them. */
export interface GroupInput {
  group: string;
  topic: string;
}

/**
 * Reads how many records each group has not committed yet (the end offset minus the
 * committed one, summed over partitions; a partition with nothing committed counts from its
 * first record). Two admin requests per group; the admin connects on the first read, so a
 * process whose metrics are never collected never opens it.
 */
export function consumerLagReader(
  kafka: Kafka,
  inputs: readonly GroupInput[],
): { read(): Promise<Array<GroupInput & { lag: number }>>; close(): Promise<void> } {
  let admin: Admin | undefined;
  return {
    async read() {
      admin ??= kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      const connected = admin;
      return Promise.all(
        inputs.map(async ({ group, topic }) => {
          const [ends, committed] = await Promise.all([connected.fetchTopicOffsets(topic), connected.fetchOffsets({ groupId: group, topics: [topic] })]);
          const offsetOf = new Map((committed.find((t) => t.topic === topic)?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
          const lag = ends.reduce((sum, p) => {
            const from = offsetOf.get(p.partition) ?? -1;
            return sum + Math.max(0, Number(p.high) - (from >= 0 ? from : Number(p.low)));
          }, 0);
          return { group, topic, lag };
        }),
      );
    },
    async close() {
      await admin?.disconnect().catch(() => undefined);
    },
  };
}
