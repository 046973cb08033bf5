import {
  ApplicationState as ApplicationStateMessage,
  BrandStrengthElement,
  Sector as SectorMessage,
  SensitivityParameter,
  ValuationMethod as ValuationMethodMessage,
  ValuationState,
  type Application as ApplicationMessage,
  type MethodResult,
  type QualityEvidence,
  type Valuation,
  type ValuationReport as ValuationReportMessage,
  type ValuationStatement as StatementMessage,
} from '@pinzhi/contracts/pinzhi/brand/v1/resources';
import type { Money as MoneyMessage } from '@pinzhi/contracts/pinzhi/common/v1/money';
import type { CertificateSignature } from '@pinzhi/contracts/pinzhi/common/v1/signature';
import { InvalidArgumentError, type FieldViolation } from '@pinzhi/platform';
import type { Application, DraftInput, StatementSignature } from '../../app/ports.js';
import type { ApplicationState } from '../../domain/application.js';
import type { EvidenceSummary } from '../../domain/quality-evidence.js';
import type { ValuationStatement } from '../../domain/valuation-statement.js';
import {
  BRAND_ELEMENTS,
  type ElementScore,
  type FieldViolation as DomainViolation,
  type Money,
  type Sector,
  type SensitivityCell,
  type ValuationMethod,
  type ValuationReport,
} from '../../domain/index.js';

const states: Record<ApplicationState, ApplicationStateMessage> = {
  draft: ApplicationStateMessage.APPLICATION_STATE_DRAFT,
  submitted: ApplicationStateMessage.APPLICATION_STATE_SUBMITTED,
  under_review: ApplicationStateMessage.APPLICATION_STATE_UNDER_REVIEW,
  evaluated: ApplicationStateMessage.APPLICATION_STATE_EVALUATED,
  published: ApplicationStateMessage.APPLICATION_STATE_PUBLISHED,
  rejected: ApplicationStateMessage.APPLICATION_STATE_REJECTED,
  withdrawn: ApplicationStateMessage.APPLICATION_STATE_WITHDRAWN,
};
const sectors: Record<Sector, SectorMessage> = {
  agriculture: SectorMessage.SECTOR_AGRICULTURE,
  manufacturing: SectorMessage.SECTOR_MANUFACTURING,
  services: SectorMessage.SECTOR_SERVICES,
};
const methods: Record<ValuationMethod, ValuationMethodMessage> = {
  relief_from_royalty: ValuationMethodMessage.VALUATION_METHOD_RELIEF_FROM_ROYALTY,
  excess_earnings: ValuationMethodMessage.VALUATION_METHOD_EXCESS_EARNINGS,
};
const elements = {
  tangible: BrandStrengthElement.BRAND_STRENGTH_ELEMENT_TANGIBLE,
  quality: BrandStrengthElement.BRAND_STRENGTH_ELEMENT_QUALITY,
  innovation: BrandStrengthElement.BRAND_STRENGTH_ELEMENT_INNOVATION,
  service: BrandStrengthElement.BRAND_STRENGTH_ELEMENT_SERVICE,
  intangible: BrandStrengthElement.BRAND_STRENGTH_ELEMENT_INTANGIBLE,
} as const;

const reverse = <K extends string, V>(table: Record<K, V>) => new Map([...Object.entries(table)].map(([k, v]) => [v as V, k as K]));
const sectorOf = reverse(sectors);
const methodOf = reverse(methods);

export const stateToMessage = (state: ApplicationState) => states[state];
export const sectorToMessage = (sector: Sector | undefined) => (sector ? sectors[sector] : SectorMessage.SECTOR_UNSPECIFIED);
export const methodToMessage = (method: ValuationMethod | undefined) => (method ? methods[method] : ValuationMethodMessage.VALUATION_METHOD_UNSPECIFIED);
export const methodFromMessage = (method: ValuationMethodMessage): ValuationMethod | undefined => methodOf.get(method);

