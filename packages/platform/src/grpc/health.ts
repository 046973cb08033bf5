import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { Logger } from '../log.js';

/** A check of one backing server; it resolves when the server answers and throws otherwise. */
export interface HealthProbe {
  name: string;
  /**
   * A failing critical probe (the default) makes the service NOT_SERVING; a non-critical one
   * (Kafka: the outbox holds events while it is down) only shows in `failing`.
   */
  critical?: boolean;
  check(): Promise<void>;
}

export interface HealthMonitorOptions {
  probes: readonly HealthProbe[];
  intervalMs: number;
  /** A probe that has not answered within this time counts as failed. */
  timeoutMs?: number;
  logger: Logger;
}

/**
 * Serves `grpc.health.v1` and keeps it truthful: every interval it runs the probes (MongoDB
 * ping, Kafka cluster metadata) and reports NOT_SERVING for the server ('') and each hosted
 * service while any probe fails, SERVING again once all pass. During shutdown it stays
 * NOT_SERVING so load balancers stop sending traffic before the server drains.
 */
export class HealthMonitor {
  readonly implementation = new HealthImplementation({ '': 'NOT_SERVING' });
  readonly #services = new Set<string>(['']);
  #status: ServingStatus = 'NOT_SERVING';
  #failing: string[] = [];
  #last: DependencyState[] = [];
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(private readonly options: HealthMonitorOptions) {}

  /** Adds a fully-qualified service name, e.g. `pinzhi.grading.v1.GradingService`. */
  addService(name: string): void {
    this.#services.add(name);
    this.implementation.setStatus(name, this.#status);
  }

  get serving(): boolean {
    return this.#status === 'SERVING';
  }

  /** Names of the probes that failed in the latest round. */
  get failing(): readonly string[] {
    return this.#failing;
  }

  /** Runs one round now and then every interval. */
  async start(): Promise<void> {
    await this.checkNow();
    this.#timer = setInterval(() => void this.checkNow(), this.options.intervalMs);
    this.#timer.unref();
  }

  async checkNow(): Promise<boolean> {
    const timeoutMs = this.options.timeoutMs ?? Math.max(500, Math.min(this.options.intervalMs, 3000));
    const results = await Promise.all(
      this.options.probes.map(async (probe) => {
        try {
          await withTimeout(probe.check(), timeoutMs, `${probe.name} did not answer within ${timeoutMs} ms`);
          return undefined;
        } catch (error) {
          return { name: probe.name, critical: probe.critical !== false, error };
        }
      }),
    );
    const checkedAt = new Date();
    this.#last = this.options.probes.map((probe, i) => {
      const failure = results[i];
      return { name: probe.name, ok: !failure, critical: probe.critical !== false, detail: failure ? String(failure.error).slice(0, 200) : '', checkedAt };
    });
    const all = results.filter((r) => r !== undefined);
    this.#failing = all.map((f) => f.name);
    const failed = all.filter((f) => f.critical);
    if (failed.length > 0 && this.#status === 'SERVING') {
      this.options.logger.warn({ failing: failed.map((f) => ({ probe: f.name, error: String(f.error) })) }, 'health: NOT_SERVING');
    } else if (failed.length === 0 && this.#status !== 'SERVING' && !this.#stopping) {
      this.options.logger.info('health: SERVING');
    }
    this.#set(failed.length === 0 && !this.#stopping ? 'SERVING' : 'NOT_SERVING');
    return this.serving;
  }

  /** Each probe's result as of the last check (GetServiceStatus). */
  get dependencies(): readonly DependencyState[] {
    return this.#last;
  }

  get status(): ServingStatus {
    return this.#status;
  }

  /** Reports NOT_SERVING for good and stops probing (first step of a graceful shutdown). */
  stop(): void {
    this.#stopping = true;
    clearInterval(this.#timer);
    this.#set('NOT_SERVING');
  }

  #set(status: ServingStatus): void {
    this.#status = status;
    for (const name of this.#services) this.implementation.setStatus(name, status);
  }
}

export interface DependencyState {
  name: string;
  ok: boolean;
  critical: boolean;
  detail: string;
  checkedAt: Date;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
