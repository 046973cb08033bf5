/**
 * Micro benchmark of the grading engine on one core. Not a test: run from the repo root with
 *   node --conditions=@pinzhi/source --import tsx services/grading/src/domain/engine-bench.ts
 * The target is ≥ 200 000 evaluations/s for a 10-indicator standard.
 */
import type { Standard } from '@pinzhi/catalogue-reader/model';
import { compileStandard, gradeProduct, type GradingInput, type GradingOutcome, type Measurement } from './grading-engine.js';
import { downJacketMeasurements, gradingStandard, indicator, levels, limit, loadSeededStandards, report } from './test-standards.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 3000);

/** Ten indicators covering every direction, graded on three levels. */
function tenIndicatorStandard(): Standard {
  return gradingStandard({
    code: 'FZ/T 99998-2024',
    categories: ['footwear', 'down-garment'],
    indicators: [
      indicator({ id: 'peel-strength', unit: 'N/cm', direction: 'higher-is-better', limits: levels({ min: 55 }, { min: 50 }, { min: 45 }) }),
      indicator({ id: 'tensile-strength', unit: 'N', direction: 'higher-is-better', limits: levels({ min: 300 }, { min: 250 }, { min: 200 }) }),
      indicator({ id: 'tear-strength', unit: 'N', direction: 'higher-is-better', limits: levels({ min: 60 }, { min: 50 }, { min: 40 }) }),
      indicator({ id: 'colour-fastness-rubbing', unit: 'grade (1–5)', direction: 'higher-is-better', limits: levels({ min: 4 }, { min: 3.5 }, { min: 3 }) }),
      indicator({ id: 'abrasion-mark', unit: 'mm', direction: 'lower-is-better', limits: levels({ max: 8 }, { max: 9 }, { max: 10 }) }),
      indicator({ id: 'aromatic-amines', unit: 'mg/kg', direction: 'lower-is-better', limits: levels({ max: 20 }, { max: 20 }, { max: 20 }) }),
      indicator({ id: 'shrinkage', unit: '%', direction: 'lower-is-better', limits: levels({ max: 2 }, { max: 3 }, { max: 4 }) }),
      indicator({ id: 'ph', unit: 'pH', direction: 'within-range', limits: levels({ min: 5, max: 7 }, { min: 4.5, max: 7.5 }, { min: 4, max: 8.5 }) }),
      indicator({ id: 'moisture', unit: '%', direction: 'within-range', limits: levels({ min: 8, max: 12 }, { min: 6, max: 14 }, { min: 5, max: 16 }) }),
      indicator({
        id: 'flex-resistance',
        unit: '',
        direction: 'pass-fail',
        limits: { SUPERIOR: limit({ pass: true }), FIRST: limit({ pass: true }), QUALIFIED: limit({ pass: true }) },
      }),
    ],
  });
}

/** A spread of reports so the engine sees every level, not one constant input. */
function reports(count: number): Record<string, Measurement>[] {
  return Array.from({ length: count }, (_, i) => {
    const k = i % 8;
    return {
      'peel-strength': { value: 44 + k * 2, uncertainty: 0.8 },
      'tensile-strength': { value: 260 + k * 10 },
      'tear-strength': { value: 58 + (k % 3) },
      'colour-fastness-rubbing': { value: k % 2 === 0 ? '3-4' : 4 },
      'abrasion-mark': { value: 7 + (k % 4) * 0.5, uncertainty: 0.2 },
      'aromatic-amines': { value: 5 + k },
      shrinkage: { value: 1.5 + (k % 3) * 0.5 },
      ph: { value: 6 + (k % 5) * 0.4, uncertainty: 0.1 },
      moisture: { value: 10 + (k % 3) },
      'flex-resistance': { value: k !== 7 },
    };
  });
}

function measure(name: string, grade: (i: number) => GradingOutcome | undefined): void {
  // Warm up so the JIT has optimised the hot path before the clock starts.
  for (let i = 0; i < 50_000; i++) grade(i);
  let evaluations = 0;
  let sink = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(DURATION_MS) * 1_000_000n;
  let now = started;
  while (now < deadline) {
    // Read the clock once per batch so timing costs stay out of the measurement.
    for (let b = 0; b < 1024; b++) sink += grade(evaluations++)?.level.length ?? -1;
    now = process.hrtime.bigint();
  }
  const seconds = Number(now - started) / 1e9;
  const rate = Math.round(evaluations / seconds);
  console.log(`${name}: ${rate.toLocaleString('en-US')} evaluations/s (${evaluations.toLocaleString('en-US')} in ${seconds.toFixed(2)} s; sink ${sink})`);
}

const standard = tenIndicatorStandard();
const inputs: GradingInput[] = reports(64).map((measurements) => ({
  standard,
  product: { category: 'footwear' },
  report: report(measurements),
}));
const mask = inputs.length - 1;

const first = gradeProduct(inputs[0]!);
if (!first.ok) throw new Error(`benchmark input is invalid: ${JSON.stringify(first.violations)}`);

const compiled = compileStandard(standard);
if (!compiled.ok) throw new Error('benchmark standard is invalid');
const evaluator = compiled.value;

console.log(`grading engine, 10 indicators × 3 levels, ~${DURATION_MS / 1000} s per run, node ${process.version}`);
measure('gradeProduct, simple acceptance', (i) => {
  const result = gradeProduct(inputs[i & mask]!);
  return result.ok ? result.value : undefined;
});
measure('compiled evaluator, guarded acceptance', (i) => {
  const input = inputs[i & mask]!;
  const result = evaluator.grade({ product: input.product, report: input.report, decisionRule: 'guarded' });
  return result.ok ? result.value : undefined;
});

// A textile also passes through GB 18401: 10 grading and 8 gate indicators per evaluation.
const { gb18401 } = loadSeededStandards();
const gateMeasurements = Object.fromEntries(Object.entries(downJacketMeasurements()).filter(([id]) => gb18401.indicators.some((ind) => ind.id === id)));
const gated: GradingInput[] = reports(64).map((measurements) => ({
  standard,
  safetyGate: gb18401,
  product: { category: 'down-garment', targetGroup: 'skin-contact' },
  report: report({ ...measurements, ...gateMeasurements }),
}));
const gatedFirst = gradeProduct(gated[0]!);
if (!gatedFirst.ok) throw new Error(`gated benchmark input is invalid: ${JSON.stringify(gatedFirst.violations)}`);
measure('gradeProduct with the GB 18401 gate', (i) => {
  const result = gradeProduct(gated[i & mask]!);
  return result.ok ? result.value : undefined;
});
