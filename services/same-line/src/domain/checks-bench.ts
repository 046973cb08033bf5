/**
 * Micro benchmark of the three checks of one case, on one core. Not a test and not part of
 * the build; from the repo root:
 *   pnpm exec tsx -e "import('./services/same-line/src/domain/checks-bench.ts').then((m) => console.log(m.benchChecks(2000)))"
 */
import { runChecks, type CaseCheckInput } from './case-checks.js';
import type { LabReport } from './same-quality-check.js';
import { conformity, graded, indicator, same } from './test-standards.js';

const C = (l: object) => ({ CONFORMING: l });

/** A domestic graded standard of 12 indicators against an export standard of 8, two reports per side. */
function input(): CaseCheckInput {
  const ids = Array.from({ length: 12 }, (_, i) => `indicator-${i}`);
  const domestic = graded(
    'GB/T 1-2020',
    ids.map((id, i) =>
      i % 3 === 0 ? indicator(id, 'within-range', 'pH', same({ min: 4.5, max: 7 })) : indicator(id, 'lower-is-better', 'mg/kg', same({ max: 20 + i })),
    ),
  );
  const exported = conformity(
    'EN 1:2001',
    ids
      .slice(0, 8)
      .map((id, i) =>
        i % 3 === 0 ? indicator(id, 'within-range', 'pH', C({ min: 4, max: 7.5 })) : indicator(id, 'lower-is-better', 'mg/kg', C({ max: 30 + i })),
      ),
  );
  const report = (n: string, shift: number): LabReport => ({
    laboratoryCnasNumber: 'CNAS L99501',
    reportNumber: n,
    sampleId: n,
    testedOn: '2026-10-01',
    measurements: Object.fromEntries(ids.map((id, i) => [id, { value: i % 3 === 0 ? String(6 + shift / 10) : String(10 + shift), uncertainty: 0.5 }])),
  });
  const twin = { productionLineIds: ['line-1'], standardCodes: ['GB/T 1-2020', 'EN 1:2001'] };
  return {
    enterpriseId: '91320500MA1N7D4B8T',
    category: 'apparel',
    domestic: { gtin14: '06934567801012', ...twin },
    export: { gtin14: '06934567801029', ...twin },
    lines: [{ id: 'line-1', line: { enterpriseId: '91320500MA1N7D4B8T', state: 'active', categories: ['apparel'] } }],
    domesticStandards: [domestic],
    exportStandards: [exported],
    decisionRule: 'guarded',
    domesticReports: [report('D1', 1), report('D2', 2)],
    exportReports: [report('E1', 0), report('E2', 1)],
  };
}

/** Cases checked per second (all three checks, every item explained), after a short warm-up. */
export function benchChecks(durationMs: number): { casesPerSecond: number; itemsPerCase: number } {
  const c = input();
  const now = new Date();
  const once = () => {
    const run = runChecks(c, now);
    if (!run.ok) throw new Error('levels');
    return run.checks.sameLine.items.length + run.checks.sameStandard.items.length + run.checks.sameQuality.items.length;
  };
  const itemsPerCase = once();
  const warmUntil = performance.now() + Math.min(200, durationMs / 4);
  while (performance.now() < warmUntil) once();
  let count = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let b = 0; b < 16; b++, count++) once();
    elapsed = performance.now() - started;
  }
  return { casesPerSecond: Math.round((count * 1000) / elapsed), itemsPerCase };
}
