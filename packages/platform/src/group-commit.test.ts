import { describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.js';

describe('groupCommit', () => {
  it('sends concurrent calls as one batch and the ones that arrive meanwhile as the next', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const write = groupCommit<number, number>(async (items) => {
      batches.push([...items]);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
      return items.map((n) => n * 10);
    });
    const first = [write(1), write(2), write(3)];
    await new Promise((r) => setImmediate(r));
    const second = [write(4), write(5)];
    release();
    expect(await Promise.all([...first, ...second])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('fails one item alone when the write says so, and every item when the write throws', async () => {
    const perItem = groupCommit<number, number>(async (items) => items.map((n) => (n < 0 ? new Error(`bad ${n}`) : n)));
    const results = await Promise.allSettled([perItem(1), perItem(-1), perItem(2)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('bad -1');

    const broken = groupCommit<number, number>(async () => {
      throw new Error('server gone');
    });
    const all = await Promise.allSettled([broken(1), broken(2)]);
    expect(all.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    // The next call still goes through (the batcher is not stuck).
    const fine = groupCommit<number, number>(async (items) => items);
    expect(await fine(7)).toBe(7);
  });

  it('keeps batches within the maximum size', async () => {
    const sizes: number[] = [];
    const write = groupCommit<number, number>(async (items) => {
      sizes.push(items.length);
      return [...items];
    }, 4);
    await Promise.all(Array.from({ length: 10 }, (_, i) => write(i)));
    expect(sizes).toEqual([4, 4, 2]);
  });
});
