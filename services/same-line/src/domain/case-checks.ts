/**
 * The three checks of a case, run together on what the catalogue says and the evidence
 * the enterprise gave. Pure: the use cases read the catalogue and hand everything in.
 */
import type { DecisionRule, ProductCategory, Standard, TargetGroup } from '@pinzhi/catalogue-reader/model';
import { gapsOf, type CheckItem, type CheckOutcome } from './check-item.js';
import { compareLevels, requirementsOf, type ComparedLevel, type LevelProblem } from './requirements.js';
import { checkSameLine, type LineUnderCheck } from './same-line-check.js';
import { checkSameQuality, type LabReport } from './same-quality-check.js';
import { checkSameStandard } from './same-standard-check.js';

export type TwinUnderCheck = { gtin14: string; productionLineIds: readonly string[]; standardCodes: readonly string[]; targetGroup?: TargetGroup };

export type CaseCheckInput = {
  enterpriseId: string;
  category: ProductCategory;
  domestic: TwinUnderCheck;
  export: TwinUnderCheck;
  lines: readonly LineUnderCheck[];
  domesticStandards: readonly Standard[];
  exportStandards: readonly Standard[];
  /** Domestic grade level claimed; absent: each grading standard's lowest level. */
  claimedLevel?: string;
  /** Absent: guarded when any compared standard defaults to it, simple otherwise. */
  decisionRule?: DecisionRule;
  domesticReports: readonly LabReport[];
  exportReports: readonly LabReport[];
};

export type CaseChecks = {
  passed: boolean;
  sameLine: CheckOutcome;
  sameStandard: CheckOutcome;
  sameQuality: CheckOutcome;
  comparedLevels: ComparedLevel[];
  decisionRule: DecisionRule;
  checkedAt: Date;
};

export function runChecks(input: CaseCheckInput, now: Date): { ok: true; checks: CaseChecks } | { ok: false; problem: LevelProblem } {
  const levels = compareLevels(input.domesticStandards, input.exportStandards, {
    ...(input.domestic.targetGroup ? { domesticTargetGroup: input.domestic.targetGroup } : {}),
    ...(input.export.targetGroup ? { exportTargetGroup: input.export.targetGroup } : {}),
    ...(input.claimedLevel ? { claimedLevel: input.claimedLevel } : {}),
  });
  if (!levels.ok) return levels;
  const decisionRule =
    input.decisionRule ?? ([...input.domesticStandards, ...input.exportStandards].some((s) => s.defaultDecisionRule === 'guarded') ? 'guarded' : 'simple');
  const sameLine = checkSameLine({
    enterpriseId: input.enterpriseId,
    category: input.category,
    lines: input.lines,
    domestic: input.domestic,
    export: input.export,
  });
  const sameStandard = checkSameStandard({
    category: input.category,
    domestic: { standards: levels.domestic, appliedByProduct: input.domestic.standardCodes },
    export: { standards: levels.export, appliedByProduct: input.export.standardCodes },
  });
  const sameQuality = checkSameQuality({
    domestic: requirementsOf(levels.domestic),
    export: requirementsOf(levels.export),
    domesticReports: input.domesticReports,
    exportReports: input.exportReports,
    decisionRule,
  });
  return {
    ok: true,
    checks: {
      passed: sameLine.passed && sameStandard.passed && sameQuality.passed,
      sameLine,
      sameStandard,
      sameQuality,
      comparedLevels: [
        ...levels.domestic.map((l) => ({ standardCode: l.standard.code, side: 'domestic' as const, level: l.level })),
        ...levels.export.map((l) => ({ standardCode: l.standard.code, side: 'export' as const, level: l.level })),
      ],
      decisionRule,
      checkedAt: now,
    },
  };
}

/** Every gap of a run, in check order (line, standard, quality). */
export const gapsOfChecks = (checks: CaseChecks): CheckItem[] => gapsOf(checks.sameLine, checks.sameStandard, checks.sameQuality);
