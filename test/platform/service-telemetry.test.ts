import { fileURLToPath } from 'node:url';
import { context, SpanKind, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  registerModuleHooks,
  resolveServiceName,
  SimpleSpanProcessor,
  startTelemetry,
  stopTelemetry,
  type ReadableSpan,
} from '@pinzhi/platform/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// As register-telemetry does in a service process: hooks and telemetry before grpc-js loads
// (hence the dynamic imports), so the gRPC instrumentation makes client and server spans.
registerModuleHooks();
const spans = new InMemorySpanExporter();
const gradingEntry = fileURLToPath(new URL('../../services/grading/dist/main.js', import.meta.url));
const serviceName = resolveServiceName({ env: {}, entry: gradingEntry });
startTelemetry({ serviceName, spanProcessors: [new SimpleSpanProcessor(spans)], env: {} });
const { Metadata } = await import('@grpc/grpc-js');
const { GradingServiceService } = await import('@pinzhi/contracts/pinzhi/grading/v1/grading_service');
const { createUnaryClient } = await import('@pinzhi/platform');
const { gradingService } = await import('@pinzhi/grading');
const { dropDatabase, startServiceForTest, waitFor } = await import('../support/harness.js');

describe('service telemetry', () => {
  let grading: Awaited<ReturnType<typeof startServiceForTest>>;

  beforeAll(async () => {
    grading = await startServiceForTest(gradingService);
  });
  afterAll(async () => {
    await grading?.stop();
    if (grading) await dropDatabase(grading.ns.dbName);
    await stopTelemetry();
  });

  it('reports the service by its own name, its server span a child of the caller', async () => {
    expect(serviceName).toBe(gradingService.name);
    const client = createUnaryClient(GradingServiceService, grading.address);
    const caller = trace.getTracer('test').startSpan('caller');
    try {
      await context.with(trace.setSpan(context.active(), caller), () => client.getSigningKeys({}, new Metadata()));
    } finally {
      caller.end();
      client.close();
    }

    const { traceId, spanId } = caller.spanContext();
    const inTrace = (kind: SpanKind) => (span: ReadableSpan) =>
      span.kind === kind && span.spanContext().traceId === traceId && span.name.endsWith('/GetSigningKeys');
    const server = await waitFor(() => spans.getFinishedSpans().find(inTrace(SpanKind.SERVER)), { what: 'the server span' });
    const clientSpan = spans.getFinishedSpans().find(inTrace(SpanKind.CLIENT));
    // caller → client span (sends traceparent) → server span, one trace.
    expect(clientSpan?.parentSpanContext?.spanId).toBe(spanId);
    expect(server.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
    expect(server.resource.attributes['service.name']).toBe('grading');
  });
});
