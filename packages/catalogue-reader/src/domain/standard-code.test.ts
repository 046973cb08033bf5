import { describe, expect, it } from 'vitest';
import { normaliseStandardCode, parseStandardCode, validateStandardCode, type StandardCode } from './standard-code.js';

function parsed(code: string): StandardCode {
  const result = parseStandardCode(code);
  if (!result.ok) throw new Error(`${code}: ${JSON.stringify(result.violations)}`);
  return result.value;
}

function reasons(code: string): string[] {
  return validateStandardCode(code, 'standard.code').map((v) => v.reason);
}

describe('parseStandardCode — Chinese standards', () => {
  it.each([
    ['GB 18401-2010', { kind: 'mandatory', prefix: 'GB', number: '18401', year: 2010 }],
    ['GB/T 14272-2021', { kind: 'recommended', prefix: 'GB/T', number: '14272', year: 2021 }],
    ['GB/Z 43483-2023', { kind: 'guidance', prefix: 'GB/Z', number: '43483', year: 2023 }],
    ['GB/T 3903.1-2017', { kind: 'recommended', prefix: 'GB/T', number: '3903.1', year: 2017 }],
    ['FZ/T 81010-2018', { kind: 'industry', prefix: 'FZ/T', number: '81010', year: 2018 }],
    ['QB/T 2673-2023', { kind: 'industry', prefix: 'QB/T', number: '2673', year: 2023 }],
    ['QB 1002-2005', { kind: 'industry', prefix: 'QB', number: '1002', year: 2005 }],
    ['SN/T 1649-2005', { kind: 'industry', prefix: 'SN/T', number: '1649', year: 2005 }],
    ['DB33/T 123-2020', { kind: 'local', prefix: 'DB33/T', number: '123', year: 2020 }],
    ['T/ABC 001-2023', { kind: 'group', prefix: 'T/ABC', number: '001', year: 2023 }],
    ['T/CNTAC 8-2018', { kind: 'group', prefix: 'T/CNTAC', number: '8', year: 2018 }],
    ['Q/BYD 0001-2018', { kind: 'enterprise', prefix: 'Q/BYD', number: '0001', year: 2018 }],
    ['Q/SHTK 0001S-2017', { kind: 'enterprise', prefix: 'Q/SHTK', number: '0001S', year: 2017 }],
  ])('%s', (code, expected) => {
    expect(parsed(code)).toMatchObject({ ...expected, canonical: code });
  });

  it('normalises Chinese typesetting to one canonical form', () => {
    expect(parsed('GB 18401—2010').canonical).toBe('GB 18401-2010');
    expect(parsed('gb/t14272-2021').canonical).toBe('GB/T 14272-2021');
    expect(parsed('GB／T 14272－2021').canonical).toBe('GB/T 14272-2021');
    expect(parsed('Q/SHTK0001S-2017').canonical).toBe('Q/SHTK 0001S-2017');
    expect(normaliseStandardCode('  GB  / T   14272 - 2021 ')).toBe('GB/T 14272-2021');
  });

  it('requires the edition year of a Chinese number', () => {
    expect(reasons('GB18401')).toEqual(['MISSING_YEAR']);
    expect(reasons('GB/T 14272')).toEqual(['MISSING_YEAR']);
    expect(reasons('T/ABC 001')).toEqual(['MISSING_YEAR']);
    expect(reasons('FZ/T 81010')).toEqual(['MISSING_YEAR']);
    expect(validateStandardCode('GB18401', 'standard.code')[0]?.field).toBe('standard.code');
  });

  it('rejects two-digit and implausible years', () => {
    expect(reasons('GB 18401-10')).toEqual(['INVALID_YEAR']);
    expect(reasons('GB 18401-1850')).toEqual(['INVALID_YEAR']);
  });

  it('rejects unknown prefixes and garbage', () => {
    expect(reasons('XX/T 1-2020')).toEqual(['UNKNOWN_PREFIX']);
    expect(reasons('GBT 14272-2021')).toEqual(['UNKNOWN_PREFIX']);
    expect(reasons('hello')).toEqual(['UNKNOWN_PREFIX']);
    expect(reasons('')).toEqual(['REQUIRED']);
    expect(reasons('GB/T abc-2021')).toEqual(['INVALID_FORMAT']);
    expect(reasons('T/ 001-2023')).toEqual(['INVALID_FORMAT']);
    expect(reasons('Q/-2020')).toEqual(['INVALID_FORMAT']);
  });
});

describe('parseStandardCode — foreign standards', () => {
  it.each([
    ['EN 13402-3:2017', { prefix: 'EN', number: '13402-3', year: 2017 }],
    ['EN 12935:2001', { prefix: 'EN', number: '12935', year: 2001 }],
    ['ISO 105-C06:2010', { prefix: 'ISO', number: '105-C06', year: 2010 }],
    ['ISO/IEC 17065:2012', { prefix: 'ISO/IEC', number: '17065', year: 2012 }],
    ['ASTM F963-23', { prefix: 'ASTM', number: 'F963', year: 2023 }],
    ['ASTM D5034-09(2017)', { prefix: 'ASTM', number: 'D5034', year: 2009 }],
    ['BS EN 12934:1999', { prefix: 'BS EN', number: '12934', year: 1999 }],
    ['BS EN ISO 12945-2:2020', { prefix: 'BS EN ISO', number: '12945-2', year: 2020 }],
    ['EN 71-3:2019+A1:2021', { prefix: 'EN', number: '71-3', year: 2019 }],
    ['AATCC 61-2013', { prefix: 'AATCC', number: '61', year: 2013 }],
  ])('%s', (code, expected) => {
    expect(parsed(code)).toMatchObject({ kind: 'foreign', ...expected, canonical: code });
  });

  it('accepts a foreign number without a year', () => {
    const jis = parsed('JIS L 1096');
    expect(jis).toMatchObject({ kind: 'foreign', prefix: 'JIS', number: 'L 1096' });
    expect(jis.year).toBeUndefined();
    expect(parsed('JIS L 1096:2010').year).toBe(2010);
  });

  it('reads ASTM two-digit years across the century', () => {
    expect(parsed('ASTM D1776-98').year).toBe(1998);
  });

  it('rejects malformed foreign numbers', () => {
    expect(reasons('EN ABC')).toEqual(['INVALID_FORMAT']);
    expect(reasons('ISO 105 C06 X')).toEqual(['INVALID_FORMAT']);
    expect(reasons('ASTM 963-23')).toEqual(['INVALID_FORMAT']);
    expect(reasons('EN 12935:0001')).toEqual(['INVALID_YEAR']);
  });
});
