/**
 * What the desktop shell's preload exposes to the console page as `window.airdesk`: one function per message,
 * never a generic invoke (Electron security checklist). In a plain browser `window.airdesk` is undefined.
 */
export interface DesktopChannels {
  'dialog:open-files': [OpenFilesRequest, string[]];
  'shell:show-in-folder': [{ path: string }, void];
  'app:info': [void, AppInfo];
  'notify:show': [NotificationRequest, void];
}

/** A native notification (e.g. a new escalation); clicking it focuses the console window. */
export interface NotificationRequest {
  title: string;
  body: string;
}

export interface OpenFilesRequest {
  title?: string;
  /** Allow picking folders instead of files (e.g. a folder to ingest). */
  directories?: boolean;
  multiple?: boolean;
  /** File extensions without the dot, e.g. ["md", "pdf"]. */
  extensions?: string[];
}

export interface AppInfo {
  version: string;
  platform: string;
  consoleUrl: string;
}

export type DesktopChannel = keyof DesktopChannels;

export interface DesktopApi {
  openFiles(request: OpenFilesRequest): Promise<string[]>;
  showInFolder(path: string): Promise<void>;
  appInfo(): Promise<AppInfo>;
  notify(request: NotificationRequest): Promise<void>;
}

/** The channel each DesktopApi function sends on; main validates the sender before answering. */
export const desktopChannelOf = {
  openFiles: 'dialog:open-files',
  showInFolder: 'shell:show-in-folder',
  appInfo: 'app:info',
  notify: 'notify:show',
} as const satisfies Record<keyof DesktopApi, DesktopChannel>;
