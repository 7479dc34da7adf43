// Builds the web app (web/) into dist/web; in dev, /api goes to the Weft runtime on :8080 (as if the page were
// served from there: the runtime accepts only its own Host and Origin).
import react from '@vitejs/plugin-react';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { defineConfig, type Plugin, type Rolldown } from 'vite';
import { routeAddressesPlugin } from './vite.route-addresses';

/** The project's shared/ folder: pure modules (no I/O, no globals; ESLint keeps them so). */
const SHARED = fileURLToPath(new URL('./shared/', import.meta.url));

/** The modules a module imports statically, transitively (dynamic imports are other chunks' business). */
function staticClosure(from: string, ctx: Rolldown.ChunkingContext): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(ctx.getModuleInfo(id)?.importedIds ?? []));
  }
  return seen;
}

const ENTRY = fileURLToPath(new URL('./web/main.tsx', import.meta.url));
const CONTRACTS = fileURLToPath(new URL('./web/api-contracts.ts', import.meta.url));
/** Per build (the grouping below fills it on its first call). */
let closures: { entry: Set<string>; contracts: Set<string> } | undefined;
const freshClosures: Plugin = { name: 'weft-contracts-chunk', buildStart: () => void (closures = undefined) };
/** Reached statically from web/api-contracts.ts and not from the entry: the contracts' own chunk. */
function contractsOnly(id: string, ctx: Rolldown.ChunkingContext): boolean {
  closures ??= { entry: staticClosure(ENTRY, ctx), contracts: staticClosure(CONTRACTS, ctx) };
  return closures.contracts.has(id) && !closures.entry.has(id);
}

/**
 * Writes a Brotli (`.br`) and a gzip (`.gz`) copy beside every built text asset, which the runtime's static handler
 * sends to browsers that accept them (runtime/static.ts, `precompressed`): compressed once at build time, not per
 * request. Source maps stay plain (only developer tools fetch them).
 */
export const precompressPlugin: Plugin = {
  name: 'weft-precompress',
  apply: 'build',
  async writeBundle(options) {
    const dir = options.dir;
    if (dir === undefined) return;
    const files = (await readdir(dir, { recursive: true })).filter((f) => /\.(js|css|html|svg|json|txt)$/.test(f));
    await Promise.all(
      files.map(async (file) => {
        const raw = await readFile(join(dir, file));
        if (raw.length < 1024) return;
        const params = { [zlibConstants.BROTLI_PARAM_QUALITY]: raw.length > 1_000_000 ? 9 : 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length };
        await writeFile(join(dir, `${file}.br`), await promisify(brotliCompress)(raw, { params }));
        await writeFile(join(dir, `${file}.gz`), await promisify(gzip)(raw, { level: 9 }));
      }),
    );
  },
};

export default defineConfig({
  root: 'web',
  // The routes' methods and paths for the first page's requests, read from shared/api/routes (vite.route-addresses.ts).
  plugins: [react(), routeAddressesPlugin(), freshClosures, precompressPlugin],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
    // Monaco is one lazy chunk of ~3 MB raw (~830 KB gzipped), loaded only when a formula editor opens.
    chunkSizeWarningLimit: 3500,
    rolldownOptions: {
      output: {
        // What web/api-contracts.ts needs beyond the first page's own modules (zod, the route files, their schemas)
        // is one chunk: the client asks for it at start-up, beside its first request, and a dozen small files would
        // queue behind the browser's six connections to the host, and that request with them.
        codeSplitting: {
          // Only what the test captures: a dependency the first page shares (web/api.ts, roles) stays where it is.
          groups: [{ debugName: 'contracts', name: (id, ctx) => (contractsOnly(id, ctx) ? 'contracts' : null), includeDependenciesRecursively: false }],
        },
      },
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
