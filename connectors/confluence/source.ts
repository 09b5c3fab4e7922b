import { AppError } from '../../core/contract/index.js';
import type {
  Checkpoint,
  ConnectorContext,
  ConnectorSource,
  ItemFailure,
  SourceDocument,
  SyncWindow,
} from '../../core/contract/index.js';
import type { ContentSummary, Page } from './api-shapes.js';
import {
  contentSummarySchema,
  currentUserSchema,
  pageResponseSchema,
  pageSchema,
  readRestrictionSchema,
  spaceSchema,
} from './api-shapes.js';
import type { ConfluenceCheckpoint } from './checkpoint.js';
import { initialConfluenceCheckpoint, parseCheckpoint, windowCql } from './checkpoint.js';
import { ConfluenceHttp, isUnexpectedResponse } from './http.js';
import { effectivePermissions, isTruncated, principalsOf } from './permissions.js';
import type { ConfluenceSettings } from './settings.js';
import { storageToHtml } from './storage-format.js';

const pageExpand =
  'body.storage,version,space,ancestors,restrictions.read.restrictions.user,restrictions.read.restrictions.group';
/** Pages fetched at once within one search page: enough to hide latency, few enough not to trip rate limits. */
const fetchConcurrency = 4;
const idListLimit = 200;

const searchPageSchema = pageResponseSchema(contentSummarySchema);
const notConfluence = 'does not look like Confluence Server/Data Center REST API';

/** One Confluence connector: validates its settings, loads pages window by window, lists current page ids. */
export class ConfluenceSource implements ConnectorSource {
  private readonly http: ConfluenceHttp;

  constructor(
    private readonly settings: ConfluenceSettings,
    private readonly context: ConnectorContext,
  ) {
    const token = context.secrets.token;
    if (!token)
      throw new AppError(
        'invalid_input',
        'the Confluence connector has no personal access token (setting "token")',
      );
    this.http = new ConfluenceHttp(settings.baseUrl, token, context.fetch);
  }

  async validate(signal: AbortSignal): Promise<void> {
    await this.validateUser(signal);
    for (const key of this.settings.spaces) await this.validateSpace(key, signal);
  }

  private async validateUser(signal: AbortSignal): Promise<void> {
    const base = this.settings.baseUrl;
    const response = await this.http.get('/user/current', {}, signal);
    if (response.status === 404 || (response.status >= 300 && response.status < 400)) {
      const where =
        response.status === 404
          ? 'GET /rest/api/user/current answered 404'
          : this.http.failure(response, 'GET /rest/api/user/current').message;
      throw new AppError(
        'invalid_input',
        `${base} ${notConfluence} (${where}); check the address, including a context path such as /wiki`,
      );
    }
    if (response.status < 200 || response.status > 299)
      throw this.http.failure(response, 'checking the token');
    let user;
    try {
      user = this.http.parse(response, currentUserSchema, 'GET /rest/api/user/current');
    } catch (error) {
      if (!isUnexpectedResponse(error)) throw error;
      throw new AppError('invalid_input', `${base} ${notConfluence} (${error.cause.message})`, {
        cause: error,
      });
    }
    if (user.type === 'anonymous' || !user.username) {
      throw new AppError(
        'unauthorized',
        `the personal access token was refused by Confluence at ${base} (it answered as an anonymous user); create a new token under Profile > Personal Access Tokens and update the connector`,
      );
    }
  }

  private async validateSpace(key: string, signal: AbortSignal): Promise<void> {
    const response = await this.http.get(`/space/${encodeURIComponent(key)}`, {}, signal);
    if (response.status === 404) {
      throw new AppError(
        'invalid_input',
        `Confluence space "${key}" does not exist or the token's user may not view it (HTTP 404); check the key (Space tools > Overview) and the space permissions`,
      );
    }
    if (response.status === 403) {
      throw new AppError(
        'forbidden',
        `the token's user may not view Confluence space "${key}" (HTTP 403); grant it "View" in the space permissions`,
      );
    }
    if (response.status < 200 || response.status > 299)
      throw this.http.failure(response, `reading space "${key}"`);
    const space = this.http.parse(response, spaceSchema, `GET /rest/api/space/${key}`);
    if (space.status === 'archived' && !this.settings.includeArchived) {
      this.context.log?.(
        `Confluence space "${key}" is archived; its pages are synced only with includeArchived`,
      );
    }
  }

