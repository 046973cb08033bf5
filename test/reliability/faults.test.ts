/**
 * The short form of the fault-injection suite (faults.ts; `npm run test:reliability` runs the
 * long one): each scenario issues a few dozen grades, kills one part with SIGKILL halfway and
 * checks that nothing acknowledged is lost and that the database, the topics and a subscriber
 * agree again. It starts a Kafka and a FerretDB of its own on free ports (the shared ones are
 * never touched) and the grading service from services/grading/dist, which `npm test` builds.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { failuresOf, startReliabilitySuite, summaryOf, type ReliabilitySuite, type ScenarioName } from './faults.js';

const OPS = Number(process.env.RELIABILITY_TEST_OPS ?? 60);
// The suite needs the local stack's tools (Java for Kafka, the FerretDB binary); a run on
// servers of the user's own or on Docker may have neither.
const localStack = inject('ferretdbBin') !== '';

describe.skipIf(!localStack).sequential('grading under faults', () => {
  let suite: ReliabilitySuite | undefined;

  beforeAll(async () => {
    // Bounded so that a scenario ends within its 120 s even when something hangs: 30 s of
    // load at most, then up to 70 s for the checks (an abandoned outbox mark is kept 60 s).
    suite = await startReliabilitySuite({
      ops: OPS,
      opDeadlineMs: 20_000,
      loadTimeoutMs: 30_000,
      convergenceMs: 70_000,
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
  }, 120_000);

  afterAll(async () => {
    await suite?.stop();
  }, 60_000);

  const run = async (scenario: ScenarioName) => {
    const result = await suite!.run(scenario);
    console.log(summaryOf(result));
    // The whole result on failure: which product, which records, the logs of the moment.
    expect(failuresOf(result), JSON.stringify(result, null, 2)).toEqual([]);
    expect(result.acked).toBe(OPS);
    return result;
  };

  it('loses nothing when grading is killed, and answers again within 5 s', async () => {
    const result = await run('grading');
    expect(result.recoverySeconds).not.toBeNull();
    expect(result.recoverySeconds!).toBeLessThanOrEqual(5);
  }, 120_000);

  it('keeps issuing while Kafka is killed (health stays SERVING), and delivers every event after', async () => {
    const result = await run('kafka');
    expect(result.failedAttempts).toBe(0);
    expect(Object.keys(result.healthDuringFault)).toEqual(['SERVING']);
  }, 120_000);

  it('loses nothing when FerretDB is killed, and converges once it is back', async () => {
    await run('ferretdb');
  }, 120_000);
});
