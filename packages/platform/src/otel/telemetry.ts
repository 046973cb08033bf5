/**
 * Telemetry must load before the modules it instruments (grpc-js, mongodb, kafkajs), so a
 * service starts with `node --import @pinzhi/platform/register-telemetry dist/main.js`.
 * This module imports OpenTelemetry only. Spans are always created (so trace ids flow through gRPC,
 * MongoDB and Kafka headers); they are exported only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 * With nothing to export them to, a trace this service starts is not recorded (its ids still
 * propagate, and recording every command's span cost IssueGrade about 5% of its throughput);
 * a trace a caller sends as sampled is still recorded and passed on as sampled.
 * Metrics (otel/metrics.ts) get an SDK only when there is somewhere to send them; otherwise
 * the API's no-op instruments record nothing and observe nothing.
 */
import { register } from 'node:module';
import { metrics } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { AlwaysOffSampler, BatchSpanProcessor, ParentBasedSampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { resolveServiceName } from './service-name.js';

// For tests that look at the spans a service makes (the test package has no SDK of its own).
export { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
export { resolveServiceName } from './service-name.js';

let provider: NodeTracerProvider | undefined;
let meterProvider: MeterProvider | undefined;
let hooksRegistered = false;

export interface TelemetryOptions {
  /** Default: resolveServiceName() (OTEL_SERVICE_NAME, SERVICE_NAME, the package's name). */
  serviceName?: string;
  /** Extra processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
  /** Extra metric readers, e.g. one a test collects from; with any, metrics are recorded. */
  metricReaders?: IMetricReader[];
  env?: Record<string, string | undefined>;
}

/**
 * Lets the gRPC instrumentation patch grpc-js when ESM code imports it: require hooks alone
 * do not see an `import` of a CommonJS package, and without this a service made no gRPC
 * spans at all. Call before grpc-js is imported (the preload does). MongoDB is patched through
 * its internal require calls and needs no hook. kafkajs is left unhooked on purpose: its
 * instrumentation writes one send span's traceparent over every record of a batch, and the
 * outbox batches events of different requests; pinzhi's own publish and consume spans carry
 * each CloudEvent's own trace context instead.
 */
export function registerModuleHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: [/\/node_modules\/@grpc\/grpc-js\//] },
  });
}

export function startTelemetry(options: TelemetryOptions = {}): NodeTracerProvider {
  if (provider) return provider;
  const env = options.env ?? process.env;
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? resolveServiceName({ env }) });

  const processors = [...(options.spanProcessors ?? [])];
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  provider = new NodeTracerProvider({
    resource,
    spanProcessors: processors,
    ...(processors.length === 0 ? { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) } : {}),
  });
  provider.register();

  const readers = [...(options.metricReaders ?? [])];
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) {
    const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
    readers.push(new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: interval > 0 ? interval : 60_000 }));
  }
  if (readers.length > 0) {
    meterProvider = new MeterProvider({ resource, readers });
    metrics.setGlobalMeterProvider(meterProvider);
  }

  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new GrpcInstrumentation(), new MongoDBInstrumentation({ dbStatementSerializer: statementShape }), new KafkaJsInstrumentation()],
  });
  return provider;
}

const shapeOf = (value: unknown): unknown => (Array.isArray(value) ? `[${value.length}]` : typeof value === 'object' && value !== null ? '{…}' : '?');

/**
 * A MongoDB command's `db.statement`: its fields, and the fields of its filter, without values.
 * The instrumentation's default walks every value of the command, every byte of a binary field
 * included: 14 % of grading's CPU under IssueGrades, whose commands carry 50 grades of 5 KB.
 */
export function statementShape(command: Record<string, unknown>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(command).map(([key, value]) => [
        key,
        ['filter', 'query', 'q'].includes(key) && typeof value === 'object' && value !== null && !Array.isArray(value)
          ? Object.fromEntries(Object.entries(value).map(([field, v]) => [field, shapeOf(v)]))
          : shapeOf(value),
      ]),
    ),
  );
}

/** Flushes and stops what startTelemetry started (spans and metrics not yet exported go out). */
export async function stopTelemetry(): Promise<void> {
  await Promise.all([provider?.shutdown(), meterProvider?.shutdown()]);
  if (meterProvider) metrics.disable();
  provider = undefined;
  meterProvider = undefined;
}
