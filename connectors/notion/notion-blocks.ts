import type { Client } from '@notionhq/client';
import {
  blockSchema,
  listSchema,
  notionCall,
  plainText,
  type NotionBlock,
  type RichText,
} from './notion-api.js';

/** A block with its children (fetched when `has_children`, except child pages and databases: own documents). */
export interface BlockNode {
  block: NotionBlock;
  children: BlockNode[];
}

const maxDepth = 12;

/** Every block under `blockId`, depth first, paging GET /v1/blocks/{id}/children by `start_cursor`. */
export async function blockTree(
  client: Client,
  blockId: string,
  signal: AbortSignal,
  baseUrl: string,
  depth = 0,
): Promise<BlockNode[]> {
  const nodes: BlockNode[] = [];
  let cursor: string | undefined;
  do {
    const page = await notionCall(
      `GET /v1/blocks/${blockId}/children`,
      listSchema,
      () => client.blocks.children.list({ block_id: blockId, page_size: 100, start_cursor: cursor }),
      signal,
      baseUrl,
    );
    for (const raw of page.results) {
      const parsed = blockSchema.safeParse(raw);
      if (!parsed.success) continue;
      const block = parsed.data;
      const descend =
        block.has_children === true &&
        block.type !== 'child_page' &&
        block.type !== 'child_database' &&
        depth < maxDepth;
      nodes.push({
        block,
        children: descend ? await blockTree(client, block.id, signal, baseUrl, depth + 1) : [],
      });
    }
    cursor = page.has_more ? (page.next_cursor ?? undefined) : undefined;
  } while (cursor !== undefined);
  return nodes;
}

function payload(block: NotionBlock): Record<string, unknown> {
  const value = (block as Record<string, unknown>)[block.type];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function rich(value: unknown): RichText {
  return Array.isArray(value) ? (value as RichText) : [];
}

/** Rich text with its annotations and links as Markdown. */
export function richMarkdown(parts: RichText): string {
  return parts
    .map((part) => {
      // Emphasis cannot start or end with a space in Markdown, so spaces stay outside the marks.
      const [, lead = '', core = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(part.plain_text) ?? [];
      if (core === '') return part.plain_text;
      let text = core;
      const a = part.annotations ?? {};
      if (a.code) text = '`' + text + '`';
      if (a.bold) text = `**${text}**`;
      if (a.italic) text = `*${text}*`;
      if (a.strikethrough) text = `~~${text}~~`;
      if (part.href) text = `[${text}](${part.href})`;
      return lead + text + trail;
    })
    .join('');
}

const listTypes = new Set(['bulleted_list_item', 'numbered_list_item', 'to_do', 'toggle']);

/** Blocks as Markdown: consecutive list items stay one list, other blocks are separated by a blank line. */
export function blocksToMarkdown(nodes: BlockNode[], indent = ''): string {
  let out = '';
  let previousWasList = false;
  for (const node of nodes) {
    const text = blockMarkdown(node, indent);
    if (text === '') continue;
    const isList = listTypes.has(node.block.type);
    if (out !== '') out += isList && previousWasList ? '\n' : '\n\n';
    out += text;
    previousWasList = isList;
  }
  return out;
}

function quoted(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
}

function blockMarkdown(node: BlockNode, indent: string): string {
  const { block, children } = node;
  const data = payload(block);
  const text = richMarkdown(rich(data.rich_text));
  const nested = (extraIndent: string): string => {
    const inner = blocksToMarkdown(children, indent + extraIndent);
    return inner === '' ? '' : `\n${inner}`;
  };
  switch (block.type) {
    case 'paragraph':
      return text === '' && children.length === 0 ? '' : indent + text + nested('  ');
    case 'heading_1':
    case 'heading_2':
    case 'heading_3': {
      const level = Number(block.type.slice(-1));
      const body = blocksToMarkdown(children, indent);
      return `${indent}${'#'.repeat(level)} ${text}${body === '' ? '' : `\n\n${body}`}`;
    }
    case 'bulleted_list_item':
    case 'toggle':
      return `${indent}- ${text}${nested('  ')}`;
    case 'numbered_list_item':
      return `${indent}1. ${text}${nested('   ')}`;
    case 'to_do':
      return `${indent}- [${data.checked === true ? 'x' : ' '}] ${text}${nested('  ')}`;
    case 'code': {
      const language =
        typeof data.language === 'string' && data.language !== 'plain text' ? data.language : '';
      const lines = ['```' + language, ...plainText(rich(data.rich_text)).split('\n'), '```'];
      return lines.map((line) => indent + line).join('\n');
    }
    case 'quote':
      return quoted(text + nested(''));
    case 'callout': {
      const icon = (data.icon as { emoji?: unknown } | undefined)?.emoji;
      return quoted((typeof icon === 'string' ? `${icon} ` : '') + text + nested(''));
    }
    case 'divider':
      return '---';
    case 'equation':
      return typeof data.expression === 'string' ? `$$${data.expression}$$` : '';
    case 'table':
      return tableMarkdown(children, data.has_column_header !== false);
    case 'child_page':
      return typeof data.title === 'string' ? `${indent}Sub-page: ${data.title}` : '';
    case 'child_database':
      return typeof data.title === 'string' ? `${indent}Database: ${data.title}` : '';
    case 'image':
    case 'file':
    case 'pdf':
    case 'video':
    case 'bookmark':
    case 'embed':
    case 'link_preview': {
      const caption = richMarkdown(rich(data.caption));
      const url = linkOf(data);
      if (url === null) return caption;
      return `${indent}[${caption === '' ? block.type : caption}](${url})`;
    }
    case 'column_list':
    case 'column':
    case 'synced_block':
    case 'template':
      return blocksToMarkdown(children, indent);
    default:
      // Unknown or unsupported blocks keep whatever text they carry.
      return text === '' ? blocksToMarkdown(children, indent) : indent + text + nested('  ');
  }
}

function linkOf(data: Record<string, unknown>): string | null {
  if (typeof data.url === 'string') return data.url;
  for (const kind of ['external', 'file']) {
    const url = (data[kind] as { url?: unknown } | undefined)?.url;
    if (typeof url === 'string') return url;
  }
  return null;
}

function tableMarkdown(rows: BlockNode[], header: boolean): string {
  const lines = rows
    .filter((row) => row.block.type === 'table_row')
    .map((row) => {
      const cells = payload(row.block).cells;
      const texts = Array.isArray(cells)
        ? cells.map((cell) => richMarkdown(rich(cell)).replace(/\|/g, '\\|').replace(/\n/g, ' '))
        : [];
      return `| ${texts.join(' | ')} |`;
    });
  if (lines.length === 0) return '';
  const columns = (lines[0]?.match(/ \| /g)?.length ?? 0) + 1;
  const separator = `|${' --- |'.repeat(columns)}`;
  if (header) lines.splice(1, 0, separator);
  else lines.unshift(`|${'   |'.repeat(columns)}`, separator);
  return lines.join('\n');
}
