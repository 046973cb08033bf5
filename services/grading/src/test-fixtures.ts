import type { Measurement } from '@pinzhi/contracts/pinzhi/grading/v1/resources';

/**
 * A lab report's measurements for a down jacket: every indicator of GB/T 14272-2021 (seeded)
 * and of its GB 18401-2010 gate, at SUPERIOR and category C. Override single values to test.
 */
export function superiorMeasurements(overrides: Record<string, string> = {}): Measurement[] {
  const values: Record<string, string> = {
    'down-cluster-content': '92',
    'fill-power': '18',
    'fill-weight-deviation': '-1',
    'oxygen-number': '3.2',
    turbidity: '650',
    'fat-content': '0.8',
    odour: 'pass',
    alkylphenols: '4',
    formaldehyde: '40',
    ph: '6.5',
    'colour-fastness-water': '4',
    'colour-fastness-acid-perspiration': '3-4',
    'colour-fastness-alkaline-perspiration': '4',
    'colour-fastness-dry-rubbing': '4',
    'banned-aromatic-amines': '5',
    ...overrides,
  };
  return Object.entries(values).map(([indicatorId, value]) => ({ indicatorId, value }));
}
