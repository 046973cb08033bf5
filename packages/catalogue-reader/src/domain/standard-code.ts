/**
 * Standard numbers as printed on labels and certificates: Chinese national, industry, local,
 * group and enterprise standards, and the foreign standards export products are made to.
 *
 * Input is normalised before parsing because Chinese typesetting writes the same number in
 * several ways (`GB 18401—2010`, `GB/T14272-2021`, full-width `／`); the parsed `canonical`
 * form is what pinzhi stores and compares.
 */
import { violation, type Result, type Violation } from './violation.js';

export type StandardKind =
  | 'mandatory' // GB
  | 'recommended' // GB/T
  | 'guidance' // GB/Z
  | 'industry' // FZ/T, QB/T, SN/T …
  | 'local' // DBnn/T, provincial or municipal
  | 'group' // T/<association>
  | 'enterprise' // Q/<enterprise>
  | 'foreign'; // ISO, EN, ASTM, JIS … (international and other countries' standards)

export type StandardCode = {
  kind: StandardKind;
  /** `GB/T`, `FZ/T`, `T/CNTAC`, `Q/BYD`, `BS EN ISO`, `ASTM` … */
  prefix: string;
  /** The number within the prefix: `14272`, `3903.1`, `13402-3`, `105-C06`, `L 1096`, `F963`. */
  number: string;
  /** Four-digit year of the edition; always present for Chinese standards. */
  year?: number;
  /** The normalised form pinzhi stores, e.g. `GB/T 14272-2021`, `EN 13402-3:2017`. */
  canonical: string;
};

/**
 * Industry-standard codes (行业标准代号) as we know the table. A real code that is rejected
 * as UNKNOWN_PREFIX means this list is short, not that the code is wrong: add it here.
 */
export const INDUSTRY_PREFIXES: readonly string[] = [
  'AQ',
  'BB',
  'CB',
  'CH',
  'CJ',
  'CY',
  'DA',
  'DB',
  'DL',
  'DZ',
  'EJ',
  'FZ',
  'GA',
  'GH',
  'GM',
  'GY',
  'HB',
  'HG',
  'HJ',
  'HS',
  'HY',
  'JB',
  'JC',
  'JG',
  'JR',
  'JT',
  'JY',
  'LB',
  'LD',
  'LS',
  'LY',
  'MH',
  'MT',
  'MZ',
  'NB',
  'NY',
  'QB',
  'QC',
  'QJ',
  'QX',
  'RB',
  'SB',
  'SC',
  'SF',
  'SH',
  'SJ',
  'SL',
  'SN',
  'SW',
  'SY',
  'TB',
  'TD',
  'TY',
  'WB',
  'WH',
  'WJ',
  'WM',
  'WS',
  'WW',
  'XB',
  'XF',
  'YB',
  'YC',
  'YD',
  'YS',
  'YY',
  'YZ',
  'ZY',
];

/** Bodies whose standards are accepted as `foreign`; several may combine (`BS EN ISO`). */
export const FOREIGN_BODIES: readonly string[] = [
  'ISO',
  'IEC',
  'EN',
  'BS',
  'DIN',
  'NF',
  'UNE',
  'UNI',
  'JIS',
  'KS',
  'ASTM',
  'AATCC',
  'ANSI',
  'AS',
  'NZS',
  'UL',
  'CSA',
  'IDFB',
  'GOST',
];

/** Document types that follow a body after a slash: `ISO/TS`, `ISO/TR`, `BSI PAS`. */
const FOREIGN_QUALIFIERS: readonly string[] = ['TS', 'TR', 'PAS', 'IWA'];

/** `<number>[-<year>]` of a Chinese standard; the year is checked separately to name what is wrong. */
const CHINESE_TAIL = String.raw`\d+[A-Z]?(?:\.\d+)*(?:-\d+)?`;

const EARLIEST_YEAR = 1900;
const LATEST_YEAR = 2099;

