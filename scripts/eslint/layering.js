// The layer rules of STYLE.md, checked on every import like VS Code's `local/code-layering`.
// A layer is found from the importing file's path; an import is resolved relative to it and must land in a
// layer that the importer may use. Package imports are checked too: `electron` only from electron/, native
// modules only from core/.
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Which layer a project file belongs to, or null for files outside the layered tree (configs). */
export function layerOf(file) {
  const rel = path.relative(root, file).split(path.sep).join('/');
  if (rel.startsWith('core/contract/')) return 'contract';
  if (rel.startsWith('core/')) return 'core';
  // connectors/index.ts (the lazy registry) sits above the connector folders; everything in a folder is that connector.
  if (rel.startsWith('connectors/'))
    return rel.split('/').length === 2 ? 'connectors' : 'connector:' + (rel.split('/')[1] ?? '');
  if (rel.startsWith('renderer/')) return 'renderer';
  if (rel.startsWith('electron/')) return 'electron';
  if (rel.startsWith('models/')) return 'models';
  if (rel.startsWith('scripts/')) return 'scripts';
  if (rel.startsWith('e2e/')) return 'e2e';
  return null;
}

const nativeModules = [
  'better-sqlite3',
  'sqlite-vec',
  '@lancedb/lancedb',
  'onnxruntime-node',
  'node-llama-cpp',
];

/** Why `from` may not import `target` (a layer or package), or null when it may. */
export function violation(from, target) {
  if (target.kind === 'package') {
    const name = target.name;
    if (name === 'electron' && from !== 'electron') return `only electron/ may import "electron"`;
    if (nativeModules.includes(name) && !['core', 'scripts', 'e2e'].includes(from))
      return `native module "${name}" may only be imported in core/`;
    return null;
  }
  const to = target.layer;
  if (to === null || to === from) return null;
  if (to === 'contract') return null;
  if (from === 'contract') return `core/contract imports nothing of ours (found an import of ${to})`;
  if (from === 'core' && to !== 'contract') return `core/ may not import ${to}`;
  if (from === 'connectors')
    return to.startsWith('connector:')
      ? null
      : `the connector registry may import only core/contract and connectors`;
  if (from.startsWith('connector:')) return `a connector may import only core/contract and its own folder`;
  if (from === 'renderer') return `renderer/ may import only core/contract`;
  if (from === 'electron')
    return `electron/ may import only core/contract (start the core as its own process)`;
  if (from === 'models' && to !== 'scripts' && to !== 'core') return `models/ may not import ${to}`;
  if (to === 'scripts' && from !== 'scripts' && from !== 'models' && from !== 'e2e')
    return `nothing the app runs may import scripts/`;
  if (to === 'e2e') return `e2e/ is tests only`;
  return null;
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce the layer rules of STYLE.md' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (from === null) return {};
    function check(node, spec) {
      if (typeof spec !== 'string') return;
      let target;
      if (spec.startsWith('.'))
        target = { kind: 'file', layer: layerOf(path.resolve(path.dirname(file), spec)) };
      else if (spec.startsWith('node:')) return;
      else target = { kind: 'package', name: packageName(spec) };
      const why = violation(from, target);
      if (why) context.report({ node, message: `Layer violation: ${why} ("${spec}").` });
    }
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { layering: rule } };
