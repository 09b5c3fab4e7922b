import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The console's session partition. No `persist:` prefix, so it lives in memory: the console token changes every
 * start, and a session cookie for it has no business on disk.
 */
export const consolePartition = 'airdesk-console';

export interface ConsoleWindowInputs {
  /** Absolute path of the compiled preload (`dist/electron/preload.cjs`). */
  preload: string;
  /** DevTools for developers only; a packaged app has none. */
  devTools: boolean;
}

/**
 * Options of the console window, following Electron's security checklist: isolated, sandboxed, no Node, web
 * security on, no insecure content, no experimental or Blink features, no `<webview>`.
 */
export function consoleWindowOptions(inputs: ConsoleWindowInputs): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 840,
    minWidth: 800,
    minHeight: 560,
    title: 'airdesk',
    // Shown on `ready-to-show`, so the user never sees an empty white frame.
    show: false,
    webPreferences: {
      preload: inputs.preload,
      partition: consolePartition,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      // Chromium's spellchecker downloads dictionaries from Google: nothing may leave an air-gapped machine.
      spellcheck: false,
      devTools: inputs.devTools,
    },
  };
}
