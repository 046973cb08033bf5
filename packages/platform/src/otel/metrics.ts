import { metrics, type Meter, type MeterProvider, type ObservableCallback, type ObservableGauge } from '@opentelemetry/api';
import { spanAttributes } from './attributes.js';

/**
 * Every business metric pinzhi records; one prefix, one file (as attributes.ts for spans).
 * They reach an SDK only when OTEL_EXPORTER_OTLP_ENDPOINT is set (otel/telemetry.ts);
 * otherwise the API's no-op instruments cost next to nothing and observers are never called.
 */
export const metricNames = {
  /** Observable gauge: outbox marks not cleared yet, i.e. writes whose events are not out yet. */
  outboxPending: 'pinzhi.outbox.pending',
  /** Counter: outbox entries Kafka refused for good, moved to `outbox_dead_letters`. */
  outboxDeadLettered: 'pinzhi.outbox.dead_lettered',
  /** Counter: records a consumer group sent to `<topic>.dlq`. */
  consumerDlq: 'pinzhi.consumer.dlq',
  /** Observable gauge: records of a topic a consumer group has not committed yet. */
  consumerLag: 'pinzhi.consumer.lag',
  /** Counter: gRPC calls answered with a status other than OK. */
  grpcRefusals: 'pinzhi.grpc.refusals',
  /** Counter: grades IssueGrade(s) created, by level (a refused report's is NONCONFORMING); a repeat that returns the existing grade is not counted. */
  gradesIssued: 'pinzhi.grades.issued',
  /** Counter: webhook delivery attempts, by outcome (delivered, failed, dead-letter). */
  webhookAttempts: 'pinzhi.webhook.attempts',
} as const;

export const metricAttributes = {
  consumerGroup: spanAttributes.consumerGroup,
  topic: 'pinzhi.topic',
  /** The status name, e.g. `INVALID_ARGUMENT`. */
  grpcCode: 'pinzhi.grpc.code',
  /** The full method path, e.g. `/pinzhi.grading.v1.GradingService/IssueGrade`. */
  grpcMethod: 'pinzhi.grpc.method',
  gradeLevel: 'pinzhi.grade.level',
  /** delivered, failed (will be retried) or dead-letter. */
  webhookOutcome: 'pinzhi.webhook.outcome',
} as const;

export interface ConsumerLag {
  group: string;
  topic: string;
  lag: number;
}

function createInstruments(meter: Meter) {
  return {
    outboxPending: meter.createObservableGauge(metricNames.outboxPending, {
      description: 'Outbox marks of this service not cleared yet (events written but not yet published)',
      unit: '{mark}',
    }),
    outboxDeadLettered: meter.createCounter(metricNames.outboxDeadLettered, {
      description: 'Outbox entries Kafka refused for good, moved to outbox_dead_letters',
      unit: '{event}',
    }),
    consumerDlq: meter.createCounter(metricNames.consumerDlq, { description: 'Records sent to a dead-letter topic', unit: '{record}' }),
    consumerLag: meter.createObservableGauge(metricNames.consumerLag, {
      description: 'Records of a topic not yet committed by a consumer group',
      unit: '{record}',
    }),
    grpcRefusals: meter.createCounter(metricNames.grpcRefusals, { description: 'gRPC calls answered with a non-OK status', unit: '{call}' }),
    gradesIssued: meter.createCounter(metricNames.gradesIssued, { description: 'Grades created by IssueGrade(s), by level', unit: '{grade}' }),
    webhookAttempts: meter.createCounter(metricNames.webhookAttempts, { description: 'Webhook delivery attempts, by outcome', unit: '{attempt}' }),
  };
}

type Instruments = ReturnType<typeof createInstruments>;
let current: { provider: MeterProvider; instruments: Instruments } | undefined;

/** The instruments of the global meter provider (created again if a test sets another one). */
function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (current?.provider !== provider) current = { provider, instruments: createInstruments(provider.getMeter('pinzhi')) };
  return current.instruments;
}

/** Calls `callback` whenever metrics are collected; returns the function that stops it. */
function addObserver(gauge: ObservableGauge, callback: ObservableCallback): () => void {
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}

export const pinzhiMetrics = {
  outboxDeadLettered(topic: string): void {
    instruments().outboxDeadLettered.add(1, { [metricAttributes.topic]: topic });
  },
  deadLettered(group: string, topic: string): void {
    instruments().consumerDlq.add(1, { [metricAttributes.consumerGroup]: group, [metricAttributes.topic]: topic });
  },
  refused(method: string, code: string): void {
    instruments().grpcRefusals.add(1, { [metricAttributes.grpcMethod]: method, [metricAttributes.grpcCode]: code });
  },
  gradeIssued(level: string): void {
    instruments().gradesIssued.add(1, { [metricAttributes.gradeLevel]: level });
  },
  webhookAttempt(outcome: 'delivered' | 'failed' | 'dead-letter'): void {
    instruments().webhookAttempts.add(1, { [metricAttributes.webhookOutcome]: outcome });
  },
  /** Reports `count()` whenever metrics are collected (a failed count skips one point); returns the stop. */
  observeOutboxPending(count: () => Promise<number>): () => void {
    return addObserver(instruments().outboxPending, async (result) => {
      try {
        result.observe(await count());
      } catch {
        // The database did not answer: no point this time.
      }
    });
  },
  /** Reports each group's lag on its topic whenever metrics are collected; returns the stop. */
  observeConsumerLag(lags: () => Promise<readonly ConsumerLag[]>): () => void {
    return addObserver(instruments().consumerLag, async (result) => {
      let all: readonly ConsumerLag[];
      try {
        all = await lags();
      } catch {
        return; // Kafka did not answer: no points this time.
      }
      for (const { group, topic, lag } of all) result.observe(lag, { [metricAttributes.consumerGroup]: group, [metricAttributes.topic]: topic });
    });
  },
};
