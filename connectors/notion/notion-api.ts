import {
  APIResponseError,
  Client,
  isHTTPResponseError,
  LogLevel,
  RequestTimeoutError,
} from '@notionhq/client';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../../core/contract/index.js';

/**
 * The Notion client as this connector uses it: every request goes through `context.fetch` (the client's `fetch`
 * option), bound to the caller's AbortSignal, since the client takes no signal of its own. The client's retry
 * honours 429 Retry-After (capped), and every response we read is checked with a zod schema so a malformed
 * answer is a clear failure rather than an undefined deep inside the Markdown renderer.
 */
export function notionClient(options: {
  baseUrl: string;
  token: string;
  fetch: typeof fetch;
  signal: AbortSignal;
  log?: ((message: string) => void) | undefined;
  maxRetryDelayMs?: number;
}): Client {
  const { signal } = options;
  return new Client({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: (url, init) => options.fetch(url, { ...init, signal }),
    retry: { maxRetries: 3, maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000 },
    logger: (level, message) => {
      if (level === LogLevel.WARN || level === LogLevel.ERROR) options.log?.(`Notion client: ${message}`);
    },
  });
}

/** A failed Notion call as an AppError, with Notion's own error code kept for callers that refine it. */
export class NotionCallError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly notionCode: string | null,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

const codeOf: Record<string, ErrorCode> = {
  unauthorized: 'unauthorized',
  restricted_resource: 'forbidden',
  object_not_found: 'not_found',
  rate_limited: 'rate_limited',
  validation_error: 'invalid_input',
  invalid_request: 'invalid_input',
  invalid_request_url: 'invalid_input',
  invalid_json: 'invalid_input',
};

/** Runs one Notion call, maps its failure to an AppError and checks the response against `schema`. */
export async function notionCall<T>(
  what: string,
  schema: z.ZodType<T>,
  call: () => Promise<unknown>,
  signal: AbortSignal,
  baseUrl: string,
): Promise<T> {
  let response: unknown;
  try {
    response = await call();
  } catch (error) {
    if (signal.aborted) throw error;
    throw toAppError(error, what, baseUrl);
  }
  const parsed = schema.safeParse(response);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'unknown shape';
    throw new NotionCallError(
      'unavailable',
      `Notion returned an unexpected response to ${what} (${where}).`,
      'shape',
    );
  }
  return parsed.data;
}

function toAppError(error: unknown, what: string, baseUrl: string): NotionCallError {
  if (error instanceof APIResponseError) {
    const code = codeOf[error.code] ?? 'unavailable';
    const hint =
      code === 'unauthorized'
        ? ' Check the integration token.'
        : code === 'not_found'
          ? ' Share the page or database with the integration (Connections) or check the id.'
          : '';
    return new NotionCallError(code, `Notion refused ${what}: ${error.message}.${hint}`, error.code, {
      cause: error,
    });
  }
  if (isHTTPResponseError(error))
    return new NotionCallError(
      'unavailable',
      `${baseUrl} answered ${what} with HTTP ${error.status} and no Notion error body; is this the Notion API?`,
      'not_notion',
      { cause: error },
    );
  if (error instanceof RequestTimeoutError)
    return new NotionCallError('unavailable', `Notion did not answer ${what} in time.`, 'timeout', {
      cause: error,
    });
  if (error instanceof SyntaxError)
    return new NotionCallError(
      'unavailable',
      `${baseUrl} answered ${what} with a body that is not JSON.`,
      'not_notion',
      {
        cause: error,
      },
    );
  const detail = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return new NotionCallError(
    'unavailable',
    `Notion at ${baseUrl} is unreachable (${detail}${cause}). Check the base URL, the network and the proxy.`,
    'unreachable',
    { cause: error },
  );
}

export const richTextSchema = z.array(
  z
    .object({
      plain_text: z.string(),
      href: z.string().nullish(),
      annotations: z
        .object({
          bold: z.boolean(),
          italic: z.boolean(),
          strikethrough: z.boolean(),
          code: z.boolean(),
        })
        .partial()
        .optional(),
    })
    .passthrough(),
);
export type RichText = z.infer<typeof richTextSchema>;

export const parentSchema = z
  .object({
    type: z.string(),
    page_id: z.string().optional(),
    database_id: z.string().optional(),
    data_source_id: z.string().optional(),
    block_id: z.string().optional(),
  })
  .passthrough();
export type NotionParent = z.infer<typeof parentSchema>;

export const pageSchema = z
  .object({
    object: z.literal('page'),
    id: z.string(),
    url: z.string().optional(),
    last_edited_time: z.string(),
    in_trash: z.boolean().optional(),
    archived: z.boolean().optional(),
    parent: parentSchema,
    properties: z.record(z.string(), z.object({ type: z.string() }).passthrough()),
  })
  .passthrough();
export type NotionPage = z.infer<typeof pageSchema>;

export const listSchema = z.object({
  results: z.array(z.unknown()),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
});

export const blockSchema = z
  .object({
    object: z.literal('block'),
    id: z.string(),
    type: z.string(),
    has_children: z.boolean().optional(),
  })
  .passthrough();
export type NotionBlock = z.infer<typeof blockSchema>;

/** Plain text of a rich-text array. */
export function plainText(rich: RichText | undefined): string {
  return (rich ?? []).map((part) => part.plain_text).join('');
}

/** Ids compare without dashes and case: Notion accepts and returns both forms. */
export function sameId(id: string): string {
  return id.replace(/-/g, '').toLowerCase();
}
