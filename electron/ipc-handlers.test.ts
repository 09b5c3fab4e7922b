import path from 'node:path';
import type { OpenDialogOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { desktopChannelOf, type NotificationRequest } from '../core/contract/desktop.js';
import {
  bindDesktopHandlers,
  createDesktopHandlers,
  openDialogOptions,
  parseOpenFilesRequest,
  parseShowInFolderRequest,
  type DesktopServices,
  type IpcInvocation,
} from './ipc-handlers.js';

const origin = 'http://127.0.0.1:41234';
const absolute = path.resolve('/tmp/airdesk/docs/readme.md');

/** Records what the handlers ask of the desktop, answering dialogs with `picked`. */
function fakeServices(picked: { canceled: boolean; filePaths: string[] }) {
  const calls: { dialogs: OpenDialogOptions[]; shown: string[]; notified: NotificationRequest[] } = {
    dialogs: [],
    shown: [],
    notified: [],
  };
  const services: DesktopServices = {
    showOpenDialog: (options) => {
      calls.dialogs.push(options);
      return Promise.resolve(picked);
    },
    showItemInFolder: (fullPath) => calls.shown.push(fullPath),
    appInfo: () => ({ version: '0.1.0', platform: 'linux', consoleUrl: `${origin}/` }),
    notify: (request) => calls.notified.push(request),
  };
  return { services, calls };
}

type Listener = (event: IpcInvocation, ...args: unknown[]) => Promise<unknown>;

/** Binds the handlers on a fake ipcMain and returns a way to invoke a channel as a given frame. */
function bound(services: DesktopServices, consoleOrigin: string | null = origin) {
  const listeners = new Map<string, Listener>();
  bindDesktopHandlers(
    { handle: (channel, listener) => listeners.set(channel, listener) },
    createDesktopHandlers(services),
    () => consoleOrigin,
  );
  const invoke = (channel: string, frameUrl: string | null, ...args: unknown[]) => {
    const listener = listeners.get(channel);
    if (!listener) throw new Error(`no handler for ${channel}`);
    return listener({ senderFrame: frameUrl === null ? null : { url: frameUrl } }, ...args);
  };
  return { listeners, invoke };
}

describe('bindDesktopHandlers', () => {
  it('registers exactly one handler per DesktopApi channel', () => {
    const { listeners } = bound(fakeServices({ canceled: true, filePaths: [] }).services);
    expect([...listeners.keys()].sort()).toEqual(Object.values(desktopChannelOf).sort());
  });

  it('answers the console frame', async () => {
    const { services, calls } = fakeServices({ canceled: false, filePaths: [absolute] });
    const { invoke } = bound(services);
    await expect(invoke('dialog:open-files', `${origin}/sources`, { multiple: true })).resolves.toEqual([
      absolute,
    ]);
    await expect(invoke('app:info', `${origin}/`)).resolves.toEqual({
      version: '0.1.0',
      platform: 'linux',
      consoleUrl: `${origin}/`,
    });
    await invoke('shell:show-in-folder', `${origin}/`, { path: absolute });
    expect(calls.shown).toEqual([absolute]);
  });

  it('refuses other origins, a missing frame, and any call before the console origin is known', async () => {
    const { services, calls } = fakeServices({ canceled: false, filePaths: [absolute] });
    const { invoke } = bound(services);
    for (const frame of [
      'http://127.0.0.1:41234.evil.com/',
      'http://127.0.0.1:9999/',
      'file:///x.html',
      null,
    ])
      await expect(invoke('dialog:open-files', frame, {}), String(frame)).rejects.toMatchObject({
        code: 'forbidden',
      });
    await expect(bound(services, null).invoke('app:info', `${origin}/`)).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(calls.dialogs).toEqual([]);
  });

  it('refuses extra arguments', async () => {
    const { invoke } = bound(fakeServices({ canceled: true, filePaths: [] }).services);
    await expect(invoke('dialog:open-files', `${origin}/`, {}, 'extra')).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(invoke('app:info', `${origin}/`, 'x')).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('notify:show', () => {
  it('shows a valid notification and refuses anything else', async () => {
    const { services, calls } = fakeServices({ canceled: true, filePaths: [] });
    const { invoke } = bound(services);
    await invoke('notify:show', `${origin}/`, { title: 'New escalation', body: 'urgent: refund' });
    expect(calls.notified).toEqual([{ title: 'New escalation', body: 'urgent: refund' }]);
    for (const request of [
      undefined,
      'x',
      { title: '' },
      { title: 'x', body: 5 },
      { title: 'x'.repeat(201), body: '' },
      { title: 'x', body: 'y'.repeat(1001) },
      { title: 'x', body: 'y', icon: '/etc/passwd' },
    ])
      await expect(
        invoke('notify:show', `${origin}/`, request),
        JSON.stringify(request),
      ).rejects.toMatchObject({
        code: 'invalid_input',
      });
    await expect(
      invoke('notify:show', 'https://evil.example/', { title: 'x', body: 'y' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(calls.notified).toHaveLength(1);
  });
});

describe('dialog:open-files', () => {
  it('returns no paths when the user cancels', async () => {
    const { services } = fakeServices({ canceled: true, filePaths: ['/ignored'] });
    await expect(createDesktopHandlers(services)['dialog:open-files']({})).resolves.toEqual([]);
  });

  it('asks for folders or filtered files', () => {
    expect(openDialogOptions({ directories: true, multiple: true, extensions: ['md'] })).toEqual({
      properties: ['openDirectory', 'multiSelections'],
    });
    expect(openDialogOptions({ title: 'Add documents', extensions: ['md', 'pdf'] })).toEqual({
      title: 'Add documents',
      properties: ['openFile'],
      filters: [{ name: 'md, pdf', extensions: ['md', 'pdf'] }],
    });
    expect(openDialogOptions({})).toEqual({ properties: ['openFile'] });
  });
});

describe('parseOpenFilesRequest', () => {
  it('accepts a valid request or none', () => {
    expect(parseOpenFilesRequest(undefined)).toEqual({});
    expect(
      parseOpenFilesRequest({ title: 'Pick', directories: false, multiple: true, extensions: ['pdf'] }),
    ).toEqual({ title: 'Pick', directories: false, multiple: true, extensions: ['pdf'] });
  });

  it('rejects unknown fields, wrong types and hostile extensions', () => {
    for (const request of [
      null,
      'x',
      [],
      { defaultPath: '/etc' },
      { properties: ['openFile'] },
      { title: 5 },
      { title: 'x'.repeat(201) },
      { directories: 'yes' },
      { multiple: 1 },
      { extensions: 'md' },
      { extensions: ['.md'] },
      { extensions: ['*'] },
      { extensions: ['md/../../x'] },
      { extensions: Array.from({ length: 51 }, () => 'md') },
      Object.assign(Object.create({ inherited: true }) as object, { title: 'x' }),
    ])
      expect(() => parseOpenFilesRequest(request), JSON.stringify(request)).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      );
  });
});

describe('parseShowInFolderRequest', () => {
  it('accepts an absolute path', () => {
    expect(parseShowInFolderRequest({ path: absolute })).toBe(absolute);
  });

  it('rejects relative, empty, NUL-bearing and malformed requests', () => {
    for (const request of [
      { path: 'docs/readme.md' },
      { path: '' },
      { path: `${absolute}\0.exe` },
      { path: absolute, extra: 1 },
      { path: 5 },
      absolute,
      undefined,
    ])
      expect(() => parseShowInFolderRequest(request), JSON.stringify(request)).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      );
  });
});
