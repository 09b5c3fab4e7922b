import { z } from 'zod';
import type { SourceDocument } from '../../core/contract/index.js';
import type { JiraHttp } from './jira-http.js';
import { adfToMarkdown, wikiToMarkdown } from './jira-markup.js';
import { jiraInstant } from './jira-search.js';

/** The issue fields a document is built from (the search asks for exactly these). */
export const issueFields = [
  'summary',
  'description',
  'resolution',
  'resolutiondate',
  'status',
  'updated',
  'created',
  'project',
  'issuetype',
];

const named = z.object({ name: z.string() }).passthrough();

export const issueSchema = z.object({
  id: z.string().optional(),
  key: z.string().min(1),
  fields: z.object({
    summary: z.string(),
    // v2: wiki markup string; v3: an ADF document.
    description: z.unknown().optional(),
    resolution: named.nullish(),
    resolutiondate: z.string().nullish(),
    status: named.nullish(),
    updated: z.string(),
    project: z.object({ key: z.string(), name: z.string() }),
    issuetype: named,
  }),
});
export type JiraIssue = z.infer<typeof issueSchema>;

const commentPageSchema = z.object({
  startAt: z.number().int(),
  total: z.number().int(),
  comments: z.array(
    z.object({
      id: z.string(),
      author: z.object({ displayName: z.string() }).partial().nullish(),
      body: z.unknown(),
      created: z.string(),
    }),
  ),
});
export type JiraComment = z.infer<typeof commentPageSchema>['comments'][number];

/** Every comment of an issue, oldest first (GET /rest/api/{v}/issue/{key}/comment, paged by startAt). */
export async function loadComments(
  http: JiraHttp,
  apiVersion: 2 | 3,
  key: string,
  signal: AbortSignal,
): Promise<JiraComment[]> {
  const comments: JiraComment[] = [];
  for (let startAt = 0; ;) {
    const page = await http.json(
      {
        method: 'GET',
        path: `/rest/api/${apiVersion}/issue/${encodeURIComponent(key)}/comment`,
        query: { startAt, maxResults: 100, orderBy: 'created' },
        signal,
      },
      commentPageSchema,
    );
    comments.push(...page.comments);
    startAt += page.comments.length;
    if (page.comments.length === 0 || startAt >= page.total) return comments;
  }
}

function bodyMarkdown(body: unknown, apiVersion: 2 | 3): string {
  if (typeof body === 'string') return apiVersion === 2 ? wikiToMarkdown(body) : body.trim();
  if (body === null || body === undefined) return '';
  return adfToMarkdown(body);
}

function day(value: string | null | undefined): string {
  const instant = value ? jiraInstant(value) : null;
  return instant ? instant.toISOString().slice(0, 10) : (value ?? '');
}

/** An issue as a document: description, resolution and comments (with author and date) as Markdown. */
export function issueDocument(
  issue: JiraIssue,
  comments: JiraComment[] | null,
  baseUrl: string,
  apiVersion: 2 | 3,
): SourceDocument {
  const f = issue.fields;
  const lines: string[] = [`# [${issue.key}] ${f.summary}`, ''];
  const facts = [`Type: ${f.issuetype.name}`];
  if (f.status) facts.push(`Status: ${f.status.name}`);
  facts.push(`Resolution: ${f.resolution ? f.resolution.name : 'Unresolved'}`);
  lines.push(facts.join(' · '), '');
  const description = bodyMarkdown(f.description, apiVersion);
  if (description !== '') lines.push('## Description', '', description, '');
  if (f.resolution) {
    const when = f.resolutiondate ? ` on ${day(f.resolutiondate)}` : '';
    lines.push('## Resolution', '', `${f.resolution.name}${when}`, '');
  }
  if (comments && comments.length > 0) {
    lines.push('## Comments', '');
    for (const comment of comments) {
      lines.push(`### ${comment.author?.displayName ?? 'Unknown'} on ${day(comment.created)}`, '');
      lines.push(bodyMarkdown(comment.body, apiVersion), '');
    }
  }
  const updated = jiraInstant(f.updated);
  return {
    externalId: issue.key,
    title: `[${issue.key}] ${f.summary}`,
    content: { kind: 'markdown', markdown: lines.join('\n').trim() + '\n' },
    url: `${baseUrl}/browse/${encodeURIComponent(issue.key)}`,
    ...(updated ? { updatedAt: updated.toISOString() } : {}),
    hierarchy: [f.project.name, f.issuetype.name],
    metadata: {
      project: f.project.key,
      issueType: f.issuetype.name,
      status: f.status?.name ?? null,
      resolution: f.resolution?.name ?? null,
    },
  };
}
