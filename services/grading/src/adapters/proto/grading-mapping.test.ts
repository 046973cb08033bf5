import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@pinzhi/platform';
import { reasonFromMessage, reportFromMessage } from './grading-mapping.js';

const report = (fields: Record<string, string>) =>
  reportFromMessage({
    laboratoryCnasNumber: 'CNAS L99501',
    reportNumber: 'R-1',
    sampleId: 'S-1',
    batch: '',
    testedOn: '2026-11-20',
    measurements: [{ indicatorId: 'ph', value: '6.5' }],
    ...fields,
  } as never);

const violationsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error.violations.map((v) => `${v.field} ${v.reason}`);
    throw error;
  }
  return [];
};

describe('grading text at the edge', () => {
  it('refuses control, bidi-override and lone-surrogate characters in report text and reasons', () => {
    expect(violationsOf(() => report({ reportNumber: 'R-1\u001b[31m' }))).toEqual(['report.report_number CONTROL_CHARACTER']);
    expect(violationsOf(() => report({ sampleId: 'S\u202e1' }))).toEqual(['report.sample_id BIDI_CONTROL']);
    expect(violationsOf(() => report({ batch: 'B\uD800' }))).toEqual(['report.batch INVALID_UNICODE']);
    expect(violationsOf(() => reasonFromMessage('fraud\u0000'))).toEqual(['reason CONTROL_CHARACTER']);
    expect(violationsOf(() => reasonFromMessage('x'.repeat(501)))).toEqual(['reason TOO_LONG']);
  });

  it('keeps acceptable text, normalised to NFC', () => {
    expect(report({ sampleId: 'e\u0301-1' }).sampleId).toBe('\u00e9-1');
    expect(reasonFromMessage('投诉属实，降级')).toBe('投诉属实，降级');
  });
});
