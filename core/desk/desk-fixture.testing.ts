import path from 'node:path';
import type { Store } from '../contract/store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';
import { DeskService } from './desk-service.js';
import { FakeDeskEngine } from './fake-desk-engine.testing.js';

/** A desk over a real SQLite data folder and the fake engine, as the desk service tests use it. */
export interface DeskFixture {
  store: Store;
  engine: FakeDeskEngine;
  desk: DeskService;
  /** Waits for engine runs still going, then closes the store and removes the folder. */
  close(): Promise<void>;
}

export async function openDeskFixture(tenants: string[] = ['acme']): Promise<DeskFixture> {
  const t = tempDir();
  const store = openSqliteStore(path.join(t.dir, 'home'));
  for (const id of tenants) await store.tenants.create({ id });
  const engine = new FakeDeskEngine();
  const desk = new DeskService({ store, engine });
  return {
    store,
    engine,
    desk,
    close: async () => {
      await desk.idle();
      await store.close();
      t.cleanup();
    },
  };
}
