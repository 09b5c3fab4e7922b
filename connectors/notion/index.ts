import type { Client } from '@notionhq/client';
import { z } from 'zod';
import {
  AppError,
  isAppError,
  secretValueSchema,
  type Checkpoint,
  type ConnectorContext,
  type ConnectorDefinition,
  type ConnectorSource,
  type ItemFailure,
  type SourceDocument,
  type SyncWindow,
} from '../../core/contract/index.js';
import { AncestryResolver } from './notion-ancestry.js';
import { listSchema, notionCall, NotionCallError, notionClient, pageSchema, sameId } from './notion-api.js';
import { blockTree } from './notion-blocks.js';
import { pageDocument } from './notion-page.js';

export const notionSettingsSchema = z
  .object({
    /** The Notion API, or a forward proxy in front of it. */
    baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.notion.com'),
    token: secretValueSchema,
    /** Only pages at or under these pages; with `databaseIds`, under either. Absent: every shared page. */
    rootPageIds: z.array(z.string().min(1)).optional(),
    /** Only rows of these databases (and pages under them). */
    databaseIds: z.array(z.string().min(1)).optional(),
    pageSize: z.number().int().min(1).max(100).default(50),
  })
  .strict();
export type NotionSettings = z.infer<typeof notionSettingsSchema>;

/**
 * Where a sync stands: the search cursor. Search runs newest edit first and the window ends at the first page
 * edited before its start; a page edited mid-run jumps ahead of the cursor, but its new edit time is after this
 * window's end, so the next window loads it.
 */
export const notionCheckpointSchema = z.object({
  hasMore: z.boolean(),
  cursor: z.string().nullable(),
});
export type NotionCheckpoint = z.infer<typeof notionCheckpointSchema>;

const meSchema = z.object({ object: z.literal('user'), id: z.string() }).passthrough();
const anyObjectSchema = z.object({ id: z.string() }).passthrough();

class NotionSource implements ConnectorSource {
  private readonly token: string;
  private readonly baseUrl: string;
  private readonly ancestry: AncestryResolver;
  private readonly scope: Set<string> | null;

  constructor(
    private readonly settings: NotionSettings,
    private readonly context: ConnectorContext,
  ) {
    const token = context.secrets.token;
    if (token === undefined || token === '')
      throw new AppError(
        'invalid_input',
        'The Notion integration token is not set; enter it in the connector.',
      );
    this.token = token;
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
    this.ancestry = new AncestryResolver(this.baseUrl);
    const scope = [...(settings.rootPageIds ?? []), ...(settings.databaseIds ?? [])].map(sameId);
    this.scope = scope.length > 0 ? new Set(scope) : null;
  }

  async validate(signal: AbortSignal): Promise<void> {
    const client = this.client(signal);
    try {
      await this.call('GET /v1/users/me', meSchema, () => client.users.me({}), signal);
    } catch (error) {
      if (error instanceof NotionCallError && ['not_notion', 'shape'].includes(error.notionCode ?? ''))
        throw new AppError(
          'invalid_input',
          `${this.baseUrl} does not look like the Notion API (GET /v1/users/me: ${error.message}). ` +
            'Leave the base URL at https://api.notion.com or point it at a proxy that forwards to it.',
          { cause: error },
        );
      throw error;
    }
    for (const id of this.settings.rootPageIds ?? [])
      await this.mustReach(`root page ${id}`, () => client.pages.retrieve({ page_id: id }), signal);
    for (const id of this.settings.databaseIds ?? [])
      await this.mustReach(`database ${id}`, () => client.databases.retrieve({ database_id: id }), signal);
  }

  initialCheckpoint(): NotionCheckpoint {
    return { hasMore: true, cursor: null };
  }

  async *load(
    window: SyncWindow,
    checkpoint: Checkpoint,
    signal: AbortSignal,
  ): AsyncGenerator<SourceDocument | ItemFailure, Checkpoint> {
    const state = notionCheckpointSchema.parse(checkpoint);
    const client = this.client(signal);
    const page = await this.searchPages(client, state.cursor, this.settings.pageSize, signal);
    // Notion rounds last_edited_time down to the minute, so the window start is compared at minute precision.
    const startMs = window.start === null ? null : Math.floor(Date.parse(window.start) / 60_000) * 60_000;
    let reachedStart = false;
    for (const raw of page.results) {
      signal.throwIfAborted();
      const parsed = pageSchema.safeParse(raw);
      if (!parsed.success) {
        const id = (raw as { id?: unknown } | null)?.id;
        const issue = parsed.error.issues[0];
        yield {
          failure: true,
          ...(typeof id === 'string' ? { externalId: id } : {}),
          message: `Notion page ${typeof id === 'string' ? id : '(no id)'} has an unexpected shape (${issue?.path.join('.')}: ${issue?.message})`,
        };
        continue;
      }
      if (startMs !== null && Date.parse(parsed.data.last_edited_time) < startMs) {
        reachedStart = true;
        break;
      }
      const item = await this.pageItem(client, parsed.data, signal);
      if (item !== null) yield item;
    }
    const hasMore = !reachedStart && page.has_more && page.next_cursor !== null;
    return { hasMore, cursor: hasMore ? page.next_cursor : null };
  }

