/**
 * Loads seeds/catalogue/*.json into the catalogue: `pnpm seed` (reads MONGO_URL, MONGO_DB,
 * KAFKA_BROKERS). Idempotent: a record whose id exists is left alone, so running it twice
 * changes nothing. New records go through the same store as the API, with their
 * registered/published events. Every record is validated first; one invalid seed stops the
 * load before anything is written.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  validateBrand,
  validateCertificationBody,
  validateEnterprise,
  validateProduct,
  validateProductionLine,
  validateStandardCatalogue,
  type Violation,
} from '@pinzhi/catalogue-reader';
import {
  AlreadyExistsError,
  commonSettings,
  connectMongo,
  createEventPublisher,
  createKafka,
  createLogger,
  ensureTopics,
  loadConfig,
  OutboxRelay,
  runMain,
  verifyKafka,
  type Logger,
} from '@pinzhi/platform';
import type { Db } from 'mongodb';
import { z } from 'zod';
import type { CatalogueEvent, EventVerb, RecordOf } from './app/catalogue-store.js';
import { catalogueStreams } from '@pinzhi/events';
import { collectionOf, ensureCatalogueIndexes, MongoCatalogueStore } from './adapters/mongo/mongo-catalogue-store.js';
import type { ResourceKind } from './domain/resource-names.js';

const seedDir = fileURLToPath(new URL('../../../seeds/catalogue/', import.meta.url));
const read = (file: string): Record<string, unknown>[] => JSON.parse(readFileSync(`${seedDir}${file}`, 'utf8'));

type SeedSet = { [K in ResourceKind]: { id: string; record: RecordOf[K] }[] };

/** A seed file's documents as records, with `state: active` and other defaults seeds leave out. */
function records<K extends ResourceKind>(file: string, options: { withId?: boolean; defaults?: object } = {}) {
  return read(file).map(({ _id, ...fields }) => ({
    id: String(_id),
    record: {
      state: 'active',
      ...options.defaults,
      ...(options.withId ? { id: String(_id) } : {}),
      ...fields,
    } as unknown as RecordOf[K],
  }));
}

/** The seed files as records, in dependency order. */
export function readSeeds(): SeedSet {
  return {
    standard: records<'standard'>('standards.json'),
    enterprise: records<'enterprise'>('enterprises.json'),
    certificationBody: records<'certificationBody'>('certification-bodies.json', {
      defaults: { laboratories: [], accreditedStandardCodes: [] },
    }),
    brand: records<'brand'>('brands.json', { withId: true }),
    productionLine: records<'productionLine'>('production-lines.json', { withId: true }),
    product: records<'product'>('products.json'),
  };
}

export function validateSeeds(seeds: SeedSet): Violation[] {
  return [
    ...validateStandardCatalogue(seeds.standard.map((s) => s.record)),
    ...seeds.enterprise.flatMap((s, i) => validateEnterprise(s.record, `enterprises[${i}]`)),
    ...seeds.certificationBody.flatMap((s, i) => validateCertificationBody(s.record, `certification_bodies[${i}]`)),
    ...seeds.brand.flatMap((s, i) => validateBrand(s.record, `brands[${i}]`)),
    ...seeds.productionLine.flatMap((s, i) => validateProductionLine(s.record, `production_lines[${i}]`)),
    ...seeds.product.flatMap((s, i) => validateProduct(s.record, `products[${i}]`)),
  ];
}

const firstVerb: Record<ResourceKind, EventVerb> = {
  standard: 'published',
  enterprise: 'registered',
  certificationBody: 'registered',
  brand: 'registered',
  productionLine: 'registered',
  product: 'registered',
};

/** Inserts the records that are missing; returns how many were inserted per kind. */
export async function loadSeeds(db: Db, relay: OutboxRelay, logger: Logger): Promise<Record<ResourceKind, number>> {
  const seeds = readSeeds();
  const violations = validateSeeds(seeds);
  if (violations.length > 0) {
    throw new Error(`invalid seeds:\n  ${violations.map((v) => `${v.field}: ${v.description}`).join('\n  ')}`);
  }
  await ensureCatalogueIndexes(db);
  const store = new MongoCatalogueStore(db, relay);
  const now = new Date();
  const audit = { createdBy: 'seed', createdAt: now, updatedBy: 'seed', updatedAt: now };
  const inserted = {} as Record<ResourceKind, number>;
  for (const kind of Object.keys(seeds) as ResourceKind[]) {
    inserted[kind] = 0;
    for (const { id, record } of seeds[kind] as { id: string; record: RecordOf[typeof kind] }[]) {
      try {
        await store.insert(kind, id, record, audit, (stored) => [{ kind, verb: firstVerb[kind], record: stored } as CatalogueEvent]);
        inserted[kind]++;
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error;
      }
    }
  }
  logger.info({ inserted, collections: collectionOf }, 'catalogue seeds loaded');
  return inserted;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runMain(async () => {
    const config = loadConfig(
      z.object({
        MONGO_URL: commonSettings.MONGO_URL,
        MONGO_DB: commonSettings.MONGO_DB,
        KAFKA_BROKERS: commonSettings.KAFKA_BROKERS,
        LOG_LEVEL: commonSettings.LOG_LEVEL,
      }),
    );
    const logger = createLogger('catalogue-seed', config.LOG_LEVEL);
    const mongo = await connectMongo({ url: config.MONGO_URL, dbName: config.MONGO_DB, appName: 'catalogue-seed', logger });
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'catalogue-seed', logger });
    await verifyKafka(kafka, config.KAFKA_BROKERS);
    // Seeding runs before the catalogue service first starts; without this, the broker would
    // auto-create the topics on first publish, with its defaults instead of ours.
    await ensureTopics(
      kafka,
      Object.values(catalogueStreams).map(({ topic }) => ({ topic })),
    );
    const publisher = await createEventPublisher(kafka);
    const relay = new OutboxRelay({ db: mongo.db, publisher, collections: Object.values(collectionOf), logger, sweepIntervalMs: 60_000 });
    const inserted = await loadSeeds(mongo.db, relay, logger);
    console.log(
      `[pinzhi] seeds: ${Object.entries(inserted)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')} inserted (existing records left as they were)`,
    );
    await relay.stop();
    await publisher.close();
    await mongo.close();
  });
}
