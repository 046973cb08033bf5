import { describe, expect, it } from 'vitest';
import { withDocumentLock } from './document-lock.js';

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
});
