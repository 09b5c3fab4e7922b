import type { TenantId } from '../contract/tenant.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';

/**
 * Deletes a connector's documents that `gone(externalId)` says the source no longer holds: index first, then
 * the store rows, as `ingestDocuments` prunes, so a crash in between leaves rows the next prune deletes again.
 * Returns how many were deleted.
 */
export async function pruneConnectorDocuments(
  kb: KnowledgeBase,
  tenant: TenantId,
  connectorId: string,
  gone: (externalId: string) => boolean,
  options: { guard?: boolean } = {},
): Promise<number> {
  const store = kb.store;
  const sources = (await store.knowledge.listSources(tenant)).filter((s) => s.connectorId === connectorId);
  let deleted = 0;
  for (const source of sources) {
    const documents = await store.knowledge.listDocuments(tenant, {
      sourceId: source.id,
      limit: Number.MAX_SAFE_INTEGER,
    });
    const doomed = documents.filter((d) => gone(d.externalId));
    if (doomed.length === 0) continue;
    if (options.guard && isMassDeletion(doomed.length, documents.length)) {
      throw new MassPruneRefused(
        `the source no longer lists ${doomed.length} of its ${documents.length} documents; nothing was deleted, ` +
          'because an unmounted share or a partial listing looks the same. If they really are gone, run ' +
          '"airdesk sync <id> --full"',
      );
    }
    const index = await kb.indexFor(tenant);
    await index.deleteDocuments(doomed.map((d) => d.id));
    for (const d of doomed) if (await store.knowledge.deleteDocument(tenant, d.id)) deleted += 1;
  }
  return deleted;
}

/** A prune that would delete most of a source: refused unless the sync was a full one the admin asked for. */
export class MassPruneRefused extends Error {
  override readonly name = 'MassPruneRefused';
}

/** More than half of a source with at least 10 documents. */
export function isMassDeletion(doomed: number, held: number): boolean {
  return held >= 10 && doomed > held / 2;
}

/**
 * Removes a connector and everything it brought in: its documents' chunks from the index, then (cascading in
 * the store) its source, documents, checkpoint and runs. Secrets are the caller's to delete.
 */
export async function removeConnectorData(
  kb: KnowledgeBase,
  tenant: TenantId,
  connectorId: string,
): Promise<boolean> {
  await pruneConnectorDocuments(kb, tenant, connectorId, () => true);
  return kb.store.connectors.delete(tenant, connectorId);
}
