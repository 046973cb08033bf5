/**
 * Telemetry must load before the modules it instruments (grpc-js, mongodb, kafkajs), so a
 * service starts with `node --import @pinzhi/platform/register-telemetry dist/main.js`.
 * This module imports OpenTelemetry only. Spans are always created (so trace ids flow through gRPC,
 * MongoDB and Kafka headers); they are exported only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 * With nothing to export them to, a trace this service starts is not recorded (its ids still
 * propagate, and recording every command's span cost IssueGrade about 5% of its throughput);
 * a trace a caller sends as sampled is still recorded and passed on as sampled.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, ParentBasedSampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

let provider: NodeTracerProvider | undefined;

export interface TelemetryOptions {
  serviceName?: string;
  /** Extra processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
}

export function startTelemetry(options: TelemetryOptions = {}): NodeTracerProvider {
  if (provider) return provider;
  const processors = [...(options.spanProcessors ?? [])];
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? process.env.SERVICE_NAME ?? 'pinzhi',
    }),
    spanProcessors: processors,
    ...(processors.length === 0 ? { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) } : {}),
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new GrpcInstrumentation(), new MongoDBInstrumentation(), new KafkaJsInstrumentation()],
  });
  return provider;
}

export async function stopTelemetry(): Promise<void> {
  await provider?.shutdown();
  provider = undefined;
}

