/**
 * Same quality (同质): what the lab reports show.
 *
 * 1. Every domestic report meets the stricter of the two requirements on every indicator:
 *    the domestic and export limits combined (the largest min, the smallest max, pass when
 *    either asks for one). Each export-required indicator must be reported in every domestic
 *    report; a domestic-only indicator is judged when reported (the product's conformity to
 *    its own standard is grading's business, not what this case shows).
 *    The decision rule (ILAC-G8) treats the expanded uncertainty U as grading does: simple
 *    acceptance compares the value itself; guarded acceptance first moves it by U towards
 *    failing (up against a max, down against a min, both ways against a range). Pass/fail
 *    verdicts carry no U.
 * 2. Where both markets have reports, the domestic results must not be systematically worse
 *    than the export results beyond the stated uncertainty. Per numeric indicator reported on
 *    both sides, with "worse" meaning higher for lower-is-better, lower for higher-is-better
 *    and further from the middle of the range for a range: it is a gap when every domestic
 *    result is worse than every export result AND the mean domestic result is worse than the
 *    mean export result by more than the combined expanded uncertainty √(U_d² + U_e²), where
 *    U_d and U_e are the largest U stated on each side (0 where none is stated). One batch
 *    that happens to be worse is noise; all of them, by more than the labs' uncertainty, is
 *    a pattern.
 */
import type { DecisionRule } from '@pinzhi/catalogue-reader/model';
import { gap, outcomeOf, pass, type CheckItem, type CheckOutcome } from './check-item.js';
import { readValue, scaleOf, type Measurement } from './measured-value.js';
import { describeLimit, sameUnit, type Requirement, type SideRequirements } from './requirements.js';

export type LabReport = {
  laboratoryCnasNumber: string;
  reportNumber: string;
  sampleId: string;
  batch?: string;
  /** YYYY-MM-DD */
  testedOn: string;
  measurements: Readonly<Record<string, Measurement>>;
};

export type SameQualityInput = {
  domestic: SideRequirements;
  export: SideRequirements;
  domesticReports: readonly LabReport[];
  exportReports: readonly LabReport[];
  decisionRule: DecisionRule;
};

/** What a domestic result is held to on one indicator. */
type Effective = Requirement & { exportRequires: boolean };

export function checkSameQuality(input: SameQualityInput): CheckOutcome {
  if (input.domesticReports.length === 0) {
    return outcomeOf([gap('domestic_reports', 'domestic_reports', 'NO_DOMESTIC_EVIDENCE', 'no lab test report of a domestic batch was given')]);
  }
  const effective = effectiveRequirements(input.domestic, input.export);
  const items: CheckItem[] = [];
  input.domesticReports.forEach((report, i) => {
    for (const requirement of effective) items.push(...judgeResult(report, `domestic_reports[${i}]`, requirement, input.decisionRule));
  });
  if (input.exportReports.length > 0) {
    for (const requirement of effective) {
      const item = compareMarkets(requirement, input.domesticReports, input.exportReports);
      if (item) items.push(item);
    }
  }
  return outcomeOf(items);
}

/** The stricter of the two sides per indicator: export indicators first, then domestic-only ones. */
export function effectiveRequirements(domestic: SideRequirements, exported: SideRequirements): Effective[] {
  const out: Effective[] = [];
  for (const e of exported.values()) {
    const d = domestic.get(e.indicatorId);
    // Limits in other units or directions cannot be combined; the same-standard check reports
    // that gap, and here each result is held to the domestic limit alone.
    const comparable = d && !d.conflict && !e.conflict && d.direction === e.direction && (e.direction === 'pass-fail' || sameUnit(d.unit, e.unit));
    if (d && !comparable) {
      out.push({ ...d, exportRequires: true });
      continue;
    }
    out.push({
      ...e,
      ...(d ? stricter(d, e) : {}),
      sources: d ? [...d.sources, ...e.sources] : e.sources,
      exportRequires: true,
    });
  }
  for (const d of domestic.values()) if (!exported.has(d.indicatorId)) out.push({ ...d, exportRequires: false });
  return out;
}

function stricter(a: Requirement, b: Requirement): Pick<Requirement, 'min' | 'max' | 'pass'> {
  const min = a.min === undefined ? b.min : b.min === undefined ? a.min : Math.max(a.min, b.min);
  const max = a.max === undefined ? b.max : b.max === undefined ? a.max : Math.min(a.max, b.max);
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), ...(a.pass || b.pass ? { pass: true as const } : {}) };
}

