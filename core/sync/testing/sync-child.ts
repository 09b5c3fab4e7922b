// A sync in its own process, for the kill test: `tsx sync-child.ts HOME CONNECTOR_ID COUNT`. The fake source
// holds COUNT deterministic documents; every page is slow so the parent can kill the process mid-sync.
import { KnowledgeBase } from '../../knowledge/knowledge-base.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { runSync } from '../run-sync.js';
import { FakeSource, fakeRegistry, memorySecretStore } from './fake-connector.js';

const [home, connectorId, count] = process.argv.slice(2);
if (!home || !connectorId || !count) throw new Error('usage: sync-child.ts HOME CONNECTOR_ID COUNT');
const source = new FakeSource();
source.pageSize = 10;
source.pageDelayMs = 30;
for (let i = 0; i < Number(count); i++) {
  const id = `doc${String(i).padStart(4, '0')}`;
  source.items.set(id, {
    title: `Topic ${i}`,
    text: `# Topic ${i}\n\nitem${i} is covered by clause ${i % 13}.`,
    updatedAt: '2024-01-01T00:00:00.000Z',
  });
}
const store = openSqliteStore(home);
const kb = new KnowledgeBase({ store, embedder: null });
const originalLoad = source.loads.push.bind(source.loads);
source.loads.push = (...offsets: number[]) => {
  for (const o of offsets) process.stdout.write(`load ${o}\n`);
  return originalLoad(...offsets);
};
const run = await runSync({
  kb,
  store,
  secrets: memorySecretStore(),
  tenant: 'acme',
  connectorId,
  signal: new AbortController().signal,
  registry: fakeRegistry(source),
  onProgress: (p) => process.stdout.write(`page ${p.pages} ${p.phase}\n`),
});
process.stdout.write(`${JSON.stringify(run)}\n`);
await kb.close();
await store.close();
