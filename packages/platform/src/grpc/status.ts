import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { Any } from '@pinzhi/contracts/google/protobuf/any';
import { BadRequest } from '@pinzhi/contracts/google/rpc/error_details';
import { Status } from '@pinzhi/contracts/google/rpc/status';
import type { Logger } from '../log.js';
import { PinzhiError, isBackendUnavailable, type ErrorCode, type FieldViolation } from '../errors.js';

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
 * Turns any thrown value into the status a caller sees. Field violations travel as a
 * `google.rpc.BadRequest` inside `grpc-status-details-bin`, the rich-error convention every
 * gRPC ecosystem decodes. Errors that are not ours become INTERNAL with a generic message;
 * their cause is logged, never sent.
 */
export function toStatusObject(error: unknown, logger?: Logger): Partial<StatusObject> {
  if (error instanceof PinzhiError) {
    const code = grpcStatusByErrorCode[error.code];
    const metadata = new Metadata();
    if (error.violations.length > 0) {
      metadata.set(DETAILS_KEY, encodeStatusDetails(code, error.message, error.violations));
    }
    if (code === status.INTERNAL) logger?.error({ err: error }, 'internal error');
    return { code, details: error.message, metadata };
  }
  if (isBackendUnavailable(error)) {
    logger?.warn({ err: error }, 'backing server unavailable');
    return { code: status.UNAVAILABLE, details: 'a backing server is unavailable; retry later', metadata: new Metadata() };
  }
  logger?.error({ err: error }, 'unexpected error');
  return { code: status.INTERNAL, details: 'internal error', metadata: new Metadata() };
}

function encodeStatusDetails(code: status, message: string, violations: readonly FieldViolation[]): Buffer {
  const badRequest = BadRequest.encode({
    fieldViolations: violations.map((v) => ({ field: v.field, description: v.description, reason: v.reason ?? '' })),
  }).finish();
  return Buffer.from(
    Status.encode({ code, message, details: [{ typeUrl: BAD_REQUEST_TYPE_URL, value: Buffer.from(badRequest) }] }).finish(),
  );
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
