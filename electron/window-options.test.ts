import { describe, expect, it } from 'vitest';
import { consolePartition, consoleWindowOptions } from './window-options.js';

describe('consoleWindowOptions', () => {
  const options = consoleWindowOptions({ preload: '/app/dist/electron/preload.cjs', devTools: false });
  const prefs = options.webPreferences ?? {};

  it('isolates and sandboxes the page with no Node access', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and every opt-in risk off', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.enableBlinkFeatures).toBeUndefined();
    expect(prefs.navigateOnDragDrop).toBe(false);
  });

  it('uses the in-memory console session, the given preload, and nothing that phones home', () => {
    expect(prefs.partition).toBe(consolePartition);
    expect(consolePartition.startsWith('persist:')).toBe(false);
    expect(prefs.preload).toBe('/app/dist/electron/preload.cjs');
    expect(prefs.spellcheck).toBe(false);
    expect(prefs.devTools).toBe(false);
    expect(options.show).toBe(false);
  });

  it('offers DevTools only when asked (development)', () => {
    expect(consoleWindowOptions({ preload: '/p.cjs', devTools: true }).webPreferences?.devTools).toBe(true);
  });
});
