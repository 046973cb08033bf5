import { canonicalCertificateBytes, publicKeyOf, type PublicSigningKey } from '@pinzhi/certificates';
import { Grade } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { describe, expect, it } from 'vitest';
import { certificateFieldsOf, createSignatureCheck } from './signature-check.js';
import { signedGrade, testKey } from './test-grades.js';

/** A key source whose published set the test changes, counting the fetches. */
function publishedKeys(initial: PublicSigningKey[]) {
  const state = { keys: initial, fetches: 0, down: false };
  const source = async () => {
    state.fetches++;
    if (state.down) throw new Error('grading unreachable');
    return state.keys;
  };
  return { state, source };
}

describe('createSignatureCheck', () => {
  it('verifies a genuine certificate, rejects a tampered one, and says null when there is none', async () => {
    const key = testKey();
    const { state, source } = publishedKeys([publicKeyOf(key)]);
    const check = createSignatureCheck(source);
    const grade = signedGrade(key, { level: 'FIRST' });
    expect(await check.check(grade)).toEqual({ valid: true });
    const tampered = Grade.fromPartial({ ...grade, certificate: { ...grade.certificate!, level: 'SUPERIOR' } });
    expect(await check.check(tampered)).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
    const unsigned = Grade.fromPartial({ ...grade, certificate: { ...grade.certificate!, signature: undefined } });
    expect(await check.check(unsigned)).toEqual({ valid: false, reason: 'UNSIGNED' });
    expect(await check.check(signedGrade(key, { certified: false }))).toEqual({ valid: null });
    expect(state.fetches).toBe(1);
  });

  it('refetches once when the issuer rotated to a key it has not seen', async () => {
    const old = testKey();
    const { state, source } = publishedKeys([publicKeyOf(old)]);
    const check = createSignatureCheck(source);
    expect(await check.check(signedGrade(old))).toEqual({ valid: true });

    const rotated = testKey();
    state.keys = [publicKeyOf(old), publicKeyOf(rotated)];
    expect(await check.check(signedGrade(rotated))).toEqual({ valid: true });
    expect(await check.check(signedGrade(old))).toEqual({ valid: true });
    expect(state.fetches).toBe(2);
  });

  it('does not refetch for the same unknown key id again until the retry interval has passed', async () => {
    let now = 1_000_000;
    const { state, source } = publishedKeys([publicKeyOf(testKey())]);
    const check = createSignatureCheck(source, { unknownKeyRetryMs: 60_000, now: () => now });
    const forged = signedGrade(testKey());
    for (let i = 0; i < 5; i++) expect(await check.check(forged)).toEqual({ valid: false, reason: 'UNKNOWN_KEY' });
    expect(state.fetches).toBe(2); // the first load and one refetch
    now += 60_000;
    expect(await check.check(forged)).toEqual({ valid: false, reason: 'UNKNOWN_KEY' });
    expect(state.fetches).toBe(3);
  });

  it('refreshes the whole set once it is older than keysMaxAgeMs, so a withdrawn key stops verifying', async () => {
    let now = 0;
    const key = testKey();
    const { state, source } = publishedKeys([publicKeyOf(key)]);
    const check = createSignatureCheck(source, { keysMaxAgeMs: 1000, now: () => now });
    expect(await check.check(signedGrade(key))).toEqual({ valid: true });
    state.keys = [];
    now = 1000;
    expect(await check.check(signedGrade(key))).toMatchObject({ valid: false });
  });

  it('rebuilds from a decoded certificate the bytes its own field list gave before it moved to @pinzhi/certificates', () => {
    const grade = signedGrade(testKey(), { gradeId: 'g-7', level: 'SUPERIOR' });
    const certificate = Grade.decode(Grade.encode(grade).finish()).certificate!;
    const base64 = (c: typeof certificate) => Buffer.from(canonicalCertificateBytes(certificateFieldsOf(c))).toString('base64');
    // Computed once with the SDK's earlier certificateFieldsOf.
    expect(base64(certificate)).toBe(
      'cGluemhpLWNlcnRpZmljYXRlLXYxCnsiZ3JhZGUiOiJncmFkZXMvZy03IiwiZ3RpbiI6IjA2OTAxMjM0NTY3ODkyIiwiaXNzdWVyQ25hc051bWJlciI6IkNOQVMgQzk1MS1QIiwiaXNzdWVyTmFtZSI6Iue6uue7h+WTgei0qOmHj+iupOivgeS4reW/gyIsImxldmVsIjoiU1VQRVJJT1IiLCJudW1iZXIiOiJQWi1HLTIwMjUtZy03Iiwic3RhbmRhcmRDb2RlIjoiR0IvVCAxNDI3Mi0yMDIxIiwidmFsaWRGcm9tIjoiMjAyNS0wMy0wMVQwMDowMDowMC4wMDBaIiwidmFsaWRVbnRpbCI6IjIwMjctMDItMjhUMTU6NTk6NTkuOTk5WiJ9',
    );
    expect(base64({ ...certificate, validFrom: undefined })).toBe(
      'cGluemhpLWNlcnRpZmljYXRlLXYxCnsiZ3JhZGUiOiJncmFkZXMvZy03IiwiZ3RpbiI6IjA2OTAxMjM0NTY3ODkyIiwiaXNzdWVyQ25hc051bWJlciI6IkNOQVMgQzk1MS1QIiwiaXNzdWVyTmFtZSI6Iue6uue7h+WTgei0qOmHj+iupOivgeS4reW/gyIsImxldmVsIjoiU1VQRVJJT1IiLCJudW1iZXIiOiJQWi1HLTIwMjUtZy03Iiwic3RhbmRhcmRDb2RlIjoiR0IvVCAxNDI3Mi0yMDIxIiwidmFsaWRGcm9tIjoiMTk3MC0wMS0wMVQwMDowMDowMC4wMDBaIiwidmFsaWRVbnRpbCI6IjIwMjctMDItMjhUMTU6NTk6NTkuOTk5WiJ9',
    );
  });

  it('rejects rather than answering false when the keys cannot be fetched', async () => {
    const key = testKey();
    const { state, source } = publishedKeys([publicKeyOf(key)]);
    state.down = true;
    const check = createSignatureCheck(source);
    await expect(check.check(signedGrade(key))).rejects.toThrow('grading unreachable');
    state.down = false;
    expect(await check.check(signedGrade(key))).toEqual({ valid: true });
  });
});
