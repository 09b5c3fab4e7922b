import { z } from 'zod';
import { AppError } from '../../contract/errors.js';
import type { ModelManifest } from '../../contract/retrieval.js';

const manifestSchema = z.looseObject({
  kind: z.enum(['embedder', 'reranker']),
  dims: z.number().int().positive(),
  pooling: z.enum(['mean', 'cls']),
  maxTokens: z.number().int().positive(),
  license: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (the sha256 of model.onnx)'),
  queryPrefix: z.string().optional(),
  documentPrefix: z.string().optional(),
  source: z.string().optional(),
});

/**
 * Parses a manifest.json's text; `file` names it in the error, whose message says which field is wrong so an
 * admin who copied a model folder in can fix it.
 */
export function parseManifest(text: string, file: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError(
      'invalid_input',
      `${file} is not valid JSON (${(error as Error).message}); fix it or copy the model folder again`,
    );
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `"${i.path.join('.') || '(root)'}" ${i.message}`);
    throw new AppError(
      'invalid_input',
      `${file} is not a valid model manifest: ${problems.join('; ')}. ` +
        'It needs {kind, dims, pooling: mean|cls, maxTokens, license, sha256} (SPEC.md "Models")',
    );
  }
  const { kind, dims, pooling, maxTokens, license, sha256, queryPrefix, documentPrefix, source } =
    parsed.data;
  const manifest: ModelManifest = { kind, dims, pooling, maxTokens, license, sha256 };
  if (queryPrefix !== undefined) manifest.queryPrefix = queryPrefix;
  if (documentPrefix !== undefined) manifest.documentPrefix = documentPrefix;
  if (source !== undefined) manifest.source = source;
  return manifest;
}