  async *listIds(signal: AbortSignal): AsyncGenerator<string, void> {
    const client = this.client(signal);
    let cursor: string | null = null;
    do {
      const page = await this.searchPages(client, cursor, 100, signal);
      for (const raw of page.results) {
        const parsed = pageSchema.safeParse(raw);
        if (!parsed.success)
          throw new AppError(
            'unavailable',
            'Notion search returned a page without an id or parent while listing ids.',
          );
        if (parsed.data.in_trash === true || parsed.data.archived === true) continue;
        if (await this.inScope(client, parsed.data.id, parsed.data.parent, signal)) yield parsed.data.id;
      }
      cursor = page.has_more ? page.next_cursor : null;
    } while (cursor !== null);
  }

  private async pageItem(
    client: Client,
    page: z.infer<typeof pageSchema>,
    signal: AbortSignal,
  ): Promise<SourceDocument | ItemFailure | null> {
    if (page.in_trash === true || page.archived === true) return null;
    try {
      const ancestry = await this.ancestry.of(page.parent, client, signal);
      if (!this.within(page.id, ancestry.ids)) return null;
      const blocks = await blockTree(client, page.id, signal, this.baseUrl);
      return pageDocument(page, ancestry, blocks);
    } catch (error) {
      if (isAppError(error) && (error.code === 'not_found' || error.code === 'forbidden'))
        return {
          failure: true,
          externalId: page.id,
          message: `Notion page ${page.id} could not be read (deleted or unshared mid-sync): ${error.message}`,
        };
      throw error;
    }
  }

  private async inScope(
    client: Client,
    id: string,
    parent: z.infer<typeof pageSchema>['parent'],
    signal: AbortSignal,
  ): Promise<boolean> {
    if (this.scope === null) return true;
    return this.within(id, (await this.ancestry.of(parent, client, signal)).ids);
  }

  private within(id: string, ancestorIds: string[]): boolean {
    if (this.scope === null) return true;
    return [id, ...ancestorIds].some((candidate) => this.scope?.has(sameId(candidate)));
  }

  /** POST /v1/search for pages, most recently edited first. */
  private searchPages(client: Client, cursor: string | null, pageSize: number, signal: AbortSignal) {
    return this.call(
      'POST /v1/search',
      listSchema,
      () =>
        client.search({
          filter: { property: 'object', value: 'page' },
          sort: { timestamp: 'last_edited_time', direction: 'descending' },
          page_size: pageSize,
          ...(cursor === null ? {} : { start_cursor: cursor }),
        }),
      signal,
    );
  }

  private async mustReach(what: string, call: () => Promise<unknown>, signal: AbortSignal): Promise<void> {
    try {
      await this.call(`GET ${what}`, anyObjectSchema, call, signal);
    } catch (error) {
      if (isAppError(error) && (error.code === 'not_found' || error.code === 'forbidden'))
        throw new AppError(
          'invalid_input',
          `The integration cannot read ${what}: share it with the integration (••• > Connections) or fix the id.`,
          { cause: error },
        );
      throw error;
    }
  }

  private call<T>(
    what: string,
    schema: z.ZodType<T>,
    call: () => Promise<unknown>,
    signal: AbortSignal,
  ): Promise<T> {
    return notionCall(what, schema, call, signal, this.baseUrl);
  }

  private client(signal: AbortSignal): Client {
    return notionClient({
      baseUrl: this.baseUrl,
      token: this.token,
      fetch: this.context.fetch,
      signal,
      log: this.context.log,
    });
  }
}

/** Notion pages shared with an internal integration, optionally limited to some pages' and databases' trees. */
const notionConnector: ConnectorDefinition<NotionSettings> = {
  kind: 'notion',
  displayName: 'Notion',
  settingsSchema: notionSettingsSchema,
  secretFields: ['token'],
  capabilities: { listIds: true },
  create: (settings, context) => new NotionSource(settings, context),
};

export default notionConnector;
