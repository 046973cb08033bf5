import type { ProcessedEvents } from '@pinzhi/platform';

export type { ProcessedEvents };

/**
 * Remembers the most recent `capacity` processed ids in memory, least recently seen evicted
 * first. Enough to absorb redeliveries (a relay republishing, a rebalance replaying
 * uncommitted offsets), which arrive close to the original; lost on restart. A marketplace
 * that needs more passes a persistent store, e.g. platform's `mongoProcessedEvents(db)`.
 */
export function memoryProcessedEvents(capacity = 100_000): ProcessedEvents {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  // A Map iterates in insertion order: re-inserting on use keeps the oldest entry first.
  const seen = new Map<string, true>();
  const keyOf = (consumer: string, eventId: string) => `${consumer}\u0000${eventId}`;
  return {
    async has(consumer, eventId) {
      const key = keyOf(consumer, eventId);
      if (!seen.has(key)) return false;
      seen.delete(key);
      seen.set(key, true);
      return true;
    },
    async remember(consumer, eventId) {
      const key = keyOf(consumer, eventId);
      seen.delete(key);
      seen.set(key, true);
      while (seen.size > capacity) seen.delete(seen.keys().next().value as string);
    },
  };
}
