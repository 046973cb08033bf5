import { describe, expect, it } from 'vitest';
import { withDocumentLock, withDocumentLocks } from './document-lock.js';

describe('withDocumentLock', () => {
  it('runs work on one document one at a time, in call order, and other documents in parallel', async () => {
    const log: string[] = [];
    const step = (name: string, ms: number) => () =>
      new Promise<string>((resolve) => {
        log.push(`start ${name}`);
        setTimeout(() => {
          log.push(`end ${name}`);
          resolve(name);
        }, ms);
      });
    const results = await Promise.all([
      withDocumentLock('c', 1, step('a', 20)),
      withDocumentLock('c', 1, step('b', 1)),
      withDocumentLock('c', 2, step('x', 5)),
    ]);
    expect(results).toEqual(['a', 'b', 'x']);
    expect(log.indexOf('start b')).toBeGreaterThan(log.indexOf('end a'));
    expect(log.indexOf('start x')).toBeLessThan(log.indexOf('end a'));
  });

  it('keeps going after a failed piece of work', async () => {
    await expect(withDocumentLock('c', 3, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withDocumentLock('c', 3, async () => 'ok')).resolves.toBe('ok');
  });

  it('takes several locks at once without deadlock, and waits for a holder of any of them', async () => {
    const log: string[] = [];
    const hold = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      withDocumentLock('m', 'b', hold('single b', 20)),
      withDocumentLocks('m', ['a', 'b'], hold('a+b', 1)),
      withDocumentLocks('m', ['b', 'a', 'a'], hold('b+a', 1)),
    ]);
    expect(results).toEqual(['single b', 'a+b', 'b+a']);
    expect(log.indexOf('start a+b')).toBeGreaterThan(log.indexOf('end single b'));
    expect(log.indexOf('start b+a')).toBeGreaterThan(log.indexOf('end a+b'));
  });
});
