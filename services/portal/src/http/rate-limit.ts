/**
 * Requests per client address in a fixed window. In memory, per portal instance: enough to
 * stop one client from starving the others; behind a proxy the proxy should limit too.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when the request may go ahead, else how many milliseconds until it may. */
  take(client: string): number {
    const now = this.now();
    if (this.#windows.size > 100_000) this.#forgetOld(now);
    const window = this.#windows.get(client);
    if (!window || now - window.start >= this.windowMs) {
      this.#windows.set(client, { start: now, count: 1 });
      return 0;
    }
    if (window.count >= this.limit) return window.start + this.windowMs - now;
    window.count += 1;
    return 0;
  }

  #forgetOld(now: number): void {
    for (const [client, window] of this.#windows) if (now - window.start >= this.windowMs) this.#windows.delete(client);
  }
}
