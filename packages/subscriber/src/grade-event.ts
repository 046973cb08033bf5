import type { CloudEvent } from '@pinzhi/platform';
import {
  GradeDowngraded,
  GradeExpired,
  GradeIssued,
  GradeRevoked,
  GradeSuperseded,
} from '@pinzhi/contracts/pinzhi/grading/v1/events';
import type { Grade } from '@pinzhi/contracts/pinzhi/grading/v1/resources';

export type GradeEventType = 'issued' | 'downgraded' | 'revoked' | 'expired' | 'superseded';

/** The topics grading publishes to; tests and staging clusters pass their own names. */
export const defaultGradeTopics = {
  /** Every grade change, keyed by GTIN-14, so one product's history stays in order. */
  grades: 'pinzhi.grading.grades.v1',
  /** Compacted: the current grade per `{gtin14}|{standard code}`; a tombstone when there is none. */
  gradeState: 'pinzhi.grading.grade-state.v1',
} as const;

/** One grade change as a marketplace sees it: decoded by ce_type, its certificate checked. */
export interface TypedGradeEvent {
  /** CloudEvents id; the subscriber passes each id to onGrade at most once per dedupe store. */
  id: string;
  type: GradeEventType;
  time: Date;
  /** The grade as it stands after the change. */
  grade: Grade;
  /** downgraded: the level before the downgrade. */
  previousLevel?: string;
  /** superseded: "grades/{id}" of the newer grade. */
  supersededBy?: string;
  /** Whether the certificate's Ed25519 signature verifies; null when the grade has no certificate. */
  signatureValid: boolean | null;
  /** W3C trace context of the change that caused the event. */
  traceparent?: string;
}

export type DecodedGradeEvent = Omit<TypedGradeEvent, 'signatureValid'>;

export type GradeEventDecoding =
  | { kind: 'grade'; event: DecodedGradeEvent }
  /** A type this SDK does not know (a newer event, a .v2 beside v1): skip it. */
  | { kind: 'unknown-type'; type: string }
  /** A known type whose payload cannot be read: skip it, loudly. */
  | { kind: 'malformed'; reason: string };

interface Payload {
  grade?: Grade;
  previousLevel?: string;
  supersededBy?: string;
}

const payloadDecoders: Record<GradeEventType, (data: Uint8Array) => Payload> = {
  issued: (data) => GradeIssued.decode(data),
  downgraded: (data) => GradeDowngraded.decode(data),
  revoked: (data) => GradeRevoked.decode(data),
  expired: (data) => GradeExpired.decode(data),
  superseded: (data) => GradeSuperseded.decode(data),
};

const TYPE_PATTERN = /^pinzhi\.grading\.grade\.([a-z]+)\.v1$/;

function gradeEventTypeOf(ceType: string): GradeEventType | undefined {
  const verb = TYPE_PATTERN.exec(ceType)?.[1];
  return verb !== undefined && Object.hasOwn(payloadDecoders, verb) ? (verb as GradeEventType) : undefined;
}

/** Picks the payload message by ce_type and decodes it; never throws. */
export function decodeGradeEvent(event: CloudEvent): GradeEventDecoding {
  const type = gradeEventTypeOf(event.type);
  if (!type) return { kind: 'unknown-type', type: event.type };
  let payload: Payload;
  try {
    payload = payloadDecoders[type](event.data);
  } catch (error) {
    return { kind: 'malformed', reason: `${event.type} payload does not decode: ${(error as Error).message}` };
  }
  if (!payload.grade) return { kind: 'malformed', reason: `${event.type} carries no grade` };
  return {
    kind: 'grade',
    event: {
      id: event.id,
      type,
      time: event.time,
      grade: payload.grade,
      // proto3 strings arrive as '' when unset; the typed event leaves them out instead.
      ...(payload.previousLevel ? { previousLevel: payload.previousLevel } : {}),
      ...(payload.supersededBy ? { supersededBy: payload.supersededBy } : {}),
      ...(event.traceparent ? { traceparent: event.traceparent } : {}),
    },
  };
}
