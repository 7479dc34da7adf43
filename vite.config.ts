// Builds the web app (web/) into dist/web; in dev, /api goes to the Weft runtime on :8080 (as if the page were
// served from there: the runtime accepts only its own Host and Origin).
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { routeAddressesPlugin } from './vite.route-addresses';

/** The project's shared/ folder: pure modules (no I/O, no globals; ESLint keeps them so). */
const SHARED = fileURLToPath(new URL('./shared/', import.meta.url));

export default defineConfig({
  root: 'web',
  // The routes' methods and paths for the first page's requests, read from shared/api/routes (vite.route-addresses.ts).
  plugins: [react(), routeAddressesPlugin()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
    // Monaco is one lazy chunk of ~3 MB raw (~830 KB gzipped), loaded only when a formula editor opens.
    chunkSizeWarningLimit: 3500,
    rolldownOptions: {
      treeshake: {
        // shared/ modules only define values, so one imported for nothing it uses can be left out, and a module the
        // first page only passes through a barrel (e.g. the formula checker behind `shared/index.ts`) is loaded with
        // the lazy page that uses it instead of with the first page. Anything else keeps the default.
        moduleSideEffects: (id) => (id.startsWith(SHARED) ? false : undefined),
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: true, headers: { origin: 'http://127.0.0.1:8080' } },
    },
  },
  preview: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: true, headers: { origin: 'http://127.0.0.1:8080' } },
    },
  },
});
