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

/** Throws InvalidArgumentError when any violation was found; otherwise does nothing. */
export function assertNoViolations(violations: readonly FieldViolation[], message = 'the request is invalid'): void {
  if (violations.length > 0) {
    const summary = violations.map((v) => `${v.field}: ${v.description}`).join('; ');
    throw new InvalidArgumentError(`${message}: ${summary}`, violations);
  }
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
  'MongoServerSelectionError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'KafkaJSConnectionError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSRequestTimeoutError',
]);

/** A driver error that means MongoDB or Kafka cannot be reached right now. */
export function isBackendUnavailable(error: unknown): boolean {
  if (error instanceof UnavailableError) return true;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && unavailableDriverErrors.has(name);
}
