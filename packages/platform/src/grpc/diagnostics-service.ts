import {
  DiagnosticsServiceService,
  type AdminEchoRequest,
  type AdminEchoResponse,
  type EchoRequest,
  type EchoResponse,
  type GetServiceStatusResponse,
} from '@pinzhi/contracts/pinzhi/diagnostics/v1/diagnostics';
import { InvalidArgumentError } from '../errors.js';
import type { ServiceHandlers } from './handler.js';

/** What GetServiceStatus reports; the service kit gathers it from its health monitor, consumers and relay. */
export type ServiceStatusReport = GetServiceStatusResponse;

/**
 * Handlers of pinzhi.diagnostics.v1.DiagnosticsService: Echo and AdminEcho exercise the whole
 * request path (auth, role matrix, error mapping) with no business logic, for smoke tests and
 * the gRPC floor; GetServiceStatus reports what `status` gathers.
 */
export function diagnosticsHandlersWith(status: () => Promise<ServiceStatusReport>): ServiceHandlers<typeof DiagnosticsServiceService> {
  return {
    ...echoHandlers,
    getServiceStatus: {
      access: { roles: ['admin'] },
      handle: () => status(),
    },
  };
}

const echoHandlers = {
  echo: {
    access: 'authenticated',
    async handle(request: EchoRequest, ctx): Promise<EchoResponse> {
      if (request.message.length > 4096) {
        // Quotes the value on purpose, as careless handlers do: the status bounds in
        // grpc/status.ts, not each handler's care, must keep the answer deliverable.
        throw new InvalidArgumentError('message is too long', [
          { field: 'message', description: `at most 4096 characters, got ${request.message.length}: '${request.message}'`, reason: 'TOO_LONG' },
        ]);
      }
      return { message: request.message, callerRole: ctx.caller.role, callerOrg: ctx.caller.org };
    },
  },
  adminEcho: {
    access: { roles: ['admin'] },
    async handle(request: AdminEchoRequest): Promise<AdminEchoResponse> {
      return { message: request.message };
    },
  },
} satisfies Omit<ServiceHandlers<typeof DiagnosticsServiceService>, 'getServiceStatus'>;

/** The handlers outside a service (tests, the baseline bench): a status with nothing to report. */
export const diagnosticsHandlers = diagnosticsHandlersWith(async () => ({
  service: '',
  servingStatus: 'SERVING',
  dependencies: [],
  consumers: [],
  outboxPending: 0,
}));

export { DiagnosticsServiceService };
