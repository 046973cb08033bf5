import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { CompressionTypes, Partitioners, type Kafka, type Producer, type TopicMessages } from 'kafkajs';
import { spanAttributes } from '../otel/attributes.js';
import { contextOf, toKafkaMessage, type CloudEvent } from './cloud-event.js';

export interface OutgoingEvent {
  topic: string;
  /** Partition key: the aggregate id, so one aggregate's events stay in order. */
  key: string;
  event: CloudEvent;
}

/** What services and the outbox relay need from Kafka; kafkajs stays behind it. */
export interface EventPublisher {
  /** Resolves once every broker has acknowledged (acks=all); rejects otherwise. */
  publish(events: readonly OutgoingEvent[]): Promise<void>;
  /** Writes raw records (dead-letter topic, compacted tombstones). */
  send(topicMessages: TopicMessages[]): Promise<void>;
  close(): Promise<void>;
}

export interface EventPublisherOptions {
  /** Put before every published event's topic (tests give each service instance its own topics). */
  topicPrefix?: string;
}

export async function createEventPublisher(kafka: Kafka, options: EventPublisherOptions = {}): Promise<EventPublisher> {
  const prefix = options.topicPrefix ?? '';
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const tracer = trace.getTracer('pinzhi');

  async function send(topicMessages: TopicMessages[]) {
    if (topicMessages.length === 0) return;
    await producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
  }

  return {
    send,
    async publish(events) {
      if (events.length === 0) return;
      const byTopic = new Map<string, TopicMessages>();
      for (const { topic: name, key, event } of events) {
        const topic = `${prefix}${name}`;
        const entry = byTopic.get(topic) ?? { topic, messages: [] };
        entry.messages.push(toKafkaMessage(event, key));
        byTopic.set(topic, entry);
      }
      // Publish inside the context the event was created in, so a relay that publishes later
      // (or after a crash) continues the original trace instead of starting a new one.
      const first = events[0]!.event;
      const span = tracer.startSpan(
        `publish ${[...byTopic.keys()].join(',')}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.batch.message_count': events.length,
            [spanAttributes.eventType]: first.type,
            [spanAttributes.eventId]: first.id,
          },
        },
        contextOf(first),
      );
      try {
        await context.with(trace.setSpan(contextOf(first), span), () => send([...byTopic.values()]));
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.recordException(error as Error);
        throw error;
      } finally {
        span.end();
      }
    },
    close: () => producer.disconnect(),
  };
}
