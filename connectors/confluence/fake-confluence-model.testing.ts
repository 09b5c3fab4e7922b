/**
 * The in-memory wiki behind fake-confluence.testing.ts: spaces, pages with versions and view restrictions, a
 * generator of realistic pages, the CQL subset the connector uses, and the JSON shapes of Confluence Server / Data
 * Center's REST API (`/rest/api`, content objects with `expand`, paged lists with `_links.next`).
 */

export interface FakeSpace {
  key: string;
  name: string;
  status: 'current' | 'archived';
}

export interface FakePage {
  id: string;
  spaceKey: string;
  title: string;
  parentId: string | null;
  /** Storage-format XHTML. */
  body: string;
  version: number;
  /** Last modification on the server's clock, ms. */
  modifiedAt: number;
  status: 'current' | 'archived';
  readUsers: string[];
  readGroups: string[];
}

/** mulberry32, as core/seeded-random.ts (a connector may not import core): the same seed gives the same wiki. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const topics = [
  'VPN',
  'password reset',
  'printer',
  'invoice',
  'refund',
  'SSO login',
  'mobile app',
  'backup',
  'email quota',
  'laptop',
  'API key',
  'billing cycle',
  'two-factor',
  'shared drive',
  'release 4.2',
];
const actions = [
  'How to configure',
  'Troubleshooting',
  'FAQ:',
  'Runbook:',
  'Policy for',
  'Known issues with',
  'Setting up',
  'Escalating',
];
const sentences = [
  'Open the self-service portal and sign in with your corporate account.',
  'If the error persists after ten minutes, clear the cache and try again.',
  'Agents must confirm the customer identity before changing any account detail.',
  'Refunds above the threshold need approval from a team lead.',
  'The nightly job runs at 02:00 and usually finishes within an hour.',
  'Escalate to the on-call engineer when more than five customers report the issue.',
  'Customers on the legacy plan keep their current limits until renewal.',
  'Record the ticket number in the internal note so the next shift can follow up.',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function paragraph(random: () => number): string {
  const count = 2 + Math.floor(random() * 3);
  return `<p>${Array.from({ length: count }, () => pick(random, sentences)).join(' ')}</p>`;
}

/** A page body in storage format: headings, paragraphs, and now and then a macro, a table or a task list. */
export function generateBody(random: () => number, topic: string): string {
  const parts = [`<h1>Overview</h1>`, paragraph(random)];
  if (random() < 0.5) {
    parts.push(
      `<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:parameter ac:name="title">Before you start</ac:parameter><ac:rich-text-body>${paragraph(random)}</ac:rich-text-body></ac:structured-macro>`,
    );
  }
  parts.push(
    `<h2>Steps for ${topic}</h2>`,
    `<ol><li>${pick(random, sentences)}</li><li>${pick(random, sentences)}</li></ol>`,
  );
  if (random() < 0.3) {
    parts.push(
      `<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[airdesk-cli check --topic "${topic}" && echo ok]]></ac:plain-text-body></ac:structured-macro>`,
    );
  }
  if (random() < 0.3) {
    parts.push(
      `<h2>Limits</h2><table><tbody><tr><th>Plan</th><th>Limit</th></tr><tr><td>Standard</td><td>${10 + Math.floor(random() * 90)}</td></tr></tbody></table>`,
    );
  }
  parts.push(`<h2>Notes</h2>`, paragraph(random));
  return parts.join('');
}

