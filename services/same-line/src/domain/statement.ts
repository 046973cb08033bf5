/**
 * What a 三同 declaration's or certificate's signature covers. Anyone holding the public keys
 * re-creates these bytes from the statement and checks the Ed25519 signature offline: a JSON
 * array of the domain tag and the fields in this order (the proto's field order), UTF-8, no
 * whitespace; lists as arrays of strings, instants as ISO 8601 UTC with milliseconds. An array
 * (not an object) so no key order or escaping choice of a JSON library can change the bytes.
 */
import type { SameLinePath } from './case-lifecycle.js';

export type SameLineStatement = {
  /** PZ-SD-{yyyy}-{case id} (declaration) or PZ-SC-{yyyy}-{case id} (certificate). */
  number: string;
  /** "cases/{id}" */
  sameLineCase: string;
  path: SameLinePath;
  /** "enterprises/{credit_code}" */
  enterprise: string;
  enterpriseDisplayName: string;
  domesticGtin: string;
  domesticModel: string;
  exportGtin: string;
  exportModel: string;
  productionLines: string[];
  domesticStandardCodes: string[];
  exportMarket: string;
  exportStandardCodes: string[];
  /** "enterprises/{credit_code}" (declaration) or "certificationBodies/{credit_code}" (certificate). */
  issuer: string;
  issuerCnasNumber: string;
  issuerName: string;
  validFrom: Date;
  validUntil: Date;
};

const ORDER = [
  'number',
  'sameLineCase',
  'path',
  'enterprise',
  'enterpriseDisplayName',
  'domesticGtin',
  'domesticModel',
  'exportGtin',
  'exportModel',
  'productionLines',
  'domesticStandardCodes',
  'exportMarket',
  'exportStandardCodes',
  'issuer',
  'issuerCnasNumber',
  'issuerName',
  'validFrom',
  'validUntil',
] as const satisfies readonly (keyof SameLineStatement)[];

/** Prefix so these bytes can never be mistaken for another kind of signed document. */
export const STATEMENT_DOMAIN_TAG = 'pinzhi.sameline.statement.v1';

export function canonicalStatementBytes(statement: SameLineStatement): Uint8Array {
  const values = ORDER.map((field) => {
    const value = statement[field];
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.map(String);
    if (field === 'path') return String(value).toUpperCase();
    return String(value ?? '');
  });
  return new TextEncoder().encode(JSON.stringify([STATEMENT_DOMAIN_TAG, ...values]));
}

const NUMBER = /^PZ-S([DC])-(\d{4})-([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$/;

export function statementNumber(path: SameLinePath, caseId: string, issuedAt: Date): string {
  return `PZ-S${path === 'self_declared' ? 'D' : 'C'}-${issuedAt.getUTCFullYear()}-${caseId}`;
}

/** The case id inside a statement number, or undefined when it is not one. */
export function caseIdOfNumber(number: string): string | undefined {
  return NUMBER.exec(number)?.[3];
}
