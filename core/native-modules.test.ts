import { describe, expect, it } from 'vitest';
import { tempDir } from './testing/temp-home.js';

/**
 * Every native module the product ships must load on this platform (as LanceDB's own tests do): a broken
 * prebuilt binary should fail here, not in front of a user.
 */
describe('native modules load', () => {
  it('better-sqlite3 with the sqlite-vec extension', async () => {
    const { default: Database } = await import('better-sqlite3');
    const sqliteVec = await import('sqlite-vec');
    const db = new Database(':memory:');
    sqliteVec.load(db);
    db.exec('CREATE VIRTUAL TABLE v USING vec0(embedding float[2])');
    db.prepare('INSERT INTO v (rowid, embedding) VALUES (1, ?), (2, ?)').run(
      new Float32Array([1, 0]),
      new Float32Array([0, 1]),
    );
    const nearest = db
      .prepare('SELECT rowid FROM v WHERE embedding MATCH ? AND k = 1')
      .pluck()
      .get(new Float32Array([0.9, 0.1]));
    expect(nearest).toBe(1);
    db.close();
  });

  it('LanceDB', async () => {
    const lancedb = await import('@lancedb/lancedb');
    const { dir, cleanup } = tempDir();
    try {
      const db = await lancedb.connect(dir);
      const table = await db.createTable('t', [
        { id: 1, vector: [1, 0], text: 'printer' },
        { id: 2, vector: [0, 1], text: 'vpn' },
      ]);
      const rows = await table.query().nearestTo([0, 0.9]).limit(1).toArray();
      expect((rows[0] as { id: number }).id).toBe(2);
    } finally {
      cleanup();
    }
  });

  it('onnxruntime-node (CPU)', async () => {
    const ort = await import('onnxruntime-node');
    const tensor = new ort.Tensor('float32', new Float32Array([1, 2, 3]), [3]);
    expect(tensor.dims).toEqual([3]);
    expect(ort.env.versions.node).toMatch(/^\d+\.\d+/);
  });

  it('node-llama-cpp with its prebuilt CPU binary, never building or downloading', async () => {
    const { getLlama } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never', progressLogs: false });
    expect(llama.gpu).toBe(false);
    expect(llama.cpuMathCores).toBeGreaterThan(0);
    await llama.dispose();
  });
});
