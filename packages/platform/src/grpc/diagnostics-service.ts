import {
  DiagnosticsServiceService,
  type AdminEchoRequest,
  type AdminEchoResponse,
  type EchoRequest,
  type EchoResponse,
} from '@pinzhi/contracts/pinzhi/diagnostics/v1/diagnostics';
import { InvalidArgumentError } from '../errors.js';
import type { ServiceHandlers } from './handler.js';

/**
 * Handlers of pinzhi.diagnostics.v1.DiagnosticsService: the whole request path (auth, role
 * matrix, error mapping) with no business logic, for smoke tests and the gRPC floor.
 */
export const diagnosticsHandlers: ServiceHandlers<typeof DiagnosticsServiceService> = {
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
};

export { DiagnosticsServiceService };
