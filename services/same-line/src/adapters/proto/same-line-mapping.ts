import { validateCnasNumber, type DecisionRule } from '@pinzhi/catalogue-reader/model';
import { DecisionRule as DecisionRuleMessage } from '@pinzhi/contracts/pinzhi/catalogue/v1/resources';
import type { CertificateSignature } from '@pinzhi/contracts/pinzhi/common/v1/signature';
import type { TestReport as TestReportMessage } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import {
  CaseState as CaseStateMessage,
  FindingSeverity as FindingSeverityMessage,
  SameLinePath as PathMessage,
  type CaseChecks as ChecksMessage,
  type Listing,
  type SameLineCase as CaseMessage,
  type SameLineCertificate,
  type SameLineStatement as StatementMessage,
} from '@pinzhi/contracts/pinzhi/sameline/v1/resources';
import { InvalidArgumentError, type FieldViolation } from '@pinzhi/platform';
import type { SameLineCase, StatementSignature } from '../../app/ports.js';
import type { CaseChecks } from '../../domain/case-checks.js';
import type { CaseState, FindingSeverity, SameLinePath } from '../../domain/case-lifecycle.js';
import type { CheckOutcome } from '../../domain/check-item.js';
import type { LabReport } from '../../domain/same-quality-check.js';
import type { SameLineStatement } from '../../domain/statement.js';

const states: Record<CaseState, CaseStateMessage> = {
  filed: CaseStateMessage.CASE_STATE_FILED,
  under_evaluation: CaseStateMessage.CASE_STATE_UNDER_EVALUATION,
  declared: CaseStateMessage.CASE_STATE_DECLARED,
  certified: CaseStateMessage.CASE_STATE_CERTIFIED,
  rejected: CaseStateMessage.CASE_STATE_REJECTED,
  suspended: CaseStateMessage.CASE_STATE_SUSPENDED,
  withdrawn: CaseStateMessage.CASE_STATE_WITHDRAWN,
  expired: CaseStateMessage.CASE_STATE_EXPIRED,
};
const paths: Record<SameLinePath, PathMessage> = {
  self_declared: PathMessage.SAME_LINE_PATH_SELF_DECLARED,
  third_party: PathMessage.SAME_LINE_PATH_THIRD_PARTY,
};
const severities: Record<FindingSeverity, FindingSeverityMessage> = {
  observation: FindingSeverityMessage.FINDING_SEVERITY_OBSERVATION,
  minor: FindingSeverityMessage.FINDING_SEVERITY_MINOR,
  major: FindingSeverityMessage.FINDING_SEVERITY_MAJOR,
};
const rules: Record<DecisionRule, DecisionRuleMessage> = {
  simple: DecisionRuleMessage.DECISION_RULE_SIMPLE,
  guarded: DecisionRuleMessage.DECISION_RULE_GUARDED,
};

const reverse = <K extends string, V>(table: Record<K, V>) => new Map([...Object.entries(table)].map(([k, v]) => [v as V, k as K]));
const stateOf = reverse(states);
const pathOf = reverse(paths);
const severityOf = reverse(severities);
const ruleOf = reverse(rules);

export const stateToMessage = (state: CaseState) => states[state];
export const pathToMessage = (path: SameLinePath) => paths[path];
export const stateFromMessage = (state: CaseStateMessage): CaseState | undefined => stateOf.get(state);
export const pathFromMessage = (path: PathMessage): SameLinePath | undefined => pathOf.get(path);
export const severityFromMessage = (severity: FindingSeverityMessage): FindingSeverity | undefined => severityOf.get(severity);
export const ruleFromMessage = (rule: DecisionRuleMessage): DecisionRule | undefined => ruleOf.get(rule);

