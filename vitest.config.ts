import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'core/**/*.test.ts',
      'electron/**/*.test.ts',
      'connectors/**/*.test.ts',
      'scripts/**/*.test.ts',
      'renderer/**/*.test.ts',
    ],
    environment: 'node',
    // Native modules (better-sqlite3, LanceDB, onnxruntime) are safest in forked processes.
    pool: 'forks',
    testTimeout: 30_000,
    env: { LANCEDB_LOG: 'error' },
  },
});
