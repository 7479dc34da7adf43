// Loads the Monaco chunk once, on first use of a formula editor; never part of the initial bundle.
import type { MonacoApi } from './monaco-setup';

let loading: Promise<MonacoApi> | null = null;

export function loadMonaco(): Promise<MonacoApi> {
  loading ??= import('./monaco-setup').then(
    (m) => m.monaco,
    (err: unknown) => {
      loading = null; // let a later editor try again (a chunk that failed to download)
      throw err;
    },
  );
  return loading;
}
