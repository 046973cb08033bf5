import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningHttpServer {
  /** host:port the server listens on (port 0 in tests picks a free one). */
  address: string;
  close(): Promise<void>;
}

/** Starts the portal's HTTP server; `handle` answers every request. */
export async function startHttpServer(options: {
  host: string;
  port: number;
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;
}): Promise<RunningHttpServer> {
  const server = createServer((request, response) => {
    Promise.resolve(options.handle(request, response)).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
