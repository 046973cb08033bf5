import { Metadata, status } from '@grpc/grpc-js';
import fc from 'fast-check';
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
import { MongoBulkWriteError, MongoNetworkError } from 'mongodb';
import { fieldViolationsOf, statusLimits, toStatusObject } from './status.js';

/** Bytes the status puts in the HTTP/2 trailers, as grpc-js sends them (grpc-message is encodeURI'd, -bin is base64). */
function trailerBytes(result: ReturnType<typeof toStatusObject>): number {
  const headers = { 'grpc-status': String(result.code), 'grpc-message': encodeURI(result.details!), ...result.metadata!.toHttp2Headers() };
  return Object.entries(headers).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
}

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

  it('keeps a status with 1 000 violations of 70 000 characters under 8 KB of trailers', () => {
    const huge = 'x'.repeat(70_000);
    const violations = Array.from({ length: 1000 }, (_, i) => ({ field: `items[${i}].name`, description: `got '${huge}'`, reason: 'TOO_LONG' }));
    const result = toStatusObject(new InvalidArgumentError(`invalid: ${huge}`, violations));
    expect(trailerBytes(result)).toBeLessThan(8 * 1024);
    expect(result.details!.length).toBeLessThanOrEqual(statusLimits.messageChars);
    const sent = fieldViolationsOf({ metadata: result.metadata! });
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.slice(0, -1).every((v) => v.description.length <= statusLimits.descriptionChars && v.description.endsWith('…'))).toBe(true);
    expect(sent.at(-1)).toEqual({ field: '', description: `… and ${1000 - (sent.length - 1)} more`, reason: 'MORE_VIOLATIONS' });
  });

  it('keeps the worst case of multi-byte text under 8 KB too', () => {
    // Three-byte characters, sized so that three violations fill the byte budget exactly.
    const chinese = (n: number) => '质'.repeat(n);
    const violations = Array.from({ length: 1000 }, () => ({ field: chinese(142), description: chinese(142) }));
    const bytes = trailerBytes(toStatusObject(new InvalidArgumentError(chinese(70_000), violations)));
    expect(bytes).toBeLessThan(6.5 * 1024);
  });

  it('sends up to 50 short violations whole', () => {
    const violations = Array.from({ length: 60 }, (_, i) => ({ field: `items[${i}].gtin`, description: 'required', reason: 'REQUIRED' }));
    const sent = fieldViolationsOf({ metadata: toStatusObject(new InvalidArgumentError('bad', violations)).metadata! });
    expect(sent).toHaveLength(statusLimits.violations + 1);
    expect(sent.slice(0, 50)).toEqual(violations.slice(0, 50));
    expect(sent[50]!.description).toBe('… and 10 more');
  });

  it('maps a bulk write broken by a dropped connection to UNAVAILABLE, saying a retry is safe', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const bulk = new MongoBulkWriteError(new MongoNetworkError('connection 4 to 127.0.0.1:27017 closed', { cause: reset }) as never, {} as never);
    expect(toStatusObject(bulk)).toMatchObject({ code: status.UNAVAILABLE, details: expect.stringMatching(/retrying the same request .*is safe/) });
  });

  it('never sends a lone surrogate, which grpc-js cannot percent-encode', () => {
    const halfEmoji = '👍'.slice(0, 1);
    const result = toStatusObject(new InvalidArgumentError(`bad ${halfEmoji}`, [{ field: 'f', description: `got ${halfEmoji}` }]));
    expect(() => encodeURI(result.details!)).not.toThrow();
    expect(result.details).toBe('bad \uFFFD');
    expect(fieldViolationsOf({ metadata: result.metadata! })[0]!.description).toBe('got \uFFFD');
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

describe('toStatusObject on arbitrary violations (fast-check)', () => {
  it('always fits the trailers under 8 KB and round-trips what it keeps', () => {
    // Any UTF-16 code unit, lone surrogates included.
    const text = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 5000 });
    const violation = fc.record({ field: text, description: text, reason: fc.option(text, { nil: undefined }) });
    fc.assert(
      fc.property(text, fc.array(violation, { minLength: 1, maxLength: 300 }), (message, violations) => {
        const result = toStatusObject(new InvalidArgumentError(message, violations));
        expect(trailerBytes(result)).toBeLessThan(8 * 1024); // trailerBytes runs encodeURI, as grpc-js does
        expect(fieldViolationsOf({ metadata: result.metadata! }).length).toBeLessThanOrEqual(statusLimits.violations + 1);
      }),
      { numRuns: 300 },
    );
  });
});
