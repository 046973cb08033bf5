/**
 * Hostile callers and hostile input against the catalogue, table-driven and generated from
 * the service's own descriptors (protos/ via buf's descriptor set), so a new RPC or field is
 * probed without anyone writing a test for it:
 * 1. the authorization matrix: every RPC × every kind of caller (no token, a garbage, forged,
 *    expired or over-long-lived token, each role) against the table below;
 * 2. bad-input classes: every string, integer and enum field of every request (two message
 *    levels deep) × every class of hostile value, as an admin (allowed everywhere); updates
 *    aim at a seeded resource with the field in their mask, so the value gets past the name.
 * 3. a fast-check fuzz run: arbitrary text (any code unit, biased to astral, control and bidi
 *    characters) into arbitrary string fields, 200 runs, with the same rules.
 * Every probe must be answered promptly (2 s deadline) with a status that is not INTERNAL,
 * UNKNOWN or UNAVAILABLE and whose trailers stay well under grpc-js's 8 KiB metadata limit,
 * and no refused request may change stored state. Counts are printed and written to
 * test/bench/results/security.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { makeGenericClientConstructor, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import { catalogueService } from '@pinzhi/catalogue';
import { collectionOf, loadSeeds } from '@pinzhi/catalogue/testing';
import { readDescriptorSet } from '@pinzhi/contracts';
import { roles, signToken, type Role, type RunningService } from '@pinzhi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, insecure, jwtSettings, logger, startServiceForTest } from '../support/harness.js';

const SERVICE = 'pinzhi.catalogue.v1.CatalogueService';
const DEADLINE_MS = 2000;
/** grpc-js's default limit on received metadata; a status above it never reaches the client. */
const METADATA_LIMIT = 8 * 1024;

// --- the authorization matrix ----------------------------------------------------------------

type Allowed = 'authenticated' | readonly Role[];
const owners = ['enterprise', 'admin'] as const;
const admins = ['admin'] as const;

/** Who may call what: the catalogue's role matrix, stated independently of its handlers. */
const matrix: Record<string, Allowed> = {
  CreateEnterprise: owners,
  GetEnterprise: 'authenticated',
  ListEnterprises: 'authenticated',
  UpdateEnterprise: owners,
  CreateBrand: owners,
  GetBrand: 'authenticated',
  ListBrands: 'authenticated',
  UpdateBrand: owners,
  CreateProduct: owners,
  GetProduct: 'authenticated',
  ListProducts: 'authenticated',
  UpdateProduct: owners,
  CreateProductionLine: owners,
  GetProductionLine: 'authenticated',
  ListProductionLines: 'authenticated',
  UpdateProductionLine: owners,
  CreateStandard: admins,
  GetStandard: 'authenticated',
  ListStandards: 'authenticated',
  UpdateStandard: admins,
  CreateCertificationBody: admins,
  GetCertificationBody: 'authenticated',
  ListCertificationBodies: 'authenticated',
  UpdateCertificationBody: admins,
  ListCategories: 'authenticated',
};

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
  'negative',
  'int32 maximum',
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
  requestType: { type: MessageDescriptor };
}

const definitions = loadFileDescriptorSetFromBuffer(readDescriptorSet(), {}) as unknown as Record<
  string,
  Record<string, MethodDefinition> & { type?: MessageDescriptor; format?: string }
>;
const service = definitions[SERVICE]!;

/** A message type by the (package-relative) name a field refers to it with. */
function messageType(typeName: string): MessageDescriptor | undefined {
  const candidates = Object.keys(definitions).filter(
    (k) => (k === typeName || k.endsWith(`.${typeName}`)) && definitions[k]!.format?.includes('DescriptorProto'),
  );
  const preferred = candidates.find((k) => k.startsWith('pinzhi.catalogue.v1.')) ?? candidates.find((k) => k.startsWith('pinzhi.')) ?? candidates[0];
  return preferred ? definitions[preferred]!.type : undefined;
}

type Kind = 'string' | 'integer' | 'enum';
interface Target {
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
function targetsOf(message: MessageDescriptor, depth: number, prefix: string[] = []): Target[] {
  return message.field.flatMap((f): Target[] => {
    const repeated = f.label === 'LABEL_REPEATED';
    const kind = KINDS[f.type];
    if (kind) return [{ path: [...prefix, f.name], kind, repeated }];
    if (f.type !== 'TYPE_MESSAGE' || depth === 0 || repeated || f.name === 'audit') return [];
    const nested = messageType(f.typeName);
    return nested ? targetsOf(nested, depth - 1, [...prefix, f.name]) : [];
  });
}

function withValue(base: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
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

let catalogue: RunningService & { ns: { dbName: string } };
let client: Client & Record<string, (...args: unknown[]) => unknown>;

function probe(method: string, request: Record<string, unknown>, metadata: Metadata): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    client[method]!(request, metadata, { deadline: Date.now() + DEADLINE_MS }, (error: ServiceError | null) => {
      const ms = performance.now() - started;
      if (!error) return resolve({ code: status.OK, details: '', ms, trailerBytes: 0 });
      const headers = { 'grpc-status': String(error.code), 'grpc-message': encodeURI(error.details ?? ''), ...error.metadata?.toHttp2Headers() };
      const trailerBytes = Object.entries(headers).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
      resolve({ code: error.code, details: error.details ?? '', ms, trailerBytes });
    });
  });
}

