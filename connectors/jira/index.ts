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
import { JiraHttp, JiraHttpError } from './jira-http.js';
import { issueDocument, issueFields, issueSchema, loadComments } from './jira-issue.js';
import { jiraInstant, jqlDate, searchPage, stripOrderBy, windowedJql } from './jira-search.js';

export const jiraSettingsSchema = z
  .object({
    /** Jira Server/Data Center (with its context path, e.g. https://jira.example.com/jira) or Cloud. */
    baseUrl: z.url({ protocol: /^https?$/ }),
    jql: z.string().trim().min(1),
    /**
     * The secret sits at the top level, not inside `auth`: the sync runner (core/sync/connector-secrets.ts)
     * resolves `secretFields` as top-level settings keys only.
     */
    token: secretValueSchema,
    auth: z
      .discriminatedUnion('kind', [
        /** `token` is a Server/Data Center personal access token (or a Cloud OAuth access token). */
        z.object({ kind: z.literal('bearer') }).strict(),
        /** Cloud: account email + API token; Server: user name + password in `token`. */
        z.object({ kind: z.literal('basic'), email: z.string().min(1) }).strict(),
      ])
      .default({ kind: 'bearer' }),
    includeComments: z.boolean().default(true),
    /** 2 for Server/Data Center (wiki markup, startAt paging); 3 for Cloud (ADF, enhanced search). */
    apiVersion: z.union([z.literal(2), z.literal(3)]).default(2),
    pageSize: z.number().int().min(1).max(100).default(50),
  })
  .strict();
export type JiraSettings = z.infer<typeof jiraSettingsSchema>;

const tokenField = 'token';

/**
 * Where a sync stands. `since` is the JQL lower bound in the account's time zone; v2 re-anchors it to the last
 * issue's update minute as it pages, so `startAt` stays small and an issue updated mid-run (which moves to the
 * end of the order) shifts at most the current minute's group, which `lastKey` detects. v3 pages by token.
 */
export const jiraCheckpointSchema = z.object({
  hasMore: z.boolean(),
  started: z.boolean(),
  since: z.string().nullable(),
  startAt: z.number().int().min(0),
  lastKey: z.string().nullable(),
  nextPageToken: z.string().nullable(),
  timeZone: z.string().nullable(),
});
export type JiraCheckpoint = z.infer<typeof jiraCheckpointSchema>;

const myselfSchema = z
  .object({
    name: z.string().optional(),
    accountId: z.string().optional(),
    displayName: z.string().optional(),
    timeZone: z.string().optional(),
  })
  .passthrough();

function rawKeyAndUpdated(issue: unknown): { key: string | null; updated: Date | null } {
  const record = issue as { key?: unknown; fields?: { updated?: unknown } } | null;
  const key = typeof record?.key === 'string' ? record.key : null;
  const updated = typeof record?.fields?.updated === 'string' ? jiraInstant(record.fields.updated) : null;
  return { key, updated };
}

class JiraSource implements ConnectorSource {
  private readonly http: JiraHttp;
  private readonly baseUrl: string;
  private timeZone: string | null = null;

  constructor(
    private readonly settings: JiraSettings,
    private readonly context: ConnectorContext,
  ) {
    const token = context.secrets[tokenField];
    if (token === undefined || token === '')
      throw new AppError('invalid_input', 'The Jira token is not set; enter it in the connector.');
    const authorization =
      settings.auth.kind === 'bearer'
        ? `Bearer ${token}`
        : `Basic ${Buffer.from(`${settings.auth.email}:${token}`).toString('base64')}`;
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
    this.http = new JiraHttp({
      baseUrl: this.baseUrl,
      authorization,
      fetch: context.fetch,
      log: context.log,
    });
  }

