import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveServiceName } from './service-name.js';

const repo = fileURLToPath(new URL('../../../..', import.meta.url));

describe('resolveServiceName', () => {
  it('names a service after its package, as `node --import … dist/main.js` from its folder runs it', () => {
    for (const service of ['catalogue', 'grading']) {
      const folder = join(repo, 'services', service);
      expect(resolveServiceName({ env: {}, entry: join(folder, 'dist/main.js'), cwd: folder })).toBe(service);
      // Started from the repository root, the entry script still decides.
      expect(resolveServiceName({ env: {}, entry: join(folder, 'dist/main.js'), cwd: repo })).toBe(service);
    }
  });

  it('prefers OTEL_SERVICE_NAME, then SERVICE_NAME, to the package name', () => {
    const entry = join(repo, 'services/grading/dist/main.js');
    expect(resolveServiceName({ env: { OTEL_SERVICE_NAME: 'grading-eu', SERVICE_NAME: 'grading-2' }, entry })).toBe('grading-eu');
    expect(resolveServiceName({ env: { SERVICE_NAME: 'grading-2' }, entry })).toBe('grading-2');
  });

  it('skips an entry inside node_modules (a test runner) and falls back to the working directory, then pinzhi', () => {
    const runner = join(repo, 'node_modules/vitest/vitest.mjs');
    expect(resolveServiceName({ env: {}, entry: runner, cwd: join(repo, 'services/catalogue/src') })).toBe('catalogue');
    const bare = mkdtempSync(join(tmpdir(), 'service-name-'));
    mkdirSync(join(bare, 'dist'));
    writeFileSync(join(bare, 'dist/package.json'), '{"type":"module"}');
    expect(resolveServiceName({ env: {}, entry: join(bare, 'dist/main.js'), cwd: bare })).toBe('pinzhi');
  });
});