  initialCheckpoint(): Checkpoint {
    return initialConfluenceCheckpoint();
  }

  /**
   * One search page of the window: re-reads the previous page's positions (see ConfluenceCheckpoint), fetches each
   * new or changed page with its body, ancestors and view restrictions, and yields it or an ItemFailure.
   */
  async *load(
    window: SyncWindow,
    checkpoint: Checkpoint,
    signal: AbortSignal,
  ): AsyncGenerator<SourceDocument | ItemFailure, Checkpoint> {
    let state = parseCheckpoint(checkpoint);
    const cql = windowCql(this.settings.spaces, window.start);
    if (state.cql !== cql) {
      if (state.cql !== null)
        this.context.log?.(
          'Confluence: the checkpoint belongs to another window or spaces; starting the window over',
        );
      state = { ...initialConfluenceCheckpoint(), cql };
    }
    const limit = this.settings.pageLimit;
    const hits = await this.searchFrom(cql, Math.max(0, state.start - limit), state.start + limit, signal);
    const changedSince = state.changedSince ?? (state.start === 0 ? this.changedSince(window) : null);
    const seen = new Set(state.seen);
    const toFetch = hits.items.filter(
      (hit) => hit.type === 'page' && !seen.has(seenKey(hit)) && isChanged(hit, changedSince),
    );
    yield* this.fetchAll(toFetch, signal);
    return {
      hasMore: hits.more,
      start: hits.end,
      cql,
      changedSince,
      seen: hits.items.slice(-limit).map(seenKey),
    } satisfies ConfluenceCheckpoint;
  }

  /** Search hits from position `from` up to `until` (several requests when Confluence caps `limit`). */
  private async searchFrom(
    cql: string,
    from: number,
    until: number,
    signal: AbortSignal,
  ): Promise<{ items: ContentSummary[]; end: number; more: boolean }> {
    const items: ContentSummary[] = [];
    let position = from;
    let more = true;
    while (more && position < until) {
      const { data } = await this.http.getJson(
        '/content/search',
        { cql, cqlcontext: this.cqlContext(), start: position, limit: until - position, expand: 'version' },
        searchPageSchema,
        'searching Confluence pages',
        signal,
      );
      items.push(...data.results);
      position += data.results.length;
      more = data._links?.next !== undefined && data.results.length > 0;
    }
    return { items, end: position, more };
  }

  private cqlContext(): string | undefined {
    return this.settings.includeArchived
      ? JSON.stringify({ contentStatuses: ['current', 'archived'] })
      : undefined;
  }

  /**
   * The instant before which a page counts as unchanged, on the server's clock: the window start, moved back by how
   * far the server's clock is behind ours (from its `Date` header, 1 s resolution, so one more second).
   */
  private changedSince(window: SyncWindow): string | null {
    if (window.start === null) return null;
    const offset = Math.min(0, this.http.serverClockOffsetMs ?? 0);
    return new Date(Date.parse(window.start) + offset - 1000).toISOString();
  }

  /** Fetches pages a few at a time and yields them in search order. */
  private async *fetchAll(
    hits: ContentSummary[],
    signal: AbortSignal,
  ): AsyncGenerator<SourceDocument | ItemFailure> {
    const restrictionCache = new Map<string, Promise<Set<string> | null>>();
    const inFlight: Promise<SourceDocument | ItemFailure>[] = [];
    let next = 0;
    const startNext = (): void => {
      const hit = hits[next++];
      if (!hit) return;
      const task = this.fetchDocument(hit, restrictionCache, signal);
      // Awaited in order below; until then a rejection must not count as unhandled.
      task.catch(() => undefined);
      inFlight.push(task);
    };
    for (let i = 0; i < fetchConcurrency; i++) startNext();
    for (let task = inFlight.shift(); task; task = inFlight.shift()) {
      const result = await task;
      signal.throwIfAborted();
      startNext();
      yield result;
    }
  }