/** The stored catalogue, less what the relay changes on its own (the outbox). */
async function fingerprint(): Promise<string> {
  const hash = createHash('sha256');
  for (const collection of Object.values(collectionOf).sort()) {
    const documents = await catalogue.db
      .collection(collection)
      .find({}, { projection: { _outbox: 0 } })
      .sort({ _id: 1 })
      .toArray();
    hash.update(JSON.stringify(documents));
  }
  return hash.digest('hex');
}

const codeName = (code: status) => status[code] ?? String(code);
const BROKEN = new Set([status.INTERNAL, status.UNKNOWN, status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);
const results: Record<string, unknown> = {};
const resultsFile = fileURLToPath(new URL('../bench/results/security.json', import.meta.url));

beforeAll(async () => {
  catalogue = await startServiceForTest(catalogueService);
  await loadSeeds(catalogue.db, catalogue.relay, logger);
  const Client = makeGenericClientConstructor(service as never, 'CatalogueService');
  client = new Client(catalogue.address, insecure()) as typeof client;
}, 120_000);

afterAll(async () => {
  client?.close();
  await catalogue?.stop();
  await catalogue?.db.dropDatabase().catch(() => undefined);
  mkdirSync(fileURLToPath(new URL('../bench/results/', import.meta.url)), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify({ name: 'security', service: SERVICE, measuredAt: new Date().toISOString(), ...results }, null, 2)}\n`);
});

describe('the catalogue under hostile callers', () => {
  it('lists every RPC in the authorization matrix', () => {
    expect(Object.keys(service).sort()).toEqual(Object.keys(matrix).sort());
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
    const byRole = Object.fromEntries(
      await Promise.all(roles.map(async (role) => [role, await bearer(role, role === 'enterprise' ? '91320500MA1N7D4B8T' : 'ORG-TEST')] as const)),
    );

    const failures: string[] = [];
    const tally: Record<string, number> = {};
    let probes = 0;
    for (const method of Object.keys(matrix)) {
      const allowed = matrix[method]!;
      for (const [who, metadata] of Object.entries(refused)) {
        const outcome = await probe(method, {}, metadata);
        probes++;
        tally[codeName(outcome.code)] = (tally[codeName(outcome.code)] ?? 0) + 1;
        if (outcome.code !== status.UNAUTHENTICATED) failures.push(`${method} with ${who}: ${codeName(outcome.code)} (${outcome.details})`);
      }
      for (const role of roles) {
        const outcome = await probe(method, {}, byRole[role]!);
        probes++;
        tally[codeName(outcome.code)] = (tally[codeName(outcome.code)] ?? 0) + 1;
        const mayCall = allowed === 'authenticated' || allowed.includes(role);
        const deniedByRole = outcome.code === status.PERMISSION_DENIED && /may not call this method/.test(outcome.details);
        if (mayCall && (deniedByRole || outcome.code === status.UNAUTHENTICATED || BROKEN.has(outcome.code))) {
          failures.push(`${method} as ${role} (allowed): ${codeName(outcome.code)} (${outcome.details})`);
        }
        if (!mayCall && !deniedByRole) failures.push(`${method} as ${role} (not allowed): ${codeName(outcome.code)} (${outcome.details})`);
      }
    }
    results.authorization = { probes, rpcs: Object.keys(matrix).length, callers: Object.keys(refused).length + roles.length, outcomes: tally, failures };
    process.stdout.write(`[security] authorization matrix: ${probes} probes, ${failures.length} failures, outcomes ${JSON.stringify(tally)}\n`);
    expect(failures).toEqual([]);
  });

  it('answers every bad-input class on every field promptly, with a small status, and changes nothing it refuses', async () => {
    const admin = await bearer('admin', 'pinzhi');
    // A seeded resource of each kind, so updates reach the mapping and the domain.
    const seeded: Record<string, string> = {};
    for (const [resource, list, items] of [
      ['enterprise', 'ListEnterprises', 'enterprises'],
      ['brand', 'ListBrands', 'brands'],
      ['product', 'ListProducts', 'products'],
      ['production_line', 'ListProductionLines', 'production_lines'],
      ['standard', 'ListStandards', 'standards'],
      ['certification_body', 'ListCertificationBodies', 'certification_bodies'],
    ] as const) {
      const response = await new Promise<Record<string, Array<{ name: string }>>>((resolve, reject) =>
        client[list]!({ page_size: 1 }, admin, (error: ServiceError | null, r: Record<string, Array<{ name: string }>>) =>
          error ? reject(error) : resolve(r),
        ),
      );
      seeded[resource] = response[items]![0]!.name;
    }

    const failures: string[] = [];
    const byCode: Record<string, number> = {};
    const byClass: Record<string, number> = {};
    /** Writes that succeeded: hostile-looking values a field legitimately accepts; listed for review. */
    const acceptedWrites: string[] = [];
    let probes = 0;
    let slowestMs = 0;
    let largestTrailerBytes = 0;
    let baseline = await fingerprint();
    for (const method of Object.keys(matrix)) {
      const definition = service[method]!;
      const resource = /^Update(.+)$/.exec(method)
        ? definition.requestType.type.field.find((f) => f.type === 'TYPE_MESSAGE' && f.name !== 'update_mask')?.name
        : undefined;
      for (const target of targetsOf(definition.requestType.type, 2)) {
        const values = target.kind === 'string' ? hostileStrings : target.kind === 'integer' ? hostileIntegers : hostileEnums;
        for (const [hostile, value] of Object.entries(values)) {
          let base: Record<string, unknown> = {};
          if (resource && target.path[0] === resource && target.path[1] !== 'name') {
            base = { [resource]: { name: seeded[resource] }, update_mask: { paths: [target.path[1]] } };
          } else if (resource && target.path[0] === 'update_mask') {
            base = { [resource]: { name: seeded[resource] } };
          }
          const request = withValue(base, target.path, target.repeated ? [value] : value);
          const outcome = await probe(method, request, admin);
          probes++;
          byCode[codeName(outcome.code)] = (byCode[codeName(outcome.code)] ?? 0) + 1;
          byClass[hostile] = (byClass[hostile] ?? 0) + 1;
          slowestMs = Math.max(slowestMs, outcome.ms);
          largestTrailerBytes = Math.max(largestTrailerBytes, outcome.trailerBytes);
          const where = `${method} ${target.path.join('.')} = ${hostile}`;
          if (BROKEN.has(outcome.code)) failures.push(`${where}: ${codeName(outcome.code)} (${outcome.details.slice(0, 120)})`);
          if (outcome.trailerBytes > METADATA_LIMIT / 2) failures.push(`${where}: ${outcome.trailerBytes} bytes of trailers`);
          // A success may change state (an update with an odd but acceptable name); the baseline follows it.
          if (outcome.code === status.OK && /^(Create|Update)/.test(method)) {
            if (refusedInEveryWrite.has(hostile)) failures.push(`${where}: stored`);
            acceptedWrites.push(where);
            baseline = await fingerprint();
          }
        }
      }
    }
    // Checked once at the end (a fingerprint per probe would cost minutes): any difference
    // from the state after the last success was made by a refused request.
    const unchanged = (await fingerprint()) === baseline;
    if (!unchanged) failures.push('a refused request changed the stored catalogue');
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
      `[security] bad input: ${probes} probes, ${failures.length} failures, slowest ${Math.round(slowestMs)} ms, largest trailers ${largestTrailerBytes} bytes, outcomes ${JSON.stringify(byCode)}\n`,
    );
    expect(failures).toEqual([]);
  }, 300_000);

  it('holds on arbitrary text in arbitrary string fields (fast-check, 200 runs)', async () => {
    const admin = await bearer('admin', 'pinzhi');
    const targets = Object.keys(matrix).flatMap((method) =>
      targetsOf(service[method]!.requestType.type, 2)
        .filter((t) => t.kind === 'string')
        .map((target) => ({ method, target })),
    );
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.constantFrom('a', '质', '👍', '\u0000', '\u001b', '\u202e', '\u2066', 'e\u0301', '%', '/', '{', '$'),
    );
    const text = fc.oneof(fc.string({ unit, maxLength: 100 }), fc.string({ unit, minLength: 4000, maxLength: 80_000 }));
    const seed = Number(process.env.PINZHI_FUZZ_SEED ?? Date.now() % 2_147_483_647);
    const failures: string[] = [];
    let runs = 0;
    const run = await fc.check(
      fc.asyncProperty(fc.constantFrom(...targets), text, async ({ method, target }, value) => {
        runs++;
        const outcome = await probe(method, withValue({}, target.path, target.repeated ? [value] : value), admin);
        const where = `${method} ${target.path.join('.')} (${value.length} units)`;
        if (BROKEN.has(outcome.code)) failures.push(`${where}: ${codeName(outcome.code)}`);
        if (outcome.trailerBytes > METADATA_LIMIT / 2) failures.push(`${where}: ${outcome.trailerBytes} bytes of trailers`);
        return !BROKEN.has(outcome.code) && outcome.trailerBytes <= METADATA_LIMIT / 2;
      }),
      { numRuns: 200, seed },
    );
    results.fuzz = {
      runs,
      seed,
      targets: targets.length,
      failed: run.failed,
      counterexample: run.counterexample ? String(run.counterexample[0].method) : null,
      failures,
    };
    process.stdout.write(
      `[security] fuzz: ${runs} runs over ${targets.length} string fields (seed ${seed}, PINZHI_FUZZ_SEED to replay), ${failures.length} failures\n`,
    );
    expect(failures).toEqual([]);
    expect(run.failed).toBe(false);
  }, 300_000);
});