/** Pages spread over the past year across the spaces, a third of them children of an earlier page, 5% restricted. */
export function generatePages(
  count: number,
  spaces: readonly string[],
  now: number,
  seed: number,
  firstId: number,
): FakePage[] {
  const random = seededRandom(seed);
  const pages: FakePage[] = [];
  const yearMs = 365 * 24 * 3600 * 1000;
  for (let i = 0; i < count; i++) {
    const spaceKey = spaces[i % spaces.length] ?? 'DOCS';
    const topic = pick(random, topics);
    const earlier =
      pages.length > spaces.length
        ? pages[pages.length - spaces.length * (1 + Math.floor(random() * 5))]
        : undefined;
    const restricted = random() < 0.05;
    pages.push({
      id: String(firstId + i),
      spaceKey,
      title: `${pick(random, actions)} ${topic} (${firstId + i})`,
      parentId: earlier && earlier.spaceKey === spaceKey && random() < 0.33 ? earlier.id : null,
      body: generateBody(random, topic),
      version: 1 + Math.floor(random() * 5),
      modifiedAt: now - Math.floor(random() * yearMs),
      status: 'current',
      readUsers: [],
      readGroups: restricted ? ['support-leads'] : [],
    });
  }
  return pages;
}

/** One CQL query of the subset the connector sends (and a little more), as a predicate and an order. */
export interface CqlQuery {
  matches(page: FakePage): boolean;
  descending: boolean;
}

export class CqlError extends Error {}

const clausePattern =
  /^\s*(type|space|lastmodified|id|title)\s*(>=|<=|!=|=|>|<|in|not in)\s*(\([^)]*\)|"(?:[^"\\]|\\.)*"|[^\s()]+)\s*$/i;

function unquote(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('"') ? trimmed.slice(1, -1).replace(/\\(.)/g, '$1') : trimmed;
}

/** A CQL date (`yyyy/MM/dd HH:mm`, `yyyy-MM-dd` …) as wall-clock time in the server's zone. */
function cqlInstant(value: string, offsetMinutes: number): number {
  const match = /^(\d{4})[/-](\d{2})[/-](\d{2})(?:\s+(\d{2}):(\d{2}))?$/.exec(value);
  if (!match) throw new CqlError(`Could not parse cql date : ${value}`);
  const [, y, mo, d, h, mi] = match;
  return (
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0)) - offsetMinutes * 60_000
  );
}

export function parseCql(cql: string, offsetMinutes: number): CqlQuery {
  const [where = '', order] = cql.split(/\s+order\s+by\s+/i);
  let descending = false;
  if (order !== undefined) {
    const sort = /^\s*lastmodified(?:\s+(asc|desc))?\s*$/i.exec(order);
    if (!sort) throw new CqlError(`Could not parse cql : ${cql}`);
    descending = sort[1]?.toLowerCase() === 'desc';
  }
  const tests = where
    .split(/\s+and\s+/i)
    .filter((c) => c.trim())
    .map((clause): ((page: FakePage) => boolean) => {
      const match = clausePattern.exec(clause);
      if (!match) throw new CqlError(`Could not parse cql : ${cql}`);
      const [, rawField = '', rawOp = '', value = ''] = match;
      const field = rawField.toLowerCase();
      const op = rawOp.toLowerCase();
      const values = value.startsWith('(') ? value.slice(1, -1).split(',').map(unquote) : [unquote(value)];
      const pageValue = (page: FakePage): string =>
        field === 'type' ? 'page' : field === 'space' ? page.spaceKey : field === 'id' ? page.id : page.title;
      if (field === 'lastmodified') {
        const at = cqlInstant(values[0] ?? '', offsetMinutes);
        const compare = {
          '>=': (t: number) => t >= at,
          '>': (t: number) => t > at,
          '<=': (t: number) => t <= at,
          '<': (t: number) => t < at,
        }[op];
        if (!compare) throw new CqlError(`Could not parse cql : ${cql}`);
        return (page) => compare(page.modifiedAt);
      }
      if (op === '=' || op === 'in') return (page) => values.includes(pageValue(page));
      if (op === '!=' || op === 'not in') return (page) => !values.includes(pageValue(page));
      throw new CqlError(`Could not parse cql : ${cql}`);
    });
  return { matches: (page) => tests.every((test) => test(page)), descending };
}

/** An instant as Confluence writes it: ISO 8601 in the server's zone with its offset. */
export function confluenceTime(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
