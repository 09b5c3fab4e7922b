import { consoleCsp } from '../core/contract/console-api.js';

/**
 * The desktop shell adds the console's Content-Security-Policy (core/contract/console-api.ts) to every response
 * shown in the console window, on top of whatever the server sends.
 */
export { consoleCsp };

/**
 * Response headers with `policy` added as one more Content-Security-Policy. A policy the server already sent is
 * kept: browsers enforce every policy present, so adding ours can only restrict, never loosen.
 */
export function withCsp(
  headers: Record<string, string | string[]> | undefined,
  policy: string = consoleCsp,
): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  let cspKey = 'Content-Security-Policy';
  for (const [name, value] of Object.entries(headers ?? {})) {
    result[name] = Array.isArray(value) ? [...value] : [value];
    if (name.toLowerCase() === 'content-security-policy') cspKey = name;
  }
  result[cspKey] = [...(result[cspKey] ?? []), policy];
  return result;
}
