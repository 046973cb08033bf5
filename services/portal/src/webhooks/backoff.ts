/** The retry policy of a delivery: exponential back-off with jitter, within a give-up window. */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  giveUpAfterMs: number;
}

/**
 * Wait before attempt `failures + 1`: base·2^(failures−1), capped, then "equal jitter" (a
 * random point in its upper half) so endpoints that failed together do not retry together,
 * yet no wait falls below half its step. With 5 s and a 2 h cap: 5 s, 10 s, 20 s … 2 h.
 */
export function retryDelayMs(failures: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 40));
  return Math.round(step / 2 + (step / 2) * random());
}

/** When the next attempt is due, or 'dead-letter' when it would fall past the give-up window. */
export function nextAttempt(firstFailureAt: Date, now: Date, failures: number, policy: RetryPolicy, random?: () => number): Date | 'dead-letter' {
  const due = now.getTime() + retryDelayMs(failures, policy, random);
  return due - firstFailureAt.getTime() > policy.giveUpAfterMs ? 'dead-letter' : new Date(due);
}
