import { describe, expect, it } from 'vitest';
import { checkSameLine, type SameLineInput } from './same-line-check.js';

const OWNER = '91320500MA1N7D4B8T';
const line = { enterpriseId: OWNER, state: 'active' as const, categories: ['down-garment' as const] };

function input(overrides: Partial<SameLineInput> = {}): SameLineInput {
  return {
    enterpriseId: OWNER,
    category: 'down-garment',
    lines: [{ id: 'line-1', line }],
    domestic: { gtin14: '06934567801012', productionLineIds: ['line-1'] },
    export: { gtin14: '06934567801029', productionLineIds: ['line-1', 'line-2'] },
    ...overrides,
  };
}

describe('same line', () => {
  it('passes when both products are registered on the named line of their enterprise', () => {
    const outcome = checkSameLine(input());
    expect(outcome.passed).toBe(true);
    expect(outcome.items[0]).toMatchObject({ subject: 'productionLines/line-1', field: 'production_lines[0]' });
  });

  it('names each failing line with its reason', () => {
    const outcome = checkSameLine(
      input({
        lines: [
          { id: 'line-1', line },
          { id: 'line-2', line },
          { id: 'line-x', line: null },
          { id: 'line-other', line: { ...line, enterpriseId: '91330100MA2H8P5R6H' } },
          { id: 'line-off', line: { ...line, state: 'inactive' } },
          { id: 'line-shoes', line: { ...line, categories: ['footwear'] } },
        ],
      }),
    );
    expect(outcome.items.map((i) => i.gap ?? 'ok')).toEqual([
      'ok',
      'DOMESTIC_PRODUCT_NOT_ON_LINE',
      'LINE_NOT_FOUND',
      'LINE_OF_ANOTHER_ENTERPRISE',
      'LINE_INACTIVE',
      'LINE_NOT_FOR_CATEGORY',
    ]);
    expect(outcome.passed).toBe(false);
  });

  it('fails when no line is shared', () => {
    expect(checkSameLine(input({ lines: [] })).items[0]).toMatchObject({ gap: 'NO_SHARED_LINE' });
  });

  it('fails when the export twin is not on the line', () => {
    const outcome = checkSameLine(input({ export: { gtin14: '06934567801029', productionLineIds: ['line-2'] } }));
    expect(outcome.items[0]).toMatchObject({ gap: 'EXPORT_PRODUCT_NOT_ON_LINE' });
  });
});
