import { randomInt } from 'node:crypto';
import { status, type Metadata } from '@grpc/grpc-js';
import { CREDIT_CODE_ALPHABET, creditCodeCheckCharacter, gtinCheckDigit } from '@pinzhi/catalogue-reader';
import {
  CatalogueServiceService,
  CreateCertificationBodyRequest,
  CreateEnterpriseRequest,
  CreateProductRequest,
  CreateStandardRequest,
  ListProductsRequest,
  UpdateProductRequest,
} from '@pinzhi/contracts/pinzhi/catalogue/v1/catalogue_service';
import { ProductRegistered, ProductWithdrawn } from '@pinzhi/contracts/pinzhi/catalogue/v1/events';
import { Market, ProductState, StandardState, TargetGroup, type Product, type Standard } from '@pinzhi/contracts/pinzhi/catalogue/v1/resources';
import { createEventPublisher, createUnaryClient, fieldViolationsOf, OutboxRelay, type EventPublisher, type UnaryClient } from '@pinzhi/platform';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, failure, logger, namespace, startServiceForTest, testKafka, testMongo, waitFor } from '../../../test/support/harness.js';
import { catalogueStreams } from '@pinzhi/events';
import { collectionOf } from '../src/adapters/mongo/mongo-catalogue-store.js';
import { catalogueService } from '../src/catalogue-service.js';
import { loadSeeds, readSeeds } from '../src/seed.js';

// Seeded facts the tests lean on (seeds/catalogue).
const SEEDED_ENTERPRISE = '91320500MA1N7D4B8T';
const SEEDED_BRAND = 'brands/brand-chengyu';
const SEEDED_LINE = 'productionLines/line-chengyu-down-1';

