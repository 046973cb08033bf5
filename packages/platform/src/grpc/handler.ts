import type { Metadata, ServerReadableStream, ServerUnaryCall, ServerWritableStream, UntypedServiceImplementation, sendUnaryData } from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import { context as otelContext, propagation, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import type { Caller, Role } from '../auth/caller.js';
import type { TokenVerifier } from '../auth/jwt.js';
import { PermissionDeniedError, UnauthenticatedError } from '../errors.js';
import type { Logger } from '../log.js';
import { spanAttributes } from '../otel/attributes.js';
import { pinzhiMetrics } from '../otel/metrics.js';
import { toStatusObject } from './status.js';

/**
 * Who may call a method: `public` (no token needed, e.g. certificate verification),
 * `authenticated` (any valid token) or an explicit list of roles. This is the role matrix;
 * it is declared beside each handler and enforced here, in one place.
 */
export type Access = 'public' | 'authenticated' | { roles: readonly Role[] };

export interface CallContext {
  /** Full method path, e.g. `/pinzhi.grading.v1.GradingService/IssueGrade`. */
  method: string;
  caller: Caller;
  metadata: Metadata;
  /** Aborted when the client cancels or the deadline passes. */
  signal: AbortSignal;
  logger: Logger;
}

export interface PublicCallContext extends Omit<CallContext, 'caller'> {
  /** Present when the public caller sent a valid token anyway. */
  caller: Caller | undefined;
}

type ContextFor<A extends Access> = A extends 'public' ? PublicCallContext : CallContext;

export type UnaryMethod<Q, R, A extends Access = Access> = {
  access: A;
  handle(request: Q, ctx: ContextFor<A>): Promise<R>;
};
export type ServerStreamMethod<Q, R, A extends Access = Access> = {
  access: A;
  /** `send` resolves when the message is flushed, so a slow reader slows the producer. */
  handle(request: Q, ctx: ContextFor<A>, send: (response: R) => Promise<void>): Promise<void>;
};
export type ClientStreamMethod<Q, R, A extends Access = Access> = {
  access: A;
  handle(requests: AsyncIterable<Q>, ctx: ContextFor<A>): Promise<R>;
};

interface MethodDefinition {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestDeserialize(bytes: Buffer): unknown;
  responseSerialize(value: never): Buffer;
}
export type ServiceDefinitionLike = Record<string, MethodDefinition>;

type RequestOf<M> = M extends { requestDeserialize(bytes: Buffer): infer Q } ? Q : never;
type ResponseOf<M> = M extends { responseSerialize(value: infer R): Buffer } ? R : never;

type MethodFor<M> = M extends { requestStream: false; responseStream: false }
  ? UnaryMethod<RequestOf<M>, ResponseOf<M>, 'public'> | UnaryMethod<RequestOf<M>, ResponseOf<M>, Exclude<Access, 'public'>>
  : M extends { requestStream: false; responseStream: true }
    ? ServerStreamMethod<RequestOf<M>, ResponseOf<M>, 'public'> | ServerStreamMethod<RequestOf<M>, ResponseOf<M>, Exclude<Access, 'public'>>
    : M extends { requestStream: true; responseStream: false }
      ? ClientStreamMethod<RequestOf<M>, ResponseOf<M>, 'public'> | ClientStreamMethod<RequestOf<M>, ResponseOf<M>, Exclude<Access, 'public'>>
      : never;

/** One entry per RPC of the service; the compiler checks request and response types. */
export type ServiceHandlers<D extends ServiceDefinitionLike> = { [K in keyof D]: MethodFor<D[K]> };

export interface HandlerDeps {
  verifier: TokenVerifier;
  logger: Logger;
}

/**
 * Turns `async (request, ctx) => response` handlers into a grpc-js implementation. The
 * wrapper authenticates and authorises the caller, answers exactly once, maps every error
 * through the one status table and marks the active span. Handlers never see a callback.
 */
export function implementService<D extends ServiceDefinitionLike>(
  definition: D,
  handlers: ServiceHandlers<D>,
  deps: HandlerDeps,
): UntypedServiceImplementation {
  const implementation: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const handler = handlers[name as keyof D] as AnyMethod;
    if (method.requestStream && method.responseStream) {
      throw new Error(`${method.path}: bidirectional streaming is not supported by implementService`);
    }
    const kind = method.requestStream ? 'clientStream' : method.responseStream ? 'serverStream' : 'unary';
    implementation[name] = wrap(kind, method.path, handler, deps);
  }
  return implementation;
}