  private async fetchDocument(
    hit: ContentSummary,
    restrictionCache: Map<string, Promise<Set<string> | null>>,
    signal: AbortSignal,
  ): Promise<SourceDocument | ItemFailure> {
    const id = hit.id;
    const label = hit.title ? `page ${id} "${hit.title}"` : `page ${id}`;
    const response = await this.http.get(
      `/content/${encodeURIComponent(id)}`,
      { expand: pageExpand, status: this.settings.includeArchived ? 'any' : undefined },
      signal,
    );
    if (response.status === 404 || response.status === 403) {
      const why =
        response.status === 404
          ? 'was deleted or moved between the search and its fetch'
          : "became restricted for the token's user";
      return { failure: true, externalId: id, message: `${label} ${why} (HTTP ${response.status})` };
    }
    if (response.status < 200 || response.status > 299)
      throw this.http.failure(response, `fetching ${label}`);
    let page: Page;
    try {
      page = this.http.parse(response, pageSchema, `fetching ${label}`);
    } catch (error) {
      if (isUnexpectedResponse(error)) return { failure: true, externalId: id, message: error.message };
      throw error;
    }
    const levels: (Set<string> | null)[] = [];
    for (const ancestor of page.ancestors)
      levels.push(await this.ancestorPrincipals(ancestor.id, restrictionCache, signal));
    const own = page.restrictions?.read;
    if (isTruncated(own))
      this.context.log?.(
        `Confluence ${label}: its view restriction list is paged; only the first part is used`,
      );
    levels.push(principalsOf(own));
    const permissions = effectivePermissions(levels);
    if (permissions === null) {
      return {
        failure: true,
        externalId: id,
        message: `${label} has view restrictions on several levels (page and ancestors) with no user or group in common; airdesk cannot express that, so the page is not synced`,
      };
    }
    return toDocument(page, this.settings.baseUrl, permissions);
  }

  /** An ancestor's view restriction (cached for one load: siblings share their ancestors). */
  private ancestorPrincipals(
    id: string,
    cache: Map<string, Promise<Set<string> | null>>,
    signal: AbortSignal,
  ): Promise<Set<string> | null> {
    let found = cache.get(id);
    if (!found) {
      found = this.http
        .getJson(
          `/content/${encodeURIComponent(id)}/restriction/byOperation/read`,
          { expand: 'restrictions.user,restrictions.group' },
          readRestrictionSchema,
          `reading the view restrictions of ancestor page ${id}`,
          signal,
        )
        .then(({ data }) => principalsOf(data));
      found.catch(() => undefined);
      cache.set(id, found);
    }
    return found;
  }

  /** Every current page id of the configured spaces, for pruning pages deleted in Confluence. */
  async *listIds(signal: AbortSignal): AsyncGenerator<string, void> {
    const statuses = this.settings.includeArchived ? ['current', 'archived'] : ['current'];
    for (const spaceKey of this.settings.spaces) {
      for (const status of statuses) {
        let start = 0;
        for (;;) {
          const { data } = await this.http.getJson(
            '/content',
            { spaceKey, type: 'page', status, start, limit: idListLimit },
            pageResponseSchema(contentSummarySchema),
            `listing the pages of space "${spaceKey}"`,
            signal,
          );
          for (const item of data.results) yield item.id;
          start += data.results.length;
          if (data._links?.next === undefined || data.results.length === 0) break;
        }
      }
    }
  }
}

function seenKey(hit: ContentSummary): string {
  return `${hit.id}@${hit.version?.number ?? '?'}`;
}

/** Whether a search hit changed at or after `since`; a hit without a readable version is fetched to be safe. */
function isChanged(hit: ContentSummary, since: string | null): boolean {
  if (since === null || !hit.version) return true;
  const when = Date.parse(hit.version.when);
  return Number.isNaN(when) || when >= Date.parse(since);
}

function toDocument(page: Page, baseUrl: string, permissions: SourceDocument['permissions']): SourceDocument {
  const when = Date.parse(page.version.when);
  const webui = page._links?.webui ?? `/pages/viewpage.action?pageId=${encodeURIComponent(page.id)}`;
  return {
    externalId: page.id,
    title: page.title,
    content: { kind: 'html', html: storageToHtml(page.body.storage.value) },
    url: `${baseUrl}${webui}`,
    updatedAt: Number.isNaN(when) ? page.version.when : new Date(when).toISOString(),
    hierarchy: [page.space.name, ...page.ancestors.map((ancestor) => ancestor.title)],
    ...(permissions ? { permissions } : {}),
    metadata: {
      space: page.space.key,
      version: page.version.number,
      ...(page.status === 'archived' ? { archived: true } : {}),
    },
  };
}
