import os from 'node:os';

/**
 * Settings LanceDB's native runtime reads when it first starts its thread pools, so this module is imported
 * before any table is touched.
 *
 * LANCE_CPU_THREADS: LanceDB sizes its CPU pool as cores minus 2 reserved for I/O, which leaves one thread on a
 * 2-core machine, and its full-text index builder then deadlocks (producer parked on a full channel while the
 * consumer waits for a pool thread; lancedb issue #3568 — reproduced here at 100k chunks: 0% CPU, forever).
 * At least two threads breaks the cycle; we use at least four.
 */
process.env.LANCE_CPU_THREADS ??= String(Math.max(4, os.availableParallelism()));
process.env.LANCEDB_LOG ??= 'error';
