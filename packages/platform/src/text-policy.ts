import type { FieldViolation } from './errors.js';

/**
 * What human-readable text pinzhi accepts (names, addresses, titles), checked at the edge
 * before a request becomes domain input. Text is stored and later shown on badges, in
 * certificates and in logs, so characters that change how other text renders or that can
 * forge a log line are refused rather than stored:
 * - C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F), except line feed and tab;
 * - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069): they can make
 *   "ABC‮gpj.exe" display as "ABCexe.jpg" ("Trojan Source");
 * - lone surrogates, which are not Unicode text and fail to encode as UTF-8.
 * Accepted text is NFC-normalised, so "é" typed two ways is stored, compared and counted as
 * one. Lengths count code points (a CJK character is one), after normalisation.
 * Identifiers (codes, numbers, ids) follow their own grammar, supplied by the caller.
 */
export interface TextPolicy {
  /** At most this many code points after normalisation. */
  maxChars: number;
}

/** Violations of the text policy always carry a reason (INVALID_UNICODE, CONTROL_CHARACTER, BIDI_CONTROL, TOO_LONG, INVALID_FORMAT). */
export type TextViolation = Required<FieldViolation>;

export interface CheckedText {
  /** The NFC-normalised text; use it instead of the input when there are no violations. */
  value: string;
  violations: TextViolation[];
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Checks one free-text field. Descriptions name the offending character by code point and
 * position, never echo the text: a violation travels back in the status, whose size is bounded.
 */
export function checkText(field: string, value: string, policy: TextPolicy): CheckedText {
  const lone = LONE_SURROGATE.exec(value);
  if (lone) {
    return {
      value,
      violations: [
        { field, description: `contains a lone surrogate (${codePoint(lone[0])}) at position ${lone.index}: not Unicode text`, reason: 'INVALID_UNICODE' },
      ],
    };
  }
  const normalised = value.normalize('NFC');
  const violations: TextViolation[] = [];
  const control = CONTROL.exec(normalised);
  if (control) {
    violations.push({
      field,
      description: `contains control character ${codePoint(control[0])} at position ${control.index}; only line feed and tab are allowed`,
      reason: 'CONTROL_CHARACTER',
    });
  }
  const bidi = BIDI_CONTROL.exec(normalised);
  if (bidi) {
    violations.push({ field, description: `contains bidirectional control ${codePoint(bidi[0])} at position ${bidi.index}`, reason: 'BIDI_CONTROL' });
  }
  const length = codePointLength(normalised, policy.maxChars);
  if (length > policy.maxChars) {
    violations.push({ field, description: `at most ${policy.maxChars} characters`, reason: 'TOO_LONG' });
  }
  return { value: normalised, violations };
}

/**
 * Checks an identifier against its grammar (anchor the expression: /^…$/). `expected` says
 * what the grammar is, for the caller; the value itself is not echoed.
 */
export function checkIdentifier(field: string, value: string, grammar: RegExp, expected: string): TextViolation[] {
  return grammar.test(value) ? [] : [{ field, description: `must be ${expected}`, reason: 'INVALID_FORMAT' }];
}

/** Code points in `text`, counting no further than limit + 1 (a 1 MB string costs no more than a short one). */
function codePointLength(text: string, limit: number): number {
  if (text.length <= limit) return text.length;
  let count = 0;
  for (const _ of text) {
    if (++count > limit) break;
  }
  return count;
}

/**
 * `text` with every lone surrogate replaced by U+FFFD. Whatever goes into grpc-message must
 * be well-formed: grpc-js percent-encodes it with encodeURI, which throws URIError on a lone
 * surrogate, and the call then never gets its status (the security suite found one made by
 * cutting an error message in the middle of an emoji).
 */
export function wellFormed(text: string): string {
  return text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
}

/**
 * At most `max` UTF-16 units of `text`, with "…" when cut; never splits a surrogate pair.
 * For quoting input in messages, which must stay short (see grpc/status.ts).
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