type AnyMethod = {
  access: Access;
  handle(...args: unknown[]): Promise<unknown>;
};

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown> | ServerReadableStream<unknown, unknown>;

function wrap(kind: 'unary' | 'serverStream' | 'clientStream', path: string, method: AnyMethod, deps: HandlerDeps) {
  const logger = deps.logger.child({ rpc: path });

  async function context(call: AnyCall): Promise<CallContext | PublicCallContext> {
    const controller = new AbortController();
    (call as ServerUnaryCall<unknown, unknown>).on('cancelled', () => controller.abort(new Error('the call was cancelled')));
    const caller = await authorize(method.access, call.metadata, deps.verifier);
    const span = trace.getActiveSpan();
    if (caller && span) {
      span.setAttributes({ [spanAttributes.callerRole]: caller.role, [spanAttributes.callerOrg]: caller.org });
    }
    return { method: path, caller, metadata: call.metadata, signal: controller.signal, logger } as CallContext;
  }

  /**
   * Answering can itself throw (grpc-js rejects a status it cannot encode); left alone that is
   * an unhandled rejection, which stops the whole process. Logged instead: one call is lost.
   */
  function unanswered(error: unknown) {
    logger.error({ err: error }, 'could not send the answer of a call');
  }

  function fail(error: unknown) {
    const status = toStatusObject(error, logger);
    pinzhiMetrics.refused(path, grpcStatus[status.code ?? grpcStatus.UNKNOWN]);
    const span = trace.getActiveSpan();
    if (span) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: status.details });
      span.setAttribute(spanAttributes.errorType, (error as Error)?.name ?? 'unknown');
      if (error instanceof Error) span.recordException(error);
    }
    return status;
  }

  switch (kind) {
    case 'unary':
      return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        otelContext.with(callerTrace(call.metadata), () =>
          context(call)
            .then((ctx) => method.handle(call.request, ctx))
            .then(
              (response) => callback(null, response),
              (error: unknown) => callback(fail(error)),
            )
            .catch(unanswered),
        );
      };
    case 'clientStream':
      return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        context(call)
          .then((ctx) => method.handle(call as AsyncIterable<unknown>, ctx))
          .then(
            (response) => callback(null, response),
            (error: unknown) => callback(fail(error)),
          )
          .catch(unanswered);
      };
    case 'serverStream':
      return (call: ServerWritableStream<unknown, unknown>) => {
        const send = (message: unknown) =>
          new Promise<void>((resolve, reject) => {
            if (call.cancelled) return reject(new Error('the call was cancelled'));
            if (call.write(message)) resolve();
            else call.once('drain', () => resolve());
          });
        context(call)
          .then((ctx) => method.handle(call.request, ctx, send))
          .then(
            () => call.end(),
            (error: unknown) => {
              if (!call.cancelled) call.emit('error', fail(error));
            },
          )
          .catch(unanswered);
      };
  }
}

/**
 * The caller's trace context. The gRPC instrumentation (loaded by the telemetry preload)
 * normally makes a server span of it; where it is not loaded (a service started in-process by
 * a test) the caller's `traceparent` is still honoured, so the events a call causes carry it.
 */
function callerTrace(metadata: Metadata): Context {
  const active = otelContext.active();
  if (trace.getSpan(active)) return active;
  const header = (name: string) => {
    const value = metadata.get(name)[0];
    return typeof value === 'string' ? value : undefined;
  };
  const carrier: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) {
    const value = header(name);
    if (value) carrier[name] = value;
  }
  return Object.keys(carrier).length > 0 ? propagation.extract(active, carrier) : active;
}

async function authorize(access: Access, metadata: Metadata, verifier: TokenVerifier): Promise<Caller | undefined> {
  const header = metadata.get('authorization')[0];
  const token = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  if (access === 'public') {
    return token ? verifier.verify(token).catch(() => undefined) : undefined;
  }
  if (!token) throw new UnauthenticatedError('missing bearer token in the authorization metadata');
  const caller = await verifier.verify(token);
  if (access !== 'authenticated' && !access.roles.includes(caller.role)) {
    throw new PermissionDeniedError(`role ${caller.role} may not call this method (allowed: ${access.roles.join(', ')})`);
  }
  return caller;
}
