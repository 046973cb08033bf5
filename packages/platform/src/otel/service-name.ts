import { readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

export interface ServiceNameSources {
  env?: Record<string, string | undefined>;
  /** The script node runs (process.argv[1]), e.g. services/grading/dist/main.js. */
  entry?: string | undefined;
  cwd?: string;
}

/**
 * The `service.name` a process reports. The telemetry preload runs before the service's
 * config is read, so it cannot ask the service; in order it takes OTEL_SERVICE_NAME (the
 * OpenTelemetry variable), SERVICE_NAME (the service kit's), then the name of the nearest
 * package.json above the entry script, then above the working directory, without its scope
 * (`@pinzhi/grading` → `grading`), and last `pinzhi`. A package.json inside node_modules
 * (a test runner's bin) is not the service's and is skipped.
 */
export function resolveServiceName(sources: ServiceNameSources = {}): string {
  const env = sources.env ?? process.env;
  const fromEnv = env.OTEL_SERVICE_NAME?.trim() || env.SERVICE_NAME?.trim();
  if (fromEnv) return fromEnv;
  const entry = 'entry' in sources ? sources.entry : process.argv[1];
  const fromEntry = entry ? packageNameAbove(dirname(resolve(entry))) : undefined;
  return fromEntry ?? packageNameAbove(resolve(sources.cwd ?? process.cwd())) ?? 'pinzhi';
}

function packageNameAbove(start: string): string | undefined {
  if (start.split(sep).includes('node_modules')) return undefined;
  for (let dir = start; ; dir = dirname(dir)) {
    const name = packageName(join(dir, 'package.json'));
    if (name) return name.replace(/^@[^/]+\//, '');
    if (dirname(dir) === dir) return undefined;
  }
}

function packageName(file: string): string | undefined {
  try {
    const { name } = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown };
    return typeof name === 'string' && name.length > 0 ? name : undefined;
  } catch {
    return undefined;
  }
}
