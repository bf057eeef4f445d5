import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'conformance/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'tools/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: [
      'packages/storage/test/servers/azurite-setup.ts',
      'packages/storage/test/servers/rgw-global-setup.ts',
    ],
  },
});
