import { describe, expect, it } from 'vitest';
import { canonicalCertificateBytes, certificateFieldsOf, type CertificateFields } from './canonical-bytes.js';

const certificate: CertificateFields = {
  number: 'PZ-2025-000123',
  gtin: '06901234567892',
  standardCode: 'GB/T 14272-2021',
  level: '一等品',
  validFrom: new Date('2025-03-01T00:00:00.000Z'),
  validUntil: new Date('2026-02-28T15:59:59.999Z'),
  issuerCnasNumber: 'CNAS L0192',
  issuerName: '杭州市质量检测中心',
  grade: 'grades/g-42',
};

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('canonicalCertificateBytes', () => {
  it('is the prefix, then sorted compact JSON, in UTF-8 (the form README.md documents)', () => {
    expect(decode(canonicalCertificateBytes(certificate))).toBe(
      'pinzhi-certificate-v1\n' +
        '{"grade":"grades/g-42","gtin":"06901234567892","issuerCnasNumber":"CNAS L0192",' +
        '"issuerName":"杭州市质量检测中心","level":"一等品","number":"PZ-2025-000123",' +
        '"standardCode":"GB/T 14272-2021","validFrom":"2025-03-01T00:00:00.000Z",' +
        '"validUntil":"2026-02-28T15:59:59.999Z"}',
    );
  });

  it('is identical for equal inputs built in different key orders', () => {
    const reversed = Object.fromEntries(Object.entries(certificate).reverse()) as unknown as CertificateFields;
    expect(canonicalCertificateBytes(reversed)).toEqual(canonicalCertificateBytes(certificate));
  });

  it('ignores properties that are not certificate fields', () => {
    const withExtra = { ...certificate, internalNote: 'not signed' };
    expect(canonicalCertificateBytes(withExtra)).toEqual(canonicalCertificateBytes(certificate));
  });

  it('differs when a date moves by 1 ms', () => {
    for (const field of ['validFrom', 'validUntil'] as const) {
      const moved = { ...certificate, [field]: new Date(certificate[field].getTime() + 1) };
      expect(canonicalCertificateBytes(moved)).not.toEqual(canonicalCertificateBytes(certificate));
    }
  });

  it('gives the same bytes for NFC and NFD spellings of Chinese and accented text', () => {
    // Pinyin tone marks decompose under NFD; U+F9B2 is a CJK compatibility ideograph that NFC maps to 零 (U+96F6).
    const composed = { ...certificate, issuerName: 'Lǚ Hángzhōu 零售检测', level: 'Qualité' };
    const decomposed = {
      ...certificate,
      issuerName: composed.issuerName.normalize('NFD').replace('零', '\uF9B2'),
      level: composed.level.normalize('NFD'),
    };
    expect(decomposed.issuerName).not.toBe(composed.issuerName);
    expect(canonicalCertificateBytes(decomposed)).toEqual(canonicalCertificateBytes(composed));
  });

  it('escapes quotes, backslashes and control characters as JSON does', () => {
    const awkward = { ...certificate, issuerName: 'A "B" \\ C\n' };
    expect(decode(canonicalCertificateBytes(awkward))).toContain('"issuerName":"A \\"B\\" \\\\ C\\n"');
  });

  it('rejects dates it cannot write as RFC 3339', () => {
    expect(() => canonicalCertificateBytes({ ...certificate, validFrom: new Date(Number.NaN) })).toThrow(RangeError);
    expect(() => canonicalCertificateBytes({ ...certificate, validUntil: new Date('+010000-01-01T00:00:00Z') })).toThrow(RangeError);
  });
});

describe('certificateFieldsOf', () => {
  it('is exactly the signed field set; changing it needs a new domain prefix and README.md', () => {
    const fields = certificateFieldsOf({ ...certificate, signature: 'not signed' } as CertificateFields);
    expect(Object.keys(fields).sort()).toEqual([
      'grade',
      'gtin',
      'issuerCnasNumber',
      'issuerName',
      'level',
      'number',
      'standardCode',
      'validFrom',
      'validUntil',
    ]);
    expect(fields).toEqual(certificate);
  });

  it('turns a missing timestamp into the epoch, which no genuine signature covers', () => {
    const fields = certificateFieldsOf({ ...certificate, validFrom: undefined, validUntil: undefined });
    expect([fields.validFrom, fields.validUntil]).toEqual([new Date(0), new Date(0)]);
  });

  it('gives the bytes the earlier, per-caller field lists gave', () => {
    // Expected values computed once with the code before the field set moved here: grading's
    // and the subscriber's own lists, and canonicalCertificateBytes listing the fields itself.
    const awkward = {
      number: 'PZ-G-2025-ABC "1" \\ /',
      gtin: '06901234567892',
      standardCode: 'GB/T 14272-2021',
      level: 'Qualite\u0301',
      validFrom: new Date('2025-03-01T00:00:00.000Z'),
      validUntil: new Date('2026-02-28T15:59:59.999Z'),
      issuerCnasNumber: 'CNAS L0192\t\u0001\u001f',
      issuerName: 'Lǚ Hángzhōu'.normalize('NFD') + ' \uF9B2售检测 \ud800',
      grade: 'grades/g-42',
      internalNote: 'not signed',
    };
    const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    expect(base64(canonicalCertificateBytes(awkward))).toBe(
      'cGluemhpLWNlcnRpZmljYXRlLXYxCnsiZ3JhZGUiOiJncmFkZXMvZy00MiIsImd0aW4iOiIwNjkwMTIzNDU2Nzg5MiIsImlzc3VlckNuYXNOdW1iZXIiOiJDTkFTIEwwMTkyXHRcdTAwMDFcdTAwMWYiLCJpc3N1ZXJOYW1lIjoiTMeaIEjDoW5nemjFjXUg6Zu25ZSu5qOA5rWLIFx1ZDgwMCIsImxldmVsIjoiUXVhbGl0w6kiLCJudW1iZXIiOiJQWi1HLTIwMjUtQUJDIFwiMVwiIFxcIC8iLCJzdGFuZGFyZENvZGUiOiJHQi9UIDE0MjcyLTIwMjEiLCJ2YWxpZEZyb20iOiIyMDI1LTAzLTAxVDAwOjAwOjAwLjAwMFoiLCJ2YWxpZFVudGlsIjoiMjAyNi0wMi0yOFQxNTo1OTo1OS45OTlaIn0=',
    );
    expect(base64(canonicalCertificateBytes(certificateFieldsOf({ ...awkward, validFrom: undefined })))).toBe(
      'cGluemhpLWNlcnRpZmljYXRlLXYxCnsiZ3JhZGUiOiJncmFkZXMvZy00MiIsImd0aW4iOiIwNjkwMTIzNDU2Nzg5MiIsImlzc3VlckNuYXNOdW1iZXIiOiJDTkFTIEwwMTkyXHRcdTAwMDFcdTAwMWYiLCJpc3N1ZXJOYW1lIjoiTMeaIEjDoW5nemjFjXUg6Zu25ZSu5qOA5rWLIFx1ZDgwMCIsImxldmVsIjoiUXVhbGl0w6kiLCJudW1iZXIiOiJQWi1HLTIwMjUtQUJDIFwiMVwiIFxcIC8iLCJzdGFuZGFyZENvZGUiOiJHQi9UIDE0MjcyLTIwMjEiLCJ2YWxpZEZyb20iOiIxOTcwLTAxLTAxVDAwOjAwOjAwLjAwMFoiLCJ2YWxpZFVudGlsIjoiMjAyNi0wMi0yOFQxNTo1OTo1OS45OTlaIn0=',
    );
  });
});
