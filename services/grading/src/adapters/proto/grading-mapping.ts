/** Translation between the grading API messages and the grade records. */
import type { DecisionRule as DecisionRuleWord } from '@pinzhi/catalogue-reader';
import { certificateFieldsOf } from '@pinzhi/certificates';
import { DecisionRule } from '@pinzhi/contracts/pinzhi/catalogue/v1/resources';
import {
  GradeState,
  type Certificate,
  type Grade as GradeMessage,
  type IndicatorVerdict as IndicatorVerdictMessage,
  type TestReport as TestReportMessage,
} from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { checkText, InvalidArgumentError, type FieldViolation } from '@pinzhi/platform';
import { signedFieldsOf } from '../../app/grading-use-cases.js';
import type { StoredGrade } from '../../app/ports.js';
import type { CertificateRecord, GradeState as GradeStateWord } from '../../domain/grade.js';
import type { IndicatorVerdict, TestReport } from '../../domain/grading-engine.js';

const states: Record<GradeStateWord, GradeState> = {
  issued: GradeState.GRADE_STATE_ISSUED,
  downgraded: GradeState.GRADE_STATE_DOWNGRADED,
  revoked: GradeState.GRADE_STATE_REVOKED,
  expired: GradeState.GRADE_STATE_EXPIRED,
  superseded: GradeState.GRADE_STATE_SUPERSEDED,
  refused: GradeState.GRADE_STATE_REFUSED,
};

export const gradeStateOf = (word: GradeStateWord) => states[word];

const rules: Record<DecisionRuleWord, DecisionRule> = {
  simple: DecisionRule.DECISION_RULE_SIMPLE,
  guarded: DecisionRule.DECISION_RULE_GUARDED,
};

export function decisionRuleFromMessage(rule: DecisionRule): DecisionRuleWord | undefined {
  if (rule === DecisionRule.DECISION_RULE_SIMPLE) return 'simple';
  if (rule === DecisionRule.DECISION_RULE_GUARDED) return 'guarded';
  if (rule === DecisionRule.DECISION_RULE_UNSPECIFIED) return undefined;
  throw new InvalidArgumentError('unknown decision rule', [
    { field: 'decision_rule', reason: 'INVALID_ENUM', description: 'DECISION_RULE_SIMPLE or DECISION_RULE_GUARDED' },
  ]);
}

