/**
 * The security suite's kit, shared by every service's suite: hostile callers and hostile input
 * against one gRPC service, table-driven and generated from the service's own descriptors
 * (protos/ via buf's descriptor set), so a new RPC or field is probed without anyone writing
 * a test for it:
 * 1. the authorization matrix: every RPC × every kind of caller (no token, a garbage, forged,
 *    expired or over-long-lived token, each role) against the table the suite states;
 * 2. bad-input classes: every string, integer and enum field of every request (two message
 *    levels deep) × every class of hostile value, as a caller the method allows;
 * 3. a fast-check fuzz run: arbitrary text (any code unit, biased to astral, control and bidi
 *    characters) into arbitrary string fields, FUZZ_RUNS (default 5 000) requests per service.
 * Every probe must be answered promptly (2 s deadline) with a status that is not INTERNAL,
 * UNKNOWN or UNAVAILABLE and whose trailers stay well under grpc-js's 8 KiB metadata limit,
 * and no refused request may change stored state. Counts are printed and written to
 * test/bench/results/security.json under the service's key.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeGenericClientConstructor, Metadata, status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import fc from 'fast-check';
import { readDescriptorSet } from '@pinzhi/contracts';
import { roles, signToken, type CommonConfig, type PinzhiService, type Role, type RunningService } from '@pinzhi/platform';
import { loadSeeds } from '@pinzhi/catalogue/testing';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, dropDatabase, insecure, jwtSettings, logger, startServiceForTest } from '../support/harness.js';

const DEADLINE_MS = 2000;
/** grpc-js's default limit on received metadata; a status above it never reaches the client. */
const METADATA_LIMIT = 8 * 1024;
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 5000);

export type Allowed = 'public' | 'authenticated' | readonly Role[];

// --- hostile values ----------------------------------------------------------------------------

const hostileStrings: Record<string, string> = {
  'oversized (70 000 characters)': 'x'.repeat(70_000),
  'oversized multi-byte (20 000 CJK characters)': '质'.repeat(20_000),
  // Astral characters: any cut at an odd length leaves half a surrogate pair, which grpc-js
  // cannot put into grpc-message (encodeURI throws).
  'oversized astral (35 000 emoji)': 'x👍'.repeat(35_000),
  'astral at a 64-character boundary': `${'x'.repeat(62)}👍👍`,
  'control characters': 'a\u0000b\u0007c\u001b[31m',
  'bidi override': 'abc\u202egpj.exe',
  'prototype key __proto__': '__proto__',
  'prototype key constructor': 'constructor',
  'path traversal': '../../../etc/passwd',
  'malformed percent-escape': 'x/%E0%A4%A',
  'query operator text': '{"$gt":""}',
  noncharacters: '\uFFFE\uFFFF',
};
const hostileIntegers: Record<string, number> = { negative: -1, 'int32 maximum': 2_147_483_647 };
const hostileEnums: Record<string, number> = { 'unknown enum value': 999, 'negative enum value': -5 };
/** No write may store these, whatever the field: every field has a bound, a grammar or an enum. */
const refusedInEveryWrite = new Set([
  'oversized (70 000 characters)',
  'oversized multi-byte (20 000 CJK characters)',
  'oversized astral (35 000 emoji)',
  'control characters',
  'bidi override',
  'unknown enum value',
  'negative enum value',
]);

// --- descriptors -------------------------------------------------------------------------------

interface FieldDescriptor {
  name: string;
  type: string;
  label: string;
  typeName: string;
}
interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
}
interface MethodDefinition {
  path: string;
  originalName: string;
  requestStream: boolean;
  responseStream: boolean;
  requestType: { type: MessageDescriptor };
}

const definitions = loadFileDescriptorSetFromBuffer(readDescriptorSet(), {}) as unknown as Record<
  string,
  Record<string, MethodDefinition> & { type?: MessageDescriptor; format?: string }
>;

/** A message type by the (package-relative) name a field refers to it with, preferring the service's package. */
function messageType(typeName: string, pkg: string): MessageDescriptor | undefined {
  const candidates = Object.keys(definitions).filter(
    (k) => (k === typeName || k.endsWith(`.${typeName}`)) && definitions[k]!.format?.includes('DescriptorProto'),
  );
  const preferred = candidates.find((k) => k.startsWith(pkg)) ?? candidates.find((k) => k.startsWith('pinzhi.')) ?? candidates[0];
  return preferred ? definitions[preferred]!.type : undefined;
}

