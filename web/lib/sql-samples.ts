// The first rows of each previewed Database table source, cached by preview hash (connection + table + query)
// for the designer's live previews; after a reload they are read again through the preview endpoint.
import { useSyncExternalStore } from 'react';
import { isPreviewCurrent, SqlSourceConfig } from '../../shared';
import { api } from '../api';

type Rows = Record<string, unknown>[];
const samples = new Map<string, Rows>();
const loading = new Set<string>();
const failed = new Set<string>();
const listeners = new Set<() => void>();
let version = 0;

const changed = () => {
  version++;
  for (const l of listeners) l();
};

export function rememberSqlSample(hash: string, rows: Rows) {
  samples.set(hash, rows);
  failed.delete(hash);
  changed();
}

/** The config of a sql-source whose preview is current, else null. */
export function currentSqlSource(config: unknown): SqlSourceConfig | null {
  const parsed = SqlSourceConfig.safeParse(config);
  return parsed.success && isPreviewCurrent(parsed.data) ? parsed.data : null;
}

export const cachedSqlSample = (config: unknown): Rows | null => {
  const c = currentSqlSource(config);
  return c?.preview ? (samples.get(c.preview.hash) ?? null) : null;
};

/** Reads the rows of previewed sources not cached yet; failures are not retried this session. */
export function ensureSqlSamples(configs: Iterable<unknown>, preview = api.previewSource) {
  for (const config of configs) {
    const c = currentSqlSource(config);
    const hash = c?.preview?.hash;
    if (!c || !hash || samples.has(hash) || loading.has(hash) || failed.has(hash)) continue;
    loading.add(hash);
    preview(c.connectionId, { object: c.object, ...(c.query.trim() ? { query: c.query } : {}) }).then(
      (p) => {
        loading.delete(hash);
        rememberSqlSample(hash, p.rows);
      },
      () => {
        loading.delete(hash);
        failed.add(hash);
        changed();
      },
    );
  }
}

export const isSqlSampleLoading = (config: unknown) => {
  const hash = currentSqlSource(config)?.preview?.hash;
  return hash ? loading.has(hash) : false;
};

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

export const useSqlSampleVersion = () => useSyncExternalStore(subscribe, () => version);
