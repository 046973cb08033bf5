/**
 * What a published valuation's signature covers. Anyone holding the public keys re-creates
 * these bytes from the statement and checks the Ed25519 signature offline: a JSON array of
 * the fields in this order, UTF-8, no whitespace. An array (not an object) so no key order
 * or escaping choice of a JSON library can change the bytes.
 */
export type ValuationStatement = {
  /** "valuations/{id}" */
  valuation: string;
  /** "brands/{id}" */
  brand: string;
  brandDisplayName: string;
  /** "enterprises/{credit_code}" */
  enterprise: string;
  enterpriseDisplayName: string;
  /** Yuan to the fen, e.g. "1234567.89". */
  valueDecimal: string;
  currencyCode: string;
  method: string;
  /** YYYY-MM-DD */
  valuationDate: string;
  /** Brand strength index 0–100 with two decimals. */
  bsi: string;
  /** "certificationBodies/{credit_code}" */
  evaluator: string;
  evaluatorCnasNumber: string;
  evaluatorName: string;
  issueTime: Date;
};

const ORDER = [
  'valuation',
  'brand',
  'brandDisplayName',
  'enterprise',
  'enterpriseDisplayName',
  'valueDecimal',
  'currencyCode',
  'method',
  'valuationDate',
  'bsi',
  'evaluator',
  'evaluatorCnasNumber',
  'evaluatorName',
  'issueTime',
] as const satisfies readonly (keyof ValuationStatement)[];

/** Prefix so these bytes can never be mistaken for another kind of signed document. */
const DOMAIN_TAG = 'pinzhi.brand.valuation-statement.v1';

export function canonicalStatementBytes(statement: ValuationStatement): Uint8Array {
  const values = ORDER.map((field) => {
    const value = statement[field];
    return value instanceof Date ? value.toISOString() : String(value ?? '');
  });
  return new TextEncoder().encode(JSON.stringify([DOMAIN_TAG, ...values]));
}
