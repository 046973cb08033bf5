import { AggregationTemporality, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { metricNames, pinzhiMetrics } from './metrics.js';
import { startTelemetry, stopTelemetry } from './telemetry.js';

/** A reader the test collects from itself. */
class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush() {}
  protected override async onShutdown() {}
}

describe('pinzhi metrics', () => {
  const reader = new CollectingReader();
  startTelemetry({ serviceName: 'metrics-test', metricReaders: [reader], env: {} });
  afterAll(() => stopTelemetry());

  async function collect() {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const byName = new Map<string, MetricData>(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => [m.descriptor.name, m] as const)));
    const points = (name: string) => (byName.get(name)?.dataPoints ?? []).map((p) => ({ value: p.value, attributes: p.attributes }));
    return { resource: resourceMetrics.resource, points };
  }

  it('records counters and observes gauges until stopped, under the service name', async () => {
    pinzhiMetrics.gradeIssued('AAA');
    pinzhiMetrics.gradeIssued('AAA');
    pinzhiMetrics.gradeIssued('NONCONFORMING');
    pinzhiMetrics.deadLettered('grading-supervision', 'pinzhi.supervision.sample.v1');
    pinzhiMetrics.refused('/pinzhi.grading.v1.GradingService/IssueGrade', 'INVALID_ARGUMENT');
    pinzhiMetrics.webhookAttempt('failed');
    pinzhiMetrics.webhookAttempt('delivered');
    let reads = 0;
    const stopOutbox = pinzhiMetrics.observeOutboxPending(async () => {
      reads++;
      return 3;
    });
    const stopLag = pinzhiMetrics.observeConsumerLag(async () => [{ group: 'grading-convergence', topic: 'pinzhi.grading.grade.v1', lag: 7 }]);
    // A source that fails (the database is down) skips its point and breaks nothing else.
    const stopFailing = pinzhiMetrics.observeOutboxPending(() => Promise.reject(new Error('down')));
    const stopThrowing = pinzhiMetrics.observeConsumerLag(() => {
      throw new Error('down');
    });

    const { resource, points } = await collect();
    expect(resource.attributes['service.name']).toBe('metrics-test');
    expect(points(metricNames.gradesIssued)).toEqual(
      expect.arrayContaining([
        { value: 2, attributes: { 'pinzhi.grade.level': 'AAA' } },
        { value: 1, attributes: { 'pinzhi.grade.level': 'NONCONFORMING' } },
      ]),
    );
    expect(points(metricNames.consumerDlq)).toEqual([
      { value: 1, attributes: { 'pinzhi.consumer.group': 'grading-supervision', 'pinzhi.topic': 'pinzhi.supervision.sample.v1' } },
    ]);
    expect(points(metricNames.grpcRefusals)).toEqual([
      { value: 1, attributes: { 'pinzhi.grpc.method': '/pinzhi.grading.v1.GradingService/IssueGrade', 'pinzhi.grpc.code': 'INVALID_ARGUMENT' } },
    ]);
    expect(points(metricNames.webhookAttempts)).toEqual(
      expect.arrayContaining([
        { value: 1, attributes: { 'pinzhi.webhook.outcome': 'failed' } },
        { value: 1, attributes: { 'pinzhi.webhook.outcome': 'delivered' } },
      ]),
    );
    expect(points(metricNames.outboxPending)).toEqual([{ value: 3, attributes: {} }]);
    expect(points(metricNames.consumerLag)).toEqual([
      { value: 7, attributes: { 'pinzhi.consumer.group': 'grading-convergence', 'pinzhi.topic': 'pinzhi.grading.grade.v1' } },
    ]);

    stopOutbox();
    stopLag();
    stopFailing();
    stopThrowing();
    await collect();
    expect(reads).toBe(1);
  });
});
