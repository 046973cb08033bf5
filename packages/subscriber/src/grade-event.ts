import type { CloudEvent } from '@pinzhi/platform';
import { gradeStateStream, gradeStream, type GradeVerb } from '@pinzhi/events';
import type { Grade } from '@pinzhi/contracts/pinzhi/grading/v1/resources';

export type GradeEventType = GradeVerb;

/** The topics grading publishes to; tests and staging clusters pass their own names. */
export const defaultGradeTopics = {
  /** Every grade change, keyed by GTIN-14, so one product's history stays in order. */
  grades: gradeStream.topic,
  /** Compacted: the current grade per `{gtin14}|{standard code}`; a tombstone when there is none. */
  gradeState: gradeStateStream.topic,
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

/** Picks the payload message by ce_type and decodes it; never throws. */
export function decodeGradeEvent(event: CloudEvent): GradeEventDecoding {
  const decoded = gradeStream.decode(event);
  if (decoded.kind !== 'event') return decoded;
  const { verb: type, payload } = decoded;
  if (!payload.grade) return { kind: 'malformed', reason: `${event.type} carries no grade` };
  return {
    kind: 'grade',
    event: {
      id: event.id,
      type,
      time: event.time,
      grade: payload.grade,
      // proto3 strings arrive as '' when unset; the typed event leaves them out instead.
      ...('previousLevel' in payload && payload.previousLevel ? { previousLevel: payload.previousLevel } : {}),
      ...('supersededBy' in payload && payload.supersededBy ? { supersededBy: payload.supersededBy } : {}),
      ...(event.traceparent ? { traceparent: event.traceparent } : {}),
    },
  };
}
