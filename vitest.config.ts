import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under the `@pinzhi/source` condition,
// so tests run against src/ without a build step in between.
const conditions = ['@pinzhi/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          environment: 'node',
          // Unit tests first, then the integration tier with its own worker limit.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts', 'services/*/test/**/*.test.ts'],
          exclude: ['test/bench/**', '**/node_modules/**'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: one test file per core keeps Kafka group joins from starving each other.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
