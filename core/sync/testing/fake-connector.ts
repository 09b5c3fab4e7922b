import { z } from 'zod';
import type {
  Checkpoint,
  ConnectorDefinition,
  ItemFailure,
  SourceDocument,
} from '../../contract/connector.js';
import { secretValueSchema } from '../../contract/connector.js';
import { AppError } from '../../contract/errors.js';
import type { SecretStore } from '../../contract/secrets.js';
import type { ConnectorRegistry } from '../registry.js';

/** One item of the fake source; `broken` ones are yielded as per-item failures. */
export interface FakeItem {
  title: string;
  text: string;
  updatedAt: string;
  broken?: boolean;
  permissions?: SourceDocument['permissions'];
}

/**
 * A test double of our own connector interface over an in-memory source the test mutates. Pages are `pageSize`
 * items in id order; the checkpoint is the offset. With `apiUrl` set it asks that HTTP server before each page
 * (Bearer token from the secret `token`), so tests can make the network rate-limit or expire the token.
 */
export class FakeSource {
  readonly items = new Map<string, FakeItem>();
  pageSize = 2;
  /** Offsets load() was called with, in order. */
  readonly loads: number[] = [];
  /** Milliseconds each page takes (the kill test). */
  pageDelayMs = 0;

  put(id: string, title: string, text: string, extra: Partial<FakeItem> = {}): void {
    this.items.set(id, { title, text, updatedAt: new Date().toISOString(), ...extra });
  }
}

const settingsSchema = z.object({
  apiUrl: z.string().optional(),
  token: secretValueSchema.optional(),
});
type FakeSettings = z.infer<typeof settingsSchema>;
const fakeCheckpoint = z.object({ hasMore: z.boolean(), offset: z.number().int().min(0) });

export function fakeDefinition(source: FakeSource, listIds = true): ConnectorDefinition<FakeSettings> {
  return {
    kind: 'fake',
    displayName: 'Fake',
    settingsSchema,
    secretFields: ['token'],
    capabilities: { listIds, permissions: true },
    create(settings, context) {
      const ask = async (path: string, signal: AbortSignal) => {
        if (!settings.apiUrl) return;
        const response = await context.fetch(`${settings.apiUrl}${path}`, {
          headers: { Authorization: `Bearer ${context.secrets.token ?? ''}` },
          signal,
        });
        if (response.status === 401)
          throw new AppError('unauthorized', 'the fake API refused the token (401)');
        if (!response.ok) throw new AppError('unavailable', `the fake API answered ${response.status}`);
        await response.text();
      };
      return {
        async validate(signal) {
          await ask('/validate', signal);
        },
        initialCheckpoint: () => ({ hasMore: true, offset: 0 }),
        async *load(window, checkpoint, signal): AsyncGenerator<SourceDocument | ItemFailure, Checkpoint> {
          const { offset } = fakeCheckpoint.parse(checkpoint);
          source.loads.push(offset);
          await ask(`/page?offset=${offset}`, signal);
          if (source.pageDelayMs > 0) await new Promise((r) => setTimeout(r, source.pageDelayMs));
          const changed = [...source.items.entries()]
            .filter(([, item]) => window.start === null || item.updatedAt >= window.start)
            .sort(([a], [b]) => a.localeCompare(b));
          const page = changed.slice(offset, offset + source.pageSize);
          for (const [id, item] of page) {
            if (item.broken) {
              yield { failure: true, externalId: id, message: 'attachment unreadable' };
              continue;
            }
            yield {
              externalId: id,
              title: item.title,
              content: { kind: 'markdown', markdown: item.text },
              url: `https://fake.local/${id}`,
              updatedAt: item.updatedAt,
              hierarchy: ['Space'],
              ...(item.permissions ? { permissions: item.permissions } : {}),
            };
          }
          const next = offset + page.length;
          return { hasMore: next < changed.length, offset: next };
        },
        async *listIds() {
          yield* [...source.items.keys()];
        },
      };
    },
  };
}

export function fakeRegistry(source: FakeSource, listIds = true): ConnectorRegistry {
  return { fake: async () => ({ default: fakeDefinition(source, listIds) }) };
}

/** A SecretStore in memory: tests only (the real ones are in core/secrets/). */
export function memorySecretStore(): SecretStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  let next = 0;
  return {
    kind: 'encrypted-file',
    values,
    async put(tenant, name, value) {
      const ref = `${tenant}/${name}#${next++}`;
      values.set(ref, value);
      return ref;
    },
    async get(tenant, ref) {
      return ref.startsWith(`${tenant}/`) ? (values.get(ref) ?? null) : null;
    },
    async delete(_tenant, ref) {
      values.delete(ref);
    },
    async deleteTenant(tenant) {
      for (const ref of [...values.keys()]) if (ref.startsWith(`${tenant}/`)) values.delete(ref);
    },
  };
}
