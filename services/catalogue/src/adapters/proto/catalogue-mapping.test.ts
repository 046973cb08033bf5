import { Limit, Standard } from '@pinzhi/contracts/pinzhi/catalogue/v1/resources';
import { InvalidArgumentError } from '@pinzhi/platform';
import { describe, expect, it } from 'vitest';
import { brandFromMessage, enterpriseFromMessage, productFromMessage, standardFromMessage, textLimits, Translation } from './catalogue-mapping.js';

const limit = (min: number): Limit => ({ min, pass: false, notRequired: false, source: 'GB/T 14272-2021 table 2', verified: true });

/** A standard as the server decodes it from the wire, so map keys go through the generated decoder. */
function decoded(limits: Record<string, Limit>): Standard {
  const message = Standard.fromPartial({
    code: 'GB/T 14272-2021',
    title: 'Down garments',
    gradeLevels: ['SUPERIOR'],
    indicators: [{ id: 'down-content', displayName: 'Down content', unit: '%', direction: 1, testMethod: 'GB/T 10288' }],
  });
  // Set after fromPartial, which would already lose a __proto__ key.
  message.indicators[0]!.limits = limits;
  return Standard.decode(Standard.encode(message).finish());
}

describe('free text in catalogue requests', () => {
  it('is NFC-normalised', () => {
    const t = new Translation();
    const brand = brandFromMessage({ displayName: 'Cafe\u0301', enterprise: 'enterprises/e1' } as never, 'b1', t);
    expect(t.violations).toEqual([]);
    expect(brand.name).toBe('Caf\u00e9');
  });

  it('refuses control and bidirectional characters and text above its limit, naming each field', () => {
    const t = new Translation();
    enterpriseFromMessage(
      {
        displayNameZh: '安踏\u202e',
        displayNameEn: 'Anta\u0007',
        address: '福建'.repeat(251),
        contact: { person: 'x'.repeat(101), phone: '', email: '' },
      } as never,
      t,
    );
    expect(t.violations.map((v) => [v.field, v.reason])).toEqual([
      ['enterprise.contact.person', 'TOO_LONG'],
      ['enterprise.address', 'TOO_LONG'],
      ['enterprise.display_name_en', 'CONTROL_CHARACTER'],
      ['enterprise.display_name_zh', 'BIDI_CONTROL'],
    ]);
    expect(() => t.done('enterprise')).toThrow(InvalidArgumentError);
  });

  it('names the indicator and grade level of a bad limit source', () => {
    const t = new Translation();
    standardFromMessage(decoded({ SUPERIOR: { ...limit(90), source: 'see\u0000table' } }), t);
    expect(t.violations).toEqual([expect.objectContaining({ field: 'standard.indicators[0].limits.SUPERIOR.source', reason: 'CONTROL_CHARACTER' })]);
  });

  it('has one limit per field it checks', () => {
    expect(textLimits['enterprise.address']).toBe(500);
    expect(textLimits['brand.trademark_number']).toBe(64);
  });
});

describe('fields nothing else checked', () => {
  it('refuses a destination market that is not a market code, whatever the product market', () => {
    const t = new Translation();
    productFromMessage({ destinationMarket: 'x'.repeat(70_000), market: 1 } as never, t);
    expect(t.violations).toContainEqual({
      field: 'product.destination_market',
      reason: 'INVALID_FORMAT',
      description: 'must be an ISO 3166 alpha-2 code or EU',
    });
    const ok = new Translation();
    expect(productFromMessage({ destinationMarket: 'de', market: 2 } as never, ok).destinationMarket).toBe('DE');
    expect(ok.violations.filter((v) => v.field === 'product.destination_market')).toEqual([]);
  });

  it.each([-1, 121, 2_147_483_647])('refuses a grade validity of %i months', (months) => {
    const t = new Translation();
    standardFromMessage({ ...decoded({ SUPERIOR: limit(90) }), gradeValidityMonths: months }, t);
    expect(t.violations).toEqual([{ field: 'standard.grade_validity_months', reason: 'OUT_OF_RANGE', description: 'a whole number from 1 to 120' }]);
  });
});

describe('a __proto__ key in a request map', () => {
  it('is refused instead of silently vanishing', () => {
    // JSON.parse makes "__proto__" an own key, as a client's map entry is on the wire.
    const limits = JSON.parse(
      JSON.stringify({ SUPERIOR: limit(90) }).replace('{', '{"__proto__":{"min":1,"pass":false,"notRequired":false,"source":"x","verified":false},'),
    ) as Record<string, Limit>;
    const t = new Translation();
    const standard = standardFromMessage(decoded(limits), t);
    expect(t.violations).toEqual([{ field: 'standard.indicators[0].limits.__proto__', reason: 'RESERVED_KEY', description: "'__proto__' cannot be a key" }]);
    expect(Object.keys(standard.indicators[0]!.limits)).toEqual(['SUPERIOR']);
  });
});
