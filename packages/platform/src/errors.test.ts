import { MongoBulkWriteError, MongoNetworkError, MongoNotConnectedError, MongoServerError, MongoServerSelectionError, MongoWriteConcernError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import {
  asPinzhiError,
  assertNoViolations,
  InvalidArgumentError,
  isBackendUnavailable,
  isRetriable,
  NotFoundError,
  PinzhiError,
  UNAVAILABLE_MESSAGE,
  UnavailableError,
} from './errors.js';

// Driver errors as mongodb 7.9 builds them: a bulk write (insertMany, bulkWrite) that meets a
// dropped connection or no server wraps the driver error as its `errorResponse`.
const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const networkError = () => new MongoNetworkError('connection 4 to 127.0.0.1:27017 closed', { cause: reset() });
const selectionError = () => new MongoServerSelectionError('Server selection timed out after 5000 ms', {} as never);
const bulkOf = (error: unknown) => new MongoBulkWriteError(error as never, {} as never);
/** The shape of the driver's WriteError (exported as a type only): code, index, errmsg, errInfo. */
const writeErrorOf = (code: number, errmsg: string) => ({ index: 0, code, errmsg, errInfo: undefined });

describe('isBackendUnavailable', () => {
  it.each([
    ['a network error', networkError()],
    ['a server-selection timeout', selectionError()],
    ['a client that is not connected', new MongoNotConnectedError('client must be connected')],
    ['a bulk write broken by a dropped connection', bulkOf(networkError())],
    ['a bulk write that found no server', bulkOf(selectionError())],
    ['a bulk write on a client that is not connected', bulkOf(new MongoNotConnectedError('client must be connected'))],
    ['a pool cleared after a network error', Object.assign(new Error('pool cleared'), { name: 'PoolClearedOnNetworkError' })],
    ['a bare socket reset in a cause', new Error('write failed', { cause: reset() })],
    ['a server shutting down', new MongoServerError({ message: 'interrupted at shutdown', code: 11600 })],
    [
      'a write concern failure on shutdown inside a bulk write',
      bulkOf(new MongoWriteConcernError({ writeConcernError: { code: 91, errmsg: 'shutdown in progress' }, ok: 1 } as never)),
    ],
    ['a stepped-down primary among the write errors', bulkOf({ message: 'not primary', code: 10107, writeErrors: [writeErrorOf(10107, 'not primary')] })],
    ["a network error in a write error's errInfo", { name: 'SomeWrapper', errInfo: networkError() }],
  ])('recognises %s', (_what, error) => {
    expect(isBackendUnavailable(error)).toBe(true);
    expect(isRetriable(error)).toBe(true);
  });

  it.each([
    ['a duplicate key', bulkOf({ message: 'E11000 duplicate key', code: 11000, writeErrors: [writeErrorOf(11000, 'E11000 duplicate key')] })],
    ['a validation failure', new MongoServerError({ message: 'Document failed validation', code: 121 })],
    ['a gRPC ALREADY_EXISTS (code 6, not MongoDB HostUnreachable)', Object.assign(new Error('6 ALREADY_EXISTS'), { code: 6 })],
    ['a plain error', new TypeError('x is undefined')],
    ['a value that is not an error', 'ECONNRESET'],
  ])('does not take %s for an outage', (_what, error) => {
    expect(isBackendUnavailable(error)).toBe(false);
  });

  it('stops on a cycle of causes', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isBackendUnavailable(a)).toBe(false);
  });
});

describe('asPinzhiError', () => {
  it('keeps our own errors as they are', () => {
    const error = new NotFoundError('products/1 does not exist');
    expect(asPinzhiError(error)).toBe(error);
  });

  it('turns an outage into a retriable UnavailableError that says a retry is safe, keeping the cause', () => {
    const cause = bulkOf(networkError());
    const error = asPinzhiError(cause);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retriable: true, message: UNAVAILABLE_MESSAGE, cause });
  });

  it('turns anything else into INTERNAL with a generic message', () => {
    const error = asPinzhiError(new TypeError('secret internals'));
    expect(error).toBeInstanceOf(PinzhiError);
    expect(error).toMatchObject({ code: 'INTERNAL', message: 'internal error', retriable: false });
  });
});

describe('assertNoViolations', () => {
  it('summarises at most five violations, each clipped', () => {
    const violations = Array.from({ length: 8 }, (_, i) => ({ field: `f${i}`, description: 'y'.repeat(70_000) }));
    const error = (() => {
      try {
        assertNoViolations(violations);
      } catch (e) {
        return e as InvalidArgumentError;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error!.violations).toHaveLength(8);
    expect(error!.message.length).toBeLessThan(1200);
    expect(error!.message).toMatch(/… and 3 more$/);
  });
});