type Kind = 'string' | 'integer' | 'enum';
export interface Target {
  path: string[];
  kind: Kind;
  repeated: boolean;
}

const KINDS: Record<string, Kind> = {
  TYPE_STRING: 'string',
  TYPE_INT32: 'integer',
  TYPE_INT64: 'integer',
  TYPE_UINT32: 'integer',
  TYPE_SINT32: 'integer',
  TYPE_ENUM: 'enum',
};

/** Every scalar field a request can carry, down to `depth` message levels (output-only audit info left out). */
function targetsOf(message: MessageDescriptor, depth: number, pkg: string, prefix: string[] = []): Target[] {
  return message.field.flatMap((f): Target[] => {
    const repeated = f.label === 'LABEL_REPEATED';
    const kind = KINDS[f.type];
    if (kind) return [{ path: [...prefix, f.name], kind, repeated }];
    if (f.type !== 'TYPE_MESSAGE' || depth === 0 || repeated || f.name === 'audit') return [];
    const nested = messageType(f.typeName, pkg);
    return nested ? targetsOf(nested, depth - 1, pkg, [...prefix, f.name]) : [];
  });
}

export function withValue(base: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const request = structuredClone(base);
  let node = request;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path.at(-1)!] = value;
  return request;
}

// --- probing -----------------------------------------------------------------------------------

interface Outcome {
  code: status;
  details: string;
  ms: number;
  trailerBytes: number;
}

