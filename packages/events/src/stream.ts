import type { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';

/** What ts-proto generates for every message: enough to encode and decode a payload. */
export interface MessageCodec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
  /** The message as protobuf JSON (ts-proto's canonical mapping). */
  toJSON(message: T): unknown;
}

/** An event as it leaves a producer: what the outbox stores and the relay publishes. */
export interface StreamEvent {
  topic: string;
  key: string;
  source: string;
  type: string;
  subject?: string;
  data: Uint8Array;
  /** Compacted topics: the key has no current value any more. */
  tombstone?: true;
}

/** The attributes of a received CloudEvent a decoder needs. */
export interface ReceivedEvent {
  type: string;
  data: Uint8Array;
}

export type Decoded<M extends Record<string, MessageCodec<any>>> =
  | { [V in keyof M & string]: { kind: 'event'; verb: V; payload: ReturnType<M[V]['decode']> } }[keyof M & string]
  /** A type this stream does not define (a newer event, a .v2 beside v1): skip it. */
  | { kind: 'unknown-type'; type: string }
  /** A known type whose payload cannot be read. */
  | { kind: 'malformed'; type: string; reason: string };

export interface StreamDefinition<M extends Record<string, MessageCodec<any>>> {
  /** Kafka topic, `pinzhi.<service>.<aggregate>.v1`. */
  readonly topic: string;
  /** CloudEvents `source` of the one service that publishes the stream. */
  readonly source: string;
  /** Compacted topic: one current value per key. */
  readonly compacted: boolean;
  /** CloudEvents type per verb, e.g. `pinzhi.grading.grade.issued.v1`. */
  readonly types: { readonly [V in keyof M & string]: string };
  /** The verb of a CloudEvents type, or undefined when this stream does not define it. */
  verbOf(type: string): (keyof M & string) | undefined;
  /** One event of this stream, ready for the outbox. */
  event<V extends keyof M & string>(verb: V, payload: ReturnType<M[V]['decode']>, at: { key: string; subject?: string }): StreamEvent;
  /** A compacted stream's "no value any more" record for a key. */
  tombstone(verb: keyof M & string, at: { key: string; subject?: string }): StreamEvent;
  /**
   * The payload of an event of this stream as protobuf JSON (how webhooks carry it), or
   * undefined for a type this stream does not define; throws when a known type does not decode.
   */
  toJson(event: ReceivedEvent): unknown;
  /** Picks the payload message by type and decodes it; never throws. */
  decode(event: ReceivedEvent): Decoded<M>;
  /**
   * For consumers: the event of a type this stream defines, or undefined for another type
   * (a newer event passes by); throws when a known type does not decode, so the consumer
   * dead-letters it instead of skipping it silently.
   */
  read(event: ReceivedEvent): Extract<Decoded<M>, { kind: 'event' }> | undefined;
}

/**
 * Defines a stream once: its topic, the payload message of each event type and the type
 * names. Producers, consumers, the subscriber SDK and WatchGrades all use the definition, so
 * a type name or a codec cannot drift between them.
 */
export function defineStream<M extends Record<string, MessageCodec<any>>>(spec: {
  topic: string;
  source: string;
  compacted?: boolean;
  messages: M;
  /** The CloudEvents type of a verb. */
  typeOf: (verb: keyof M & string) => string;
}): StreamDefinition<M> {
  const verbs = Object.keys(spec.messages) as Array<keyof M & string>;
  const types = Object.fromEntries(verbs.map((verb) => [verb, spec.typeOf(verb)])) as { [V in keyof M & string]: string };
  const byType = new Map(verbs.map((verb) => [types[verb], verb]));
  const base = (verb: keyof M & string, at: { key: string; subject?: string }) => ({
    topic: spec.topic,
    key: at.key,
    source: spec.source,
    type: types[verb],
    ...(at.subject ? { subject: at.subject } : {}),
  });
  return {
    topic: spec.topic,
    source: spec.source,
    compacted: spec.compacted ?? false,
    types,
    verbOf: (type) => byType.get(type),
    event: (verb, payload, at) => ({ ...base(verb, at), data: spec.messages[verb]!.encode(payload).finish() }),
    tombstone: (verb, at) => ({ ...base(verb, at), data: new Uint8Array(), tombstone: true }),
    toJson(event) {
      const decoded = this.read(event);
      return decoded ? spec.messages[decoded.verb]!.toJSON(decoded.payload) : undefined;
    },
    read(event) {
      const decoded = this.decode(event);
      if (decoded.kind === 'malformed') throw new Error(decoded.reason);
      return decoded.kind === 'event' ? decoded : undefined;
    },
    decode(event) {
      const verb = byType.get(event.type);
      if (verb === undefined) return { kind: 'unknown-type', type: event.type };
      try {
        return { kind: 'event', verb, payload: spec.messages[verb]!.decode(event.data) } as Decoded<M>;
      } catch (error) {
        return { kind: 'malformed', type: event.type, reason: `${event.type} payload does not decode: ${(error as Error).message}` };
      }
    },
  };
}
