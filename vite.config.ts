// Builds the web app (web/) into dist/web; in dev, /api goes to the Weft runtime on :8080 (as if the page were
// served from there: the runtime accepts only its own Host and Origin).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
    // Monaco is one lazy chunk of ~3 MB raw (~830 KB gzipped), loaded only when a formula editor opens.
    chunkSizeWarningLimit: 3500,
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
