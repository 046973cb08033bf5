/* global process, Buffer, console, setTimeout */
// Waits until each gRPC server on the given ports reports SERVING on grpc.health.v1 (the
// server as a whole), or the time limit passes; prints which did not. Used by `npm start`,
// so "pinzhi is running" is said only when it is true.
//   node wait-serving.mjs <timeout-seconds> name=port [name=port …]
import { Client, credentials } from '@grpc/grpc-js';

const [limit, ...targets] = process.argv.slice(2);
const deadline = Date.now() + Number(limit) * 1000;
// HealthCheckRequest{service:""} is the empty message; the response's field 1 is the status (1 = SERVING).
const check = (client) =>
  new Promise((resolve) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      () => Buffer.alloc(0),
      (b) => b,
      {},
      { deadline: Date.now() + 1000 },
      (error, reply) => resolve(!error && reply.length >= 2 && reply[0] === 0x08 && reply[1] === 1),
    );
  });

const waiting = new Map(targets.map((t) => t.split('=')).map(([name, port]) => [name, new Client(`127.0.0.1:${port}`, credentials.createInsecure())]));
const started = Date.now();
while (waiting.size > 0 && Date.now() < deadline) {
  for (const [name, client] of waiting) {
    if (await check(client)) {
      console.log(`[pinzhi]   ${name} SERVING after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      client.close();
      waiting.delete(name);
    }
  }
  if (waiting.size > 0) await new Promise((r) => setTimeout(r, 200));
}
for (const [name, client] of waiting) {
  console.log(`[pinzhi]   ${name} is not SERVING after ${limit} s (see its log above)`);
  client.close();
}
process.exit(waiting.size > 0 ? 1 : 0);
