import type {
  Checkpoint,
  ConnectorSource,
  ItemFailure,
  SourceDocument,
  SyncWindow,
} from '../../core/contract/index.js';
import confluence from './index.js';
import type { ConfluenceSettingsInput } from './settings.js';
import type { FakeConfluence } from './fake-confluence.testing.js';

/** A source for the fake, configured as an admin would (settings through the schema, the token as a secret). */
export function sourceFor(
  fake: FakeConfluence,
  settings: Partial<ConfluenceSettingsInput> = {},
  fetchFn: typeof fetch = fetch,
  log?: (message: string) => void,
): ConnectorSource {
  const parsed = confluence.settingsSchema.parse({
    baseUrl: fake.url,
    spaces: ['DOCS', 'SUP'],
    token: { env: 'CONFLUENCE_TOKEN' },
    pageLimit: 5,
    ...settings,
  });
  return confluence.create(parsed, {
    secrets: { token: fake.token },
    fetch: fetchFn,
    ...(log ? { log } : {}),
  });
}

export function isFailure(item: SourceDocument | ItemFailure): item is ItemFailure {
  return 'failure' in item;
}

/** One `load` call: what it yielded and the checkpoint it returned. */
export async function loadOnce(
  source: ConnectorSource,
  window: SyncWindow,
  checkpoint: Checkpoint,
): Promise<{ items: (SourceDocument | ItemFailure)[]; checkpoint: Checkpoint }> {
  const items: (SourceDocument | ItemFailure)[] = [];
  const generator = source.load(window, checkpoint, new AbortController().signal);
  for (;;) {
    const next = await generator.next();
    if (next.done) return { items, checkpoint: next.value };
    items.push(next.value);
  }
}

/** A whole window, as the runner drives it: page after page, each checkpoint through JSON as if saved. */
export async function loadWindow(
  source: ConnectorSource,
  window: SyncWindow,
  between?: (pageNumber: number) => void,
): Promise<{ items: (SourceDocument | ItemFailure)[]; checkpoints: Checkpoint[] }> {
  const items: (SourceDocument | ItemFailure)[] = [];
  const checkpoints: Checkpoint[] = [];
  let checkpoint = source.initialCheckpoint();
  for (let page = 0; checkpoint.hasMore; page++) {
    if (page > 10_000) throw new Error('the load never finished');
    const result = await loadOnce(source, window, checkpoint);
    items.push(...result.items);
    checkpoint = JSON.parse(JSON.stringify(result.checkpoint)) as Checkpoint;
    checkpoints.push(checkpoint);
    between?.(page);
  }
  return { items, checkpoints };
}

export async function collect(generator: AsyncGenerator<string, void>): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of generator) ids.push(id);
  return ids;
}
