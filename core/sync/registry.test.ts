import { describe, expect, it } from 'vitest';
import { connectorKinds, loadConnector } from './registry.js';
import { FakeSource, fakeRegistry } from './testing/fake-connector.js';

describe('connector registry', () => {
  it('lists the shipped kinds and loads one lazily through the computed URL', async () => {
    expect(await connectorKinds()).toEqual(['confluence', 'folder', 'jira', 'notion', 'sharepoint']);
    const folder = await loadConnector('folder');
    expect(folder.kind).toBe('folder');
  });

  it('reports an unknown kind, a broken module and a wrong export as AppErrors', async () => {
    const registry = {
      ...fakeRegistry(new FakeSource()),
      broken: () => Promise.reject(new Error('SyntaxError: Unexpected token')),
      wrong: async () => ({ default: { kind: 'other' } as never }),
    };
    expect((await loadConnector('fake', registry)).kind).toBe('fake');
    await expect(loadConnector('gopher', registry)).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'unknown connector type "gopher"; available: broken, fake, wrong',
    });
    await expect(loadConnector('broken', registry)).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/^the broken connector could not be loaded \(SyntaxError/) as unknown,
    });
    await expect(loadConnector('wrong', registry)).rejects.toMatchObject({ code: 'unavailable' });
    await expect(loadConnector('constructor', registry)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
