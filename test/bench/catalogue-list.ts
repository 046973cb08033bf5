/**
 * ListProducts latency over gRPC with 10 000 products in the catalogue, against the bare
 * MongoDB query the handler runs (same page size, same filter, same server) as the floor.
 *
 *   pnpm bench:catalogue            (brings the local stack up if needed)
 *
 * Prints a table and writes test/bench/results/catalogue-list.json.
 */
import { randomUUID } from 'node:crypto';
import { gtinCheckDigit } from '@pinzhi/catalogue-reader';
import { ListProductsRequest, CatalogueServiceService } from '@pinzhi/contracts/pinzhi/catalogue/v1/catalogue_service';
import { createLogger, createUnaryClient, signToken, startService } from '@pinzhi/platform';
import { Metadata } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { catalogueService } from '@pinzhi/catalogue';
import { benchSettings, runConcurrently, writeResults, type BenchResult } from './bench-kit.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const PAGE_SIZE = 50;
const logger = createLogger('bench', 'warn');
const { seconds, brokers, mongoUrl } = benchSettings();
const jwt = { secret: 'bench-secret-bench-secret-bench-secret', issuer: 'pinzhi', audience: 'pinzhi' };

const mongo = new MongoClient(mongoUrl);
await mongo.connect();
const db = mongo.db(`bench_catalogue_${randomUUID().slice(0, 8)}`);
const results: BenchResult[] = [];

try {
  const now = new Date();
  const audit = { createdBy: 'bench', createdAt: now, updatedBy: 'bench', updatedAt: now };
  const categories = ['down-garment', 'apparel', 'footwear', 'home-textile'];
  const docs = Array.from({ length: PRODUCTS }, (_, i) => {
    const body = `693${String(i).padStart(9, '0')}`;
    const gtin = body + gtinCheckDigit(body);
    return {
      _id: `0${gtin}`,
      gtin14: `0${gtin}`,
      gtin,
      name: `Bench product ${i}`,
      model: `B-${i}`,
      brandId: `brand-${i % 20}`,
      enterpriseId: '91350100M000100Y43',
      category: categories[i % categories.length],
      targetGroup: 'other',
      market: 'domestic',
      standardCodes: ['GB 18401-2010'],
      productionLineIds: [`line-${i % 10}`],
      state: 'active',
      audit,
      version: 1,
    };
  });
  for (let i = 0; i < docs.length; i += 1000) await db.collection('products').insertMany(docs.slice(i, i + 1000) as never[]);
  await db.collection('products').createIndex({ brandId: 1 });

  const catalogue = await startService(catalogueService, {
    env: { MONGO_URL: mongoUrl, MONGO_DB: db.databaseName, KAFKA_BROKERS: brokers.join(','), JWT_SECRET: jwt.secret, GRPC_PORT: '0', LOG_LEVEL: 'warn' },
    namePrefix: `bench-${db.databaseName}.`,
    logger,
  });
  const client = createUnaryClient(CatalogueServiceService, catalogue.grpc.address);
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${await signToken(jwt, { subject: 'bench', role: 'marketplace', org: 'bench' })}`);

  // Walks every page (first page to page 200), so deep pages are measured as often as the first.
  const walk = (filter: Partial<ListProductsRequest>) => {
    let token = '';
    return async () => {
      const page = await client.listProducts(ListProductsRequest.fromPartial({ ...filter, pageSize: PAGE_SIZE, pageToken: token }), metadata);
      token = page.nextPageToken;
    };
  };
  const bare = (filter: Record<string, string>) => {
    let after: string | undefined;
    return async () => {
      const rows = await db
        .collection('products')
        .find({ ...filter, ...(after ? { _id: { $gt: after } } : {}) } as never, { projection: { _outbox: 0 } })
        .sort({ _id: 1 })
        .limit(PAGE_SIZE + 1)
        .toArray();
      after = rows.length > PAGE_SIZE ? String(rows[PAGE_SIZE - 1]!._id) : undefined;
    };
  };

  for (const [label, filter, bareFilter] of [
    ['all products', {}, {}],
    ['one brand (500 products)', { brand: 'brands/brand-7' }, { brandId: 'brand-7' }],
  ] as const) {
    for (const concurrency of [1, 16]) {
      const floor = await runConcurrently(bare(bareFilter), { seconds, concurrency });
      const r = await runConcurrently(walk(filter), { seconds, concurrency });
      results.push({
        name: `catalogue.list_products ${label}`,
        unit: 'requests/s',
        value: r.opsPerSecond,
        p50Ms: r.p50,
        p99Ms: r.p99,
        ops: r.ops,
        concurrency,
        ratio: r.opsPerSecond / floor.opsPerSecond,
        floor: `bare find().sort().limit(${PAGE_SIZE + 1}): ${Math.round(floor.opsPerSecond)}/s p50 ${floor.p50} ms p99 ${floor.p99} ms`,
      });
    }
  }
  client.close();
  await catalogue.stop();
} finally {
  await db.dropDatabase();
  await mongo.close();
}
writeResults('catalogue-list', results, { products: PRODUCTS, pageSize: PAGE_SIZE, seconds });
process.exit(0);