/** "UNDER_EVALUATION" (a list filter) → 'under_evaluation'; '' → undefined. */
export function stateFromFilter(text: string, field: string): CaseState | undefined {
  if (text === '') return undefined;
  const state = text.toLowerCase() as CaseState;
  if (state in states) return state;
  throw new InvalidArgumentError(`invalid ${field}`, [
    {
      field,
      description: `one of ${Object.keys(states)
        .map((s) => s.toUpperCase())
        .join(', ')}`,
      reason: 'INVALID_STATE',
    },
  ]);
}

/** Limits of the evidence a case carries (also in resources.proto). */
export const MAX_REPORTS = 16;
export const MAX_MEASUREMENTS = 64;
const MAX_TEXT = 64;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INDICATOR_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * Lab reports as the case keeps them, every problem reported at once as a field violation
 * under `field` (e.g. `same_line_case.domestic_reports`). Values stay as written; the checks
 * read them against each indicator's scale.
 */
export function reportsFromMessage(reports: readonly TestReportMessage[], field: string, violations: FieldViolation[], seen = new Set<string>()): LabReport[] {
  if (reports.length > MAX_REPORTS) violations.push({ field, description: `at most ${MAX_REPORTS} reports`, reason: 'TOO_MANY' });
  return reports.slice(0, MAX_REPORTS).map((r, i) => {
    const at = `${field}[${i}]`;
    const text = (name: string, value: string, required: boolean) => {
      const v = value.trim();
      if (required && v === '') violations.push({ field: `${at}.${name}`, description: 'required', reason: 'REQUIRED' });
      if (v.length > MAX_TEXT) violations.push({ field: `${at}.${name}`, description: `at most ${MAX_TEXT} characters`, reason: 'TOO_LONG' });
      return v;
    };
    const lab = text('laboratory_cnas_number', r.laboratoryCnasNumber, true);
    if (lab !== '') violations.push(...validateCnasNumber(lab, `${at}.laboratory_cnas_number`, 'laboratory'));
    const reportNumber = text('report_number', r.reportNumber, true);
    if (reportNumber !== '' && seen.has(reportNumber))
      violations.push({ field: `${at}.report_number`, description: `report ${reportNumber} is given twice`, reason: 'DUPLICATE' });
    seen.add(reportNumber);
    const testedOn = text('tested_on', r.testedOn, true);
    if (testedOn !== '' && (!DATE.test(testedOn) || Number.isNaN(Date.parse(`${testedOn}T00:00:00Z`)))) {
      violations.push({ field: `${at}.tested_on`, description: 'a date as YYYY-MM-DD', reason: 'INVALID_DATE' });
    }
    if (r.measurements.length === 0) violations.push({ field: `${at}.measurements`, description: 'a report has at least one result', reason: 'REQUIRED' });
    if (r.measurements.length > MAX_MEASUREMENTS)
      violations.push({ field: `${at}.measurements`, description: `at most ${MAX_MEASUREMENTS} results`, reason: 'TOO_MANY' });
    const measurements: Record<string, { value: string; uncertainty?: number }> = {};
    r.measurements.slice(0, MAX_MEASUREMENTS).forEach((m, j) => {
      const mf = `${at}.measurements[${j}]`;
      if (!INDICATOR_ID.test(m.indicatorId) || m.indicatorId.length > MAX_TEXT)
        violations.push({ field: `${mf}.indicator_id`, description: 'a kebab-case indicator id, e.g. formaldehyde', reason: 'INVALID_INDICATOR_ID' });
      else if (Object.hasOwn(measurements, m.indicatorId))
        violations.push({ field: `${mf}.indicator_id`, description: `${m.indicatorId} is reported twice`, reason: 'DUPLICATE' });
      if (m.value.trim() === '' || m.value.length > MAX_TEXT)
        violations.push({ field: `${mf}.value`, description: `a value of 1-${MAX_TEXT} characters`, reason: 'INVALID_VALUE' });
      const u = m.expandedUncertainty;
      if (u !== undefined && !(Number.isFinite(u) && u >= 0))
        violations.push({ field: `${mf}.expanded_uncertainty`, description: 'a finite number ≥ 0', reason: 'INVALID_UNCERTAINTY' });
      measurements[m.indicatorId] = { value: m.value.trim(), ...(u !== undefined ? { uncertainty: u } : {}) };
    });
    return {
      laboratoryCnasNumber: lab,
      reportNumber,
      sampleId: r.sampleId.trim(),
      ...(r.batch.trim() ? { batch: r.batch.trim() } : {}),
      testedOn,
      measurements,
    };
  });
}

