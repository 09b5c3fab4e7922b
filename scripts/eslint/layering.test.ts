import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { layerOf, violation } from './layering.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const at = (rel: string) => path.join(root, rel);

describe('layering rule', () => {
  it('places files in their layers', () => {
    expect(layerOf(at('core/contract/errors.ts'))).toBe('contract');
    expect(layerOf(at('core/store/x.ts'))).toBe('core');
    expect(layerOf(at('connectors/jira/index.ts'))).toBe('connector:jira');
    expect(layerOf(at('connectors/index.ts'))).toBe('connectors');
    expect(layerOf(at('renderer/src/App.tsx'))).toBe('renderer');
    expect(layerOf(at('vite.config.ts'))).toBeNull();
  });

  it('allows what STYLE.md allows and refuses the rest', () => {
    const file = (layer: string | null) => ({ kind: 'file' as const, layer });
    const pkg = (name: string) => ({ kind: 'package' as const, name });
    expect(violation('renderer', file('contract'))).toBeNull();
    expect(violation('core', file('contract'))).toBeNull();
    expect(violation('electron', pkg('electron'))).toBeNull();
    expect(violation('core', pkg('better-sqlite3'))).toBeNull();
    expect(violation('models', file('core'))).toBeNull(); // set-up scripts use the core's converter
    expect(violation('renderer', file('core'))).toMatch(/only core\/contract/);
    expect(violation('contract', file('core'))).toMatch(/imports nothing of ours/);
    expect(violation('core', file('connector:jira'))).toMatch(/may not import/);
    expect(violation('core', file('electron'))).toMatch(/may not import/);
    expect(violation('connector:jira', file('connector:slack'))).toMatch(/own folder/);
    expect(violation('connectors', file('connector:jira'))).toBeNull(); // the lazy registry
    expect(violation('connectors', file('core'))).toMatch(/registry may import only/);
    expect(violation('core', file('connectors'))).toMatch(/may not import/);
    expect(violation('connector:jira', file('connectors'))).toMatch(/own folder/);
    expect(violation('core', pkg('electron'))).toMatch(/only electron/);
    expect(violation('renderer', pkg('onnxruntime-node'))).toMatch(/only be imported in core/);
    expect(violation('electron', file('core'))).toMatch(/own process/);
  });

  it('fails lint on an upward import in the real config', async () => {
    // The file does not exist, so type information is switched off; the layering rule needs none.
    const eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] });
    const [result] = await eslint.lintText(
      "import { openSqliteStore } from '../../core/store/sqlite/sqlite-store.js';\nexport const s = openSqliteStore;\n",
      {
        filePath: at('renderer/src/leak.ts'),
      },
    );
    const messages = result?.messages.map((m) => `${m.ruleId}: ${m.message}`) ?? [];
    expect(messages).toContain(
      'local/layering: Layer violation: renderer/ may import only core/contract ("../../core/store/sqlite/sqlite-store.js").',
    );
    expect(result?.errorCount).toBeGreaterThan(0);
  });
});
