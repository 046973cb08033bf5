export interface CertificateFields {
  number: string;
  gtin: string;
  standardCode: string;
  level: string;
  validFrom: Date;
  validUntil: Date;
  issuerCnasNumber: string;
  issuerName: string;
  /** Resource name "grades/{id}". */
  grade: string;
}

// Separates these bytes from anything else a pinzhi key might ever sign; bump the version
// whenever the field set or encoding changes.
const DOMAIN_PREFIX = 'pinzhi-certificate-v1\n';

/**
 * Deterministic bytes the signature covers: a domain-separation prefix "pinzhi-certificate-v1\n"
 * followed by JSON with keys sorted, dates as RFC 3339 UTC with milliseconds (toISOString),
 * strings NFC-normalised, no whitespace. See README.md for the exact form.
 */
export function canonicalCertificateBytes(c: CertificateFields): Uint8Array {
  // Listed field by field so that extra properties on the caller's object never reach the signature.
  const fields: Record<string, string> = {
    number: text(c.number),
    gtin: text(c.gtin),
    standardCode: text(c.standardCode),
    level: text(c.level),
    validFrom: rfc3339(c.validFrom),
    validUntil: rfc3339(c.validUntil),
    issuerCnasNumber: text(c.issuerCnasNumber),
    issuerName: text(c.issuerName),
    grade: text(c.grade),
  };
  const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1)));
  return new TextEncoder().encode(DOMAIN_PREFIX + JSON.stringify(sorted));
}

// The same name typed on different systems may arrive composed or decomposed (e.g. macOS file
// names, some IMEs); NFC makes them sign identically.
function text(value: string): string {
  return value.normalize('NFC');
}

function rfc3339(date: Date): string {
  const iso = date.toISOString(); // throws RangeError on an invalid date
  // Years outside 0000–9999 come out as ±YYYYYY, which is not RFC 3339.
  if (iso.length !== 24) throw new RangeError(`date out of RFC 3339 range: ${iso}`);
  return iso;
}
