// Uploaded files' metadata and first rows, cached per file id for the designer's previews; after a
// reload they are fetched again with GET /api/files/:id. Components subscribe to hear when one arrives.
import { useSyncExternalStore } from 'react';
import type { UploadedFile } from '../../shared';
import { api } from '../api';

const files = new Map<string, UploadedFile>();
const loading = new Map<string, Promise<void>>();
const failed = new Set<string>();
const listeners = new Set<() => void>();
let version = 0;

const changed = () => {
  version++;
  for (const l of listeners) l();
};

/** An upload the browser just made (the widget already has its sample rows). */
export function rememberFile(file: UploadedFile) {
  files.set(file.id, file);
  failed.delete(file.id);
  changed();
}

export const cachedFile = (id: string): UploadedFile | undefined => files.get(id);

/** Starts fetching the files not known yet; each arrival notifies subscribers. Failures are not retried this session. */
export function ensureFiles(ids: Iterable<string>, fetchFile: (id: string) => Promise<UploadedFile> = api.getFile) {
  for (const id of ids) {
    if (!id || files.has(id) || loading.has(id) || failed.has(id)) continue;
    const p = fetchFile(id).then(
      (f) => {
        files.set(id, f);
        loading.delete(id);
        changed();
      },
      () => {
        failed.add(id);
        loading.delete(id);
        changed();
      },
    );
    loading.set(id, p);
  }
}

export const isFileLoading = (id: string) => loading.has(id);

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Re-renders the caller whenever a file arrives; the number is a cache version for memo deps. */
export const useFileCacheVersion = () => useSyncExternalStore(subscribe, () => version);
