import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { consoleCspDirectives } from './core/contract/console-api.js';

/**
 * The console's Content-Security-Policy (core/contract/console-api.ts), also delivered in the built page itself so
 * it holds in any browser, whatever headers the server sends; without `frame-ancestors`, which browsers ignore in
 * a <meta> element.
 */
export const consolePageCsp = consoleCspDirectives.filter((d) => !d.startsWith('frame-ancestors')).join('; ');

/** Adds the CSP meta tag to the built index.html only: the dev server needs an inline script for React refresh. */
function cspMeta(): Plugin {
  return {
    name: 'airdesk-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: consolePageCsp },
        injectTo: 'head-prepend',
      },
    ],
  };
}

// The console is served by the core's console listener from dist/renderer, same origin as its API: everything
// (fonts, icons) is bundled, nothing comes from a CDN, since installations are air-gapped.
export default defineConfig({
  root: 'renderer',
  base: '/',
  plugins: [react(), cspMeta()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Keep every asset a file rather than a data: URL, so the CSP never has to allow one for scripts or styles.
    assetsInlineLimit: 0,
  },
});
