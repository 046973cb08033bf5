import { randomUUID } from 'node:crypto';
import {
  GradeDowngraded,
  GradeExpired,
  GradeIssued,
  GradeRevoked,
  GradeSuperseded,
  type GradeEvent,
} from '@pinzhi/contracts/pinzhi/grading/v1/events';
import type { Grade } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { fromKafkaMessage, InvalidArgumentError, type Logger } from '@pinzhi/platform';
import type { Kafka } from 'kafkajs';
import { gradeEventType, gradingTopics } from '../events/grade-events.js';

const decoders: Record<string, (bytes: Uint8Array) => Grade | undefined> = {
  [gradeEventType('issued')]: (b) => GradeIssued.decode(b).grade,
  [gradeEventType('downgraded')]: (b) => GradeDowngraded.decode(b).grade,
  [gradeEventType('revoked')]: (b) => GradeRevoked.decode(b).grade,
  [gradeEventType('expired')]: (b) => GradeExpired.decode(b).grade,
  [gradeEventType('superseded')]: (b) => GradeSuperseded.decode(b).grade,
};

export type FeedFilter = { enterpriseId?: string; brandId?: string; productId?: string };

/** Offsets per partition of the grade topic, as an opaque token. */
function encodeToken(offsets: Record<number, string>): string {
  return Buffer.from(JSON.stringify(offsets)).toString('base64url');
}

function decodeToken(token: string): Record<number, string> {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as Record<string, unknown>;
    if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((v) => typeof v !== 'string' || !/^\d+$/.test(v))) throw new Error();
    return parsed as Record<number, string>;
  } catch {
    throw new InvalidArgumentError('invalid resume_token', [
      { field: 'resume_token', reason: 'INVALID_RESUME_TOKEN', description: 'use a token from a previous WatchGradesResponse' },
    ]);
  }
}

/**
 * Grade events from Kafka for WatchGrades, for marketplaces that cannot reach the broker.
 * Each watcher reads the grade topic with a consumer of its own; the resume token carries
 * the last offset per partition, so a reconnecting watcher continues where it stopped.
 */
export class GradeFeed {
  constructor(
    private readonly kafka: Kafka,
    private readonly logger: Logger,
  ) {}

  async watch(
    filter: FeedFilter,
    resumeToken: string,
    signal: AbortSignal,
    deliver: (event: GradeEvent, resumeToken: string) => Promise<void>,
  ): Promise<void> {
    const offsets = resumeToken ? decodeToken(resumeToken) : {};
    const consumer = this.kafka.consumer({ groupId: `grading-watch-${randomUUID()}` });
    const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: gradingTopics.grades, fromBeginning: false });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          offsets[partition] = message.offset;
          const event = fromKafkaMessage(message);
          const grade = decoders[event.type]?.(event.data);
          if (!grade) return;
          if (filter.productId && grade.gtin !== filter.productId) return;
          if (filter.brandId && grade.brand !== `brands/${filter.brandId}`) return;
          if (filter.enterpriseId && grade.enterprise !== `enterprises/${filter.enterpriseId}`) return;
          if (!signal.aborted) await deliver({ id: event.id, type: event.type, grade }, encodeToken(offsets));
        },
      });
      // Continue after the offsets the watcher already saw (kafkajs applies seeks once assigned).
      for (const [partition, offset] of Object.entries(offsets)) {
        consumer.seek({ topic: gradingTopics.grades, partition: Number(partition), offset: String(BigInt(offset) + 1n) });
      }
      await stopped;
    } finally {
      await consumer.disconnect().catch((error: unknown) => this.logger.warn({ err: error }, 'watch consumer disconnect failed'));
    }
  }
}