const ns = namespace('catalogue');
let mongo: Awaited<ReturnType<typeof testMongo>>;
let kafka: Kafka;
let catalogue: Awaited<ReturnType<typeof startServiceForTest<any, unknown>>>;
let client: UnaryClient<typeof CatalogueServiceService>;
let admin: Metadata;
let owner: Metadata;
const records: KafkaMessage[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

/** A valid unified social credit code that nobody else uses. */
function freshCreditCode(): string {
  const body = '913205' + '00' + Array.from({ length: 9 }, () => CREDIT_CODE_ALPHABET[randomInt(10, 31)]).join('');
  return body + creditCodeCheckCharacter(body);
}

/** A valid GTIN-13 with a Chinese prefix that nobody else uses. */
function freshGtin13(): string {
  const body = '693' + String(randomInt(0, 1e9)).padStart(9, '0');
  return body + gtinCheckDigit(body);
}

const gtin14 = (gtin13: string) => `0${gtin13}`;

function eventsFor(subject: string): KafkaMessage[] {
  return records.filter((m) => m.headers?.ce_subject?.toString() === subject);
}

/** Typed calls; requests are built with fromPartial so tests name only what matters. */
const rpc = {
  createEnterprise: (r: Parameters<typeof CreateEnterpriseRequest.fromPartial>[0], md: Metadata) =>
    client.createEnterprise(CreateEnterpriseRequest.fromPartial(r), md),
  getEnterprise: (name: string, md: Metadata) => client.getEnterprise({ name }, md),
  createProduct: (product: Partial<Product>, md: Metadata) => client.createProduct(CreateProductRequest.fromPartial({ product }), md),
  getProduct: (name: string, md: Metadata) => client.getProduct({ name }, md),
  listProducts: (r: Parameters<typeof ListProductsRequest.fromPartial>[0], md: Metadata) => client.listProducts(ListProductsRequest.fromPartial(r), md),
  updateProduct: (product: Partial<Product>, paths: string[], md: Metadata) =>
    client.updateProduct(UpdateProductRequest.fromPartial({ product, updateMask: paths }), md),
  createStandard: (standard: Partial<Standard>, md: Metadata) => client.createStandard(CreateStandardRequest.fromPartial({ standard }), md),
  getStandard: (name: string, md: Metadata) => client.getStandard({ name }, md),
};

function downJacket(overrides: Partial<Product> = {}): Partial<Product> {
  return {
    gtin: freshGtin13(),
    brand: SEEDED_BRAND,
    category: 'down-garment',
    model: 'T-1',
    displayName: 'Test down jacket',
    market: Market.MARKET_DOMESTIC,
    targetGroup: TargetGroup.TARGET_GROUP_OTHER,
    standardCodes: ['GB/T 14272-2021'],
    productionLines: [SEEDED_LINE],
    ...overrides,
  };
}

beforeAll(async () => {
  mongo = await testMongo(ns.dbName);
  kafka = testKafka('catalogue-test');
  catalogue = await startServiceForTest(catalogueService, { ns });
  cleanups.push(() => catalogue.stop());
  client = createUnaryClient(CatalogueServiceService, catalogue.grpc.address);
  admin = await bearer('admin', 'pinzhi');
  owner = await bearer('enterprise', SEEDED_ENTERPRISE);

  const consumer = kafka.consumer({ groupId: ns.group('events') });
  await consumer.connect();
  await consumer.subscribe({
    topics: [catalogueStreams.enterprise, catalogueStreams.product, catalogueStreams.standard].map(catalogue.topic),
    fromBeginning: false,
  });
  await consumer.run({ eachMessage: async ({ message }) => void records.push(message) });
  cleanups.push(() => consumer.disconnect());
  // Wait until the group owns its partitions, so no event of this test is missed.
  await waitFor(() => consumer.describeGroup().then((g) => g.state === 'Stable' || undefined), { what: 'consumer group' });
  await loadSeeds(mongo.db, catalogue.relay, logger);
}, 120_000);

afterAll(async () => {
  client?.close();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await mongo?.drop();
});

describe('seeding', () => {
  it('is idempotent: a second load inserts nothing and changes no document', async () => {
    const seeds = readSeeds();
    const counts = async () =>
      Object.fromEntries(await Promise.all(Object.values(collectionOf).map(async (c) => [c, await mongo.db.collection(c).countDocuments()])));
    const before = await counts();
    expect(before.products).toBe(seeds.product.length);
    const versions = await mongo.db
      .collection('products')
      .find({}, { projection: { version: 1, audit: 1 } })
      .toArray();
    const publisher: EventPublisher = await createEventPublisher(kafka);
    const relay = new OutboxRelay({ db: mongo.db, publisher, collections: [], logger, sweepIntervalMs: 60_000 });
    const inserted = await loadSeeds(mongo.db, relay, logger);
    await publisher.close();
    expect(Object.values(inserted)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await counts()).toEqual(before);
    expect(
      await mongo.db
        .collection('products')
        .find({}, { projection: { version: 1, audit: 1 } })
        .toArray(),
    ).toEqual(versions);
  });
});

describe('enterprises', () => {
  it('registers an enterprise, reads it back and announces it on Kafka with CloudEvents headers', async () => {
    const code = freshCreditCode();
    const created = await rpc.createEnterprise({ enterprise: { creditCode: code, displayNameZh: '测试服饰有限公司', regionCode: '320500' } }, admin);
    expect(created.enterprise).toMatchObject({ name: `enterprises/${code}`, creditCode: code, state: 1 });
    expect((await rpc.getEnterprise(`enterprises/${code}`, owner)).enterprise?.displayNameZh).toBe('测试服饰有限公司');
    const [event] = await waitFor(() => eventsFor(`enterprises/${code}`).length > 0 && eventsFor(`enterprises/${code}`), {
      what: 'enterprise registered event',
    });
    expect(event!.key?.toString()).toBe(code);
    expect(event!.headers?.ce_type?.toString()).toBe('pinzhi.catalogue.enterprise.registered.v1');
    expect(event!.headers?.ce_source?.toString()).toBe('/pinzhi/catalogue');
    expect(event!.headers?.ce_specversion?.toString()).toBe('1.0');
    expect(event!.headers?.['content-type']?.toString()).toBe('application/protobuf');
    expect(event!.headers?.ce_id?.toString()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects a credit code whose check character is wrong, naming the field, and stores nothing', async () => {
    const code = freshCreditCode();
    const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
    const error = await failure(rpc.createEnterprise({ enterprise: { creditCode: wrong, displayNameZh: '错码公司', regionCode: '320500' } }, admin));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error)).toEqual([expect.objectContaining({ field: 'enterprise.credit_code', reason: 'CHECK_CHARACTER_MISMATCH' })]);
    expect((await failure(rpc.getEnterprise(`enterprises/${wrong}`, admin))).code).toBe(status.NOT_FOUND);
    expect(await mongo.db.collection('enterprises').countDocuments({ _id: wrong as never })).toBe(0);
  });

  it('accepts a failing legacy code only with an admin override, recording who and why', async () => {
    const code = freshCreditCode();
    const legacy = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
    const request = { enterprise: { creditCode: legacy, displayNameZh: '试点企业', regionCode: '320500' }, creditCodeCheckOverrideReason: '2015 pilot code' };
    const denied = await failure(rpc.createEnterprise(request, await bearer('enterprise', legacy)));
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    const created = await rpc.createEnterprise(request, admin);
    expect(created.enterprise?.creditCodeOverride).toMatchObject({ reason: '2015 pilot code', approvedBy: 'admin-user' });
  });

  it('refuses a second registration of the same credit code as ALREADY_EXISTS', async () => {
    const error = await failure(rpc.createEnterprise({ enterprise: { creditCode: SEEDED_ENTERPRISE, displayNameZh: '重复', regionCode: '320500' } }, admin));
    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(fieldViolationsOf(error)[0]?.field).toBe('enterprise.credit_code');
  });
});

