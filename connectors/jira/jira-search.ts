import { z } from 'zod';
import type { JiraHttp } from './jira-http.js';

/**
 * One page of a JQL search. REST v2 (Server/Data Center) pages by `startAt` over POST /rest/api/2/search; Jira
 * Cloud retired that endpoint, so v3 uses the enhanced search POST /rest/api/3/search/jql, paged by
 * `nextPageToken`. Issues stay `unknown` here so one malformed issue becomes an item failure, not a failed page.
 */
export interface SearchPage {
  issues: unknown[];
  /** v2: whether `startAt + issues.length < total`; v3: `!isLast`. */
  hasMore: boolean;
  nextPageToken: string | null;
}

const v2PageSchema = z.object({
  startAt: z.number().int().optional(),
  total: z.number().int(),
  issues: z.array(z.unknown()),
});

const v3PageSchema = z.object({
  issues: z.array(z.unknown()),
  nextPageToken: z.string().nullish(),
  isLast: z.boolean().optional(),
});

export interface SearchRequest {
  jql: string;
  fields: string[];
  maxResults: number;
  /** v2 only. */
  startAt: number;
  /** v3 only. */
  nextPageToken: string | null;
  signal: AbortSignal;
}

export async function searchPage(
  http: JiraHttp,
  apiVersion: 2 | 3,
  request: SearchRequest,
): Promise<SearchPage> {
  if (apiVersion === 2) {
    const page = await http.json(
      {
        method: 'POST',
        path: '/rest/api/2/search',
        body: {
          jql: request.jql,
          startAt: request.startAt,
          maxResults: request.maxResults,
          fields: request.fields,
          validateQuery: true,
        },
        signal: request.signal,
      },
      v2PageSchema,
    );
    return {
      issues: page.issues,
      hasMore: page.issues.length > 0 && request.startAt + page.issues.length < page.total,
      nextPageToken: null,
    };
  }
  const page = await http.json(
    {
      method: 'POST',
      path: '/rest/api/3/search/jql',
      body: {
        jql: request.jql,
        maxResults: request.maxResults,
        fields: request.fields,
        ...(request.nextPageToken ? { nextPageToken: request.nextPageToken } : {}),
      },
      signal: request.signal,
    },
    v3PageSchema,
  );
  const token = page.nextPageToken ?? null;
  return {
    issues: page.issues,
    hasMore: page.isLast === undefined ? token !== null : !page.isLast && token !== null,
    nextPageToken: token,
  };
}

/** The admin's JQL without its ORDER BY clause (quotes respected), so we can add a clause and our own order. */
export function stripOrderBy(jql: string): string {
  let quote: string | null = null;
  for (let i = 0; i < jql.length; i++) {
    const char = jql[i];
    if (quote !== null) {
      if (char === '\\') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (/^order\s+by\b/i.test(jql.slice(i)) && (i === 0 || /\s/.test(jql[i - 1] ?? ''))) {
      return jql.slice(0, i).trim();
    }
  }
  return jql.trim();
}

/**
 * The admin's JQL restricted to issues updated at or after `since` (a JQL date in the account's time zone), in
 * a stable order: oldest update first, ties by key, so a checkpoint's `startAt` means the same issue on resume.
 */
export function windowedJql(userJql: string, since: string | null): string {
  const base = stripOrderBy(userJql);
  const parts = [base === '' ? null : `(${base})`, since === null ? null : `updated >= "${since}"`].filter(
    (part): part is string => part !== null,
  );
  return `${parts.join(' AND ')} ORDER BY updated ASC, key ASC`;
}

/**
 * An instant as a JQL date `yyyy/MM/dd HH:mm` in `timeZone`: Jira reads JQL dates in the searching user's
 * profile time zone, so a UTC string would shift the window by the zone's offset. Seconds are dropped (JQL has
 * minute precision), which widens the window by under a minute: an issue may be loaded twice, never skipped.
 */
export function jqlDate(instant: Date, timeZone: string): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(instant);
  } catch {
    return jqlDate(instant, 'UTC');
  }
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}/${part('month')}/${part('day')} ${part('hour')}:${part('minute')}`;
}

/** Jira's `2024-01-15T10:23:45.000+0100` as an ISO 8601 instant, or null when it is not a date. */
export function jiraInstant(value: string): Date | null {
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const time = Date.parse(normalized);
  return Number.isFinite(time) ? new Date(time) : null;
}
