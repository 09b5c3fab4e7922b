import { defineConfig } from 'vite';

// The embeddable chat widget (GET /widget.js on the widget listener): one self-contained, minified IIFE with no
// imports and no assets, so a host page needs nothing but the <script> tag. Plain TypeScript and DOM, no framework.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist/widget',
    emptyOutDir: true,
    target: 'es2020',
    minify: true,
    sourcemap: false,
    lib: {
      entry: 'renderer/widget/main.ts',
      formats: ['iife'],
      name: 'AirdeskWidget',
      fileName: () => 'widget.js',
    },
  },
});
