/**
 * Standards and reports for the grading tests and the engine benchmark: the seeded catalogue
 * standards (so the tests grade against the shapes the service really loads) and small
 * hand-built ones for cases the seeds do not cover.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Indicator, Limit, Standard } from '@pinzhi/catalogue-reader/model';
import type { Measurement, TestReport } from './grading-engine.js';

const SEEDED_STANDARDS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../seeds/catalogue/standards.json');

export type SeededStandards = {
  gb18401: Standard;
  downGarments: Standard;
  athleticShoes: Standard;
  en12935: Standard;
};

export function loadSeededStandards(): SeededStandards {
  const documents = JSON.parse(readFileSync(SEEDED_STANDARDS, 'utf8')) as (Standard & { _id: string })[];
  const byCode = (code: string): Standard => {
    const found = documents.find((d) => d.code === code);
    if (found === undefined) throw new Error(`seeds/catalogue/standards.json has no ${code}`);
    const { _id: _unused, ...standard } = found;
    return standard;
  };
  return {
    gb18401: byCode('GB 18401-2010'),
    downGarments: byCode('GB/T 14272-2021'),
    athleticShoes: byCode('GB/T 15107-2013'),
    en12935: byCode('EN 12935:2001'),
  };
}

export function limit(bounds: Omit<Limit, 'source' | 'verified'>): Limit {
  return { ...bounds, source: 'placeholder: test fixture', verified: false };
}

export function indicator(fields: Pick<Indicator, 'id' | 'direction' | 'limits'> & Partial<Indicator>): Indicator {
  return { name: fields.id, unit: 'mg/kg', testMethod: 'fixture method', ...fields };
}

/** A three-level grading standard; callers replace what the case is about. */
export function gradingStandard(fields: Partial<Standard> & Pick<Standard, 'indicators'>): Standard {
  return {
    code: 'FZ/T 99999-2024',
    title: 'Fixture standard',
    purpose: 'grading',
    categories: ['apparel', 'footwear'],
    gradeLevels: ['SUPERIOR', 'FIRST', 'QUALIFIED'],
    defaultDecisionRule: 'simple',
    ...fields,
  };
}

/** Per-level limits of a one-sided or ranged indicator, strictest first. */
export function levels(
  superior: Omit<Limit, 'source' | 'verified'>,
  first: Omit<Limit, 'source' | 'verified'>,
  qualified: Omit<Limit, 'source' | 'verified'>,
): Record<string, Limit> {
  return { SUPERIOR: limit(superior), FIRST: limit(first), QUALIFIED: limit(qualified) };
}

/**
 * A down jacket that meets every GB/T 14272-2021 SUPERIOR limit and GB 18401-2010 category B
 * (not A: its formaldehyde is above 20 and saliva fastness was not tested).
 */
export function downJacketMeasurements(): Record<string, Measurement> {
  return {
    'down-cluster-content': { value: 92, uncertainty: 0.5 },
    'fill-power': { value: 18 },
    'fill-weight-deviation': { value: -2 },
    'oxygen-number': { value: 4.0 },
    turbidity: { value: 600 },
    'fat-content': { value: 0.8 },
    odour: { value: 'pass' },
    alkylphenols: { value: 5 },
    formaldehyde: { value: 70 },
    ph: { value: 6.5 },
    'colour-fastness-water': { value: '3-4' },
    'colour-fastness-acid-perspiration': { value: 4 },
    'colour-fastness-alkaline-perspiration': { value: '4' },
    'colour-fastness-dry-rubbing': { value: 4 },
    'banned-aromatic-amines': { value: 5 },
  };
}

export function report(measurements: Record<string, Measurement>): TestReport {
  return {
    laboratoryCnasNumber: 'CNAS L0192',
    reportNumber: 'TR-2025-00417',
    sampleId: 'BATCH-2025-11-A',
    testedOn: '2025-11-03',
    measurements,
  };
}
