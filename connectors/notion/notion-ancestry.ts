import type { Client } from '@notionhq/client';
import { z } from 'zod';
import { isAppError } from '../../core/contract/index.js';
import {
  notionCall,
  parentSchema,
  plainText,
  richTextSchema,
  sameId,
  type NotionParent,
} from './notion-api.js';

/** Where a page sits: the ids above it (pages, databases, data sources, blocks) and the titles, outermost first. */
export interface Ancestry {
  ids: string[];
  titles: string[];
}

interface AncestorNode {
  ids: string[];
  title: string | null;
  parent: NotionParent | null;
}

const pageNodeSchema = z
  .object({
    id: z.string(),
    parent: parentSchema,
    properties: z.record(
      z.string(),
      z.object({ type: z.string(), title: richTextSchema.optional() }).passthrough(),
    ),
  })
  .passthrough();
const databaseNodeSchema = z
  .object({ id: z.string(), parent: parentSchema, title: richTextSchema.optional() })
  .passthrough();
const blockNodeSchema = z.object({ id: z.string(), parent: parentSchema }).passthrough();

/** The title property of a page (whatever its name), as plain text. */
export function titleOf(properties: Record<string, { type: string; title?: unknown }>): string {
  for (const property of Object.values(properties)) {
    if (property.type !== 'title') continue;
    const parsed = richTextSchema.safeParse(property.title);
    if (parsed.success) return plainText(parsed.data);
  }
  return '';
}

/**
 * Resolves page ancestry by walking `parent` references (GET pages, databases, blocks), cached for the life of
 * the source. A parent the integration cannot read ends the walk: the hierarchy is what the token can see.
 */
export class AncestryResolver {
  private readonly cache = new Map<string, Promise<AncestorNode | null>>();

  constructor(private readonly baseUrl: string) {}

  async of(parent: NotionParent, client: Client, signal: AbortSignal): Promise<Ancestry> {
    const ids: string[] = [];
    const titles: string[] = [];
    let current: NotionParent | null = parent;
    for (let depth = 0; current !== null && depth < 32; depth++) {
      const node = await this.node(current, client, signal);
      if (node === null) break;
      ids.unshift(...node.ids);
      if (node.title !== null) titles.unshift(node.title);
      current = node.parent;
    }
    return { ids, titles };
  }

  private node(parent: NotionParent, client: Client, signal: AbortSignal): Promise<AncestorNode | null> {
    const ref = refOf(parent);
    if (ref === null) return Promise.resolve(null);
    const key = `${ref.kind}:${sameId(ref.id)}`;
    let node = this.cache.get(key);
    if (node === undefined) {
      node = this.fetch(ref, parent, client, signal).catch((error: unknown) => {
        this.cache.delete(key);
        if (isAppError(error) && (error.code === 'not_found' || error.code === 'forbidden')) return null;
        throw error;
      });
      this.cache.set(key, node);
    }
    return node;
  }

  private async fetch(
    ref: { kind: 'page' | 'database' | 'block'; id: string },
    parent: NotionParent,
    client: Client,
    signal: AbortSignal,
  ): Promise<AncestorNode> {
    if (ref.kind === 'page') {
      const page = await notionCall(
        `GET /v1/pages/${ref.id}`,
        pageNodeSchema,
        () => client.pages.retrieve({ page_id: ref.id }),
        signal,
        this.baseUrl,
      );
      return { ids: [page.id], title: titleOf(page.properties) || 'Untitled', parent: page.parent };
    }
    if (ref.kind === 'database') {
      const database = await notionCall(
        `GET /v1/databases/${ref.id}`,
        databaseNodeSchema,
        () => client.databases.retrieve({ database_id: ref.id }),
        signal,
        this.baseUrl,
      );
      const ids = [database.id, ...(parent.data_source_id ? [parent.data_source_id] : [])];
      return { ids, title: plainText(database.title) || 'Untitled database', parent: database.parent };
    }
    const block = await notionCall(
      `GET /v1/blocks/${ref.id}`,
      blockNodeSchema,
      () => client.blocks.retrieve({ block_id: ref.id }),
      signal,
      this.baseUrl,
    );
    return { ids: [block.id], title: null, parent: block.parent };
  }
}

function refOf(parent: NotionParent): { kind: 'page' | 'database' | 'block'; id: string } | null {
  if (parent.type === 'page_id' && parent.page_id) return { kind: 'page', id: parent.page_id };
  if ((parent.type === 'database_id' || parent.type === 'data_source_id') && parent.database_id)
    return { kind: 'database', id: parent.database_id };
  if (parent.type === 'block_id' && parent.block_id) return { kind: 'block', id: parent.block_id };
  return null;
}