/** Values arrive as text: "80" is a number, "3-4" a colour-fastness grade, "pass" a verdict. */
function measuredValue(text: string): number | string {
  const trimmed = text.trim();
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** Limits on a lab report, checked before any work (an event must stay well under Kafka's 1 MB). */
const REPORT_LIMITS = { text: 64, measurements: 200, value: 64 } as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INDICATOR_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function reportFromMessage(report: TestReportMessage | undefined, field = 'report'): TestReport & { batch?: string } {
  const r = report ?? ({ measurements: [] } as unknown as TestReportMessage);
  const violations: FieldViolation[] = [];
  // Report numbers, sample ids and batches are the laboratory's own text: the text policy
  // (no control or bidi characters, valid Unicode, NFC) with the report's length limit.
  const text = (name: string, value: string) => {
    const checked = checkText(`${field}.${name}`, value, { maxChars: REPORT_LIMITS.text });
    violations.push(...checked.violations);
    return checked.value;
  };
  const reportNumber = text('report_number', r.reportNumber ?? '');
  const sampleId = text('sample_id', r.sampleId ?? '');
  const batch = text('batch', r.batch ?? '');
  if ((r.laboratoryCnasNumber ?? '').length > REPORT_LIMITS.text) {
    violations.push({ field: `${field}.laboratory_cnas_number`, reason: 'TOO_LONG', description: `at most ${REPORT_LIMITS.text} characters` });
  }
  const testedOn = (r.testedOn ?? '').trim();
  // Date.parse rolls 2026-02-31 over to March; a real date reads back as itself.
  const parsed = new Date(`${testedOn}T00:00:00Z`);
  if (report && (!DATE.test(testedOn) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== testedOn)) {
    violations.push({ field: `${field}.tested_on`, reason: 'INVALID_DATE', description: 'a date as YYYY-MM-DD' });
  }
  const given = r.measurements ?? [];
  if (given.length > REPORT_LIMITS.measurements) {
    violations.push({ field: `${field}.measurements`, reason: 'TOO_MANY', description: `at most ${REPORT_LIMITS.measurements} measurements` });
  }
  // No prototype: an indicator id such as __proto__ is refused below, never looked up.
  const measurements: Record<string, { value: number | string; uncertainty?: number }> = Object.create(null);
  for (const [i, m] of given.slice(0, REPORT_LIMITS.measurements).entries()) {
    if (!INDICATOR_ID.test(m.indicatorId)) {
      violations.push({
        field: `${field}.measurements[${i}].indicator_id`,
        reason: 'INVALID_ID',
        description: 'lowercase letters, digits and "-", at most 64',
      });
      continue;
    }
    if (m.value.length > REPORT_LIMITS.value) {
      violations.push({ field: `${field}.measurements[${i}].value`, reason: 'TOO_LONG', description: `at most ${REPORT_LIMITS.value} characters` });
      continue;
    }
    if (m.indicatorId in measurements) {
      violations.push({ field: `${field}.measurements[${i}].indicator_id`, reason: 'DUPLICATE', description: `${m.indicatorId} is reported twice` });
    }
    measurements[m.indicatorId] = {
      value: measuredValue(m.value),
      ...(m.expandedUncertainty !== undefined ? { uncertainty: m.expandedUncertainty } : {}),
    };
  }
  if (!report) violations.push({ field, reason: 'REQUIRED', description: 'the test report is required' });
  if (violations.length > 0) throw new InvalidArgumentError('invalid test report', violations);
  return {
    laboratoryCnasNumber: r.laboratoryCnasNumber.trim(),
    reportNumber: reportNumber.trim(),
    sampleId: sampleId.trim(),
    testedOn,
    measurements,
    ...(batch ? { batch } : {}),
  };
}

/** Why a grade is downgraded or revoked: shown on certificate pages and carried in events. */
export function reasonFromMessage(reason: string): string {
  const checked = checkText('reason', reason, { maxChars: 500 });
  if (checked.violations.length > 0) throw new InvalidArgumentError('the reason is not acceptable text', checked.violations);
  return checked.value;
}

function reportToMessage(report: TestReport & { batch?: string }): TestReportMessage {
  return {
    laboratoryCnasNumber: report.laboratoryCnasNumber,
    reportNumber: report.reportNumber,
    sampleId: report.sampleId,
    batch: report.batch ?? '',
    testedOn: report.testedOn,
    measurements: Object.entries(report.measurements).map(([indicatorId, m]) => ({
      indicatorId,
      value: String(m.value),
      expandedUncertainty: m.uncertainty,
    })),
  };
}

function verdictToMessage(v: IndicatorVerdict): IndicatorVerdictMessage {
  return {
    indicatorId: v.indicatorId,
    measured: String(v.measured),
    expandedUncertainty: v.uncertainty,
    bestLevel: v.bestLevel,
    levels: Object.fromEntries(v.levels.map((l) => [l.level, l.passed])),
  };
}

/** MongoDB hands binary fields back as BSON Binary; the API wants raw bytes. */
function bytes(value: Uint8Array | { buffer: Uint8Array }): Buffer {
  return Buffer.from(value instanceof Uint8Array ? value : value.buffer);
}

export function certificateToMessage(grade: StoredGrade, c: CertificateRecord): Certificate {
  return {
    ...signedFieldsOf({ ...grade, certificate: c }),
    signature: {
      algorithm: c.signature.algorithm,
      keyId: c.signature.keyId,
      signature: bytes(c.signature.signature),
      signTime: c.signature.signedAt,
    },
  };
}

export function gradeToMessage(g: StoredGrade): GradeMessage {
  const o = g.outcome;
  return {
    name: `grades/${g._id}`,
    product: `products/${g.productId}`,
    gtin: g.productId,
    brand: `brands/${g.brandId}`,
    enterprise: `enterprises/${g.enterpriseId}`,
    category: g.category,
    standardCode: g.standardCode,
    level: g.level,
    state: states[g.state],
    decisionRule: rules[g.decisionRule],
    verdicts: o.indicators.map(verdictToMessage),
    limitingIndicators: o.limitingIndicators.map((l) => `${l.standardCode}#${l.indicatorId}`),
    safetyGate: o.safetyGate
      ? {
          standardCode: o.safetyGate.standardCode,
          requiredCategory: o.safetyGate.requiredCategory,
          achievedCategory: o.safetyGate.achievedCategory,
          passed: o.safetyGate.passed,
          verdicts: o.safetyGate.indicators.map(verdictToMessage),
        }
      : undefined,
    report: reportToMessage(g.report),
    certificationBody: `certificationBodies/${g.certificationBodyId}`,
    certificate: g.certificate ? certificateToMessage(g, g.certificate) : undefined,
    stateReason: g.stateReason,
    cause: g.cause,
    history: g.history.map((h) => ({
      state: states[h.state],
      level: h.level,
      reason: h.reason,
      cause: h.cause,
      changedBy: h.changedBy,
      changeTime: h.at,
    })),
    audit: { createdBy: g.audit.createdBy, createTime: g.audit.createdAt, updatedBy: g.audit.updatedBy, updateTime: g.audit.updatedAt },
  };
}

/** The certificate fields as a verifier received them. */
export function certificateFromMessage(c: Certificate) {
  return {
    ...certificateFieldsOf(c),
    ...(c.signature
      ? {
          signature: {
            algorithm: c.signature.algorithm,
            keyId: c.signature.keyId,
            signature: new Uint8Array(c.signature.signature),
            signedAt: c.signature.signTime ?? new Date(0),
          },
        }
      : {}),
  };
}
