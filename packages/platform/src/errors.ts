import { clip } from './text-policy.js';

/**
 * The one error family of pinzhi. Domain and use-case code throws these; adapters map them
 * (grpc/status.ts for gRPC, the consumer for Kafka) and never invent codes of their own.
 * Modelled on node-mongodb-native and kafkajs: every error says whether a retry may help
 * (`retriable`, false unless stated) and keeps its `cause`.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'INTERNAL';

/** One bad field of a request: `field` is a path such as `product.gtin` or `indicators[2].value`. */
export interface FieldViolation {
  field: string;
  description: string;
  /** Stable UPPER_SNAKE reason a client can branch on, e.g. `CHECK_DIGIT_MISMATCH`. */
  reason?: string;
}

export interface PinzhiErrorOptions {
  violations?: readonly FieldViolation[];
  retriable?: boolean;
  cause?: unknown;
}

export class PinzhiError extends Error {
  readonly code: ErrorCode;
  readonly violations: readonly FieldViolation[];
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: PinzhiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.violations = options.violations ?? [];
    this.retriable = options.retriable ?? false;
  }
}

export class InvalidArgumentError extends PinzhiError {
  constructor(message: string, violations: readonly FieldViolation[] = [], options: PinzhiErrorOptions = {}) {
    super('INVALID_ARGUMENT', message, { ...options, violations });
  }
}

export class NotFoundError extends PinzhiError {
  constructor(message: string, options: PinzhiErrorOptions = {}) {
    super('NOT_FOUND', message, options);
  }
}

export class AlreadyExistsError extends PinzhiError {
  constructor(message: string, violations: readonly FieldViolation[] = [], options: PinzhiErrorOptions = {}) {
    super('ALREADY_EXISTS', message, { ...options, violations });
  }
}

/** An operation that is illegal in the aggregate's current state, e.g. downgrading a revoked grade. */
export class FailedPreconditionError extends PinzhiError {
  constructor(message: string, options: PinzhiErrorOptions = {}) {
    super('FAILED_PRECONDITION', message, options);
  }
}

export class PermissionDeniedError extends PinzhiError {
  constructor(message: string, options: PinzhiErrorOptions = {}) {
    super('PERMISSION_DENIED', message, options);
  }
}

export class UnauthenticatedError extends PinzhiError {
  constructor(message: string, options: PinzhiErrorOptions = {}) {
    super('UNAUTHENTICATED', message, options);
  }
}

/**
 * A bound on what one caller may ask for at once was reached, e.g. items per IssueGrades
 * call. Not retriable: the same request meets the same bound; the caller must send less.
 */
export class ResourceExhaustedError extends PinzhiError {
  constructor(message: string, options: PinzhiErrorOptions = {}) {
    super('RESOURCE_EXHAUSTED', message, options);
  }
}

/** A backing server (MongoDB, Kafka) cannot be reached; retrying later may succeed. */
export class UnavailableError extends PinzhiError {
  constructor(message: string, options: PinzhiErrorOptions = {}) {
    super('UNAVAILABLE', message, { retriable: true, ...options });
  }
}

