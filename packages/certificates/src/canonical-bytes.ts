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

/** Anything carrying the signed fields, e.g. a certificate message whose timestamps may be unset. */
export type CertificateContent = Omit<CertificateFields, 'validFrom' | 'validUntil'> & { validFrom?: Date; validUntil?: Date };

/**
 * The signed fields, and the only list of them: signers and verifiers both go through here, so
 * they cannot drift apart. Extra properties are dropped; a missing timestamp becomes the epoch,
 * which no genuine signature covers, so it fails verification instead of throwing.
 */
export function certificateFieldsOf(c: CertificateContent): CertificateFields {
  return {
    number: c.number,
    gtin: c.gtin,
    standardCode: c.standardCode,
    level: c.level,
    validFrom: c.validFrom ?? new Date(0),
    validUntil: c.validUntil ?? new Date(0),
    issuerCnasNumber: c.issuerCnasNumber,
    issuerName: c.issuerName,
    grade: c.grade,
  };
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
  const { validFrom, validUntil, ...texts } = certificateFieldsOf(c);
  const fields = Object.entries({ ...texts, validFrom: rfc3339(validFrom), validUntil: rfc3339(validUntil) });
  const sorted = Object.fromEntries(fields.map(([k, v]) => [k, text(v)] as const).sort(([a], [b]) => (a < b ? -1 : 1)));
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
