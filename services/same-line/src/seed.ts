/**
 * Loads seeds/same-line/cases.json: `pnpm seed` runs it after the catalogue's seeds. Each case
 * is driven through the use cases to its target state, so the checks run, its statement is
 * signed and its events go out like any other. Idempotent: a case that exists is left as it is.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CatalogueReader } from '@pinzhi/catalogue-reader';
import type { TestReport } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { InvalidArgumentError, runMain, startService, type Caller, type FieldViolation, type Logger } from '@pinzhi/platform';
import type { SameLineUseCases } from './app/same-line-use-cases.js';
import { reportsFromMessage } from './adapters/proto/same-line-mapping.js';
import type { SameLinePath } from './domain/case-lifecycle.js';
import { sameLineService } from './same-line-service.js';

type SeedReport = Omit<TestReport, 'batch'> & { batch?: string };
type SeedCase = {
  id: string;
  path: SameLinePath;
  domesticProduct: string;
  target: 'declared' | 'filed' | 'under_evaluation' | 'certified' | 'suspended';
  domesticReports: SeedReport[];
  exportReports: SeedReport[];
  notes?: string;
  suspension?: string;
};
type SeedFile = { certifier: string; regulator: string; cases: SeedCase[] };

const seedFile = fileURLToPath(new URL('../../../seeds/same-line/cases.json', import.meta.url));

export function readSameLineSeeds(): SeedFile {
  return JSON.parse(readFileSync(seedFile, 'utf8')) as SeedFile;
}

/** The steps after filing to each target state, in order. */
const steps: Record<SeedCase['target'], Array<'start' | 'certify' | 'suspend'>> = {
  declared: [],
  filed: [],
  under_evaluation: ['start'],
  certified: ['start', 'certify'],
  suspended: ['start', 'certify', 'suspend'],
};

export async function loadSameLineSeeds(useCases: SameLineUseCases, catalogue: CatalogueReader, logger: Logger): Promise<number> {
  const seeds = readSameLineSeeds();
  const seeder = { subject: 'seed', scopes: [] } as const;
  const admin: Caller = { ...seeder, role: 'admin', org: 'pinzhi' };
  const certifier: Caller = { ...seeder, role: 'certifier', org: seeds.certifier };
  const regulator: Caller = { ...seeder, role: 'regulator', org: seeds.regulator };
  let loaded = 0;
  for (const seed of seeds.cases) {
    if (await useCases.get(admin, seed.id).catch(() => null)) continue;
    const product = await catalogue.product(seed.domesticProduct);
    if (!product) throw new Error(`seed ${seed.id}: product ${seed.domesticProduct} is not in the catalogue (run the catalogue seeds first)`);
    const owner: Caller = { ...seeder, role: 'enterprise', org: product.enterpriseId };
    const violations: FieldViolation[] = [];
    const seen = new Set<string>();
    const report = (r: SeedReport): TestReport => ({ ...r, batch: r.batch ?? '' });
    const evidence = {
      domestic: reportsFromMessage(seed.domesticReports.map(report), `${seed.id}.domestic_reports`, violations, seen),
      export: reportsFromMessage(seed.exportReports.map(report), `${seed.id}.export_reports`, violations, seen),
    };
    if (violations.length > 0) throw new InvalidArgumentError(`seed ${seed.id} is invalid`, violations);
    await useCases.file(owner, {
      caseId: seed.id,
      path: seed.path,
      domesticProductId: product._id,
      productionLineIds: [],
      domesticStandardCodes: [],
      exportStandardCodes: [],
      evidence,
    });
    for (const step of steps[seed.target]) {
      if (step === 'start') await useCases.startEvaluation(certifier, seed.id, undefined);
      if (step === 'certify') await useCases.certify(certifier, seed.id, seed.notes);
      if (step === 'suspend') await useCases.suspend(regulator, seed.id, seed.suspension ?? 'fictional seed suspension');
    }
    loaded++;
  }
  logger.info({ loaded }, 'same-line seeds loaded');
  return loaded;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runMain(async () => {
    // The service itself, briefly, on a free port: its wiring, keys and outbox, not a copy.
    const running = await startService(sameLineService, { env: { ...process.env, GRPC_PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } });
    try {
      const { useCases } = running.exposed as { useCases: SameLineUseCases };
      const loaded = await loadSameLineSeeds(useCases, new CatalogueReader(running.db), running.logger);
      console.log(`[pinzhi] same-line seeds: ${loaded} cases inserted (existing ones left as they were)`);
    } finally {
      await running.stop();
    }
    // A consumer group still joining when it was stopped restarts itself in kafkajs and would
    // keep this one-shot process alive; everything is written and closed, so exit.
    process.exit(0);
  });
}
