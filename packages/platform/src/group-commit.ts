import { UnavailableError } from './errors.js';
/**
 * Group commit: calls that arrive while a batch is being written wait together and go as the
 * next batch, so N concurrent callers cost one round trip to the server instead of N. One
 * batch is in flight at a time; a lone caller waits no longer than one event-loop turn.
 *
 * `write` returns one result per item, in order: a value, or an Error for that item alone.
 * If `write` throws, every item of the batch fails with that error.
 *
 * The batch runs in the async context (and so the trace) of the call that started it; each
 * item's own trace context travels in the item where it matters (outbox entries carry their
 * traceparent).
 */
export type BatchWrite<I, O> = (items: readonly I[]) => Promise<ReadonlyArray<O | Error>>;

/**
 * `timeoutMs`: a batch whose write has not settled by then fails with UnavailableError (a
 * retry is safe) and the next batch goes. Without it one call that never returns (seen: a
 * driver read, in flight when FerretDB was killed, that never settled) would hold every later
 * caller of this group commit for good, where alone it held one.
 */
export function groupCommit<I, O>(write: BatchWrite<I, O>, maxBatch = 256, timeoutMs?: number): (item: I) => Promise<O> {
  type Waiting = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void };
  let queue: Waiting[] = [];
  let busy = false;

  const flush = async (): Promise<void> => {
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    try {
      const results = await withTimeout(write(batch.map((w) => w.item)), timeoutMs);
      if (results.length !== batch.length) throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
      batch.forEach((w, i) => {
        const result = results[i]!;
        if (result instanceof Error) w.reject(result);
        else w.resolve(result);
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      if (queue.length > 0) setImmediate(() => void flush());
      else busy = false;
    }
  };

  return (item: I) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!busy) {
        busy = true;
        setImmediate(() => void flush());
      }
    });
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UnavailableError(`the database did not answer within ${timeoutMs / 1000} s; a retry with the same request is safe`)),
      timeoutMs,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
