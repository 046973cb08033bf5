/**
 * Loads seeds/brand-valuation/applications.json: `pnpm seed` runs it after the catalogue's
 * seeds. Each application is driven through the use cases to its target state, so its events
 * go out and a published one is signed like any other. Idempotent: an application that
 * exists is left as it is.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CatalogueReader } from '@pinzhi/catalogue-reader';
import { runMain, startService, type Caller, type Logger } from '@pinzhi/platform';
import type { BrandValuationUseCases } from './app/brand-valuation-use-cases.js';
import type { DraftInput } from './app/ports.js';
import { brandValuationService } from './brand-valuation-service.js';
import type { ApplicationState } from './domain/application.js';
import type { ValuationMethod } from './domain/index.js';

type SeedApplication = { id: string; brandId: string; target: ApplicationState; valuationDate: string; headlineMethod?: ValuationMethod; input: DraftInput };
type SeedFile = { evaluator: string; applications: SeedApplication[] };

const seedFile = fileURLToPath(new URL('../../../seeds/brand-valuation/applications.json', import.meta.url));

export function readValuationSeeds(): SeedFile {
  return JSON.parse(readFileSync(seedFile, 'utf8')) as SeedFile;
}

/** The steps from DRAFT to each target state, in order. */
const steps: Record<string, ApplicationState[]> = {
  draft: [],
  submitted: ['submitted'],
  under_review: ['submitted', 'under_review'],
  evaluated: ['submitted', 'under_review', 'evaluated'],
  published: ['submitted', 'under_review', 'evaluated', 'published'],
};

export async function loadValuationSeeds(useCases: BrandValuationUseCases, catalogue: CatalogueReader, logger: Logger): Promise<number> {
  const seeds = readValuationSeeds();
  const seeder = { subject: 'seed', scopes: [] } as const;
  const evaluator: Caller = { ...seeder, role: 'certifier', org: seeds.evaluator };
  let loaded = 0;
  for (const seed of seeds.applications) {
    const brand = await catalogue.brand(seed.brandId);
    if (!brand) throw new Error(`seed ${seed.id}: brand ${seed.brandId} is not in the catalogue (run the catalogue seeds first)`);
    const owner: Caller = { ...seeder, role: 'enterprise', org: brand.ownerEnterpriseId };
    if (await useCases.get(owner, seed.id).catch(() => null)) continue;
    await useCases.create(owner, { applicationId: seed.id, brandId: seed.brandId, valuationDate: seed.valuationDate, input: seed.input });
    for (const step of steps[seed.target] ?? []) {
      if (step === 'submitted') await useCases.submit(owner, seed.id);
      if (step === 'under_review') await useCases.startReview(evaluator, seed.id, undefined);
      if (step === 'evaluated') await useCases.evaluate(evaluator, seed.id, seed.headlineMethod, 'Fictional seed evaluation');
      if (step === 'published') await useCases.publish(evaluator, seed.id);
    }
    loaded++;
  }
  logger.info({ loaded }, 'brand-valuation seeds loaded');
  return loaded;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runMain(async () => {
    // The service itself, briefly, on a free port: its wiring, keys and outbox, not a copy.
    const running = await startService(brandValuationService, { env: { ...process.env, GRPC_PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } });
    try {
      const { useCases } = running.exposed as { useCases: BrandValuationUseCases };
      const loaded = await loadValuationSeeds(useCases, new CatalogueReader(running.db), running.logger);
      console.log(`[pinzhi] brand-valuation seeds: ${loaded} applications inserted (existing ones left as they were)`);
    } finally {
      await running.stop();
    }
    // A consumer group still joining when it was stopped restarts itself in kafkajs and would
    // keep this one-shot process alive; everything is written and closed, so exit.
    process.exit(0);
  });
}
