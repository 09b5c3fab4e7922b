import { parse, type DefaultTreeAdapterTypes as T } from 'parse5';
import type { DocumentSection } from '../../../contract/retrieval.js';
import { collapseWhitespace, normalizeText } from '../text.js';

/** Elements whose content is not reading text: code, chrome around the page, embedded media. */
const dropped = new Set([
  'head',
  'script',
  'style',
  'noscript',
  'template',
  'nav',
  'footer',
  'svg',
  'math',
  'iframe',
  'object',
  'canvas',
  'select',
]);

/** Blocks that end a paragraph. */
const paragraphBlocks = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'header',
  'aside',
  'blockquote',
  'pre',
  'table',
  'ul',
  'ol',
  'dl',
  'figure',
  'figcaption',
  'address',
  'details',
  'summary',
  'form',
  'fieldset',
  'hr',
  'center',
  'body',
]);

/** Blocks that end a line but keep a list or table together as one paragraph. */
const lineBlocks = new Set(['li', 'tr', 'dt', 'dd', 'caption']);

/** Class of an `<h1>` that is the document's title rather than its first heading. */
export const titleClass = 'document-title';

const headingLevel: Record<string, number> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };

/** The text an HTML document or fragment is made of, split into sections by h1-h6. */
export interface HtmlContent {
  /** The `<title>` element's text, else the first `h1.document-title` (Word's Title style, see docx.ts). */
  title: string | null;
  firstH1: string | null;
  sections: DocumentSection[];
}

function isElement(node: T.Node): node is T.Element {
  return 'tagName' in node;
}

function textContent(node: T.Node): string {
  if (node.nodeName === '#text') return (node as T.TextNode).value;
  if (!isElement(node) || dropped.has(node.tagName)) return '';
  return node.childNodes.map(textContent).join(node.tagName === 'br' ? '\n' : '');
}

function findElement(node: T.ParentNode, tagName: string): T.Element | null {
  for (const child of node.childNodes) {
    if (!isElement(child)) continue;
    if (child.tagName === tagName) return child;
    const found = findElement(child, tagName);
    if (found) return found;
  }
  return null;
}

/**
 * Walks an HTML document (or a fragment such as mammoth's .docx output) and returns its reading text by
 * heading path. Whitespace follows HTML rules (collapsed outside `<pre>`); list items and table rows become lines.
 */
export function htmlToSections(html: string): HtmlContent {
  const document = parse(html);
  const titleElement = findElement(document, 'title');
  const sections: DocumentSection[] = [];
  const path: string[] = [];
  let out = '';
  let firstH1: string | null = null;
  let documentTitle: string | null = null;
  let preDepth = 0;

  const endLine = (separator: '\n' | '\n\n'): void => {
    out = out.replace(/[ \t]+$/, '');
    if (out && !out.endsWith(separator)) out += out.endsWith('\n') ? '\n' : separator;
  };
  const flush = (): void => {
    const text = normalizeText(out);
    if (text) sections.push({ headings: path.filter((h) => h.length > 0), text });
    out = '';
  };

  const visit = (node: T.Node): void => {
    if (node.nodeName === '#text') {
      const value = (node as T.TextNode).value;
      out += preDepth > 0 ? value : value.replace(/\s+/g, ' ');
      return;
    }
    if (!isElement(node)) return;
    const tag = node.tagName;
    if (dropped.has(tag) || node.attrs.some((a) => a.name === 'hidden')) return;
    const level = headingLevel[tag];
    if (level !== undefined) {
      const text = collapseWhitespace(textContent(node));
      if (!text) return;
      if (
        level === 1 &&
        node.attrs.some((a) => a.name === 'class' && a.value.split(' ').includes(titleClass))
      ) {
        // A document title names the whole document; as a heading it would sit above every section's path.
        documentTitle ??= text;
        return;
      }
      flush();
      path.length = level - 1;
      for (let i = 0; i < path.length; i++) path[i] ??= '';
      path.push(text);
      if (level === 1) firstH1 ??= text;
      return;
    }
    if (tag === 'br') {
      out += '\n';
      return;
    }
    // A cell after another on the same row: the last line already has text.
    if ((tag === 'td' || tag === 'th') && /\S[^\n]*$/.test(out)) out += ' | ';
    const separator = paragraphBlocks.has(tag) ? '\n\n' : lineBlocks.has(tag) ? '\n' : null;
    if (separator) endLine(separator);
    if (tag === 'pre') preDepth++;
    for (const child of node.childNodes) visit(child);
    if (tag === 'pre') preDepth--;
    if (separator) endLine(separator);
  };

  for (const child of document.childNodes) visit(child);
  flush();
  const title = titleElement ? collapseWhitespace(textContent(titleElement)) : '';
  return { title: title || documentTitle, firstH1, sections };
}