  async validate(signal: AbortSignal): Promise<void> {
    const me = await this.myself(signal).catch((error: unknown) => {
      if (error instanceof JiraHttpError && (error.code === 'not_found' || error.status === 200))
        throw new AppError(
          'invalid_input',
          `${this.baseUrl} does not look like Jira: GET /rest/api/${this.settings.apiVersion}/myself ` +
            `${error.code === 'not_found' ? 'is not there' : 'did not answer like Jira'}. ` +
            'Set the base URL to the Jira address (with its context path, if any).',
          { cause: error },
        );
      throw error;
    });
    if (me.name === undefined && me.accountId === undefined && me.displayName === undefined)
      throw new AppError('invalid_input', `${this.baseUrl} answered /myself, but not like Jira (no user).`);
    try {
      await searchPage(this.http, this.settings.apiVersion, {
        jql: windowedJql(this.settings.jql, null),
        fields: ['key'],
        maxResults: 1,
        startAt: 0,
        nextPageToken: null,
        signal,
      });
    } catch (error) {
      if (error instanceof JiraHttpError && error.code === 'invalid_input')
        throw new AppError(
          'invalid_input',
          `The JQL "${this.settings.jql}" is not valid: ${error.detail ?? error.message}`,
          { cause: error },
        );
      throw error;
    }
  }

  initialCheckpoint(): JiraCheckpoint {
    return {
      hasMore: true,
      started: false,
      since: null,
      startAt: 0,
      lastKey: null,
      nextPageToken: null,
      timeZone: null,
    };
  }

  async *load(
    window: SyncWindow,
    checkpoint: Checkpoint,
    signal: AbortSignal,
  ): AsyncGenerator<SourceDocument | ItemFailure, Checkpoint> {
    const state = jiraCheckpointSchema.parse(checkpoint);
    const timeZone = state.timeZone ?? (await this.accountTimeZone(signal));
    const since = state.started
      ? state.since
      : window.start === null
        ? null
        : jqlDate(new Date(window.start), timeZone);
    const jql = windowedJql(this.settings.jql, since);
    const v2 = this.settings.apiVersion === 2;
    const request = {
      jql,
      fields: issueFields,
      maxResults: this.settings.pageSize,
      nextPageToken: v2 ? null : state.nextPageToken,
      signal,
    };

    // v2: re-read the last issue of the previous page; if it is not where we left it, issues moved (one was
    // updated mid-run) and the minute's group is re-read from its start rather than risk skipping one.
    const overlap = v2 && state.lastKey !== null && state.startAt > 0;
    let startAt = overlap ? state.startAt - 1 : state.startAt;
    let page = await searchPage(this.http, this.settings.apiVersion, { ...request, startAt });
    let issues = page.issues;
    if (overlap) {
      if (rawKeyAndUpdated(issues[0]).key === state.lastKey) issues = issues.slice(1);
      else {
        this.context.log?.('Jira issues moved while paging; re-reading the current minute from its start');
        startAt = 0;
        page = await searchPage(this.http, this.settings.apiVersion, { ...request, startAt });
        issues = page.issues;
      }
    }

    for (const raw of issues) {
      signal.throwIfAborted();
      yield await this.issueItem(raw, signal);
    }

    if (!page.hasMore)
      return { ...state, hasMore: false, started: true, since, timeZone, nextPageToken: null, startAt: 0 };
    if (!v2)
      return { ...state, hasMore: true, started: true, since, timeZone, nextPageToken: page.nextPageToken };

    const last = rawKeyAndUpdated(page.issues[page.issues.length - 1]);
    const lastMinute = last.updated ? jqlDate(last.updated, timeZone) : null;
    let next = { since, startAt: startAt + page.issues.length };
    if (lastMinute !== null && (since === null || lastMinute > since)) {
      const inLastMinute = page.issues.filter((issue) => {
        const updated = rawKeyAndUpdated(issue).updated;
        return updated !== null && jqlDate(updated, timeZone) === lastMinute;
      }).length;
      next = { since: lastMinute, startAt: inLastMinute };
    }
    return {
      ...state,
      hasMore: true,
      started: true,
      timeZone,
      lastKey: last.key,
      nextPageToken: null,
      ...next,
    };
  }

