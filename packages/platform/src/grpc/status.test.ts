import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from '../errors.js';
import { fieldViolationsOf, toStatusObject } from './status.js';

describe('toStatusObject', () => {
  it.each([
    [new InvalidArgumentError('bad'), status.INVALID_ARGUMENT],
    [new NotFoundError('no such product'), status.NOT_FOUND],
    [new AlreadyExistsError('duplicate GTIN'), status.ALREADY_EXISTS],
    [new FailedPreconditionError('grade is revoked'), status.FAILED_PRECONDITION],
    [new PermissionDeniedError('outside scope'), status.PERMISSION_DENIED],
    [new UnauthenticatedError('no token'), status.UNAUTHENTICATED],
    [new ResourceExhaustedError('at most 1000 items per call'), status.RESOURCE_EXHAUSTED],
    [new UnavailableError('db down'), status.UNAVAILABLE],
  ])('maps %s to its gRPC code with its message', (error, code) => {
    expect(toStatusObject(error)).toMatchObject({ code, details: error.message });
  });

  it('round-trips field violations through grpc-status-details-bin', () => {
    const violations = [
      { field: 'product.gtin', description: 'check digit should be 2', reason: 'CHECK_DIGIT_MISMATCH' },
      { field: 'product.category', description: 'unknown category', reason: 'UNKNOWN_CATEGORY' },
    ];
    const result = toStatusObject(new InvalidArgumentError('invalid product', violations));
    expect(fieldViolationsOf({ metadata: result.metadata! })).toEqual(violations);
  });

  it('hides unknown errors behind INTERNAL and a generic message', () => {
    expect(toStatusObject(new TypeError('secret internals'))).toMatchObject({
      code: status.INTERNAL,
      details: 'internal error',
    });
  });

  it('maps an unreachable MongoDB to UNAVAILABLE', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoServerSelectionError' });
    expect(toStatusObject(error).code).toBe(status.UNAVAILABLE);
  });

  it('finds no violations on a plain error', () => {
    expect(fieldViolationsOf({ metadata: new Metadata() })).toEqual([]);
  });
});
