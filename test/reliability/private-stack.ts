/**
 * A Kafka and a FerretDB of the reliability suite's own, and the grading service as a child
 * process: on ports no one else uses, with a state directory of their own, so the suite may
 * `kill -9` them without touching the shared stack (9092/9093/27017) that other tests use.
 * Everything is started through infra/scripts/stack.sh (PINZHI_* ports and PINZHI_STATE), and
 * every process it starts is killed when this process exits, however it exits.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const stackScript = join(repo, 'infra/scripts/stack.sh');
const run = promisify(execFile);

export type StackComponent = 'kafka' | 'ferretdb';

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pids to SIGKILL if this process exits before stopping them (a failed run, a vitest timeout; the CLI turns Ctrl-C into an exit). */
const leftovers = new Set<() => number | undefined>();
let exitHookInstalled = false;
function killOnExit(pidOf: () => number | undefined): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const pid of [...leftovers].map((p) => p())) {
        if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
      }
    });
  }
  leftovers.add(pidOf);
  return () => leftovers.delete(pidOf);
}

/** Kafka and FerretDB on private ports, run by stack.sh with a private PINZHI_STATE. */
export class PrivateStack {
  private constructor(
    readonly state: string,
    readonly kafkaPort: number,
    readonly controllerPort: number,
    readonly mongoPort: number,
    private readonly say: (line: string) => void,
  ) {
    for (const component of ['kafka', 'ferretdb'] as const) killOnExit(() => this.pid(component));
  }

  static async create(say: (line: string) => void = () => undefined): Promise<PrivateStack> {
    const state = mkdtempSync(join(tmpdir(), 'pinzhi-reliability-'));
    const [kafkaPort, controllerPort, mongoPort] = [await freePort(), await freePort(), await freePort()];
    return new PrivateStack(state, kafkaPort, controllerPort, mongoPort, say);
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.kafkaPort}`];
  }

  get mongoUrl(): string {
    return `mongodb://127.0.0.1:${this.mongoPort}`;
  }

  #env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PINZHI_STATE: this.state,
      PINZHI_KAFKA_PORT: String(this.kafkaPort),
      PINZHI_KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      PINZHI_MONGO_PORT: String(this.mongoPort),
      // A single-topic-set broker for a few hundred events: the default 768m is not needed.
      PINZHI_KAFKA_HEAP: process.env.PINZHI_KAFKA_HEAP ?? '512m',
    };
  }

  async #stack(...args: string[]): Promise<string> {
    try {
      const { stdout, stderr } = await run('bash', [stackScript, ...args], { env: this.#env(), cwd: repo, maxBuffer: 4 << 20 });
      return `${stdout}${stderr}`;
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`stack.sh ${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: error });
    }
  }

  /** Starts what is not running (both, or one component) and waits until it answers. */
  async up(component?: StackComponent): Promise<void> {
    const output = await this.#stack('up', ...(component ? [component] : []));
    // stack.sh would use whatever already listens on a port; on ports picked free that is a bug.
    if (/something already listens/.test(output)) throw new Error(`a private port was taken by another process:\n${output}`);
    for (const line of output.trim().split('\n')) this.say(line);
  }

  pid(component: StackComponent): number | undefined {
    const file = join(this.state, component, `${component}.pid`);
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  /** The last lines of a component's log. */
  logTail(component: StackComponent, lines = 30): string {
    const file = join(this.state, component, `${component}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n') : '';
  }

  /** kill -9 of one component (the process this stack started), waiting until it is gone. */
  async kill9(component: StackComponent): Promise<void> {
    const pid = this.pid(component);
    if (!pid || !alive(pid)) throw new Error(`${component} of the private stack is not running`);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 200 && alive(pid); i++) await sleep(50);
    if (alive(pid)) throw new Error(`${component} (pid ${pid}) survived SIGKILL for 10 s`);
  }

  /** stack.sh down with the private environment, then SIGKILL for anything left, then the state is removed. */
  async down(): Promise<void> {
    try {
      await this.#stack('down');
    } finally {
      for (const component of ['kafka', 'ferretdb'] as const) {
        const pid = this.pid(component);
        if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
      }
      rmSync(this.state, { recursive: true, force: true });
    }
  }
}

/** The grading service as production runs it: `node --import …/register-telemetry dist/main.js`, restartable on its port. */
export class GradingProcess {
  #child: ChildProcess | undefined;
  readonly address: string;
  readonly #forget: () => void;

  constructor(private readonly options: { port: number; env: Record<string, string>; logFile: string }) {
    this.address = `127.0.0.1:${options.port}`;
    this.#forget = killOnExit(() => (this.#running() ? this.#child!.pid : undefined));
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Spawns the process (it serves once its health answers SERVING: see waitServing). */
  #running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  start(): void {
    if (this.#running()) throw new Error('grading is already running');
    const out = openSync(this.options.logFile, 'a');
    try {
      this.#child = spawn(process.execPath, ['--import', '@pinzhi/platform/register-telemetry', 'dist/main.js'], {
        cwd: join(repo, 'services/grading'),
        env: { ...process.env, ...this.options.env, GRPC_PORT: String(this.options.port) },
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
  }

  #exited(): Promise<void> {
    const child = this.#child;
    if (!child || !this.#running()) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }

  async kill9(): Promise<void> {
    const exited = this.#exited();
    this.#child?.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM (ordered shutdown), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const exited = this.#exited();
    this.#child?.kill('SIGTERM');
    const timer = setTimeout(() => this.#child?.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    this.#forget();
  }

  /** The last lines the process wrote (its logs), for a failure message. */
  logTail(lines = 30): string {
    return existsSync(this.options.logFile) ? readFileSync(this.options.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n') : '';
  }
}

type HealthStatus = 'SERVING' | 'NOT_SERVING' | 'UNKNOWN' | 'SERVICE_UNKNOWN' | 'UNREACHABLE';

const HealthClient = makeGenericClientConstructor(healthService as never, 'grpc.health.v1.Health') as unknown as new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
) => Client & {
  check(request: { service: string }, options: { deadline: number }, callback: (error: ServiceError | null, response: { status: HealthStatus }) => void): void;
};

/** grpc.health.v1 Check of the whole server; UNREACHABLE when nothing answers within a second. */
export function healthChecker(address: string) {
  const client = new HealthClient(address, credentials.createInsecure());
  return {
    check: () =>
      new Promise<HealthStatus>((resolve) =>
        client.check({ service: '' }, { deadline: Date.now() + 1000 }, (error, response) => resolve(error ? 'UNREACHABLE' : response.status)),
      ),
    close: () => client.close(),
  };
}
