// The first records each Workspace source reads (its filter applied), cached by object + filter for the designer's
// live previews, and the object's first records unfiltered, for the filter editor's per-record TRUE/FALSE.
import { useSyncExternalStore } from 'react';
import { checkFormula, WorkspaceSourceConfig, type GraphNode, type RowSchema } from '../../shared';
import { api, errorMessage } from '../api';

type Rows = Record<string, unknown>[];
const samples = new Map<string, Rows>();
const loading = new Set<string>();
const failures = new Map<string, string>();
const listeners = new Set<() => void>();
let version = 0;

const changed = () => {
  version++;
  for (const l of listeners) l();
};

const keyOf = (object: string, filter: string) => JSON.stringify([object, filter.trim()]);

function parsed(config: unknown): WorkspaceSourceConfig | null {
  const c = WorkspaceSourceConfig.safeParse(config);
  return c.success && c.data.object ? c.data : null;
}

/** The sample's key, or null when there is no object or the filter has errors (nothing worth asking the server). */
function sampleKey(config: unknown, schema: RowSchema | null | undefined, filtered = true): string | null {
  const c = parsed(config);
  if (!c) return null;
  const filter = filtered ? c.filter.trim() : '';
  if (filter && (!schema || checkFormula(filter, { fields: schema.fields, expected: 'boolean' }).diagnostics.some((d) => d.severity === 'error'))) return null;
  return keyOf(c.object, filter);
}

function fetchSample(object: string, filter: string) {
  const key = keyOf(object, filter);
  if (samples.has(key) || loading.has(key) || failures.has(key)) return;
  loading.add(key);
  api.previewWorkspaceObject(object, { filter }).then(
    (p) => {
      loading.delete(key);
      samples.set(key, p.rows);
      changed();
    },
    (e: unknown) => {
      loading.delete(key);
      failures.set(key, errorMessage(e));
      changed();
    },
  );
  changed();
}

/** The records the source reads (filtered), when they have arrived. */
export function cachedWorkspaceSample(config: unknown, schema: RowSchema | null | undefined, filtered = true): Rows | null {
  const key = sampleKey(config, schema, filtered);
  return key ? (samples.get(key) ?? null) : null;
}

export function workspaceSampleState(config: unknown, schema: RowSchema | null | undefined, filtered = true): { loading: boolean; error: string | null } {
  const key = sampleKey(config, schema, filtered);
  return { loading: key ? loading.has(key) : false, error: key ? (failures.get(key) ?? null) : null };
}

/** Asks for these Workspace sources' samples (filtered and not) not cached yet; a failure is not retried this session. */
export function ensureWorkspaceSamples(nodes: readonly Pick<GraphNode, 'id' | 'config'>[], schemas: Record<string, RowSchema | null>) {
  for (const node of nodes) {
    const c = parsed(node.config);
    if (!c) continue;
    fetchSample(c.object, '');
    if (sampleKey(node.config, schemas[node.id], true)) fetchSample(c.object, c.filter.trim());
  }
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

export const useWorkspaceSampleVersion = () => useSyncExternalStore(subscribe, () => version);

export const anyWorkspaceSampleLoading = () => loading.size > 0;
