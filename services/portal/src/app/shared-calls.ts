/**
 * Backend answers shared between requests. `ttlMs` 0 only joins a call already in flight
 * (concurrent requests for one certificate make one VerifyCertificate, and nobody sees an
 * answer older than the call they joined); a positive `ttlMs` also keeps the answer that
 * long (catalogue names, which change rarely). Failures are never kept.
 */
export class SharedCalls<T> {
  readonly #entries = new Map<string, { value: Promise<T>; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, call: () => Promise<T>): Promise<T> {
    const now = this.now();
    const entry = this.#entries.get(key);
    if (entry && entry.until >= now) return entry.value;
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    const value = call();
    const stored = { value, until: Number.POSITIVE_INFINITY };
    this.#entries.set(key, stored);
    value.then(
      () => {
        if (this.ttlMs > 0) stored.until = this.now() + this.ttlMs;
        else if (this.#entries.get(key) === stored) this.#entries.delete(key);
      },
      () => {
        if (this.#entries.get(key) === stored) this.#entries.delete(key);
      },
    );
    return value;
  }
}
