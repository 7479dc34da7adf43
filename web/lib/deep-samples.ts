// Deeper samples of file sources, for previews a filter starves: the first records the source reads (up to
// SAMPLE_LIMITS: 10,000 records or 2 seconds on the server), fetched once per file and read settings, on demand.
// Components subscribe to hear when one arrives, as with file-samples.ts.
import { useSyncExternalStore } from 'react';
import { SAMPLE_LIMITS, type FilePreview, type FilePreviewInput, type SourceSample } from '../../shared';
import { api } from '../api';
import { previewInput } from '../form/widgets/file-source-model';

type Entry = { state: 'loading' } | { state: 'ready'; sample: SourceSample } | { state: 'failed' };

const samples = new Map<string, Entry>();
const listeners = new Set<() => void>();
let version = 0;
const changed = () => {
  version++;
  for (const l of listeners) l();
};

const keyOf = (fileId: string, input: FilePreviewInput) => JSON.stringify([fileId, input]);

/** A preview answer as a sample: raw records with their record numbers (typed again in the browser, as uploads are). */
export function sampleFromPreview(p: FilePreview, limit: number): SourceSample {
  const raw = p.sourceRows ?? p.rows;
  const rows = raw.map((values, i) => ({ rowNumber: p.rowNumbers?.[i] ?? i + 1, values }));
  return { rows, scanned: p.scanned, complete: rows.length < limit && !p.timedOut };
}

function keyFor(config: Record<string, unknown>): { fileId: string; input: FilePreviewInput; key: string } | null {
  const fileId = typeof config.fileId === 'string' ? config.fileId : '';
  const input = previewInput(config);
  return fileId && input ? { fileId, input, key: keyOf(fileId, input) } : null;
}

/** The deeper sample of a file source's config, once it has arrived. */
export function cachedDeepFileSample(config: Record<string, unknown>): SourceSample | null {
  const k = keyFor(config);
  const entry = k ? samples.get(k.key) : undefined;
  return entry?.state === 'ready' ? entry.sample : null;
}

/** Starts reading the deeper sample of a file source's config, unless it is known or on its way. Failures are not retried this session. */
export function ensureDeepFileSample(config: Record<string, unknown>, fetchPreview: typeof api.previewFile = api.previewFile): void {
  const k = keyFor(config);
  if (!k || samples.has(k.key)) return;
  samples.set(k.key, { state: 'loading' });
  changed();
  fetchPreview(k.fileId, { ...k.input, limit: SAMPLE_LIMITS.maxRows }).then(
    (p) => {
      samples.set(k.key, { state: 'ready', sample: sampleFromPreview(p, SAMPLE_LIMITS.maxRows) });
      changed();
    },
    () => {
      samples.set(k.key, { state: 'failed' });
      changed();
    },
  );
}

export function isDeepFileSampleFailed(config: Record<string, unknown>): boolean {
  const k = keyFor(config);
  return !!k && samples.get(k.key)?.state === 'failed';
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Re-renders the caller when a deeper sample arrives; the number is a cache version for memo deps. */
export const useDeepSampleVersion = () => useSyncExternalStore(subscribe, () => version);