function judgeResult(report: LabReport, field: string, r: Effective, rule: DecisionRule): CheckItem[] {
  const subject = `${report.reportNumber}#${r.indicatorId}`;
  const m = Object.hasOwn(report.measurements, r.indicatorId) ? report.measurements[r.indicatorId] : undefined;
  const at = `${field}.measurements`;
  if (!m) {
    return r.exportRequires
      ? [gap(subject, at, 'RESULT_MISSING', `report ${report.reportNumber} has no result for ${r.indicatorId}, which the export standard requires`)]
      : [];
  }
  const scale = scaleOf(r);
  const value = readValue(m.value, scale);
  if (Number.isNaN(value))
    return [
      gap(
        subject,
        at,
        'RESULT_UNREADABLE',
        `'${m.value}' is not a ${scale === 'number' ? 'number' : scale === 'grade' ? 'colour-fastness grade (e.g. 4 or 3-4)' : 'pass/fail verdict'}`,
      ),
    ];
  const limit = `${describeLimit(r)} (${r.sources.join(', ')})`;
  if (scale === 'pass-fail') {
    const ok = !r.pass || value === 1;
    const text = `${r.indicatorId} ${value === 1 ? 'pass' : 'fail'} against ${limit}`;
    return [ok ? pass(subject, at, text) : gap(subject, at, 'LIMIT_NOT_MET', text)];
  }
  const u = rule === 'guarded' ? (m.uncertainty ?? 0) : 0;
  const low = value - u;
  const high = value + u;
  const ok = (r.min === undefined || low >= r.min) && (r.max === undefined || high <= r.max);
  const unit = r.unit ? ` ${r.unit}` : '';
  const shown =
    u > 0
      ? `${m.value}${unit} (U ${m.uncertainty}, guarded ${r.min !== undefined && r.max !== undefined ? `${round(low)}–${round(high)}` : r.max !== undefined ? round(high) : round(low)})`
      : `${m.value}${unit}`;
  const text = `${r.indicatorId} ${shown} against ${limit}`;
  return [ok ? pass(subject, at, `${text}: met`) : gap(subject, at, 'LIMIT_NOT_MET', `${text}: not met`)];
}

function compareMarkets(r: Effective, domesticReports: readonly LabReport[], exportReports: readonly LabReport[]): CheckItem | undefined {
  const scale = scaleOf(r);
  if (scale === 'pass-fail') return undefined;
  const results = (reports: readonly LabReport[]) =>
    reports.flatMap((report) => {
      const m = Object.hasOwn(report.measurements, r.indicatorId) ? report.measurements[r.indicatorId] : undefined;
      const value = m ? readValue(m.value, scale) : Number.NaN;
      return Number.isNaN(value) ? [] : [{ value, uncertainty: m!.uncertainty ?? 0 }];
    });
  const d = results(domesticReports);
  const e = results(exportReports);
  if (d.length === 0 || e.length === 0) return undefined;
  const mid = r.min !== undefined && r.max !== undefined ? (r.min + r.max) / 2 : 0;
  const badness = (x: number) => (r.direction === 'higher-is-better' ? -x : r.direction === 'within-range' ? Math.abs(x - mid) : x);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const db = d.map((x) => badness(x.value));
  const eb = e.map((x) => badness(x.value));
  const worseBy = mean(db) - mean(eb);
  const combinedU = Math.hypot(Math.max(...d.map((x) => x.uncertainty)), Math.max(...e.map((x) => x.uncertainty)));
  const allWorse = Math.min(...db) > Math.max(...eb);
  const means = `domestic mean ${round(mean(d.map((x) => x.value)))} (${d.length} result${d.length > 1 ? 's' : ''}) vs export mean ${round(mean(e.map((x) => x.value)))} (${e.length})`;
  const field = 'export_reports';
  if (allWorse && worseBy > combinedU) {
    return gap(
      r.indicatorId,
      field,
      'SYSTEMATICALLY_WORSE',
      `${r.indicatorId}: ${means}; every domestic result is worse, by ${round(worseBy)} on average, more than the combined uncertainty ${round(combinedU)}`,
    );
  }
  const why = !allWorse ? 'not every domestic result is worse' : `worse by ${round(worseBy)}, within the combined uncertainty ${round(combinedU)}`;
  return pass(r.indicatorId, field, `${r.indicatorId}: ${means}; ${worseBy <= 0 ? 'domestic results are no worse' : why}`);
}

const round = (x: number) => Number(x.toPrecision(6));