describe('products', () => {
  it('registers a product as GTIN-14 and emits ProductRegistered', async () => {
    const gtin = freshGtin13();
    const { product } = await rpc.createProduct(downJacket({ gtin }), owner);
    expect(product).toMatchObject({
      name: `products/${gtin14(gtin)}`,
      gtin: gtin14(gtin),
      enterprise: `enterprises/${SEEDED_ENTERPRISE}`,
      gb18401Category: 'C',
    });
    const [event] = await waitFor(() => eventsFor(`products/${gtin14(gtin)}`)[0] && eventsFor(`products/${gtin14(gtin)}`));
    expect(event!.headers?.ce_type?.toString()).toBe('pinzhi.catalogue.product.registered.v1');
    expect(ProductRegistered.decode(event!.value!).product?.gtin).toBe(gtin14(gtin));
  });

  it.each([
    ['a GTIN with a wrong check digit', { gtin: '6934567801013' }, 'product.gtin', 'CHECK_DIGIT_MISMATCH'],
    ['an unknown category', { category: 'spaceship' }, 'product.category', 'UNKNOWN_CATEGORY'],
    ['a malformed standard number', { standardCodes: ['GB18401'] }, 'product.standard_codes[0]', undefined],
    ['a line of another enterprise', { productionLines: ['productionLines/line-lanfeng-shoes-1'] }, 'product.production_lines[0]', undefined],
  ])('rejects %s with a field violation and stores nothing', async (_label, override, field, reason) => {
    const before = await mongo.db.collection('products').countDocuments();
    const error = await failure(rpc.createProduct(downJacket(override as Partial<Product>), owner));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const violations = fieldViolationsOf(error);
    expect(violations.map((v) => v.field)).toContain(field);
    if (reason) expect(violations.find((v) => v.field === field)?.reason).toBe(reason);
    expect(await mongo.db.collection('products').countDocuments()).toBe(before);
  });

  it('refuses a duplicate GTIN, in any of its spellings, as ALREADY_EXISTS', async () => {
    const gtin = freshGtin13();
    await rpc.createProduct(downJacket({ gtin }), owner);
    const error = await failure(rpc.createProduct(downJacket({ gtin: gtin14(gtin) }), owner));
    expect(error.code).toBe(status.ALREADY_EXISTS);
    expect(fieldViolationsOf(error)[0]?.field).toBe('product.gtin');
  });

  it('links domestic and export twins made on the same line, both ways', async () => {
    const domestic = freshGtin13();
    const exported = freshGtin13();
    await rpc.createProduct(downJacket({ gtin: domestic }), owner);
    const { product } = await rpc.createProduct(
      downJacket({
        gtin: exported,
        market: Market.MARKET_EXPORT,
        destinationMarket: 'DE',
        standardCodes: ['EN 12935:2001'],
        twin: `products/${gtin14(domestic)}`,
      }),
      owner,
    );
    expect(product?.twin).toBe(`products/${gtin14(domestic)}`);
    expect((await rpc.getProduct(`products/${gtin14(domestic)}`, owner)).product?.twin).toBe(`products/${gtin14(exported)}`);
  });

  it('refuses a twin that is not made on a shared line', async () => {
    const domestic = freshGtin13();
    await rpc.createProduct(downJacket({ gtin: domestic }), owner);
    const error = await failure(
      rpc.createProduct(
        downJacket({
          market: Market.MARKET_EXPORT,
          destinationMarket: 'US',
          productionLines: ['productionLines/line-chengyu-apparel-1'],
          twin: `products/${gtin14(domestic)}`,
          standardCodes: [],
        }),
        owner,
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error).map((v) => v.field)).toContain('product.twin');
  });

  it('updates only masked fields, refuses immutable ones, and announces a withdrawal', async () => {
    const gtin = freshGtin13();
    const name = `products/${gtin14(gtin)}`;
    await rpc.createProduct(downJacket({ gtin }), owner);
    const renamed = await rpc.updateProduct({ name, displayName: 'Renamed', model: 'ignored' }, ['display_name'], owner);
    expect(renamed.product).toMatchObject({ displayName: 'Renamed', model: 'T-1' });

    const immutable = await failure(rpc.updateProduct({ name, gtin: freshGtin13() }, ['gtin'], owner));
    expect(immutable.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(immutable)[0]).toMatchObject({ field: 'update_mask', reason: 'PATH_NOT_UPDATABLE' });

    const withdrawn = await rpc.updateProduct({ name, state: ProductState.PRODUCT_STATE_WITHDRAWN }, ['state'], owner);
    expect(withdrawn.product?.state).toBe(ProductState.PRODUCT_STATE_WITHDRAWN);
    const event = await waitFor(() => eventsFor(name).find((m) => m.headers?.ce_type?.toString() === 'pinzhi.catalogue.product.withdrawn.v1'));
    expect(ProductWithdrawn.decode(event.value!).product?.state).toBe(ProductState.PRODUCT_STATE_WITHDRAWN);
  });

  it('lists with filters and follows page tokens to the end without repeats', async () => {
    const all = await rpc.listProducts({ enterprise: `enterprises/${SEEDED_ENTERPRISE}`, pageSize: 500 }, owner);
    expect(all.products.length).toBeGreaterThan(5);
    expect(all.products.every((p) => p.enterprise === `enterprises/${SEEDED_ENTERPRISE}`)).toBe(true);
    expect(all.nextPageToken).toBe('');

    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await rpc.listProducts({ enterprise: `enterprises/${SEEDED_ENTERPRISE}`, pageSize: 3, pageToken }, owner);
      expect(page.products.length).toBeLessThanOrEqual(3);
      seen.push(...page.products.map((p) => p.name));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    expect(seen).toEqual(all.products.map((p) => p.name));

    const onLine = await rpc.listProducts({ productionLine: SEEDED_LINE, pageSize: 500 }, owner);
    expect(onLine.products.length).toBeGreaterThan(0);
    expect(onLine.products.every((p) => p.productionLines.includes(SEEDED_LINE))).toBe(true);
    const footwear = await rpc.listProducts({ category: 'footwear', pageSize: 500 }, owner);
    expect(footwear.products.every((p) => p.category === 'footwear')).toBe(true);

    const first = await rpc.listProducts({ enterprise: `enterprises/${SEEDED_ENTERPRISE}`, pageSize: 1 }, owner);
    const misuse = await failure(rpc.listProducts({ category: 'footwear', pageSize: 1, pageToken: first.nextPageToken }, owner));
    expect(misuse.code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('authorization', () => {
  it('lets an enterprise act only on its own brands and products', async () => {
    const stranger = await bearer('enterprise', freshCreditCode());
    expect((await failure(rpc.createProduct(downJacket(), stranger))).code).toBe(status.PERMISSION_DENIED);
    const { product } = await rpc.createProduct(downJacket(), owner);
    const error = await failure(rpc.updateProduct({ name: product!.name, displayName: 'x' }, ['display_name'], stranger));
    expect(error.code).toBe(status.PERMISSION_DENIED);
  });

  it('keeps standards and certification bodies for admins, reads for everyone, nothing without a token', async () => {
    const marketplace = await bearer('marketplace', 'SHOP');
    expect((await failure(rpc.createStandard({ code: 'T/TEST 001-2026' }, owner))).code).toBe(status.PERMISSION_DENIED);
    expect((await failure(rpc.createProduct(downJacket(), marketplace))).code).toBe(status.PERMISSION_DENIED);
    expect((await rpc.getStandard('standards/GB%2018401-2010', marketplace)).standard?.code).toBe('GB 18401-2010');
    const { Metadata: GrpcMetadata } = await import('@grpc/grpc-js');
    expect((await failure(rpc.getStandard('standards/GB%2018401-2010', new GrpcMetadata()))).code).toBe(status.UNAUTHENTICATED);
  });
});

describe('certification bodies', () => {
  const body = (creditCode: string, cnasNumber: string) =>
    client.createCertificationBody(
      CreateCertificationBodyRequest.fromPartial({
        certificationBody: { creditCode, cnasNumber, displayName: 'Test Certification', activities: ['grading'], categories: ['footwear'] },
      }),
      admin,
    );

  it('registers a body and refuses a malformed or already registered CNAS number', async () => {
    const cnas = `CNAS C${randomInt(100, 999)}-P`;
    const { certificationBody } = await body(freshCreditCode(), cnas);
    expect(certificationBody).toMatchObject({ cnasNumber: cnas, activities: ['grading'], state: 1 });

    const malformed = await failure(body(freshCreditCode(), 'CNAS X12'));
    expect(malformed.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(malformed).map((v) => v.field)).toContain('certification_body.cnas_number');

    const duplicate = await failure(body(freshCreditCode(), cnas));
    expect(duplicate.code).toBe(status.ALREADY_EXISTS);
    expect(fieldViolationsOf(duplicate)[0]?.field).toBe('certification_body.cnas_number');
  });

  it('refuses an unknown activity or category, naming each', async () => {
    const error = await failure(
      client.createCertificationBody(
        CreateCertificationBodyRequest.fromPartial({
          certificationBody: {
            creditCode: freshCreditCode(),
            cnasNumber: 'CNAS C777-P',
            displayName: 'X',
            activities: ['astrology'],
            categories: ['spaceship'],
          },
        }),
        admin,
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error).map((v) => v.field)).toEqual(
      expect.arrayContaining(['certification_body.activities[0]', 'certification_body.categories[0]']),
    );
  });
});

describe('standards', () => {
  const indicator = (limits: Record<string, { min?: number; max?: number }>) => ({
    id: 'formaldehyde',
    displayName: 'Formaldehyde',
    unit: 'mg/kg',
    direction: 2, // lower is better
    testMethod: 'GB/T 2912.1',
    limits: Object.fromEntries(Object.entries(limits).map(([level, l]) => [level, { ...l, pass: false, notRequired: false, source: 'test', verified: false }])),
  });
  const groupStandard = (code: string, overrides: Partial<Standard> = {}): Partial<Standard> => ({
    code,
    title: 'Test group standard',
    purpose: 1,
    categories: ['apparel'],
    gradeLevels: ['SUPERIOR', 'FIRST', 'QUALIFIED'],
    indicators: [indicator({ SUPERIOR: { max: 20 }, FIRST: { max: 50 }, QUALIFIED: { max: 75 } })],
    defaultDecisionRule: 1,
    ...overrides,
  });

  it('rejects limits that contradict the indicator direction, naming the limit', async () => {
    const error = await failure(
      rpc.createStandard(
        groupStandard('T/PZT 001-2026', { indicators: [indicator({ SUPERIOR: { max: 75 }, FIRST: { max: 50 }, QUALIFIED: { max: 20 } })] }),
        admin,
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const violation = fieldViolationsOf(error).find((v) => v.reason === 'LIMIT_ORDER_CONTRADICTION');
    expect(violation?.field).toMatch(/^standard\.indicators\[0\]\.limits\./);
    expect((await failure(rpc.getStandard('standards/T%2FPZT%20001-2026', admin))).code).toBe(status.NOT_FOUND);
  });

  it('rejects a malformed standard number', async () => {
    const error = await failure(rpc.createStandard(groupStandard('GB18401'), admin));
    expect(fieldViolationsOf(error).map((v) => v.field)).toContain('standard.code');
  });

  it('publishes a new edition and marks the one it supersedes', async () => {
    const old = `T/PZT ${String(randomInt(100, 999))}-2020`;
    const next = old.replace('-2020', '-2026');
    await rpc.createStandard(groupStandard(old), admin);
    const { standard } = await rpc.createStandard(groupStandard(next, { supersedes: [old] }), admin);
    expect(standard).toMatchObject({ code: next, kind: 'group', state: StandardState.STANDARD_STATE_ACTIVE });
    const previous = await rpc.getStandard(`standards/${encodeURIComponent(old)}`, admin);
    expect(previous.standard).toMatchObject({ state: StandardState.STANDARD_STATE_SUPERSEDED, supersededBy: next });
    await waitFor(() => records.find((m) => m.headers?.ce_type?.toString() === 'pinzhi.catalogue.standard.superseded.v1' && m.key?.toString() === old));
  });
});