export function normaliseStandardCode(code: string): string {
  return code
    .normalize('NFKC') // full-width ／ － ： become ASCII
    .toUpperCase()
    .replace(/[\u2010-\u2015\u2212]/g, '-') // hyphen, en and em dashes, minus sign
    .replace(/\s+/g, ' ')
    .replace(/ ?([/:-]) ?/g, '$1')
    .trim();
}

/** The parsed form of a standard number, or why it is not one. */
export function parseStandardCode(code: string, field = 'standard_code'): Result<StandardCode> {
  const text = normaliseStandardCode(code);
  if (text.length === 0) return fail(field, 'REQUIRED', 'a standard number is required');

  const national = /^GB(?:\/([TZ]))?(?=[ \d])(.*)$/.exec(text);
  if (national) {
    const prefix = national[1] === undefined ? 'GB' : `GB/${national[1]}`;
    const kind: StandardKind = national[1] === 'T' ? 'recommended' : national[1] === 'Z' ? 'guidance' : 'mandatory';
    return chinese(kind, prefix, national[2] ?? '', text, field);
  }

  const group = new RegExp(`^T/([A-Z][A-Z0-9]+?) ?(${CHINESE_TAIL})$`).exec(text);
  if (group) return chinese('group', `T/${group[1]}`, group[2] ?? '', text, field);
  if (text.startsWith('T/')) {
    return fail(field, 'INVALID_FORMAT', `'${text}' is not a group standard number like T/CNTAC 8-2018`);
  }

  // The enterprise code is free-form (letters, digits, even a space), so the number is taken
  // to be the last run of digits before the year, with an optional letter such as the S in 0001S.
  const enterprise = new RegExp(`^Q/([A-Z0-9 ]*?[A-Z0-9]) ?(${CHINESE_TAIL})$`).exec(text);
  if (enterprise) return chinese('enterprise', `Q/${enterprise[1]}`, enterprise[2] ?? '', text, field);
  if (text.startsWith('Q/')) {
    return fail(field, 'INVALID_FORMAT', `'${text}' is not an enterprise standard number like Q/ABC 0001S-2020`);
  }

  const local = /^DB(\d{2}(?:\d{2})?)(?:\/([TZ]))?(?=[ \d])(.*)$/.exec(text);
  if (local) {
    const prefix = `DB${local[1]}${local[2] === undefined ? '' : `/${local[2]}`}`;
    return chinese('local', prefix, local[3] ?? '', text, field);
  }

  const foreign = splitForeignPrefix(text);
  if (foreign) return parseForeign(foreign.prefix, foreign.rest, text, field);

  const industry = /^([A-Z]{2})(?:\/([TZ]))?(?=[ \d])(.*)$/.exec(text);
  if (industry && INDUSTRY_PREFIXES.includes(industry[1] ?? '')) {
    const prefix = `${industry[1]}${industry[2] === undefined ? '' : `/${industry[2]}`}`;
    return chinese('industry', prefix, industry[3] ?? '', text, field);
  }

  const shown = /^[A-Z]+(?:\/[A-Z]+)?/.exec(text)?.[0] ?? text;
  return fail(
    field,
    'UNKNOWN_PREFIX',
    `'${shown}' is not a known standard prefix: expected GB, GB/T, GB/Z, an industry code such as FZ/T or QB/T, ` +
      'DBnn, T/<association>, Q/<enterprise>, or a foreign body such as ISO, EN, ASTM or JIS',
  );
}

export function validateStandardCode(code: string, field: string): Violation[] {
  const result = parseStandardCode(code, field);
  return result.ok ? [] : result.violations;
}

