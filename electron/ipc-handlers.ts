import path from 'node:path';
import type { OpenDialogOptions } from 'electron';
import { AppError } from '../core/contract/errors.js';
import type {
  AppInfo,
  DesktopChannel,
  DesktopChannels,
  NotificationRequest,
  OpenFilesRequest,
} from '../core/contract/desktop.js';
import { isTrustedSender } from './navigation.js';

/** What the handlers may do to the desktop: the Electron modules main.ts passes in, fakes in tests. */
export interface DesktopServices {
  showOpenDialog(options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
  showItemInFolder(fullPath: string): void;
  appInfo(): AppInfo;
  /** Shows a native notification; clicking it brings the console window forward. */
  notify(request: NotificationRequest): void;
}

/** One handler per channel; each takes the renderer's untrusted argument and validates it. */
export type DesktopHandlers = {
  [C in DesktopChannel]: (request: unknown) => Promise<DesktopChannels[C][1]>;
};

/** Builds the handlers of the DesktopApi channels over `services`. */
export function createDesktopHandlers(services: DesktopServices): DesktopHandlers {
  return {
    'dialog:open-files': async (request) => {
      const result = await services.showOpenDialog(openDialogOptions(parseOpenFilesRequest(request)));
      return result.canceled ? [] : result.filePaths;
    },
    'shell:show-in-folder': (request) => {
      services.showItemInFolder(parseShowInFolderRequest(request));
      return Promise.resolve();
    },
    'app:info': (request) => {
      if (request !== undefined) throw invalid('app:info takes no argument');
      return Promise.resolve(services.appInfo());
    },
    'notify:show': (request) => {
      services.notify(parseNotificationRequest(request));
      return Promise.resolve();
    },
  };
}

/** The part of `ipcMain` the binding uses. */
export interface IpcRegistry {
  handle(channel: string, listener: (event: IpcInvocation, ...args: unknown[]) => Promise<unknown>): void;
}

/** The part of an IPC event the binding reads: the frame that sent it (null once it navigated or closed). */
export interface IpcInvocation {
  senderFrame: { url: string } | null;
}

/**
 * Registers every handler on `ipc`, answering only frames whose origin is the console's (Electron security
 * checklist: validate the sender of all IPC messages). The origin is read per call because it is known only
 * once the core is listening.
 */
export function bindDesktopHandlers(
  ipc: IpcRegistry,
  handlers: DesktopHandlers,
  consoleOrigin: () => string | null,
): void {
  for (const channel of Object.keys(handlers) as DesktopChannel[]) {
    const handler = handlers[channel];
    ipc.handle(channel, async (event, ...args) => {
      if (!isTrustedSender(event.senderFrame?.url, consoleOrigin()))
        throw new AppError('forbidden', `${channel} is answered only for the airdesk console`);
      if (args.length > 1) throw invalid(`${channel} takes at most one argument`);
      return handler(args[0]);
    });
  }
}

const maxExtensions = 50;
const maxPathChars = 4096;

/** Validates an OpenFilesRequest from the renderer: only known fields, of the right types and sizes. */
export function parseOpenFilesRequest(request: unknown): OpenFilesRequest {
  if (request === undefined) return {};
  if (!isPlainObject(request)) throw invalid('openFiles takes an object');
  const known = new Set(['title', 'directories', 'multiple', 'extensions']);
  for (const key of Object.keys(request))
    if (!known.has(key)) throw invalid(`openFiles does not take "${key}"`);
  const { title, directories, multiple, extensions } = request;
  const result: OpenFilesRequest = {};
  if (title !== undefined) {
    if (typeof title !== 'string' || title.length > 200)
      throw invalid('title must be a string of ≤ 200 characters');
    result.title = title;
  }
  if (directories !== undefined) {
    if (typeof directories !== 'boolean') throw invalid('directories must be a boolean');
    result.directories = directories;
  }
  if (multiple !== undefined) {
    if (typeof multiple !== 'boolean') throw invalid('multiple must be a boolean');
    result.multiple = multiple;
  }
  if (extensions !== undefined) {
    if (
      !Array.isArray(extensions) ||
      extensions.length > maxExtensions ||
      !extensions.every((ext) => typeof ext === 'string' && /^[A-Za-z0-9]{1,16}$/.test(ext))
    )
      throw invalid(`extensions must be ≤ ${maxExtensions} extensions without the dot, e.g. ["md", "pdf"]`);
    result.extensions = extensions as string[];
  }
  return result;
}

/** The dialog options for a validated request: files unless folders are asked for, filtered by extension. */
export function openDialogOptions(request: OpenFilesRequest): OpenDialogOptions {
  const properties: OpenDialogOptions['properties'] = [request.directories ? 'openDirectory' : 'openFile'];
  if (request.multiple) properties.push('multiSelections');
  const options: OpenDialogOptions = { properties };
  if (request.title !== undefined) options.title = request.title;
  if (!request.directories && request.extensions && request.extensions.length > 0)
    options.filters = [{ name: request.extensions.join(', '), extensions: request.extensions }];
  return options;
}

/** Validates `{ path }` for showInFolder: an absolute path, as a file manager cannot resolve relative ones. */
export function parseShowInFolderRequest(request: unknown): string {
  if (!isPlainObject(request) || Object.keys(request).length !== 1 || typeof request.path !== 'string')
    throw invalid('showInFolder takes { path: string }');
  const fullPath = request.path;
  if (fullPath.length === 0 || fullPath.length > maxPathChars || fullPath.includes('\0'))
    throw invalid('showInFolder needs a non-empty path');
  if (!path.isAbsolute(fullPath)) throw invalid('showInFolder needs an absolute path');
  return fullPath;
}

/** Validates `{ title, body }` for notify: short plain strings (a notification is not a message viewer). */
export function parseNotificationRequest(request: unknown): NotificationRequest {
  if (!isPlainObject(request)) throw invalid('notify takes { title: string, body: string }');
  for (const key of Object.keys(request))
    if (key !== 'title' && key !== 'body') throw invalid(`notify does not take "${key}"`);
  const { title, body } = request;
  if (typeof title !== 'string' || title.trim() === '' || title.length > 200)
    throw invalid('notify needs a title of 1 to 200 characters');
  if (typeof body !== 'string' || body.length > 1000)
    throw invalid('notify needs a body of ≤ 1000 characters');
  return { title, body };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function invalid(message: string): AppError {
  return new AppError('invalid_input', message);
}