/** "SUBMITTED" (a list filter) → 'submitted'; '' → undefined. */
export function stateFromFilter(text: string, field: string): ApplicationState | undefined {
  if (text === '') return undefined;
  const state = text.toLowerCase() as ApplicationState;
  if (state in states) return state;
  throw invalid(
    field,
    `one of ${Object.keys(states)
      .map((s) => s.toUpperCase())
      .join(', ')}`,
    'INVALID_STATE',
  );
}

export function sectorFromFilter(text: string, field: string): Sector | undefined {
  if (text === '') return undefined;
  const sector = text.toLowerCase() as Sector;
  if (sector in sectors) return sector;
  throw invalid(field, 'AGRICULTURE, MANUFACTURING or SERVICES', 'INVALID_SECTOR');
}

function invalid(field: string, description: string, reason: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid ${field}`, [{ field, description, reason }]);
}

/** The engine names fields after its own input; the API's names differ in a few places. */
export function toRequestField(field: string, premia: readonly string[] = PREMIA): string {
  return field
    .replace(/^forecast_years/, 'forecast')
    .replace(/\.fiscal_year$/, '.year')
    .replace(/^terminal_growth_rate/, 'terminal_growth')
    .replace(/^one_year_lending_rate/, 'lending_rate_one_year')
    .replace(/^five_year_lending_rate/, 'lending_rate_five_year')
    .replace(/^discount_rate_build_up\.premia\[(\d+)\](\.rate)?/, (_, i: string) => `discount_rate_build_up.${premia[Number(i)] ?? 'premia'}`);
}

export const requestViolations = (violations: readonly FieldViolation[]): FieldViolation[] => violations.map((v) => ({ ...v, field: toRequestField(v.field) }));

export const domainViolations = (violations: readonly DomainViolation[], reason: string): FieldViolation[] =>
  violations.map((v) => ({ field: toRequestField(v.field), description: v.description, reason }));

const PREMIA = ['equity_risk_premium', 'size_premium', 'brand_specific_premium'] as const;

/** Input paths an update_mask may name. */
export const INPUT_PATHS = [
  'sector',
  'valuation_date',
  'historical_years',
  'forecast',
  'discount_rate',
  'discount_rate_build_up',
  'terminal_growth',
  'royalty_rate_range',
  'lending_rate_one_year',
  'lending_rate_five_year',
  'brand_attributable_share',
  'brand_strength',
  'headline_method',
  ...BRAND_ELEMENTS.map((e) => `brand_strength.${e}`),
] as const;

/** Limits checked before any work (the engine checks the values at submission). */
const MAX_YEARS = 10;
const MAX_NUMBER_TEXT = 40;
const MAX_EVIDENCE = 2000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The inputs an Application message carries, as the engine reads them; with `paths`, only
 * those (UpdateApplication). Unset proto fields ('' / 0) stay absent, so submission can say
 * what is missing.
 */
export function draftFromMessage(message: ApplicationMessage | undefined, paths?: ReadonlySet<string>): { input: DraftInput; valuationDate?: string } {
  const m = message ?? ({} as ApplicationMessage);
  const wanted = (path: string) => !paths || paths.has(path);
  const violations: FieldViolation[] = [];
  const text = (field: string, value: string | undefined): string | undefined => {
    if (!value) return undefined;
    if (value.length > MAX_NUMBER_TEXT) violations.push({ field, description: `at most ${MAX_NUMBER_TEXT} characters`, reason: 'TOO_LONG' });
    return value;
  };
  const input: DraftInput = {};
  if (wanted('sector') && m.sector) {
    const sector = sectorOf.get(m.sector);
    if (sector) input.sector = sector;
    else violations.push({ field: 'sector', description: 'AGRICULTURE, MANUFACTURING or SERVICES', reason: 'INVALID_SECTOR' });
  }
  if (wanted('historical_years') && (m.historicalYears?.length || paths)) {
    if (m.historicalYears.length > MAX_YEARS) violations.push({ field: 'historical_years', description: `at most ${MAX_YEARS} years`, reason: 'TOO_MANY' });
    input.historicalYears = m.historicalYears.slice(0, MAX_YEARS).map((y, i) => ({
      fiscalYear: y.year,
      revenue: text(`historical_years[${i}].revenue`, y.revenue) as string,
      operatingProfit: text(`historical_years[${i}].operating_profit`, y.operatingProfit) as string,
      netProfit: text(`historical_years[${i}].net_profit`, y.netProfit) as string,
      incomeTaxRate: text(`historical_years[${i}].income_tax_rate`, y.incomeTaxRate) as string,
      currentAssets: text(`historical_years[${i}].current_assets`, y.currentAssets) as string,
      nonCurrentAssets: text(`historical_years[${i}].non_current_assets`, y.nonCurrentAssets) as string,
    }));
  }
  if (wanted('forecast') && (m.forecast?.length || paths)) {
    if (m.forecast.length > MAX_YEARS) violations.push({ field: 'forecast', description: `at most ${MAX_YEARS} years`, reason: 'TOO_MANY' });
    input.forecastYears = m.forecast.slice(0, MAX_YEARS).map((y, i) => ({
      fiscalYear: y.year,
      revenue: text(`forecast[${i}].revenue`, y.revenue) as string,
      operatingMargin: text(`forecast[${i}].operating_margin`, y.operatingMargin) as string,
    }));
  }
  // The discount is one choice: naming either path sets it to what the message carries.
  if (wanted('discount_rate') || wanted('discount_rate_build_up')) {
    if (m.discount?.$case === 'discountRate') {
      input.discountRate = text('discount_rate', m.discount.value);
      input.discountRateBuildUp = undefined;
    } else if (m.discount?.$case === 'discountRateBuildUp') {
      const b = m.discount.value;
      input.discountRate = undefined;
      input.discountRateBuildUp = {
        riskFreeRate: text('discount_rate_build_up.risk_free_rate', b.riskFreeRate) as string,
        premia: PREMIA.map((name, i) => ({
          name,
          rate: text(`discount_rate_build_up.${name}`, [b.equityRiskPremium, b.sizePremium, b.brandSpecificPremium][i]) ?? '0',
        })),
      };
    }
  }
  if (wanted('terminal_growth') && (m.terminalGrowth || paths)) input.terminalGrowthRate = text('terminal_growth', m.terminalGrowth) as string;
  if (wanted('royalty_rate_range') && (m.royaltyRateRange || paths) && m.royaltyRateRange) {
    input.royaltyRateRange = {
      low: text('royalty_rate_range.low', m.royaltyRateRange.low) as string,
      high: text('royalty_rate_range.high', m.royaltyRateRange.high) as string,
    };
  }
  if (wanted('lending_rate_one_year') && (m.lendingRateOneYear || paths))
    input.oneYearLendingRate = text('lending_rate_one_year', m.lendingRateOneYear) as string;
  if (wanted('lending_rate_five_year') && (m.lendingRateFiveYear || paths))
    input.fiveYearLendingRate = text('lending_rate_five_year', m.lendingRateFiveYear) as string;
  if (wanted('brand_attributable_share') && (m.brandAttributableShare || paths))
    input.brandAttributableShare = text('brand_attributable_share', m.brandAttributableShare) as string;
  const scores = m.brandStrength;
  const scoreElements = BRAND_ELEMENTS.filter((e) => wanted('brand_strength') || wanted(`brand_strength.${e}`));
  if (scores && scoreElements.length > 0) {
    const brandStrength: Partial<Record<(typeof BRAND_ELEMENTS)[number], ElementScore>> = {};
    for (const element of scoreElements) {
      const score = scores[element];
      if (!score) continue;
      if (score.evidence.length > MAX_EVIDENCE)
        violations.push({ field: `brand_strength.${element}.evidence`, description: `at most ${MAX_EVIDENCE} characters`, reason: 'TOO_LONG' });
      if (!Number.isFinite(score.score))
        violations.push({ field: `brand_strength.${element}.score`, description: 'a number from 0 to 100', reason: 'OUT_OF_RANGE' });
      brandStrength[element] = { score: String(score.score), evidence: score.evidence };
    }
    input.brandStrength = brandStrength as DraftInput['brandStrength'];
  }
  if (wanted('headline_method') && m.headlineMethod) {
    const method = methodOf.get(m.headlineMethod);
    if (method) input.headlineMethod = method;
    else violations.push({ field: 'headline_method', description: 'RELIEF_FROM_ROYALTY or EXCESS_EARNINGS', reason: 'INVALID_METHOD' });
  }
  let valuationDate: string | undefined;
  if (wanted('valuation_date') && m.valuationDate) {
    if (!DATE.test(m.valuationDate) || Number.isNaN(Date.parse(`${m.valuationDate}T00:00:00Z`))) {
      violations.push({ field: 'valuation_date', description: 'a date as YYYY-MM-DD', reason: 'INVALID_DATE' });
    } else valuationDate = m.valuationDate;
  }
  if (violations.length > 0)
    throw new InvalidArgumentError(
      'the application is invalid',
      violations.map((v) => ({ ...v, field: `application.${v.field}` })),
    );
  return { input, ...(valuationDate ? { valuationDate } : {}) };
}

function draftToMessage(input: DraftInput): Partial<ApplicationMessage> {
  const buildUp = input.discountRateBuildUp;
  const premium = (name: string) => buildUp?.premia.find((p) => p.name === name)?.rate ?? '';
  return {
    sector: sectorToMessage(input.sector),
    historicalYears: (input.historicalYears ?? []).map((y) => ({
      year: y.fiscalYear,
      revenue: y.revenue ?? '',
      operatingProfit: y.operatingProfit ?? '',
      netProfit: y.netProfit ?? '',
      currentAssets: y.currentAssets ?? '',
      nonCurrentAssets: y.nonCurrentAssets ?? '',
      incomeTaxRate: y.incomeTaxRate ?? '',
    })),
    forecast: (input.forecastYears ?? []).map((y) => ({ year: y.fiscalYear, revenue: y.revenue ?? '', operatingMargin: y.operatingMargin ?? '' })),
    discount: input.discountRate
      ? { $case: 'discountRate', value: input.discountRate }
      : buildUp
        ? {
            $case: 'discountRateBuildUp',
            value: {
              riskFreeRate: buildUp.riskFreeRate ?? '',
              equityRiskPremium: premium('equity_risk_premium'),
              sizePremium: premium('size_premium'),
              brandSpecificPremium: premium('brand_specific_premium'),
            },
          }
        : undefined,
    terminalGrowth: input.terminalGrowthRate ?? '',
    royaltyRateRange: input.royaltyRateRange ? { low: input.royaltyRateRange.low ?? '', high: input.royaltyRateRange.high ?? '' } : undefined,
    lendingRateOneYear: input.oneYearLendingRate ?? '',
    lendingRateFiveYear: input.fiveYearLendingRate ?? '',
    brandAttributableShare: input.brandAttributableShare ?? '',
    brandStrength: input.brandStrength
      ? (Object.fromEntries(
          BRAND_ELEMENTS.filter((e) => input.brandStrength![e]).map((e) => [
            e,
            { score: Number(input.brandStrength![e].score), evidence: input.brandStrength![e].evidence },
          ]),
        ) as ApplicationMessage['brandStrength'])
      : undefined,
    headlineMethod: methodToMessage(input.headlineMethod),
  };
}

export function evidenceToMessage(summary: EvidenceSummary & { updatedAt: Date | null }): QualityEvidence {
  return {
    liveGradesByLevel: summary.liveGradesByLevel,
    shareTopTwoLevels: summary.shareTopTwoLevels,
    revocationsLast12Months: summary.revocationsLast12Months,
    downgradesLast12Months: summary.downgradesLast12Months,
    failedSamplesLast12Months: summary.failedSamplesLast12Months,
    sameLineCasesInForce: summary.sameLineCasesInForce,
    sameLineSuspensionsLast12Months: summary.sameLineSuspensionsLast12Months,
    ...(summary.updatedAt ? { updateTime: summary.updatedAt } : {}),
  };
}

export function applicationToMessage(a: Application, evidence?: EvidenceSummary & { updatedAt: Date | null }): ApplicationMessage {
  return {
    ...(draftToMessage(a.input) as ApplicationMessage),
    name: `applications/${a._id}`,
    brand: `brands/${a.brandId}`,
    enterprise: `enterprises/${a.enterpriseId}`,
    state: states[a.state],
    valuationDate: a.valuationDate,
    evaluator: a.evaluator ? `certificationBodies/${a.evaluator.bodyId}` : '',
    evaluatorCnasNumber: a.evaluator?.cnasNumber ?? '',
    evaluatorSubject: a.history.findLast((t) => t.to === 'evaluated')?.actor.subject ?? '',
    evaluatorNotes: a.evaluatorNotes ?? '',
    history: a.history.map((t) => ({
      fromState: t.from ? states[t.from] : ApplicationStateMessage.APPLICATION_STATE_UNSPECIFIED,
      toState: states[t.to],
      actor: t.actor.subject,
      role: t.actor.role,
      organisation: t.actor.org,
      transitionTime: t.at,
      reason: t.reason ?? '',
    })),
    rejectionReasons: a.rejectionReasons,
    qualityEvidence: evidence ? evidenceToMessage(evidence) : undefined,
    flaggedForReview: a.flag !== undefined,
    flagReason: a.flag?.reason ?? '',
    valuation: a.publication ? `valuations/${a._id}` : '',
    audit: { createdBy: a.audit.createdBy, createTime: a.audit.createdAt, updatedBy: a.audit.updatedBy, updateTime: a.audit.updatedAt },
  };
}

/** google.type.Money shape from a decimal string (exact: no binary double in between). */
export function moneyToMessage(money: Money): MoneyMessage {
  const negative = money.amount.startsWith('-');
  const [whole = '0', fraction = ''] = money.amount.replace('-', '').split('.');
  const sign = negative ? -1 : 1;
  return { currencyCode: money.currency, units: sign * Number(whole), nanos: sign * Number(fraction.padEnd(9, '0').slice(0, 9)) };
}

export function statementToMessage(s: ValuationStatement): StatementMessage {
  return { ...s, method: methods[s.method as ValuationMethod] ?? ValuationMethodMessage.VALUATION_METHOD_UNSPECIFIED, issueTime: s.issueTime };
}

export function statementFromMessage(m: StatementMessage): ValuationStatement {
  return { ...m, method: methodOf.get(m.method) ?? '', issueTime: m.issueTime ?? new Date(Number.NaN) };
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

export function valuationToMessage(a: Application, current: { superseded?: string } = {}): Valuation {
  const p = a.publication!;
  const report = a.evaluation!.report;
  return {
    name: `valuations/${a._id}`,
    application: `applications/${a._id}`,
    brand: p.statement.brand,
    brandDisplayName: p.statement.brandDisplayName,
    enterprise: p.statement.enterprise,
    enterpriseDisplayName: p.statement.enterpriseDisplayName,
    sector: sectorToMessage(report.sector),
    valuationDate: a.valuationDate,
    year: p.year,
    value: moneyToMessage(report.value),
    valueDecimal: report.value.amount,
    method: methods[report.headlineMethod],
    bsi: Number(report.brandStrength.index),
    bsiListScale: Number(report.brandStrength.listScale),
    evaluator: p.statement.evaluator,
    statement: statementToMessage(p.statement),
    signature: signatureToMessage(p.signature),
    state: current.superseded ? ValuationState.VALUATION_STATE_SUPERSEDED : ValuationState.VALUATION_STATE_PUBLISHED,
    supersededBy: current.superseded ?? '',
    flaggedForReview: a.flag !== undefined,
    flagReason: a.flag?.reason ?? '',
    audit: { createdBy: a.audit.createdBy, createTime: p.publishedAt, updatedBy: a.audit.updatedBy, updateTime: a.audit.updatedAt },
  };
}

function methodResult(report: ValuationReport, method: ValuationMethod): MethodResult {
  const result = method === 'relief_from_royalty' ? report.reliefFromRoyalty : report.excessEarnings;
  return {
    method: methods[method],
    years: result.years.map((y) => ({
      year: y.fiscalYear,
      cashFlow: y.cashFlow.amount,
      discountFactor: y.discountFactor,
      presentValue: y.presentValue.amount,
    })),
    terminalValue: result.terminalValue.value.amount,
    terminalPresentValue: result.terminalValue.presentValue.amount,
    total: result.value.amount,
  };
}

const cellValue = (cell: SensitivityCell) => (cell.valid ? cell.value.amount : '');

export function reportToMessage(a: Application): ValuationReportMessage {
  const { report, evaluatedAt, engineVersion } = a.evaluation!;
  const grid = report.sensitivity;
  const centre = 1;
  const rows = [
    ...grid.discountRates.map((rate, i) => ({
      parameter: SensitivityParameter.SENSITIVITY_PARAMETER_DISCOUNT_RATE,
      parameterValue: rate,
      cell: grid.discountRateByTerminalGrowth[i]![centre]!,
      index: i,
    })),
    ...grid.terminalGrowthRates.map((rate, j) => ({
      parameter: SensitivityParameter.SENSITIVITY_PARAMETER_TERMINAL_GROWTH,
      parameterValue: rate,
      cell: grid.discountRateByTerminalGrowth[centre]![j]!,
      index: j,
    })),
    ...(grid.royaltyRates ?? []).map((rate, k) => ({
      parameter: SensitivityParameter.SENSITIVITY_PARAMETER_ROYALTY_RATE,
      parameterValue: rate,
      cell: grid.byRoyaltyRate![k]!,
      index: k,
    })),
  ];
  const deltas: Record<number, string> = { 0: '-', 1: '0', 2: '+' };
  return {
    name: `applications/${a._id}/valuationReport`,
    application: `applications/${a._id}`,
    brand: `brands/${a.brandId}`,
    enterprise: `enterprises/${a.enterpriseId}`,
    valuationDate: a.valuationDate,
    headlineMethod: methods[report.headlineMethod],
    headline: methodResult(report, report.headlineMethod),
    crossCheck: methodResult(report, report.crossCheck.method),
    difference: report.crossCheck.difference.amount,
    relativeDifference: report.crossCheck.relativeDifference ?? '',
    bsi: Number(report.brandStrength.index),
    bsiListScale: Number(report.brandStrength.listScale),
    bsiContributions: report.brandStrength.elements.map((e) => ({
      element: elements[e.element],
      score: Number(e.score),
      weight: e.weight,
      contribution: Number(e.contribution),
    })),
    royaltyRate: report.assumptions.royaltyRate,
    discountRate: report.assumptions.discountRate,
    terminalGrowth: report.assumptions.terminalGrowthRate,
    sensitivity: {
      method: methods[grid.method],
      rows: rows.map((r) => ({
        parameter: r.parameter,
        delta: deltas[r.index]!,
        parameterValue: r.parameterValue,
        value: cellValue(r.cell),
        valid: r.cell.valid,
      })),
    },
    inputs: applicationToMessage(a),
    engineVersion,
    evaluateTime: evaluatedAt,
  };
}
