import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CommandStartedEvent, MongoClient } from 'mongodb';

export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  ops: number;
  concurrency: number;
  p50Ms?: number;
  p99Ms?: number;
  /** value / floor value, for benchmarks compared with a baseline measured in the same run. */
  ratio?: number;
  floor?: string;
}

export function benchSettings() {
  return {
    seconds: Number(process.env.BENCH_SECONDS ?? 5),
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16),
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    mongoUrl: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
  };
}

/**
 * Runs `operation` from `concurrency` loops for `seconds` seconds (bounded in time, so a
 * benchmark always ends) and reports throughput and latency percentiles.
 */
export async function runConcurrently(operation: () => Promise<void>, { seconds, concurrency }: { seconds: number; concurrency: number }) {
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await operation();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsedSeconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
  return { ops: latencies.length, elapsedSeconds, opsPerSecond: latencies.length / elapsedSeconds, p50: pct(0.5), p99: pct(0.99) };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The p-th percentile (0–1) of latencies in ms, rounded; NaN when there are none. Sorts in place. */
export function percentile(latencies: number[], p: number): number {
  latencies.sort((a, b) => a - b);
  return round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN);
}

/** Prints the results as a table and writes them as JSON to test/bench/results/<name>.json. */
export function writeResults(name: string, results: BenchResult[], settings: Record<string, unknown>): void {
  const rows = results.map((r) => ({
    benchmark: r.name,
    value: Math.round(r.value).toLocaleString('en-US'),
    unit: r.unit,
    concurrency: r.concurrency,
    'p50 ms': r.p50Ms ?? '',
    'p99 ms': r.p99Ms ?? '',
    ...(r.ratio === undefined ? {} : { ratio: round(r.ratio, 3), floor: r.floor }),
  }));
  console.table(rows);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const report = {
    name,
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version },
    settings,
    results: results.map((r) => ({ ...r, value: round(r.value) })),
  };
  writeFileSync(`${dir}${name}.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote test/bench/results/${name}.json`);
}

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** Starts a service as its own process (node dist/main.js, as in production) with `env` on top of ours. */
export function spawnService(directory: string, env: Record<string, string>): ChildProcess {
  // BENCH_CPU_PROF=<dir>: the service writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', '@pinzhi/platform/register-telemetry', 'dist/main.js'], {
    cwd: `${repo}services/${directory}`,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // Never leave a service behind, whatever happens to this script.
  process.once('exit', () => child.kill('SIGKILL'));
  return child;
}

export async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Retries `probe` every 200 ms for up to 30 s. */
export async function waitUntilServing(probe: () => Promise<unknown>): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await probe();
      return;
    } catch (error) {
      if (i > 150) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Commands sent by a monitored client, by "command collection", while `work` runs (ping/hello/lease excluded). */
export async function countCommands(
  client: MongoClient,
  dbName: string,
  work: () => Promise<void>,
): Promise<{ total: number; byKind: Record<string, number> }> {
  const byKind: Record<string, number> = {};
  let total = 0;
  const listener = (event: CommandStartedEvent) => {
    if (event.databaseName !== dbName) return;
    const target = String(event.command[event.commandName] ?? '');
    if (['ping', 'hello', 'isMaster', 'buildInfo', 'endSessions', 'killCursors'].includes(event.commandName) || target === 'service_leases') return;
    const kind = `${event.commandName} ${target}`;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    total++;
  };
  client.on('commandStarted', listener);
  try {
    await work();
  } finally {
    client.off('commandStarted', listener);
  }
  return { total, byKind };
}

export const perOperation = (counted: { total: number; byKind: Record<string, number> }, ops: number) =>
  `${round(counted.total / ops, 1)} (${Object.entries(counted.byKind)
    .map(([kind, n]) => `${kind} ${round(n / ops, 1)}`)
    .join(', ')})`;

/**
 * Settings for an in-process service whose driver reports every command it sends (for
 * countCommands): its own database, the local brokers, no timers of its own during the count.
 */
export function commandCountingEnv(dbName: string, jwtSecret: string): Record<string, string> {
  const { mongoUrl, brokers } = benchSettings();
  return {
    MONGO_URL: `${mongoUrl}${mongoUrl.includes('?') ? '&' : '?'}monitorCommands=true`,
    MONGO_DB: dbName,
    KAFKA_BROKERS: brokers.join(','),
    JWT_SECRET: jwtSecret,
    GRPC_PORT: '0',
    LOG_LEVEL: 'warn',
    HEALTH_PROBE_INTERVAL_MS: '60000',
    OUTBOX_SWEEP_INTERVAL_MS: '60000',
  };
}
