/**
 * The allowed origins of a widget key as the admin types them: one per line (commas and spaces also separate).
 * An origin is what a browser sends in `Origin`: scheme://host[:port], no path. The server checks again; this is
 * so the admin sees the mistake next to the field before saving.
 */
export interface ParsedOrigins {
  origins: string[];
  /** One sentence per wrong entry; empty when all are fine. */
  problems: string[];
}

/** The origin `value` names, or a sentence saying what is wrong with it. */
export function checkOrigin(value: string): { origin: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `"${value}" is not an origin; write it like https://intranet.example.com` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: `"${value}" must start with http:// or https://` };
  }
  const rest = value.slice(value.indexOf('//') + 2).replace(/^[^/?#]*/, '');
  if (url.username || url.password || (rest !== '' && rest !== '/')) {
    return {
      problem: `"${value}" has more than scheme://host[:port]; leave out the path, use ${url.origin}`,
    };
  }
  return { origin: url.origin };
}

export function parseOrigins(text: string): ParsedOrigins {
  const origins: string[] = [];
  const problems: string[] = [];
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    const checked = checkOrigin(entry);
    if ('problem' in checked) problems.push(checked.problem);
    else if (!origins.includes(checked.origin)) origins.push(checked.origin);
  }
  if (origins.length === 0 && problems.length === 0) {
    problems.push('Allow at least one origin: the address of the intranet page that embeds the widget.');
  }
  return { origins, problems };
}
