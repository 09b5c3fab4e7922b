/**
 * The console window's preload. Sandboxed preloads are CommonJS and may load nothing but `electron`, so this
 * file has no runtime import of our modules: the contract is used for types only, which the compiler erases,
 * and the channel names are checked against `desktopChannelOf` by type.
 *
 * Exposes one function per message (Electron security checklist), never `ipcRenderer` or a generic invoke.
 */
import type {
  AppInfo,
  DesktopApi,
  NotificationRequest,
  OpenFilesRequest,
  desktopChannelOf,
} from '../core/contract/desktop.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the only import form a .cts file allows under verbatimModuleSyntax
import electron = require('electron');

const channels: typeof desktopChannelOf = {
  openFiles: 'dialog:open-files',
  showInFolder: 'shell:show-in-folder',
  appInfo: 'app:info',
  notify: 'notify:show',
};

const api: DesktopApi = {
  openFiles: (request: OpenFilesRequest) =>
    electron.ipcRenderer.invoke(channels.openFiles, request) as Promise<string[]>,
  showInFolder: (path: string) =>
    electron.ipcRenderer.invoke(channels.showInFolder, { path }) as Promise<void>,
  appInfo: () => electron.ipcRenderer.invoke(channels.appInfo) as Promise<AppInfo>,
  notify: (request: NotificationRequest) =>
    electron.ipcRenderer.invoke(channels.notify, request) as Promise<void>,
};

electron.contextBridge.exposeInMainWorld('airdesk', api);
