import { readFile } from 'node:fs/promises';
import vm from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { desktopChannelOf, type DesktopApi } from '../core/contract/desktop.js';

/**
 * Runs preload.cts the way a sandboxed renderer does: compiled to CommonJS, with a `require` that knows only
 * `electron` (here a recording fake), so the test fails if the preload grows any other runtime import.
 */
async function runPreload() {
  const source = await readFile(new URL('./preload.cts', import.meta.url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: false,
    },
    fileName: 'preload.cts',
  });
  const required: string[] = [];
  const invoked: unknown[][] = [];
  const exposed = new Map<string, unknown>();
  const electron = {
    ipcRenderer: {
      invoke: (...args: unknown[]) => {
        invoked.push(args);
        return Promise.resolve(`answer to ${String(args[0])}`);
      },
    },
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  };
  const require = (name: string) => {
    required.push(name);
    if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
    return electron;
  };
  const module = { exports: {} };
  vm.runInNewContext(outputText, { require, module, exports: module.exports });
  return { required, invoked, exposed };
}

describe('preload', () => {
  it('requires nothing but electron', async () => {
    const { required } = await runPreload();
    expect(required).toEqual(['electron']);
  });

  it('exposes exactly the DesktopApi functions as window.airdesk', async () => {
    const { exposed } = await runPreload();
    expect([...exposed.keys()]).toEqual(['airdesk']);
    const api = exposed.get('airdesk') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(Object.keys(desktopChannelOf).sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
  });

  it('sends each function on its own contract channel with its argument', async () => {
    const { exposed, invoked } = await runPreload();
    const api = exposed.get('airdesk') as DesktopApi;
    await expect(api.openFiles({ multiple: true })).resolves.toBe('answer to dialog:open-files');
    await api.showInFolder('/tmp/a.md');
    await api.appInfo();
    await api.notify({ title: 'New escalation', body: 'high' });
    expect(invoked).toEqual([
      [desktopChannelOf.openFiles, { multiple: true }],
      [desktopChannelOf.showInFolder, { path: '/tmp/a.md' }],
      [desktopChannelOf.appInfo],
      [desktopChannelOf.notify, { title: 'New escalation', body: 'high' }],
    ]);
  });
});
