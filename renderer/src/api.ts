import {
  consoleRoutes,
  sessionInfoSchema,
  tenantListSchema,
  type SessionInfo,
} from '../../core/contract/console-api.js';
import { tenantSchema, type CreateTenantInput, type Tenant } from '../../core/contract/tenant.js';
import type { ErrorBody } from '../../core/contract/errors.js';

/** A failed console API call: the server's error code and message, or a description of the transport failure. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Calls `listener` whenever an API call (other than the session calls) finds the session gone. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = value.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** One console API call: the parsed JSON answer, or an ApiError with the server's code and message. */
export async function request(method: string, path: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // Only send a content type with a body: Fastify rejects an empty body declared as JSON.
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ApiError(0, 'unavailable', `Cannot reach the airdesk server (${reason}). Is it still running?`);
  }
  const payload = await readJson(response);
  if (response.ok) return payload;
  if (response.status === 401 && path !== consoleRoutes.session) {
    for (const listener of unauthorizedListeners) listener();
  }
  if (isErrorBody(payload)) throw new ApiError(response.status, payload.error.code, payload.error.message);
  throw new ApiError(response.status, 'unavailable', `The server answered HTTP ${response.status}.`);
}

/** The current session, or null when nobody is signed in. */
export async function getSession(): Promise<SessionInfo | null> {
  try {
    return sessionInfoSchema.parse(await request('GET', consoleRoutes.session));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** Signs in with the console token; the server answers with a session cookie. */
export async function signIn(token: string): Promise<SessionInfo> {
  return sessionInfoSchema.parse(await request('POST', consoleRoutes.session, { token }));
}

/** Ends the session; a session that had already ended counts as signed out. */
export async function signOut(): Promise<void> {
  try {
    await request('DELETE', consoleRoutes.session);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
}

export async function listTenants(): Promise<Tenant[]> {
  return tenantListSchema.parse(await request('GET', consoleRoutes.tenants)).tenants;
}

export async function createTenant(input: CreateTenantInput): Promise<Tenant> {
  return tenantSchema.parse(await request('POST', consoleRoutes.tenants, input));
}

/** A message fit to show a person for any error an API call threw. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return `Unexpected answer from the server: ${error.message}`;
  return 'Something went wrong.';
}