  async *listIds(signal: AbortSignal): AsyncGenerator<string, void> {
    const base = stripOrderBy(this.settings.jql);
    const jql = `${base === '' ? '' : `(${base}) `}ORDER BY key ASC`;
    const seen = new Set<string>();
    // An issue deleted while we page shifts the rest left; a skipped live id would be pruned, so a shift
    // (detected by re-reading the previous page's last key) restarts the listing.
    for (let restarts = 0; restarts < 3; restarts++) {
      if (await this.listOnce(jql, seen, signal)) {
        for (const key of seen) yield key;
        return;
      }
      this.context.log?.('Jira issues changed while listing ids; listing again');
    }
    throw new AppError('unavailable', 'Jira issues kept changing while listing them; try the sync again.');
  }

  private async listOnce(jql: string, seen: Set<string>, signal: AbortSignal): Promise<boolean> {
    const version = this.settings.apiVersion;
    let startAt = 0;
    let token: string | null = null;
    let lastKey: string | null = null;
    for (;;) {
      const from = version === 2 && lastKey !== null ? startAt - 1 : startAt;
      const page = await searchPage(this.http, version, {
        jql,
        fields: ['key'],
        maxResults: 100,
        startAt: from,
        nextPageToken: token,
        signal,
      });
      const keys = page.issues.map((issue) => rawKeyAndUpdated(issue).key);
      if (keys.some((key) => key === null))
        throw new AppError('unavailable', 'Jira returned an issue without a key while listing ids.');
      if (version === 2 && lastKey !== null) {
        if (keys[0] !== lastKey) return false;
        keys.shift();
      }
      for (const key of keys) if (key !== null) seen.add(key);
      if (!page.hasMore) return true;
      startAt = from + page.issues.length;
      token = page.nextPageToken;
      lastKey = keys[keys.length - 1] ?? lastKey;
    }
  }

  private async issueItem(raw: unknown, signal: AbortSignal): Promise<SourceDocument | ItemFailure> {
    const parsed = issueSchema.safeParse(raw);
    const key = rawKeyAndUpdated(raw).key ?? undefined;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        failure: true,
        ...(key ? { externalId: key } : {}),
        message: `Jira issue ${key ?? '(no key)'} has an unexpected shape (${issue?.path.join('.')}: ${issue?.message})`,
      };
    }
    try {
      const comments = this.settings.includeComments
        ? await loadComments(this.http, this.settings.apiVersion, parsed.data.key, signal)
        : null;
      return issueDocument(parsed.data, comments, this.baseUrl, this.settings.apiVersion);
    } catch (error) {
      if (isAppError(error) && (error.code === 'not_found' || error.code === 'forbidden'))
        return {
          failure: true,
          externalId: parsed.data.key,
          message: `Jira issue ${parsed.data.key} could not be read (deleted or moved out of reach mid-sync): ${error.message}`,
        };
      throw error;
    }
  }

  private myself(signal: AbortSignal): Promise<z.infer<typeof myselfSchema>> {
    return this.http.json(
      { method: 'GET', path: `/rest/api/${this.settings.apiVersion}/myself`, signal },
      myselfSchema,
    );
  }

  /** JQL dates are read in the account's profile time zone, so the window is written in it. */
  private async accountTimeZone(signal: AbortSignal): Promise<string> {
    if (this.timeZone === null) this.timeZone = (await this.myself(signal)).timeZone ?? 'UTC';
    return this.timeZone;
  }
}

/** Jira issues (Server/Data Center or Cloud) selected by a JQL query, with their comments. */
const jiraConnector: ConnectorDefinition<JiraSettings> = {
  kind: 'jira',
  displayName: 'Jira',
  settingsSchema: jiraSettingsSchema,
  secretFields: [tokenField],
  capabilities: { listIds: true },
  create: (settings, context) => new JiraSource(settings, context),
};

export default jiraConnector;
