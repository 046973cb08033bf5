import { readFileSync } from 'node:fs';
import type { Product, ProductionLine, Standard } from '@pinzhi/catalogue-reader/model';
import { describe, expect, it } from 'vitest';
import { gapsOfChecks, runChecks, type CaseCheckInput } from './case-checks.js';
import type { LabReport } from './same-quality-check.js';

// The seeded catalogue: do the twin pairs it ships allow a passing case?
const seed = <T>(file: string): T[] => JSON.parse(readFileSync(new URL(`../../../../seeds/catalogue/${file}`, import.meta.url), 'utf8')) as T[];
const standards = new Map(seed<Standard & { _id: string }>('standards.json').map((s) => [s._id, s]));
const products = new Map(seed<Product & { _id: string }>('products.json').map((p) => [p._id, p]));
const lines = new Map(seed<ProductionLine & { _id: string }>('production-lines.json').map((l) => [l._id, { ...l, state: l.state ?? 'active' }]));

const measurements: Record<string, string> = {
  'down-cluster-content': '92',
  'fill-power': '18',
  'fill-weight-deviation': '-1',
  'oxygen-number': '3.2',
  turbidity: '650',
  'fat-content': '0.8',
  odour: 'pass',
  alkylphenols: '4',
  formaldehyde: '15',
  ph: '6.5',
  'colour-fastness-water': '4',
  'colour-fastness-acid-perspiration': '4',
  'colour-fastness-alkaline-perspiration': '4',
  'colour-fastness-dry-rubbing': '4',
  'colour-fastness-saliva': '4',
  'banned-aromatic-amines': '5',
};

const report = (number: string, overrides: Record<string, string> = {}): LabReport => ({
  laboratoryCnasNumber: 'CNAS L99501',
  reportNumber: number,
  sampleId: 'S-1',
  testedOn: '2026-10-01',
  measurements: Object.fromEntries(Object.entries({ ...measurements, ...overrides }).map(([k, v]) => [k, { value: v }])),
});

function caseOf(domesticId: string, reports: LabReport[]): CaseCheckInput {
  const domestic = products.get(domesticId)!;
  const exported = products.get(domestic.twinProductId!)!;
  const shared = domestic.productionLineIds.filter((l) => exported.productionLineIds.includes(l));
  const twin = (p: Product) => ({
    gtin14: p.gtin14,
    productionLineIds: p.productionLineIds,
    standardCodes: p.standardCodes,
    ...(p.targetGroup ? { targetGroup: p.targetGroup } : {}),
  });
  return {
    enterpriseId: domestic.enterpriseId,
    category: domestic.category,
    domestic: twin(domestic),
    export: twin(exported),
    lines: shared.map((id) => ({ id, line: lines.get(id) ?? null })),
    domesticStandards: domestic.standardCodes.map((c) => standards.get(c)!),
    exportStandards: exported.standardCodes.map((c) => standards.get(c)!),
    domesticReports: reports,
    exportReports: [],
  };
}

describe('the three checks on the seeded twin pairs', () => {
  for (const domestic of ['06934567801012', '06934567801036', '06972043154054']) {
    it(`${domestic} and its twin pass with a good domestic report`, () => {
      const run = runChecks(caseOf(domestic, [report('R-1')]), new Date());
      if (!run.ok) throw new Error(run.problem.description);
      expect(gapsOfChecks(run.checks)).toEqual([]);
      expect(run.checks.passed).toBe(true);
    });
  }

  it('compares GB/T 14272 at QUALIFIED, GB 18401 at the category of the target group, EN 12935 at CONFORMING', () => {
    const run = runChecks(caseOf('06972043154054', [report('R-1')]), new Date());
    if (!run.ok) throw new Error('levels');
    expect(run.checks.comparedLevels).toEqual([
      { standardCode: 'GB/T 14272-2021', side: 'domestic', level: 'QUALIFIED' },
      { standardCode: 'GB 18401-2010', side: 'domestic', level: 'A' },
      { standardCode: 'EN 12935:2001', side: 'export', level: 'CONFORMING' },
    ]);
    expect(run.checks.sameStandard.items.map((i) => i.subject)).toEqual(['oxygen-number', 'turbidity', 'odour']);
  });

  it('fails same quality when a domestic result misses the stricter limit, naming the report and indicator', () => {
    const run = runChecks(caseOf('06934567801012', [report('R-9', { 'oxygen-number': '6.1' })]), new Date());
    if (!run.ok) throw new Error('levels');
    expect(gapsOfChecks(run.checks).map((g) => [g.subject, g.gap])).toEqual([['R-9#oxygen-number', 'LIMIT_NOT_MET']]);
  });

  it('refuses a claimed level the domestic standards do not have', () => {
    const run = runChecks({ ...caseOf('06934567801012', [report('R-1')]), claimedLevel: 'GOLD' }, new Date());
    expect(run.ok).toBe(false);
  });
});
