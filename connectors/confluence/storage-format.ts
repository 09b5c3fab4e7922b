/**
 * Confluence storage format (XHTML with `ac:` macros and `ri:` resource identifiers) to plain HTML that an HTML
 * parser reads as the page reads: macro bodies keep their text, macro parameters and placeholders go, CDATA becomes
 * escaped text, links to pages and attachments become their visible title, and XML self-closing tags (`<p/>`,
 * `<time/>`) become open/close pairs so an HTML parser does not swallow what follows them.
 *
 * A small tokenizer rather than an XML parser: storage format mixes XHTML with HTML entities (`&nbsp;`) that XML
 * parsers reject, and a broken page should lose a tag, not its whole body.
 */

/** Void elements of HTML: written `<br>`, never closed. */
const voidElements = new Set(['br', 'hr', 'img', 'col', 'wbr', 'area', 'input', 'source', 'track', 'embed']);

/** Macros whose output is generated or decorative: nothing of theirs is reading text. */
const droppedMacros = new Set([
  'toc',
  'toc-zone',
  'children',
  'pagetree',
  'pagetreesearch',
  'attachments',
  'jira',
  'jiraissues',
  'anchor',
  'recently-updated',
  'contentbylabel',
  'content-report-table',
  'livesearch',
  'blog-posts',
  'gallery',
  'viewfile',
  'view-file',
  'multimedia',
  'widget',
  'profile',
  'create-from-template',
  'include',
  'excerpt-include',
]);

/** Macros whose `title` parameter is visible on the page (panel headers, expand labels, status lozenges). */
const titledMacros = new Set(['panel', 'info', 'note', 'tip', 'warning', 'expand', 'status', 'details']);

/** `ac:` / `ri:` elements whose whole subtree is configuration, not text. */
const droppedElements = new Set([
  'ac:parameter',
  'ac:placeholder',
  'ac:emoticon',
  'ac:image',
  'ac:task-id',
  'ac:task-status',
  'ac:task-uuid',
  'ac:default-parameter',
]);

/** `ac:` elements that become HTML blocks so the runner keeps paragraphs and lists apart. */
const structuralElements: Record<string, string> = {
  'ac:rich-text-body': 'div',
  'ac:layout': 'div',
  'ac:layout-section': 'div',
  'ac:layout-cell': 'div',
  'ac:task-list': 'ul',
  'ac:task': 'li',
  'ac:task-body': 'span',
};

const tokenPattern =
  /<!\[CDATA\[([\s\S]*?)(?:\]\]>|$)|<!--[\s\S]*?(?:-->|$)|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([A-Za-z][\w:.-]*)\s*>|<([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>/=`]+))?)*)\s*(\/?)>/g;
const attributePattern = /([\w:.-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>/=`]+)))?/g;

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Stray `<` in text (invalid in XHTML, common in hand-edited pages) would open a tag in an HTML parser. */
function safeText(text: string): string {
  return text.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attributesOf(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of source.matchAll(attributePattern)) {
    const name = match[1];
    if (name) attributes.set(name.toLowerCase(), match[2] ?? match[3] ?? match[4] ?? '');
  }
  return attributes;
}

interface OpenElement {
  name: string;
  /** What to write when it closes: the HTML close tag, or '' for elements that were unwrapped or dropped. */
  close: string;
  /** Inside a dropped subtree nothing is written until this element closes. */
  drops: boolean;
  /** Inside `ac:plain-text-body` (code, noformat) the CDATA is preformatted text. */
  plainText: boolean;
  /** A link's body was written, so its target's title is not needed. */
  hasBody?: boolean;
  linkTitle?: string;
  /** A macro whose `title` parameter is shown to readers. */
  titled?: boolean;
}

/** The visible name of what an `ac:link` points at when the link has no body of its own. */
function resourceTitle(name: string, attributes: Map<string, string>): string | null {
  if (name === 'ri:page' || name === 'ri:blog-post') return attributes.get('ri:content-title') ?? null;
  if (name === 'ri:attachment') return attributes.get('ri:filename') ?? null;
  if (name === 'ri:space') return attributes.get('ri:space-key') ?? null;
  if (name === 'ri:user') return attributes.get('ri:username') ?? null;
  if (name === 'ri:url') return attributes.get('ri:value') ?? null;
  return null;
}

