/**
 * The portal's trace continues into the services it asks: a browser's traceparent → the
 * portal's HTTP SERVER span → the gRPC call → grading's SERVER span, one trace.
 */
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, registerModuleHooks, SimpleSpanProcessor, startTelemetry, stopTelemetry, type ReadableSpan } from '@pinzhi/platform/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// As register-telemetry does in a service process: hooks and telemetry before grpc-js loads
// (hence the dynamic imports), so the gRPC instrumentation makes client and server spans.
registerModuleHooks();
const spans = new InMemorySpanExporter();
startTelemetry({ serviceName: 'portal-test', spanProcessors: [new SimpleSpanProcessor(spans)], env: {} });
const { gradingService } = await import('@pinzhi/grading/testing');
const { dropDatabase, namespace, startServiceForTest, waitFor } = await import('../../../test/support/harness.js');
const { portalService } = await import('../src/testing.js');

describe('portal telemetry', () => {
  const ns = namespace('portal-trace');
  let grading: Awaited<ReturnType<typeof startServiceForTest>>;
  let portal: Awaited<ReturnType<typeof startServiceForTest>>;

  beforeAll(async () => {
    grading = await startServiceForTest(gradingService, { ns });
    portal = await startServiceForTest(portalService, {
      ns,
      env: {
        HTTP_PORT: '0',
        GRADING_ADDRESS: grading.address,
        CATALOGUE_ADDRESS: '127.0.0.1:1',
        BRAND_VALUATION_ADDRESS: '127.0.0.1:1',
        SAME_LINE_ADDRESS: '127.0.0.1:1',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await portal?.stop();
    await grading?.stop();
    await dropDatabase(ns.dbName);
    await stopTelemetry();
  });

  it('continues the caller’s trace through the portal into grading', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`http://${(portal.exposed as { httpAddress: string }).httpAddress}/api/v1/signing-keys`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(response.status).toBe(200);
    const inTrace = (kind: SpanKind, name: RegExp) => (span: ReadableSpan) =>
      span.kind === kind && span.spanContext().traceId === traceId && name.test(span.name);
    const http = await waitFor(() => spans.getFinishedSpans().find(inTrace(SpanKind.SERVER, /^HTTP GET$/)), { what: 'the portal HTTP span' });
    const server = await waitFor(() => spans.getFinishedSpans().find(inTrace(SpanKind.SERVER, /\/GetSigningKeys$/)), { what: "grading's server span" });
    expect(http.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(http.attributes['http.response.status_code']).toBe(200);
    const client = spans.getFinishedSpans().find(inTrace(SpanKind.CLIENT, /\/GetSigningKeys$/));
    expect(client?.parentSpanContext?.spanId).toBe(http.spanContext().spanId);
    expect(server.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
  });
});
