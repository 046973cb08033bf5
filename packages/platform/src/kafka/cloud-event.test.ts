import { describe, expect, it } from 'vitest';
import { fromKafkaMessage, MalformedEventError, newCloudEvent, toKafkaMessage } from './cloud-event.js';

const asRecord = (message: ReturnType<typeof toKafkaMessage>) => ({
  key: Buffer.from(String(message.key)),
  value: message.value as Buffer,
  headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))])),
  timestamp: '0',
  attributes: 0,
  offset: '0',
  size: 0,
});

describe('CloudEvents Kafka binding (binary mode)', () => {
  it('puts attributes in ce_ headers and the payload in the value, and reads them back', () => {
    const event = newCloudEvent({
      source: '/pinzhi/grading',
      type: 'pinzhi.grading.grade.issued.v1',
      subject: 'products/06901234567892',
      data: Uint8Array.from([1, 2, 3]),
    });
    const message = toKafkaMessage(event, 'p-1');
    expect(message.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_source: '/pinzhi/grading',
      ce_type: 'pinzhi.grading.grade.issued.v1',
      ce_subject: 'products/06901234567892',
      ce_time: event.time.toISOString(),
      'content-type': 'application/protobuf',
    });
    const decoded = fromKafkaMessage(asRecord(message));
    expect(decoded).toEqual({ ...event, traceparent: undefined, tracestate: undefined });
  });

  it('rejects a record without the required headers as malformed', () => {
    const message = toKafkaMessage(newCloudEvent({ source: '/s', type: 't', data: new Uint8Array() }), 'k');
    delete message.headers!.ce_type;
    expect(() => fromKafkaMessage(asRecord(message))).toThrow(MalformedEventError);
  });
});
