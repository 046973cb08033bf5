import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { Any } from '@pinzhi/contracts/google/protobuf/any';
import { BadRequest } from '@pinzhi/contracts/google/rpc/error_details';
import { Status } from '@pinzhi/contracts/google/rpc/status';
import type { Logger } from '../log.js';
import { asPinzhiError, type ErrorCode, type FieldViolation } from '../errors.js';
import { clip, wellFormed } from '../text-policy.js';

/** The one table from pinzhi error codes to gRPC status codes. */
export const grpcStatusByErrorCode: Readonly<Record<ErrorCode, status>> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: status.UNAVAILABLE,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  INTERNAL: status.INTERNAL,
};

const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';
const DETAILS_KEY = 'grpc-status-details-bin';

/**
 * How much of an error a status carries. Everything in it travels in HTTP/2 trailers, and a
 * grpc-js client that gets trailers above its metadata limit never sees the status: the call
 * hangs until its deadline. Descriptions that echo the request (a 70 000-character value)
 * did exactly that. With these bounds 1 000 violations of 70 000 characters make 4.0 KB of
 * trailers, and the worst case — three-byte characters everywhere, percent-encoded in
 * grpc-message and base64-encoded in the details — 6.2 KB (both measured in status.test.ts).
 */
export const statusLimits = {
  messageChars: 200,
  fieldChars: 200,
  descriptionChars: 200,
  reasonChars: 64,
  violations: 50,
  /** UTF-8 bytes of field + description + reason over all violations sent. */
  violationBytes: 2560,
} as const;

/**
 * Turns any thrown value into the status a caller sees. Field violations travel as a
 * `google.rpc.BadRequest` inside `grpc-status-details-bin`, the rich-error convention every
 * gRPC ecosystem decodes. Every value goes through the error family first (asPinzhiError):
 * a driver error meaning a server is down becomes UNAVAILABLE, anything else that is not
 * ours INTERNAL with a generic message; their cause is logged, never sent.
 */
export function toStatusObject(error: unknown, logger?: Logger): Partial<StatusObject> {
  const typed = asPinzhiError(error);
  const code = grpcStatusByErrorCode[typed.code];
  const message = wellFormed(clip(typed.message, statusLimits.messageChars));
  const metadata = new Metadata();
  if (typed.violations.length > 0) {
    metadata.set(DETAILS_KEY, encodeStatusDetails(code, message, boundedViolations(typed.violations)));
  }
  if (typed !== error) {
    if (code === status.UNAVAILABLE) logger?.warn({ err: error }, 'backing server unavailable');
    else logger?.error({ err: error }, 'unexpected error');
  } else if (code === status.INTERNAL) {
    logger?.error({ err: error }, 'internal error');
  }
  return { code, details: message, metadata };
}

/**
 * At most `statusLimits.violations` violations within the byte budget, each clipped; when
 * some are left out a last entry with an empty field says how many (reason MORE_VIOLATIONS).
 */
export function boundedViolations(violations: readonly FieldViolation[]): FieldViolation[] {
  const kept: FieldViolation[] = [];
  let bytes = 0;
  for (const v of violations) {
    if (kept.length === statusLimits.violations) break;
    const bounded: FieldViolation = {
      field: wellFormed(clip(v.field, statusLimits.fieldChars)),
      description: wellFormed(clip(v.description, statusLimits.descriptionChars)),
      ...(v.reason === undefined ? {} : { reason: wellFormed(clip(v.reason, statusLimits.reasonChars)) }),
    };
    const size = Buffer.byteLength(bounded.field) + Buffer.byteLength(bounded.description) + Buffer.byteLength(bounded.reason ?? '');
    if (kept.length > 0 && bytes + size > statusLimits.violationBytes) break;
    kept.push(bounded);
    bytes += size;
  }
  const more = violations.length - kept.length;
  if (more > 0) kept.push({ field: '', description: `… and ${more} more`, reason: 'MORE_VIOLATIONS' });
  return kept;
}

function encodeStatusDetails(code: status, message: string, violations: readonly FieldViolation[]): Buffer {
  const badRequest = BadRequest.encode({
    fieldViolations: violations.map((v) => ({ field: v.field, description: v.description, reason: v.reason ?? '' })),
  }).finish();
  return Buffer.from(Status.encode({ code, message, details: [{ typeUrl: BAD_REQUEST_TYPE_URL, value: Buffer.from(badRequest) }] }).finish());
}

/** Client side: the field violations a failed call carried, or [] when it carried none. */
export function fieldViolationsOf(error: Pick<ServiceError, 'metadata'>): FieldViolation[] {
  const raw = error.metadata?.get(DETAILS_KEY)[0];
  if (!raw || typeof raw === 'string') return [];

  const decoded = Status.decode(raw);
  return decoded.details
    .filter((any: Any) => any.typeUrl === BAD_REQUEST_TYPE_URL)
    .flatMap((any: Any) => BadRequest.decode(any.value).fieldViolations)
    .map((v) => ({ field: v.field, description: v.description, reason: v.reason }));
}