/** Chinese standard numbers always end in the edition's four-digit year: `14272-2021`. */
function chinese(kind: StandardKind, prefix: string, tail: string, text: string, field: string): Result<StandardCode> {
  const match = /^ ?(\d+[A-Z]?(?:\.\d+)*)(?:-(\d+))?$/.exec(tail);
  if (!match) {
    return fail(field, 'INVALID_FORMAT', `'${text}' does not read as ${prefix} <number>-<year>, e.g. GB/T 14272-2021`);
  }
  const number = match[1] ?? '';
  const yearText = match[2];
  if (yearText === undefined) {
    return fail(field, 'MISSING_YEAR', `'${text}' has no edition year: Chinese standard numbers end in the year, as in ${prefix} ${number}-YYYY`);
  }
  if (yearText.length !== 4) {
    return fail(field, 'INVALID_YEAR', `'${yearText}' is not a four-digit edition year`);
  }
  const year = Number(yearText);
  if (year < 1949 || year > LATEST_YEAR) {
    return fail(field, 'INVALID_YEAR', `edition year ${year} is not plausible for a Chinese standard`);
  }
  return { ok: true, value: { kind, prefix, number, year, canonical: `${prefix} ${number}-${year}` } };
}

function splitForeignPrefix(text: string): { prefix: string; rest: string } | undefined {
  const tokens: string[] = [];
  let rest = text;
  let separator = '';
  for (;;) {
    const match = /^([A-Z]+)([ /])/.exec(rest);
    if (!match) break;
    const token = match[1] ?? '';
    const known = tokens.length === 0 ? FOREIGN_BODIES.includes(token) : FOREIGN_BODIES.includes(token) || FOREIGN_QUALIFIERS.includes(token);
    if (!known) break;
    tokens.push(`${separator}${token}`);
    separator = match[2] ?? ' ';
    rest = rest.slice(match[0].length);
  }
  // A trailing '/' belongs to the prefix only if another body follows, which the loop handles.
  if (tokens.length === 0 || separator === '/') return undefined;
  return { prefix: tokens.join(''), rest };
}

function parseForeign(prefix: string, rest: string, text: string, field: string): Result<StandardCode> {
  if (prefix === 'ASTM') {
    // ASTM designations carry a two-digit year (F963-23) and may add a reapproval year: D5034-09(2017).
    const astm = /^([A-Z]\d+(?:\/[A-Z]\d+M?)?)(?:-(\d{2})[A-Z]?(?:E\d+)?)?(?:\((\d{4})\))?$/.exec(rest);
    if (!astm) return fail(field, 'INVALID_FORMAT', `'${text}' is not an ASTM designation like ASTM F963-23`);
    const value: StandardCode = { kind: 'foreign', prefix, number: astm[1] ?? '', canonical: text };
    if (astm[2] !== undefined) {
      const yy = Number(astm[2]);
      // ASTM editions run back to the 1900s; a two-digit year above 50 cannot be 20xx yet.
      value.year = yy > 50 ? 1900 + yy : 2000 + yy;
    }
    return { ok: true, value };
  }

  // Letters before the digits cover JIS L 1096, KS K 0850 and AATCC TM61; amendments (+A1:2021) ride along.
  const general = /^((?:[A-Z]{1,3} ?)?\d+[A-Z0-9.-]*?)(?::(\d{4})|-(\d{4}))?((?:\+A\d+(?::\d{4})?)*)$/.exec(rest);
  if (!general) {
    return fail(field, 'INVALID_FORMAT', `'${text}' does not read as ${prefix} <number>[:<year>], e.g. EN 13402-3:2017`);
  }
  const value: StandardCode = { kind: 'foreign', prefix, number: general[1] ?? '', canonical: text };
  // Only AATCC (and ANSI/AATCC) writes the year after a hyphen; elsewhere -NNNN is part of the number.
  const hyphenYear = prefix.includes('AATCC') ? general[3] : undefined;
  if (general[3] !== undefined && hyphenYear === undefined) value.number = `${value.number}-${general[3]}`;
  const yearText = general[2] ?? hyphenYear;
  if (yearText !== undefined) {
    const year = Number(yearText);
    if (year < EARLIEST_YEAR || year > LATEST_YEAR) {
      return fail(field, 'INVALID_YEAR', `edition year ${year} is not plausible`);
    }
    value.year = year;
  }
  return { ok: true, value };
}

function fail(field: string, reason: string, description: string): Result<StandardCode> {
  return { ok: false, violations: [violation(field, reason, description)] };
}