export function reportToMessage(r: LabReport): TestReportMessage {
  return {
    laboratoryCnasNumber: r.laboratoryCnasNumber,
    reportNumber: r.reportNumber,
    sampleId: r.sampleId,
    batch: r.batch ?? '',
    testedOn: r.testedOn,
    measurements: Object.entries(r.measurements).map(([indicatorId, m]) => ({
      indicatorId,
      value: m.value,
      ...(m.uncertainty !== undefined ? { expandedUncertainty: m.uncertainty } : {}),
    })),
  };
}

const outcomeToMessage = (o: CheckOutcome) => ({
  passed: o.passed,
  items: o.items.map((i) => ({ subject: i.subject, passed: i.passed, gap: i.gap ?? '', explanation: i.explanation })),
});

export function checksToMessage(c: CaseChecks): ChecksMessage {
  return {
    passed: c.passed,
    sameLine: outcomeToMessage(c.sameLine),
    sameStandard: outcomeToMessage(c.sameStandard),
    sameQuality: outcomeToMessage(c.sameQuality),
    comparedLevels: c.comparedLevels.map((l) => ({ standardCode: l.standardCode, side: l.side.toUpperCase(), level: l.level })),
    decisionRule: rules[c.decisionRule],
    checkTime: c.checkedAt,
  };
}

export function statementToMessage(s: SameLineStatement): StatementMessage {
  return { ...s, path: paths[s.path] };
}

export function statementFromMessage(m: StatementMessage): SameLineStatement {
  // An unknown path cannot be signed by pinzhi; it stays a value that fails verification.
  return {
    ...m,
    path: pathOf.get(m.path) ?? ('' as SameLinePath),
    validFrom: m.validFrom ?? new Date(Number.NaN),
    validUntil: m.validUntil ?? new Date(Number.NaN),
  };
}

export const signatureToMessage = (s: StatementSignature): CertificateSignature => ({
  algorithm: s.algorithm,
  keyId: s.keyId,
  signature: Buffer.from(s.signature),
  signTime: s.signedAt,
});

export const signatureFromMessage = (m: CertificateSignature): StatementSignature => ({
  algorithm: m.algorithm,
  keyId: m.keyId,
  signature: new Uint8Array(m.signature),
  signedAt: m.signTime ?? new Date(Number.NaN),
});

export function certificateToMessage(c: SameLineCase): SameLineCertificate | undefined {
  return c.statement ? { statement: statementToMessage(c.statement.statement), signature: signatureToMessage(c.statement.signature) } : undefined;
}

