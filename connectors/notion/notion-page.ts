import type { SourceDocument } from '../../core/contract/index.js';
import type { Ancestry } from './notion-ancestry.js';
import { titleOf } from './notion-ancestry.js';
import { richTextSchema, type NotionPage } from './notion-api.js';
import { blocksToMarkdown, richMarkdown, type BlockNode } from './notion-blocks.js';

/** A database row's simple properties (text, select, status, dates, numbers...) as `**Name:** value` lines. */
function propertyLines(properties: NotionPage['properties']): string[] {
  const lines: string[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const value = propertyValue(property);
    if (value !== '') lines.push(`**${name}:** ${value}`);
  }
  return lines;
}

function propertyValue(property: Record<string, unknown> & { type: string }): string {
  const data = property[property.type];
  switch (property.type) {
    case 'rich_text': {
      const parsed = richTextSchema.safeParse(data);
      return parsed.success ? richMarkdown(parsed.data) : '';
    }
    case 'select':
    case 'status':
      return typeof (data as { name?: unknown } | null)?.name === 'string'
        ? (data as { name: string }).name
        : '';
    case 'multi_select':
      return Array.isArray(data)
        ? data
            .map((option: { name?: unknown }) => (typeof option.name === 'string' ? option.name : ''))
            .filter((name) => name !== '')
            .join(', ')
        : '';
    case 'number':
      return typeof data === 'number' ? String(data) : '';
    case 'checkbox':
      return data === true ? 'yes' : data === false ? 'no' : '';
    case 'url':
    case 'email':
    case 'phone_number':
      return typeof data === 'string' ? data : '';
    case 'date': {
      const date = data as { start?: unknown; end?: unknown } | null;
      if (typeof date?.start !== 'string') return '';
      return typeof date.end === 'string' ? `${date.start} to ${date.end}` : date.start;
    }
    default:
      return '';
  }
}

/** A page as a document: its title as the top heading, database properties, then its blocks as Markdown. */
export function pageDocument(page: NotionPage, ancestry: Ancestry, blocks: BlockNode[]): SourceDocument {
  const title = titleOf(page.properties) || 'Untitled';
  const parts = [`# ${title}`];
  const properties = propertyLines(page.properties);
  if (properties.length > 0) parts.push(properties.join('\n'));
  const body = blocksToMarkdown(blocks);
  if (body !== '') parts.push(body);
  return {
    externalId: page.id,
    title,
    content: { kind: 'markdown', markdown: parts.join('\n\n') + '\n' },
    ...(page.url ? { url: page.url } : {}),
    updatedAt: new Date(page.last_edited_time).toISOString(),
    hierarchy: ancestry.titles,
    metadata: { parentType: page.parent.type },
  };
}
