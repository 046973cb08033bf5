/**
 * What each side (domestic, export) requires of each indicator, at the level the case is
 * compared at.
 *
 * Which level of a standard is compared (the rule, documented in the README):
 * - a conformity standard (typically the foreign one): its single level, CONFORMING;
 * - a grading standard: on the domestic side the level the case claims (e.g. FIRST), by
 *   default its lowest level (合格品, QUALIFIED: what every product sold must meet); on the
 *   export side always its lowest level (what the market admits);
 * - a safety gate such as GB 18401: the category the product's target group requires, as the
 *   side's grading standard maps it (GB/T 14272: infant → A, skin contact → B, other → C),
 *   else GB 18401's own rule, else its least strict level.
 *
 * Several standards on one side all apply, so their limits combine into the strictest of them
 * (the largest min, the smallest max, pass when any asks for a pass).
 */
import { CONFORMING_LEVEL, gb18401Category, parseStandardCode, type IndicatorDirection, type Standard, type TargetGroup } from '@pinzhi/catalogue-reader/model';

export type Side = 'domestic' | 'export';

export type ComparedLevel = { standardCode: string; side: Side; level: string };

/** A standard and the level of it the case is compared at. */
export type LeveledStandard = { standard: Standard; level: string };

/** One side's combined requirement on one indicator. */
export type Requirement = {
  indicatorId: string;
  name: string;
  unit: string;
  direction: IndicatorDirection;
  min?: number;
  max?: number;
  pass?: true;
  /** "GB/T 14272-2021 QUALIFIED" for each standard that contributes a limit. */
  sources: string[];
  /** Set when the side's own standards disagree on the unit or direction of this indicator. */
  conflict?: { kind: 'direction' | 'unit'; text: string };
};

/** Indicator id → requirement, in the order the side's standards list them. */
export type SideRequirements = ReadonlyMap<string, Requirement>;

/** The domestic grade level a case claimed does not exist in any domestic grading standard. */
export type LevelProblem = { field: 'claimed_level'; reason: 'UNKNOWN_LEVEL'; description: string };

export function compareLevels(
  domestic: readonly Standard[],
  exported: readonly Standard[],
  context: { domesticTargetGroup?: TargetGroup; exportTargetGroup?: TargetGroup; claimedLevel?: string },
): { ok: true; domestic: LeveledStandard[]; export: LeveledStandard[] } | { ok: false; problem: LevelProblem } {
  const claimed = context.claimedLevel?.trim() || undefined;
  if (claimed !== undefined) {
    const grading = domestic.filter((s) => s.purpose === 'grading');
    if (!grading.some((s) => s.gradeLevels.includes(claimed))) {
      const levels = [...new Set(grading.flatMap((s) => s.gradeLevels))];
      return {
        ok: false,
        problem: {
          field: 'claimed_level',
          reason: 'UNKNOWN_LEVEL',
          description:
            levels.length > 0
              ? `'${claimed}' is not a level of the domestic grading standards; they have ${levels.join(', ')}`
              : 'no domestic standard is graded, so no level can be claimed',
        },
      };
    }
  }
  return {
    ok: true,
    domestic: domestic.map((standard) => ({ standard, level: levelOf(standard, domestic, context.domesticTargetGroup, claimed) })),
    export: exported.map((standard) => ({ standard, level: levelOf(standard, exported, context.exportTargetGroup, undefined) })),
  };
}

function levelOf(standard: Standard, side: readonly Standard[], targetGroup: TargetGroup | undefined, claimed: string | undefined): string {
  const lowest = standard.gradeLevels.at(-1) ?? CONFORMING_LEVEL;
  switch (standard.purpose) {
    case 'conformity':
      return standard.gradeLevels.includes(CONFORMING_LEVEL) ? CONFORMING_LEVEL : lowest;
    case 'grading':
      return claimed !== undefined && standard.gradeLevels.includes(claimed) ? claimed : lowest;
    case 'safety-gate': {
      if (targetGroup === undefined) return lowest;
      const mapped = side.find((s) => s.safetyGate?.standardCode === standard.code)?.safetyGate?.categoryByTargetGroup[targetGroup];
      if (mapped !== undefined && standard.gradeLevels.includes(mapped)) return mapped;
      const code = parseStandardCode(standard.code);
      const own = code.ok && code.value.prefix === 'GB' && code.value.number === '18401' ? gb18401Category(targetGroup) : undefined;
      return own !== undefined && standard.gradeLevels.includes(own) ? own : lowest;
    }
  }
}

/** The combined requirement of one side's standards at their compared levels. */
export function requirementsOf(standards: readonly LeveledStandard[]): SideRequirements {
  const out = new Map<string, Requirement>();
  for (const { standard, level } of standards) {
    for (const indicator of standard.indicators) {
      const limit = indicator.limits[level];
      if (!limit || limit.notRequired) continue;
      const source = `${standard.code} ${level}`;
      const existing = out.get(indicator.id);
      if (!existing) {
        out.set(indicator.id, {
          indicatorId: indicator.id,
          name: indicator.name,
          unit: indicator.unit,
          direction: indicator.direction,
          ...(limit.min !== undefined ? { min: limit.min } : {}),
          ...(limit.max !== undefined ? { max: limit.max } : {}),
          ...(limit.pass ? { pass: true as const } : {}),
          sources: [source],
        });
        continue;
      }
      const conflict: Requirement['conflict'] =
        existing.conflict ??
        (existing.direction !== indicator.direction
          ? { kind: 'direction', text: `${existing.sources[0]} reads it ${existing.direction}, ${source} ${indicator.direction}` }
          : indicator.direction !== 'pass-fail' && !sameUnit(existing.unit, indicator.unit)
            ? { kind: 'unit', text: `${existing.sources[0]} measures it in ${existing.unit}, ${source} in ${indicator.unit}` }
            : undefined);
      out.set(indicator.id, {
        ...existing,
        ...(conflict ? { conflict } : {}),
        ...(limit.min !== undefined && !conflict ? { min: Math.max(existing.min ?? -Infinity, limit.min) } : {}),
        ...(limit.max !== undefined && !conflict ? { max: Math.min(existing.max ?? Infinity, limit.max) } : {}),
        ...(limit.pass ? { pass: true as const } : {}),
        sources: [...existing.sources, source],
      });
    }
  }
  return out;
}

/** Units agree when they read the same ignoring spacing and case ("mg/100 g" = "mg/100g"). */
export function sameUnit(a: string, b: string): boolean {
  const norm = (u: string) => u.replace(/\s+/g, '').toLowerCase();
  return norm(a) === norm(b);
}

/** "max 30 mg/kg", "min 3", "4.0–7.5 pH", "pass". */
export function describeLimit(r: Pick<Requirement, 'min' | 'max' | 'pass' | 'unit'>): string {
  const unit = r.unit ? ` ${r.unit}` : '';
  if (r.pass) return 'pass';
  if (r.min !== undefined && r.max !== undefined) return `${r.min}–${r.max}${unit}`;
  if (r.max !== undefined) return `max ${r.max}${unit}`;
  if (r.min !== undefined) return `min ${r.min}${unit}`;
  return 'no limit';
}
