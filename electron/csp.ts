/**
 * The Content-Security-Policy the desktop shell adds to every response shown in the console window, on top of
 * whatever the server sends: everything the console needs is bundled and served by its own origin, so nothing
 * else may load, and inline styles are the one concession (React's `style` props).
 */
export const consoleCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

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
