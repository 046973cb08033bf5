import { gradeStream, sameLineStream, valuationStream } from '@pinzhi/events';

/**
 * The event types a marketplace may subscribe to: what is public. Brand-value applications
 * on their way through review, and 三同 filings not yet decided or rejected, are the
 * enterprise's business until published, so they are not offered.
 */
export const SUBSCRIBABLE_STREAMS = [
  { stream: gradeStream, types: Object.values(gradeStream.types) },
  { stream: valuationStream, types: [valuationStream.types.published, valuationStream.types.flagged] },
  {
    stream: sameLineStream,
    types: (['declared', 'certified', 'suspended', 'reinstated', 'withdrawn', 'expired'] as const).map((v) => sameLineStream.types[v]),
  },
] as const;

export const SUBSCRIBABLE_TYPES: ReadonlySet<string> = new Set(SUBSCRIBABLE_STREAMS.flatMap((s) => s.types));

/** The brands, enterprises and categories an event names (fields `brand`, `enterprise`, `category` at any depth). */
export interface EventRefs {
  brands: Set<string>;
  enterprises: Set<string>;
  categories: Set<string>;
}

export function refsOf(payload: unknown): EventRefs {
  const refs: EventRefs = { brands: new Set(), enterprises: new Set(), categories: new Set() };
  const walk = (value: unknown, depth: number): void => {
    if (depth > 8 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach((v) => walk(v, depth + 1));
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string' && v !== '') {
        if (key === 'brand') refs.brands.add(v);
        else if (key === 'enterprise') refs.enterprises.add(v);
        else if (key === 'category') refs.categories.add(v);
      } else walk(v, depth + 1);
    }
  };
  walk(payload, 0);
  return refs;
}

export interface SubscriptionFilter {
  brands: readonly string[];
  enterprises: readonly string[];
  categories: readonly string[];
}

/** An empty list matches anything; a listed one needs the event to name one of its values. */
export function matchesFilter(filter: SubscriptionFilter, refs: EventRefs): boolean {
  const ok = (wanted: readonly string[], named: Set<string>) => wanted.length === 0 || wanted.some((w) => named.has(w));
  return ok(filter.brands, refs.brands) && ok(filter.enterprises, refs.enterprises) && ok(filter.categories, refs.categories);
}
