/* global process, Buffer, console */
// A marketplace's webhook endpoint, in plain Node (no dependencies): verifies each delivery
// with the Standard Webhooks algorithm, refuses stale or forged ones, remembers webhook-ids so
// a retry is applied once, and prints the event.
//
//   WEBHOOK_SECRET=whsec_... node examples/webhook-receiver/receiver.mjs [port]
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.WEBHOOK_SECRET ?? '';
if (!secret.startsWith('whsec_')) {
  console.error('set WEBHOOK_SECRET to the secret CreateSubscription returned (whsec_...)');
  process.exit(2);
}
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
const port = Number(process.argv[2] ?? 9000);
const seen = new Set();

function verified(headers, body) {
  const id = headers['webhook-id'];
  const timestamp = Number(headers['webhook-timestamp']);
  // Five minutes either way: an old delivery replayed by someone else is refused.
  if (!id || !Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) return false;
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64'));
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .map((s) => Buffer.from(s.replace(/^v1,/, '')))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}

createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    if (!verified(request.headers, body)) return void response.writeHead(401).end();
    const id = request.headers['webhook-id'];
    if (!seen.has(id)) {
      seen.add(id);
      const event = JSON.parse(body);
      const grade = event.data?.grade;
      console.log(`${event.type} ${event.subject ?? ''}${grade ? ` ${grade.gtin} ${grade.standardCode} ${grade.level}` : ''} (${id})`);
    }
    response.writeHead(204).end();
  });
}).listen(port, '127.0.0.1', () => console.log(`webhook receiver on http://127.0.0.1:${port}/hook`));
