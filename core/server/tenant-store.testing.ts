import path from 'node:path';
import type { Store } from '../contract/store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../testing/temp-home.js';

export interface TenantTestStore {
  /** The temp folder; the home is `home` inside it, so tests can put other files (a knowledge folder) beside it. */
  dir: string;
  home: string;
  store: Store;
  /** Closes the store and removes the temp folder; close whatever uses the store first. */
  close(): Promise<void>;
}

/**
 * A real SQLite store in a fresh temp home with the tenants "acme" and "globex": the two tenants every server
 * test needs, one to work in and one to prove the other cannot see it.
 */
export async function openTenantTestStore(): Promise<TenantTestStore> {
  const temp = tempDir();
  const home = path.join(temp.dir, 'home');
  const store = openSqliteStore(home);
  await store.tenants.create({ id: 'acme' });
  await store.tenants.create({ id: 'globex' });
  return {
    dir: temp.dir,
    home,
    store,
    close: async () => {
      await store.close();
      temp.cleanup();
    },
  };
}
