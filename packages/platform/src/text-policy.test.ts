import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkIdentifier, checkText, clip, wellFormed } from './text-policy.js';

const policy = { maxChars: 10 };
const reasons = (value: string, maxChars = 10) => checkText('name', value, { maxChars }).violations.map((v) => v.reason);

describe('checkText', () => {
  it('accepts ordinary text, line feeds and tabs, and CJK counted as one character each', () => {
    expect(checkText('name', '安踏\t体育\nAnta', policy)).toEqual({ value: '安踏\t体育\nAnta', violations: [] });
  });

  it('normalises to NFC, so a decomposed é is stored as one character', () => {
    const decomposed = 'Cafe\u0301';
    const checked = checkText('name', decomposed, policy);
    expect(checked.value).toBe('Caf\u00e9');
    expect(checked.value.length).toBe(4);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['BEL', 'a\u0007b'],
    ['carriage return', 'a\rb'],
    ['escape (terminal colours)', '\u001b[31mred'],
    ['DEL', 'a\u007fb'],
    ['C1 next-line', 'a\u0085b'],
  ])('refuses the control character %s', (_what, value) => {
    expect(reasons(value)).toEqual(['CONTROL_CHARACTER']);
  });

  it.each(['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'])('refuses the bidirectional control U+%s', (char) => {
    expect(reasons(`ab${char}cd`)).toEqual(['BIDI_CONTROL']);
  });

  it('refuses lone surrogates but accepts a paired one (an emoji)', () => {
    expect(reasons('a\ud800b')).toEqual(['INVALID_UNICODE']);
    expect(reasons('a\udc00')).toEqual(['INVALID_UNICODE']);
    expect(reasons('ok 👍')).toEqual([]);
  });

  it('counts code points for the limit and says where the bad character is without echoing the text', () => {
    expect(reasons('👍'.repeat(10))).toEqual([]);
    expect(reasons('x'.repeat(11))).toEqual(['TOO_LONG']);
    const [violation] = checkText('enterprise.address', `${'秘'.repeat(5)}\u202e`, { maxChars: 500 }).violations;
    expect(violation).toEqual({ field: 'enterprise.address', description: 'contains bidirectional control U+202E at position 5', reason: 'BIDI_CONTROL' });
  });

  it('checks a 1 MB value quickly and reports every problem at once', () => {
    const started = performance.now();
    expect(reasons(`${'x'.repeat(1_000_000)}\u0007\u202e`, 200)).toEqual(['CONTROL_CHARACTER', 'BIDI_CONTROL', 'TOO_LONG']);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('checkIdentifier', () => {
  it('applies the grammar the caller supplies, naming it but not the value', () => {
    const kebab = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
    expect(checkIdentifier('indicator.id', 'oxygen-number', kebab, 'kebab-case')).toEqual([]);
    expect(checkIdentifier('indicator.id', '__proto__', kebab, 'kebab-case')).toEqual([
      { field: 'indicator.id', description: 'must be kebab-case', reason: 'INVALID_FORMAT' },
    ]);
  });
});

describe('clip', () => {
  it('keeps short text and cuts long text to the limit with an ellipsis, never inside a surrogate pair', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip('abcdefghijk', 5)).toBe('abcd…');
    expect(clip('abc👍def', 5)).toBe('abc…');
    expect(clip('x'.repeat(70_000), 200)).toHaveLength(200);
  });
});

describe('the text policy on arbitrary input (fast-check)', () => {
  // Any UTF-16 string, lone surrogates and control characters included, biased towards the
  // characters the policy is about.
  const hostile = fc.oneof(
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 300 }),
    fc.string({
      unit: fc.constantFrom('a', '质', '\u0000', '\u0007', '\n', '\t', '\u0085', '\u202e', '\u2066', '\ud800', '\udc00', 'e\u0301', '👍'),
      maxLength: 300,
    }),
  );

  it('never throws, and what it accepts is NFC, well-formed, free of control and bidi characters, within the limit', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 1, max: 200 }), (text, maxChars) => {
        const { value, violations } = checkText('f', text, { maxChars });
        if (violations.length > 0) return;
        expect(value).toBe(value.normalize('NFC'));
        expect(wellFormed(value)).toBe(value);
        // eslint-disable-next-line no-control-regex -- the characters the policy refuses
        expect(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/.test(value)).toBe(false);
        expect([...value].length).toBeLessThanOrEqual(maxChars);
      }),
      { numRuns: 2000 },
    );
  });

  it('clips to at most the limit and never leaves half a surrogate pair', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 2, max: 300 }), (text, max) => {
        const clipped = clip(text, max);
        expect(clipped.length).toBeLessThanOrEqual(max);
        if (wellFormed(text) === text) expect(wellFormed(clipped)).toBe(clipped);
      }),
      { numRuns: 2000 },
    );
  });
});
