/**
 * What a check reports: one item per thing looked at, each with a sentence saying what was
 * compared. A failed item names its gap with a stable code a client can branch on, and the
 * request field it concerns (snake_case, as the FileCase request spells it under
 * `same_line_case`), so a refusal can hand the gaps on as field violations unchanged.
 */
export const GAP_CODES = [
  // same line
  'NO_SHARED_LINE',
  'LINE_NOT_FOUND',
  'LINE_OF_ANOTHER_ENTERPRISE',
  'LINE_INACTIVE',
  'LINE_NOT_FOR_CATEGORY',
  'DOMESTIC_PRODUCT_NOT_ON_LINE',
  'EXPORT_PRODUCT_NOT_ON_LINE',
  // same standard
  'STANDARD_NOT_APPLIED',
  'STANDARD_NOT_FOR_CATEGORY',
  'INDICATOR_MISSING',
  'UNIT_MISMATCH',
  'DIRECTION_MISMATCH',
  'DOMESTIC_LIMIT_LOOSER',
  'RANGE_NOT_CONTAINED',
  'PASS_NOT_REQUIRED',
  // same quality
  'NO_DOMESTIC_EVIDENCE',
  'RESULT_MISSING',
  'RESULT_UNREADABLE',
  'LIMIT_NOT_MET',
  'SYSTEMATICALLY_WORSE',
] as const;
export type GapCode = (typeof GAP_CODES)[number];

export type CheckItem = {
  /** `productionLines/{id}`, an indicator id, a standard number, or `{report number}#{indicator id}`. */
  subject: string;
  passed: boolean;
  /** Set when not passed. */
  gap?: GapCode;
  explanation: string;
  /** The request field the item concerns, e.g. `production_lines`, `domestic_reports[0].measurements`. */
  field: string;
};

export type CheckOutcome = { passed: boolean; items: CheckItem[] };

export const outcomeOf = (items: CheckItem[]): CheckOutcome => ({ passed: items.every((i) => i.passed), items });

export const pass = (subject: string, field: string, explanation: string): CheckItem => ({ subject, passed: true, explanation, field });

export const gap = (subject: string, field: string, code: GapCode, explanation: string): CheckItem => ({
  subject,
  passed: false,
  gap: code,
  explanation,
  field,
});

/** The failed items of any number of outcomes. */
export const gapsOf = (...outcomes: CheckOutcome[]): CheckItem[] => outcomes.flatMap((o) => o.items.filter((i) => !i.passed));
