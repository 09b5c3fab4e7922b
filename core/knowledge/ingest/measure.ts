/**
 * Parse + chunk + hash throughput, for the benchmark table and for spotting regressions:
 *   npx tsx core/knowledge/ingest/measure.ts [PATH...]   (default: the InsuranceQA corpus)
 * Prints one JSON line. The embedder is not involved: this is the ceiling ingestion can reach before embedding.
 */
import { fileURLToPath } from 'node:url';
import { chunkDocument } from './chunk.js';
import { contentHash } from './hash.js';
import { readDocuments } from './read-documents.js';

const defaultCorpus = fileURLToPath(
  new URL('../../../../shared/datasets/insuranceqa/corpus.jsonl', import.meta.url),
);

/** Reads, chunks and hashes everything under `paths`; returns counts and rates. */
export async function measureIngest(paths: readonly string[]): Promise<Record<string, number>> {
  const started = performance.now();
  let documents = 0;
  let failures = 0;
  let parents = 0;
  let children = 0;
  for await (const item of readDocuments(paths)) {
    if ('failure' in item || 'skipped' in item) {
      failures++;
      continue;
    }
    const chunks = chunkDocument(item, item.externalId);
    contentHash(item);
    documents++;
    parents += chunks.parents.length;
    children += chunks.children.length;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    documents,
    failures,
    parents,
    children,
    seconds: Math.round(seconds * 1000) / 1000,
    documentsPerSecond: Math.round(documents / seconds),
    childrenPerSecond: Math.round(children / seconds),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const paths = process.argv.slice(2);
  console.log(JSON.stringify(await measureIngest(paths.length > 0 ? paths : [defaultCorpus])));
}
