import { describe, expect, it } from 'vitest';
import { memoryProcessedEvents } from './processed-event-ids.js';

describe('memoryProcessedEvents', () => {
  it('remembers ids per consumer', async () => {
    const processed = memoryProcessedEvents();
    await processed.remember('shop-a', 'e-1');
    expect(await processed.has('shop-a', 'e-1')).toBe(true);
    expect(await processed.has('shop-b', 'e-1')).toBe(false);
    expect(await processed.has('shop-a', 'e-2')).toBe(false);
  });

  it('forgets the least recently seen id first once full', async () => {
    const processed = memoryProcessedEvents(2);
    await processed.remember('c', 'e-1');
    await processed.remember('c', 'e-2');
    expect(await processed.has('c', 'e-1')).toBe(true); // e-1 is now the most recent
    await processed.remember('c', 'e-3');
    expect([await processed.has('c', 'e-1'), await processed.has('c', 'e-2'), await processed.has('c', 'e-3')]).toEqual([true, false, true]);
  });

  it('refuses a capacity that could remember nothing', () => {
    expect(() => memoryProcessedEvents(0)).toThrow(RangeError);
  });
});
