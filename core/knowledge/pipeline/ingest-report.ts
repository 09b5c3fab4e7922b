import type { IndexMaintenance } from '../../contract/retrieval.js';

/** What `airdesk ingest` (and later a connector sync) did, for the CLI, the console and the sync-run record. */
export interface IngestReport {
  tenant: string;
  source: string;
  added: number;
  updated: number;
  /** Unchanged since the last run (same content hash). */
  skipped: number;
  /** In the source before, not seen in this run. */
  deleted: number;
  failed: { file: string; externalId?: string; reason: string }[];
  /** Files passed over on purpose (unsupported type, hidden, symlink loop). */
  ignored: { file: string; reason: string }[];
  chunks: number;
  seconds: number;
  documentsPerSecond: number;
  chunksPerSecond: number;
  index: IndexMaintenance | null;
  /** Set when vectors were not computed because no embedding model is installed. */
  notice?: string;
}

export function emptyReport(tenant: string, source: string): IngestReport {
  return {
    tenant,
    source,
    added: 0,
    updated: 0,
    skipped: 0,
    deleted: 0,
    failed: [],
    ignored: [],
    chunks: 0,
    seconds: 0,
    documentsPerSecond: 0,
    chunksPerSecond: 0,
    index: null,
  };
}

/** The human summary `airdesk ingest` prints: counts on one line, then one line per failure. */
export function formatReport(report: IngestReport): string {
  const lines = [
    `${report.source}: ${report.added} added, ${report.updated} updated, ${report.skipped} skipped (unchanged), ` +
      `${report.deleted} deleted, ${report.failed.length} failed; ${report.chunks} chunks in ` +
      `${report.seconds.toFixed(1)} s (${report.chunksPerSecond.toFixed(0)} chunks/s)`,
  ];
  for (const f of report.failed)
    lines.push(`  failed: ${f.file}${f.externalId ? ` [${f.externalId}]` : ''}: ${f.reason}`);
  for (const i of report.ignored) lines.push(`  ignored: ${i.file}: ${i.reason}`);
  if (report.notice) lines.push(`  note: ${report.notice}`);
  return lines.join('\n');
}