/** A setting is missing, malformed or points at a server that does not answer. Stops boot. */
export class ConfigError extends Error {
  constructor(
    readonly settings: readonly string[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/**
 * Throws InvalidArgumentError when any violation was found; otherwise does nothing. The
 * message summarises the first few, each clipped: a description may quote the request, and
 * the message goes to logs and (clipped again) to the caller.
 */
export function assertNoViolations(violations: readonly FieldViolation[], message = 'the request is invalid'): void {
  if (violations.length > 0) {
    const shown = violations.slice(0, 5).map((v) => `${clip(v.field, 100)}: ${clip(v.description, 200)}`);
    if (violations.length > shown.length) shown.push(`… and ${violations.length - shown.length} more`);
    throw new InvalidArgumentError(`${message}: ${shown.join('; ')}`, violations);
  }
}

/** The value of a parse result (`{ ok, value }` or `{ ok: false, violations }`), or INVALID_ARGUMENT with its violations. */
export function valueOrThrow<T>(result: { ok: true; value: T } | { ok: false; violations: readonly FieldViolation[] }, message = 'the request is invalid'): T {
  if (!result.ok) assertNoViolations(result.violations, message);
  return (result as { value: T }).value;
}

export function isPinzhiError(error: unknown): error is PinzhiError {
  return error instanceof PinzhiError;
}

/**
 * Whether retrying the failed operation may help: our own errors say so; driver errors are
 * judged by their labels (MongoDB) or `retriable` flag (kafkajs); anything else is not.
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof PinzhiError) return error.retriable;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { retriable?: unknown; hasErrorLabel?: (label: string) => boolean; name?: unknown };
  if (typeof e.hasErrorLabel === 'function') {
    return e.hasErrorLabel('RetryableWriteError') || e.hasErrorLabel('ResetPool') || isBackendUnavailable(error);
  }
  return isBackendUnavailable(error) || e.retriable === true;
}

const unavailableDriverErrors = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoClientClosedError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoPoolClosedError',
  'PoolClearedOnNetworkError',
  'MongoWaitQueueTimeoutError',
  'KafkaJSConnectionError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSRequestTimeoutError',
]);

/** Socket errors of Node itself (the driver sometimes passes them on as the cause). */
const unavailableSocketCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * MongoDB server codes for "this node cannot serve you right now": host unreachable (6, 7),
 * network timeout (89), shutdown (91, 11600), primary stepped down or not primary (189,
 * 10107, 11602, 13435, 13436, 10058), socket error (9001). The driver's own list of
 * retryable codes, minus the write-concern and cursor cases that a retry would not fix.
 */
const unavailableServerCodes = new Set([6, 7, 89, 91, 189, 9001, 10058, 10107, 11600, 11602, 13435, 13436]);

/**
 * The errors nested in a driver error. A bulk write that meets a dropped connection throws a
 * MongoBulkWriteError whose `errorResponse` is the MongoNetworkError (mongodb 7.9); a
 * MongoNetworkError keeps the socket error as `cause`; per-document failures sit in
 * `writeErrors` (with `errInfo`), a write-concern failure in `err`.
 */
function nestedErrors(error: object): unknown[] {
  const e = error as { cause?: unknown; errorResponse?: unknown; writeErrors?: unknown; errInfo?: unknown; err?: unknown };
  const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors === undefined ? [] : [e.writeErrors];
  return [e.cause, e.errorResponse, e.errInfo, e.err, ...writeErrors];
}

/**
 * A driver error that means MongoDB or Kafka cannot be reached right now, however deeply the
 * driver wrapped it. Bounded: a cycle of causes or a pathological chain stops after 8 levels.
 */
export function isBackendUnavailable(error: unknown, depth = 0): boolean {
  if (error instanceof UnavailableError) return true;
  if (typeof error !== 'object' || error === null || depth > 8) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (typeof name === 'string' && unavailableDriverErrors.has(name)) return true;
  if (typeof code === 'string' && unavailableSocketCodes.has(code)) return true;
  // Numeric codes only from MongoDB (a name of its driver, or a raw server reply with errmsg):
  // a gRPC ServiceError's code 6 is ALREADY_EXISTS, not HostUnreachable.
  const fromMongo = (typeof name === 'string' && name.startsWith('Mongo')) || typeof (error as { errmsg?: unknown }).errmsg === 'string';
  if (fromMongo && typeof code === 'number' && unavailableServerCodes.has(code)) return true;
  return nestedErrors(error).some((nested) => nested !== error && isBackendUnavailable(nested, depth + 1));
}

/** What a caller is told when a backing server is down: the request did not take effect as a whole, so sending it again is safe. */
export const UNAVAILABLE_MESSAGE = 'a backing server is unavailable; retrying the same request later is safe';

/**
 * Every thrown value as a member of the family: ours as they are; a driver error that means a
 * backing server is down as UnavailableError (retriable); anything else as INTERNAL with a
 * generic message, its cause kept for the log and never sent.
 */
export function asPinzhiError(error: unknown): PinzhiError {
  if (error instanceof PinzhiError) return error;
  if (isBackendUnavailable(error)) return new UnavailableError(UNAVAILABLE_MESSAGE, { cause: error });
  return new PinzhiError('INTERNAL', 'internal error', { cause: error });
}