/** Converts a page's storage-format body to HTML whose headings, lists, tables and text are the page's own. */
export function storageToHtml(storage: string): string {
  const out: string[] = [];
  const stack: OpenElement[] = [];
  const dropping = (): boolean => stack.some((element) => element.drops);
  const write = (html: string): void => {
    if (!dropping()) {
      out.push(html);
      const link = [...stack].reverse().find((element) => element.name === 'ac:link');
      if (link && html.trim()) link.hasBody = true;
    }
  };
  let last = 0;

  const open = (name: string, rawAttributes: string, selfClosing: boolean): void => {
    const attributes = attributesOf(rawAttributes);
    const element: OpenElement = { name, close: '', drops: false, plainText: false };
    if (name === 'ac:structured-macro' || name === 'ac:macro') {
      const macro = (attributes.get('ac:name') ?? '').toLowerCase();
      element.drops = droppedMacros.has(macro);
      element.close = element.drops ? '' : '</div>';
      if (!element.drops) write('<div>');
      element.titled = !element.drops && titledMacros.has(macro);
    } else if (droppedElements.has(name)) {
      const macro = stack.at(-1);
      // A panel or expand title is what the reader sees above the body; every other parameter is configuration.
      if (name === 'ac:parameter' && macro?.titled && attributes.get('ac:name') === 'title') {
        element.close = '</strong></p>';
        write('<p><strong>');
      } else {
        element.drops = true;
      }
    } else if (name === 'ac:plain-text-body') {
      element.plainText = true;
    } else if (name === 'ac:link') {
      element.close = '';
    } else if (name in structuralElements) {
      const tag = structuralElements[name] ?? 'div';
      write(`<${tag}>`);
      element.close = `</${tag}>`;
    } else if (name.startsWith('ri:')) {
      const link = stack.at(-1);
      const title = resourceTitle(name, attributes);
      if (link?.name === 'ac:link' && title !== null) link.linkTitle = title;
    } else if (name === 'time' && attributes.has('datetime')) {
      write(`<time>${safeText(attributes.get('datetime') ?? '')}`);
      element.close = '</time>';
    } else if (name.includes(':')) {
      // Other namespaced elements (inline comment markers, ADF extensions) keep their text.
      element.close = '';
    } else {
      const tag = name.toLowerCase();
      write(`<${tag}${rawAttributes}>`);
      element.close = voidElements.has(tag) ? '' : `</${tag}>`;
    }
    stack.push(element);
    if (selfClosing) close(name);
  };

  const close = (name: string): void => {
    const index = stack.findLastIndex((element) => element.name === name);
    if (index < 0) return; // a stray end tag: ignore it rather than unbalance the output
    while (stack.length > index) {
      const element = stack.at(-1);
      if (!element) break;
      if (element.name === 'ac:link' && !element.hasBody && element.linkTitle) {
        stack.pop();
        write(safeText(element.linkTitle)); // attribute values arrive entity-escaped already
        continue;
      }
      stack.pop();
      if (!element.drops && !dropping()) out.push(element.close);
    }
  };

  for (const match of storage.matchAll(tokenPattern)) {
    const index = match.index;
    if (index > last) write(safeText(storage.slice(last, index)));
    last = index + match[0].length;
    const [, cdata, closing, opening, rawAttributes, selfClosing] = match;
    if (cdata !== undefined) {
      if (stack.at(-1)?.plainText) write(`<pre>${escapeText(cdata)}</pre>`);
      else write(escapeText(cdata));
    } else if (closing !== undefined) {
      close(closing.toLowerCase());
    } else if (opening !== undefined) {
      open(opening.toLowerCase(), rawAttributes ?? '', selfClosing === '/');
    }
    // comments, processing instructions and doctypes carry no reading text
  }
  if (last < storage.length) write(safeText(storage.slice(last)));
  while (stack.length > 0) close(stack[stack.length - 1]?.name ?? '');
  return out.join('');
}