const codeName = (code: status) => status[code] ?? String(code);
const BROKEN = new Set([status.INTERNAL, status.UNKNOWN, status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

function outcomeOf(error: ServiceError | null, started: number): Outcome {
  const ms = performance.now() - started;
  if (!error) return { code: status.OK, details: '', ms, trailerBytes: 0 };
  const headers = { 'grpc-status': String(error.code), 'grpc-message': encodeURI(error.details ?? ''), ...error.metadata?.toHttp2Headers() };
  const trailerBytes = Object.entries(headers).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  return { code: error.code, details: error.details ?? '', ms, trailerBytes };
}

/** One call of any shape: unary; client streaming (one message, then end); server streaming (open, then cancel). */
function probeWith(client: Client & Record<string, (...args: unknown[]) => any>, method: MethodDefinition & { name: string }) {
  return (request: Record<string, unknown>, metadata: Metadata): Promise<Outcome> => {
    const started = performance.now();
    const options = { deadline: Date.now() + DEADLINE_MS };
    return new Promise((resolve) => {
      if (method.requestStream) {
        const call = client[method.name]!(metadata, options, (error: ServiceError | null) => resolve(outcomeOf(error, started)));
        call.write(request);
        call.end();
        return;
      }
      if (method.responseStream) {
        // An accepted stream stays open: answered when it fails, sends, or stays quiet 300 ms.
        const call = client[method.name]!(request, metadata, options) as ClientReadableStream<unknown>;
        let done = false;
        const finish = (error: ServiceError | null) => {
          if (done) return;
          done = true;
          clearTimeout(quiet);
          call.cancel();
          resolve(outcomeOf(error, started));
        };
        const quiet = setTimeout(() => finish(null), 300);
        call.on('data', () => finish(null));
        call.on('error', (error: ServiceError) => finish(error.code === status.CANCELLED ? null : error));
        return;
      }
      client[method.name]!(request, metadata, options, (error: ServiceError | null) => resolve(outcomeOf(error, started)));
    });
  };
}

/** The stored state of a service's database, less what changes on its own (outbox, marks, consumers' bookkeeping). */
async function fingerprintOf(db: Db): Promise<string> {
  const volatile = new Set(['outbox_pending', 'outbox_dead_letters', 'processed_events', 'service_leases']);
  const hash = createHash('sha256');
  const collections = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !volatile.has(n));
  for (const collection of collections.sort()) {
    const documents = await db
      .collection(collection)
      .find({}, { projection: { _outbox: 0 } })
      .sort({ _id: 1 })
      .toArray();
    hash.update(collection).update(JSON.stringify(documents));
  }
  return hash.digest('hex');
}

const resultsFile = fileURLToPath(new URL('../bench/results/security.json', import.meta.url));

/** Each suite writes its own key; the file holds one object per service. */
function writeResults(key: string, results: Record<string, unknown>): void {
  mkdirSync(fileURLToPath(new URL('../bench/results/', import.meta.url)), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    if (existsSync(resultsFile)) all = JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>;
  } catch {
    all = {};
  }
  // The file used to hold the catalogue's figures at its top level.
  if ('service' in all) all = {};
  all[key] = { measuredAt: new Date().toISOString(), ...results };
  writeFileSync(resultsFile, `${JSON.stringify(all, null, 2)}\n`);
}

// --- the suite ---------------------------------------------------------------------------------

export interface SecuritySpec {
  /** Key in security.json and in the printed lines, e.g. "grading". */
  key: string;
  /** Fully qualified gRPC service, e.g. "pinzhi.grading.v1.GradingService". */
  service: string;
  /** Who may call what, stated independently of the handlers. */
  matrix: Record<string, Allowed>;
  /** Starts the service for the test, seeded. */
  start(): Promise<RunningService & { ns: { dbName: string } }>;
  /** The organisation a role's token names (the enterprise and certifier the seeds know). */
  orgOf?(role: Role): string;
  /** Methods that answer OK with a result per item (IssueGrades): OK there stores nothing by itself. */
  perItemResults?: readonly string[];
  /** A request to put the hostile value into (default {}): e.g. an update aimed at a seeded resource. */
  baseFor?(
    method: string,
    target: Target,
    call: (method: string, request: Record<string, unknown>, metadata: Metadata) => Promise<unknown>,
  ): Promise<Record<string, unknown>>;
}

/** A service started for the test on a database holding the catalogue seeds (the enterprise, bodies, products the probes name). */
export async function seededService<C extends CommonConfig, E>(service: PinzhiService<C, E>): Promise<RunningService<C, E> & { ns: { dbName: string } }> {
  const running = await startServiceForTest(service);
  await loadSeeds(running.db, running.relay, logger);
  return running;
}

const defaultOrg = (role: Role) => (role === 'enterprise' ? '91320500MA1N7D4B8T' : role === 'certifier' ? 'CNAS C951-P' : 'ORG-TEST');

export function securitySuite(spec: SecuritySpec): void {
  const pkg = spec.service.slice(0, spec.service.lastIndexOf('.') + 1);
  const service = definitions[spec.service]!;
  const methods = Object.fromEntries(Object.entries(service).map(([name, m]) => [name, { ...(m as MethodDefinition), name }])) as Record<
    string,
    MethodDefinition & { name: string }
  >;
  const orgOf = spec.orgOf ?? defaultOrg;
  const results: Record<string, unknown> = { service: spec.service };
  let running: (RunningService & { ns: { dbName: string } }) | undefined;
  let client: Client & Record<string, (...args: unknown[]) => any>;
  const probe = (method: string, request: Record<string, unknown>, metadata: Metadata) => probeWith(client, methods[method]!)(request, metadata);
  /** The role whose token each method is probed with: admin where allowed, else the first allowed role. */
  const callerOf = (method: string): Role => {
    const allowed = spec.matrix[method]!;
    return allowed === 'public' || allowed === 'authenticated' || allowed.includes('admin') ? 'admin' : allowed[0]!;
  };
  const isWrite = (method: string) => !/^(Get|List|Verify|Search|Watch)/.test(method) && !(spec.perItemResults ?? []).includes(method);
  const callers = async () => Object.fromEntries(await Promise.all(roles.map(async (role) => [role, await bearer(role, orgOf(role))] as const)));
  const call = async (method: string, request: Record<string, unknown>, metadata: Metadata) =>
    new Promise((resolve, reject) =>
      client[method]!(request, metadata, { deadline: Date.now() + DEADLINE_MS }, (error: ServiceError | null, response: unknown) =>
        error ? reject(error) : resolve(response),
      ),
    );

  beforeAll(async () => {
    running = await spec.start();
    const Constructor = makeGenericClientConstructor(service as never, spec.key);
    client = new Constructor(running.address, insecure()) as typeof client;
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await running?.stop();
    if (running) await dropDatabase(running.ns.dbName);
    writeResults(spec.key, results);
  });

  describe(`${spec.key} under hostile callers`, () => {
    it('lists every RPC in the authorization matrix', () => {
      expect(Object.keys(service).sort()).toEqual(Object.keys(spec.matrix).sort());
    });

    it('answers every RPC × caller as the matrix says', async () => {
      const withToken = (token: string) => {
        const metadata = new Metadata();
        metadata.set('authorization', `Bearer ${token}`);
        return metadata;
      };
      const claims = { subject: 'mallory', role: 'admin' as const, org: 'pinzhi' };
      const refused: Record<string, Metadata> = {
        'no token': new Metadata(),
        'a garbage token': withToken('not-a-jwt'),
        'a token signed with another key': withToken(await signToken({ ...jwtSettings, secret: 'an-attackers-own-secret-0123456789abc' }, claims)),
        'an expired token': withToken(await signToken(jwtSettings, { ...claims, expiresIn: '-5m' })),
        'a token living 30 days': withToken(await signToken(jwtSettings, { ...claims, expiresIn: '30d' })),
        'a token for another audience': withToken(await signToken({ ...jwtSettings, audience: 'elsewhere' }, claims)),
      };
      const byRole = await callers();
      const failures: string[] = [];
      const tally: Record<string, number> = {};
      let probes = 0;
      const count = (outcome: Outcome) => {
        probes++;
        tally[codeName(outcome.code)] = (tally[codeName(outcome.code)] ?? 0) + 1;
      };
      for (const method of Object.keys(spec.matrix)) {
        const allowed = spec.matrix[method]!;
        for (const [who, metadata] of Object.entries(refused)) {
          const outcome = await probe(method, {}, metadata);
          count(outcome);
          // A public method ignores a bad token (it needs none); every other refuses it.
          if (allowed === 'public') {
            if (outcome.code === status.UNAUTHENTICATED || BROKEN.has(outcome.code))
              failures.push(`${method} (public) with ${who}: ${codeName(outcome.code)} (${outcome.details})`);
          } else if (outcome.code !== status.UNAUTHENTICATED) failures.push(`${method} with ${who}: ${codeName(outcome.code)} (${outcome.details})`);
        }
        for (const role of roles) {
          const outcome = await probe(method, {}, byRole[role]!);
          count(outcome);
          const mayCall = allowed === 'public' || allowed === 'authenticated' || allowed.includes(role);
          const deniedByRole = outcome.code === status.PERMISSION_DENIED && /may not call this method/.test(outcome.details);
          if (mayCall && (deniedByRole || outcome.code === status.UNAUTHENTICATED || BROKEN.has(outcome.code))) {
            failures.push(`${method} as ${role} (allowed): ${codeName(outcome.code)} (${outcome.details})`);
          }
          if (!mayCall && !deniedByRole) failures.push(`${method} as ${role} (not allowed): ${codeName(outcome.code)} (${outcome.details})`);
        }
      }
      results.authorization = { probes, rpcs: Object.keys(spec.matrix).length, callers: Object.keys(refused).length + roles.length, outcomes: tally, failures };
      process.stdout.write(`[security] ${spec.key} authorization matrix: ${probes} probes, ${failures.length} failures, outcomes ${JSON.stringify(tally)}\n`);
      expect(failures).toEqual([]);
    });

    it('answers every bad-input class on every field promptly, with a small status, and changes nothing it refuses', async () => {
      const byRole = await callers();
      const failures: string[] = [];
      const byCode: Record<string, number> = {};
      const byClass: Record<string, number> = {};
      /** Writes that succeeded: hostile-looking values a field legitimately accepts; listed for review. */
      const acceptedWrites: string[] = [];
      let probes = 0;
      let slowestMs = 0;
      let largestTrailerBytes = 0;
      const db = running!.db;
      let baseline = await fingerprintOf(db);
      for (const method of Object.keys(spec.matrix)) {
        const metadata = byRole[callerOf(method)]!;
        const definition = methods[method]!;
        for (const target of targetsOf(definition.requestType.type, 2, pkg)) {
          const values = target.kind === 'string' ? hostileStrings : target.kind === 'integer' ? hostileIntegers : hostileEnums;
          const base = spec.baseFor ? await spec.baseFor(method, target, call) : {};
          for (const [hostile, value] of Object.entries(values)) {
            const request = withValue(base, target.path, target.repeated ? [value] : value);
            const outcome = await probe(method, request, metadata);
            probes++;
            byCode[codeName(outcome.code)] = (byCode[codeName(outcome.code)] ?? 0) + 1;
            byClass[hostile] = (byClass[hostile] ?? 0) + 1;
            slowestMs = Math.max(slowestMs, outcome.ms);
            largestTrailerBytes = Math.max(largestTrailerBytes, outcome.trailerBytes);
            const where = `${method} ${target.path.join('.')} = ${hostile}`;
            if (BROKEN.has(outcome.code)) failures.push(`${where}: ${codeName(outcome.code)} (${outcome.details.slice(0, 120)})`);
            if (outcome.trailerBytes > METADATA_LIMIT / 2) failures.push(`${where}: ${outcome.trailerBytes} bytes of trailers`);
            // A success may change state (an update with an odd but acceptable name); the baseline follows it.
            if (outcome.code === status.OK && isWrite(method)) {
              if (refusedInEveryWrite.has(hostile)) failures.push(`${where}: stored`);
              acceptedWrites.push(where);
              baseline = await fingerprintOf(db);
            }
          }
        }
      }
      // Checked once at the end (a fingerprint per probe would cost minutes): any difference
      // from the state after the last success was made by a refused request.
      const unchanged = (await fingerprintOf(db)) === baseline;
      if (!unchanged) failures.push('a refused request changed the stored state');
      results.badInput = {
        probes,
        classes: Object.keys(hostileStrings).length + Object.keys(hostileIntegers).length + Object.keys(hostileEnums).length,
        byClass,
        outcomes: byCode,
        slowestMs: Math.round(slowestMs),
        largestTrailerBytes,
        refusedRequestsLeftStateUnchanged: unchanged,
        acceptedWrites,
        failures,
      };
      process.stdout.write(
        `[security] ${spec.key} bad input: ${probes} probes, ${failures.length} failures, slowest ${Math.round(slowestMs)} ms, largest trailers ${largestTrailerBytes} bytes, outcomes ${JSON.stringify(byCode)}\n`,
      );
      expect(failures).toEqual([]);
    }, 300_000);

    it(`holds on arbitrary text in arbitrary string fields (fast-check, ${FUZZ_RUNS} requests)`, async () => {
      const byRole = await callers();
      const targets = Object.keys(spec.matrix).flatMap((method) =>
        targetsOf(methods[method]!.requestType.type, 2, pkg)
          .filter((t) => t.kind === 'string')
          .map((target) => ({ method, target })),
      );
      const unit = fc.oneof(
        fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
        fc.constantFrom('a', '质', '👍', '\u0000', '\u001b', '\u202e', '\u2066', 'e\u0301', '%', '/', '{', '$'),
      );
      // Mostly short text, one in ten long enough to cross every limit.
      const text = fc.oneof(
        { arbitrary: fc.string({ unit, maxLength: 100 }), weight: 9 },
        { arbitrary: fc.string({ unit, minLength: 4000, maxLength: 80_000 }), weight: 1 },
      );
      const seed = Number(process.env.PINZHI_FUZZ_SEED ?? Date.now() % 2_147_483_647);
      const failures: string[] = [];
      const db = running!.db;
      const before = await fingerprintOf(db);
      let runs = 0;
      let accepted = 0;
      const started = performance.now();
      const run = await fc.check(
        fc.asyncProperty(fc.constantFrom(...targets), text, async ({ method, target }, value) => {
          runs++;
          const outcome = await probe(method, withValue({}, target.path, target.repeated ? [value] : value), byRole[callerOf(method)]!);
          const where = `${method} ${target.path.join('.')} (${value.length} units)`;
          if (BROKEN.has(outcome.code)) failures.push(`${where}: ${codeName(outcome.code)}`);
          if (outcome.trailerBytes > METADATA_LIMIT / 2) failures.push(`${where}: ${outcome.trailerBytes} bytes of trailers`);
          if (outcome.code === status.OK && isWrite(method)) accepted++;
          return !BROKEN.has(outcome.code) && outcome.trailerBytes <= METADATA_LIMIT / 2;
        }),
        { numRuns: FUZZ_RUNS, seed },
      );
      const seconds = (performance.now() - started) / 1000;
      // Requests built from one field alone miss every other required field: none may be stored.
      const unchanged = accepted > 0 || (await fingerprintOf(db)) === before;
      if (!unchanged) failures.push('a refused fuzz request changed the stored state');
      results.fuzz = {
        runs,
        seed,
        targets: targets.length,
        seconds: Math.round(seconds * 10) / 10,
        acceptedWrites: accepted,
        refusedRequestsLeftStateUnchanged: unchanged,
        failed: run.failed,
        failures: failures.slice(0, 20),
      };
      process.stdout.write(
        `[security] ${spec.key} fuzz: ${runs} requests over ${targets.length} string fields in ${seconds.toFixed(1)} s (seed ${seed}, PINZHI_FUZZ_SEED to replay), ${failures.length} failures\n`,
      );
      expect(failures).toEqual([]);
      expect(run.failed).toBe(false);
      // The service still answers after all of it.
      const after = await probe(
        Object.keys(spec.matrix).find((m) => spec.matrix[m] !== 'public' && /^(Get|List)/.test(m))!,
        {},
        byRole.admin!,
      );
      expect(BROKEN.has(after.code)).toBe(false);
    }, 600_000);
  });
}
