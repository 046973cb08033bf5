import { randomUUID } from 'node:crypto';
import { context, propagation, type Context } from '@opentelemetry/api';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/**
 * A CloudEvents 1.0 event as pinzhi publishes it: the payload is a protobuf message from
 * protos/, the attributes travel as `ce_` headers (Kafka protocol binding, binary mode) and
 * the W3C trace context as `traceparent`/`tracestate`, so one trace spans gRPC → MongoDB →
 * Kafka → consumer.
 */
export interface CloudEvent {
  /** Unique per event; consumers de-duplicate on it. */
  id: string;
  /** URI-reference of the producer, e.g. `/pinzhi/grading`. */
  source: string;
  /** Reverse-DNS type with a version, e.g. `pinzhi.grading.grade.issued.v1`. */
  type: string;
  /** The aggregate the event is about, e.g. `products/06901234567892`. */
  subject?: string;
  time: Date;
  dataContentType: string;
  data: Uint8Array;
  traceparent?: string;
  tracestate?: string;
  /** On a compacted topic: the key no longer has a value; sent as a null record value. */
  tombstone?: boolean;
}

export const PROTOBUF_CONTENT_TYPE = 'application/protobuf';

export interface NewCloudEvent {
  source: string;
  type: string;
  subject?: string;
  data: Uint8Array;
  id?: string;
  time?: Date;
}

/** Creates an event stamped with a fresh id, the time and the caller's active trace context. */
export function newCloudEvent(fields: NewCloudEvent, activeContext: Context = context.active()): CloudEvent {
  const carrier: Record<string, string> = {};
  propagation.inject(activeContext, carrier);
  return {
    id: fields.id ?? randomUUID(),
    source: fields.source,
    type: fields.type,
    subject: fields.subject,
    time: fields.time ?? new Date(),
    dataContentType: PROTOBUF_CONTENT_TYPE,
    data: fields.data,
    traceparent: carrier.traceparent,
    tracestate: carrier.tracestate,
  };
}

/** Binary-mode Kafka record: data as the value, attributes as headers, key = aggregate id. */
export function toKafkaMessage(event: CloudEvent, key: string): Message {
  const headers: IHeaders = {
    ce_specversion: '1.0',
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ce_time: event.time.toISOString(),
    'content-type': event.dataContentType,
  };
  if (event.subject) headers.ce_subject = event.subject;
  if (event.traceparent) headers.traceparent = event.traceparent;
  if (event.tracestate) headers.tracestate = event.tracestate;
  return { key, value: event.tombstone ? null : Buffer.from(event.data), headers };
}

/** A record that can never be processed; it goes to the dead-letter topic, not back for retry. */
export class MalformedEventError extends Error {
  override name = 'MalformedEventError';
}

export function fromKafkaMessage(message: KafkaMessage): CloudEvent {
  const header = (name: string): string | undefined => {
    const value = message.headers?.[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  };
  const required = (name: string): string => {
    const value = header(name);
    if (!value) throw new MalformedEventError(`the record has no ${name} header`);
    return value;
  };
  if (required('ce_specversion') !== '1.0') throw new MalformedEventError('ce_specversion must be 1.0');
  const time = new Date(required('ce_time'));
  if (Number.isNaN(time.getTime())) throw new MalformedEventError('ce_time is not an RFC 3339 timestamp');
  if (!message.value) throw new MalformedEventError('the record has no value');
  return {
    id: required('ce_id'),
    source: required('ce_source'),
    type: required('ce_type'),
    subject: header('ce_subject'),
    time,
    dataContentType: header('content-type') ?? PROTOBUF_CONTENT_TYPE,
    data: new Uint8Array(message.value),
    traceparent: header('traceparent'),
    tracestate: header('tracestate'),
  };
}

/** The trace context the event was produced in, to continue the trace while handling it. */
export function contextOf(event: Pick<CloudEvent, 'traceparent' | 'tracestate'>): Context {
  const carrier: Record<string, string> = {};
  if (event.traceparent) carrier.traceparent = event.traceparent;
  if (event.tracestate) carrier.tracestate = event.tracestate;
  return propagation.extract(context.active(), carrier);
}
