/**
 * Same standard (同标): for every requirement of the export standard(s), the domestic
 * standard(s) the product applies are at least as strict, indicator by indicator, at the
 * levels compared (requirements.ts says which). Direction-aware:
 * - lower is better (formaldehyde): the domestic max must not exceed the export max;
 * - higher is better (colour fastness): the domestic min must not be below the export min;
 * - within a range (pH): the domestic range must lie inside the export range;
 * - pass/fail (odour): the outcomes the domestic standard accepts must be among those the
 *   export standard accepts, so an export "must pass" needs a domestic "must pass".
 * An export indicator the domestic standards do not set is a gap, and so is one measured in
 * another unit (no unit conversion is attempted: the gap says so) or read in another
 * direction. Indicators only the domestic side sets are not gaps (stricter is allowed).
 */
import type { ProductCategory, Standard } from '@pinzhi/catalogue-reader/model';
import { gap, outcomeOf, pass, type CheckItem, type CheckOutcome } from './check-item.js';
import { describeLimit, requirementsOf, sameUnit, type LeveledStandard, type Requirement } from './requirements.js';

export type SameStandardInput = {
  category: ProductCategory;
  domestic: { standards: readonly LeveledStandard[]; appliedByProduct: readonly string[] };
  export: { standards: readonly LeveledStandard[]; appliedByProduct: readonly string[] };
};

export function checkSameStandard(input: SameStandardInput): CheckOutcome {
  const items: CheckItem[] = [
    ...applicability(input.domestic.standards, input.domestic.appliedByProduct, input.category, 'domestic', 'domestic_standard_codes'),
    ...applicability(input.export.standards, input.export.appliedByProduct, input.category, 'export', 'export_standard_codes'),
  ];
  const domestic = requirementsOf(input.domestic.standards);
  const exported = requirementsOf(input.export.standards);
  for (const requirement of exported.values()) items.push(compareIndicator(requirement, domestic.get(requirement.indicatorId)));
  return outcomeOf(items);
}

function applicability(standards: readonly LeveledStandard[], applied: readonly string[], category: ProductCategory, side: string, field: string): CheckItem[] {
  return standards.flatMap(({ standard }: { standard: Standard }, i) => {
    const at = `${field}[${i}]`;
    if (!applied.includes(standard.code)) {
      return [
        gap(
          standard.code,
          at,
          'STANDARD_NOT_APPLIED',
          `the ${side} product is not registered under ${standard.code} in the catalogue (it applies ${applied.join(', ') || 'none'})`,
        ),
      ];
    }
    if (!standard.categories.includes(category)) {
      return [gap(standard.code, at, 'STANDARD_NOT_FOR_CATEGORY', `${standard.code} covers ${standard.categories.join(', ')}, not ${category}`)];
    }
    return [];
  });
}

const FIELD = 'domestic_standard_codes';

/** One export requirement against the domestic one on the same indicator. */
export function compareIndicator(exported: Requirement, domestic: Requirement | undefined): CheckItem {
  const id = exported.indicatorId;
  const exportText = `export ${describeLimit(exported)} (${exported.sources.join(', ')})`;
  if (exported.conflict) return gap(id, 'export_standard_codes', conflictGap(exported.conflict), `the export standards disagree: ${exported.conflict.text}`);
  if (!domestic) return gap(id, FIELD, 'INDICATOR_MISSING', `the domestic standards set no limit on ${id}; ${exportText}`);
  if (domestic.conflict) return gap(id, FIELD, conflictGap(domestic.conflict), `the domestic standards disagree: ${domestic.conflict.text}`);
  if (domestic.direction !== exported.direction) {
    return gap(
      id,
      FIELD,
      'DIRECTION_MISMATCH',
      `${id} is ${domestic.direction} in the domestic standard but ${exported.direction} in the export standard; not compared`,
    );
  }
  if (exported.direction !== 'pass-fail' && !sameUnit(domestic.unit, exported.unit)) {
    return gap(
      id,
      FIELD,
      'UNIT_MISMATCH',
      `${id} is in ${domestic.unit} domestically but in ${exported.unit} for export; the limits are not converted, so the domestic one cannot be shown at least as strict`,
    );
  }
  const domesticText = `domestic ${describeLimit(domestic)} (${domestic.sources.join(', ')})`;
  const versus = `${domesticText} vs ${exportText}`;
  switch (exported.direction) {
    case 'lower-is-better':
      return (domestic.max ?? Infinity) <= (exported.max ?? Infinity)
        ? pass(id, FIELD, `${versus}: at least as strict`)
        : gap(id, FIELD, 'DOMESTIC_LIMIT_LOOSER', `${versus}: the domestic max allows more`);
    case 'higher-is-better':
      return (domestic.min ?? -Infinity) >= (exported.min ?? -Infinity)
        ? pass(id, FIELD, `${versus}: at least as strict`)
        : gap(id, FIELD, 'DOMESTIC_LIMIT_LOOSER', `${versus}: the domestic min allows less`);
    case 'within-range': {
      const inside = (domestic.min ?? -Infinity) >= (exported.min ?? -Infinity) && (domestic.max ?? Infinity) <= (exported.max ?? Infinity);
      return inside
        ? pass(id, FIELD, `${versus}: the domestic range lies inside`)
        : gap(id, FIELD, 'RANGE_NOT_CONTAINED', `${versus}: the domestic range reaches outside the export range`);
    }
    case 'pass-fail':
      return !exported.pass || domestic.pass
        ? pass(id, FIELD, `${versus}: the domestic standard accepts only what the export standard accepts`)
        : gap(id, FIELD, 'PASS_NOT_REQUIRED', `${versus}: the domestic standard does not require a pass`);
  }
}

const conflictGap = (conflict: NonNullable<Requirement['conflict']>) => (conflict.kind === 'direction' ? 'DIRECTION_MISMATCH' : 'UNIT_MISMATCH');
