import { context, propagation, trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { startTelemetry, statementShape, stopTelemetry } from './telemetry.js';

describe('telemetry without an exporter', () => {
  startTelemetry({ serviceName: 'telemetry-test' });
  afterAll(() => stopTelemetry());

  it('does not record the traces it starts, but gives them ids that propagate', () => {
    const span = trace.getTracer('t').startSpan('root');
    expect(span.isRecording()).toBe(false);
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    expect(carrier.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-00`);
    span.end();
  });

  it('records and passes on a trace a caller sent as sampled', () => {
    const parent = propagation.extract(context.active(), { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    const span = trace.getTracer('t').startSpan('child', {}, parent);
    expect(span.isRecording()).toBe(true);
    expect(span.spanContext()).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', traceFlags: 1 });
    span.end();
  });
});

describe('statementShape', () => {
  it('names the fields of a command and of its filter, never a value, whatever the documents hold', () => {
    const grade = { _id: 'g1', evidence: Buffer.alloc(5000, 7), state: 'issued' };
    expect(statementShape({ insert: 'grades', documents: [grade, grade], ordered: false })).toBe('{"insert":"?","documents":"[2]","ordered":"?"}');
    expect(statementShape({ find: 'grades', filter: { _id: { $in: ['a', 'b'] }, state: 'issued' }, limit: 1 })).toBe(
      '{"find":"?","filter":{"_id":"{…}","state":"?"},"limit":"?"}',
    );
  });
});
