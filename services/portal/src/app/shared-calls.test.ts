import { describe, expect, it } from 'vitest';
import { SharedCalls } from './shared-calls.js';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('SharedCalls', () => {
  it('joins a call in flight and, without a ttl, calls again once it settled', async () => {
    const calls = new SharedCalls<number>(0);
    let made = 0;
    const pending = deferred<number>();
    const first = calls.get('k', () => (made++, pending.promise));
    const second = calls.get('k', () => (made++, Promise.resolve(2)));
    pending.resolve(1);
    expect([await first, await second, made]).toEqual([1, 1, 1]);
    expect(await calls.get('k', () => (made++, Promise.resolve(3)))).toBe(3);
    expect(made).toBe(2);
  });

  it('keeps an answer for its ttl, never a failure', async () => {
    let now = 0;
    const calls = new SharedCalls<number>(1_000, 100, () => now);
    await expect(calls.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await calls.get('k', () => Promise.resolve(1))).toBe(1);
    now = 999;
    expect(await calls.get('k', () => Promise.resolve(2))).toBe(1);
    now = 1_001;
    expect(await calls.get('k', () => Promise.resolve(3))).toBe(3);
  });
});