export function caseToMessage(c: SameLineCase): CaseMessage {
  return {
    name: `cases/${c._id}`,
    path: paths[c.path],
    state: states[c.state],
    enterprise: `enterprises/${c.enterpriseId}`,
    enterpriseDisplayName: c.enterpriseName,
    domesticProduct: `products/${c.domestic.gtin14}`,
    exportProduct: `products/${c.export.gtin14}`,
    productionLines: c.productionLineIds.map((l) => `productionLines/${l}`),
    domesticStandardCodes: c.domesticStandardCodes,
    exportMarket: c.exportMarket,
    exportStandardCodes: c.exportStandardCodes,
    claimedLevel: c.claimedLevel ?? '',
    domesticReports: c.evidence.domestic.map(reportToMessage),
    exportReports: c.evidence.export.map(reportToMessage),
    decisionRule: c.decisionRule ? rules[c.decisionRule] : DecisionRuleMessage.DECISION_RULE_UNSPECIFIED,
    category: c.category,
    checks: checksToMessage(c.checks),
    certificationBody: c.body ? `certificationBodies/${c.body.bodyId}` : '',
    certificationBodyCnasNumber: c.body?.cnasNumber ?? '',
    findings: c.findings.map((f) => ({
      name: `cases/${c._id}/findings/${f.number}`,
      severity: severities[f.severity],
      indicatorId: f.indicatorId ?? '',
      text: f.text,
      author: f.author.subject,
      authorOrganisation: f.author.org,
      createTime: f.at,
    })),
    rejectionReasons: c.rejectionReasons,
    certificate: certificateToMessage(c),
    suspensionReason: c.state === 'suspended' ? (c.stateReason ?? '') : '',
    surveillance: c.surveillance.map((r) => ({
      cause: r.cause,
      causeEventId: r.causeEventId ?? '',
      causeEventType: r.causeEventType ?? '',
      product: `products/${r.productId}`,
      reason: r.reason,
      recordTime: r.at,
      suspended: r.suspended,
    })),
    history: c.history.map((t) => ({
      fromState: t.from ? states[t.from] : CaseStateMessage.CASE_STATE_UNSPECIFIED,
      toState: states[t.to],
      action: t.action,
      actor: t.actor.subject,
      role: t.actor.role,
      organisation: t.actor.org,
      transitionTime: t.at,
      reason: t.reason ?? '',
    })),
    audit: { createdBy: c.audit.createdBy, createTime: c.audit.createdAt, updatedBy: c.audit.updatedBy, updateTime: c.audit.updatedAt },
  };
}

/** The public record of a case with a statement (SearchListings, VerifySameLineCertificate). */
export function listingOf(c: SameLineCase): Listing {
  const reports = [...c.evidence.domestic, ...c.evidence.export];
  const checks = c.checks;
  return {
    sameLineCase: `cases/${c._id}`,
    certificateNumber: c.statement?.statement.number ?? '',
    enterprise: `enterprises/${c.enterpriseId}`,
    enterpriseCreditCode: c.enterpriseId,
    enterpriseDisplayName: c.enterpriseName,
    domesticProduct: { product: `products/${c.domestic.gtin14}`, gtin: c.domestic.gtin14, model: c.domestic.model, displayName: c.domestic.name },
    exportProduct: { product: `products/${c.export.gtin14}`, gtin: c.export.gtin14, model: c.export.model, displayName: c.export.name },
    category: c.category,
    domesticStandardCodes: c.domesticStandardCodes,
    exportMarket: c.exportMarket,
    exportStandardCodes: c.exportStandardCodes,
    path: paths[c.path],
    evidence: {
      domesticReportCount: c.evidence.domestic.length,
      exportReportCount: c.evidence.export.length,
      laboratoryCnasNumbers: [...new Set(reports.map((r) => r.laboratoryCnasNumber))],
      latestTestedOn:
        reports
          .map((r) => r.testedOn)
          .sort()
          .at(-1) ?? '',
      checkedItems: checks.sameLine.items.length + checks.sameStandard.items.length + checks.sameQuality.items.length,
      certificationBodyDisplayName: c.path === 'third_party' ? (c.body?.name ?? '') : '',
      certificationBodyCnasNumber: c.path === 'third_party' ? (c.body?.cnasNumber ?? '') : '',
    },
    ...(c.listedAt ? { listingTime: c.listedAt } : {}),
    ...(c.validUntil ? { validUntil: c.validUntil } : {}),
    state: states[c.state],
    stateReason: c.state === 'suspended' || c.state === 'withdrawn' ? (c.stateReason ?? '') : '',
    updateTime: c.audit.updatedAt,
  };
}
