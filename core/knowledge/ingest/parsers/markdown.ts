import { Lexer, type Token, type Tokens } from 'marked';
import type { DocumentSection, ParsedDocument } from '../../../contract/retrieval.js';
import { collapseWhitespace, decodeEntities, normalizeText } from '../text.js';

/** What a whole-file parser needs besides the bytes or text. */
export interface FileContext {
  path: string;
  externalId: string;
  /** Title when the content names none: the file name without extension. */
  fallbackTitle: string;
}

const frontMatter = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

/** YAML front matter is not Markdown: marked would read its closing "---" as a setext heading. */
function splitFrontMatter(markdown: string): { body: string; title: string | null } {
  const match = frontMatter.exec(markdown);
  if (!match) return { body: markdown, title: null };
  const line = /^title:[ \t]*(.+)$/m.exec(match[1] ?? '');
  const title = line?.[1]?.trim().replace(/^(['"])(.*)\1$/, '$2') ?? null;
  return { body: markdown.slice(match[0].length), title: title || null };
}

/** Plain text of inline tokens: markup dropped, link and image text kept, entities decoded. */
function inlineText(tokens: readonly Token[] | undefined): string {
  if (!tokens) return '';
  let out = '';
  for (const token of tokens) {
    switch (token.type) {
      case 'br':
        out += '\n';
        break;
      case 'html':
      case 'checkbox':
        break;
      case 'escape':
      case 'codespan':
        out += decodeEntities((token as Tokens.Codespan).text);
        break;
      case 'image':
        out += (token as Tokens.Image).text;
        break;
      default: {
        const nested = (token as { tokens?: Token[] }).tokens;
        out += nested ? inlineText(nested) : decodeEntities((token as { text?: string }).text ?? '');
      }
    }
  }
  return out;
}

/** Plain text of one block token; list items become lines, table rows become "a | b" lines. */
function blockText(token: Token): string {
  switch (token.type) {
    case 'paragraph':
    case 'text':
      return (token as Tokens.Text).tokens
        ? inlineText((token as Tokens.Text).tokens)
        : decodeEntities((token as Tokens.Text).text);
    case 'code':
      return (token as Tokens.Code).text;
    case 'list':
      return (token as Tokens.List).items.map((item) => item.tokens.map(blockText).join('\n')).join('\n');
    case 'blockquote':
      return (token as Tokens.Blockquote).tokens.map(blockText).join('\n\n');
    case 'table': {
      const table = token as Tokens.Table;
      const row = (cells: Tokens.TableCell[]): string => cells.map((c) => inlineText(c.tokens)).join(' | ');
      return [row(table.header), ...table.rows.map(row)].join('\n');
    }
    case 'html':
      // Raw HTML blocks in Markdown are usually small wrappers (<div>, <details>); their text is what matters.
      return decodeEntities((token as Tokens.HTML).text.replace(/<[^>]*>/g, ' '));
    default:
      return '';
  }
}

/**
 * Parses Markdown into sections by heading path: each heading starts a section whose `headings` are the
 * enclosing heading texts (H1 first). Title: front-matter `title`, else the first H1, else the file name.
 */
export function parseMarkdown(markdown: string, context: FileContext): ParsedDocument {
  const { body, title: declaredTitle } = splitFrontMatter(markdown);
  const sections: DocumentSection[] = [];
  const path: string[] = [];
  let blocks: string[] = [];
  let firstH1: string | null = null;

  const flush = (): void => {
    const text = normalizeText(blocks.join('\n\n'));
    if (text) sections.push({ headings: path.filter((h) => h.length > 0), text });
    blocks = [];
  };

  for (const token of new Lexer({ gfm: true }).lex(body)) {
    if (token.type === 'heading') {
      flush();
      const heading = token as Tokens.Heading;
      const text = collapseWhitespace(inlineText(heading.tokens));
      // Skipped levels (H1 then H3) leave an empty slot, filtered out above, so paths stay in document order.
      path.length = heading.depth - 1;
      for (let i = 0; i < path.length; i++) path[i] ??= '';
      path.push(text);
      if (heading.depth === 1 && firstH1 === null && text) firstH1 = text;
    } else {
      const text = blockText(token);
      if (text.trim()) blocks.push(text);
    }
  }
  flush();

  return {
    externalId: context.externalId,
    title: declaredTitle ?? firstH1 ?? context.fallbackTitle,
    source: context.path,
    sections,
  };
}
