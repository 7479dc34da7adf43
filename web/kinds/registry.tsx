// The web app's node-kind registry: one entry per kind (icon, one-line summary, inspector layout, where its preview's
// sample rows come from), keyed by the kinds' own ids, so a kind without an entry here does not compile.
// Light on purpose: the run page shows its icons too, so it imports kind metadata only, never the compiler.
import type { ComponentType } from 'react';
import { connectorKindLabel, FILTER_OP_LABELS, getKind, isKindId, isPreviewCurrent, objectWording, type KINDS, type KindCategory, type KindId } from '../../shared/graph/kinds';
import type { GraphNode } from '../../shared/graph/schema';
import { IconDatabase, IconFile, IconFunction, IconFunnel, IconPlug, IconShuffle, IconSparkle, IconTable, IconTableIn } from '../components/icons';
import { draftConfig, type DraftConfig } from './draft-config';
import { filterStepName } from './filter-name';

/** Where a source's sample rows for the designer's live preview come from (implemented in use-node-preview). */
export type SampleSourceId = 'uploaded-file' | 'sql-preview' | 'workspace-records' | 'webhook-sample';

type Samples<K extends KindId> = (typeof KINDS)[K] extends { readsUploadedFiles: true } ? 'uploaded-file' : Exclude<SampleSourceId, 'uploaded-file'>;

interface WebKindBase<K extends KindId> {
  icon: ComponentType<{ size?: number }>;
  /** The line under the node's label on the canvas, from its config as far as it is filled in. */
  summary(config: DraftConfig<K>): string;
  /** The inspector opens wider: the form holds formulas or mappings. */
  wide?: true;
  /** The name a new step gets from what it works on ("orders.csv", "customers"), once its settings say; none for kinds without a natural name. */
  defaultName?(config: DraftConfig<K>): string | null;
}

/** Sources say where their preview's sample rows come from; a kind reading uploaded files takes the upload's rows. */
export type WebKind<K extends KindId> = WebKindBase<K> & ((typeof KINDS)[K]['category'] extends 'source' ? { samples: Samples<K> } : { samples?: never });

const lastPart = (object: string | undefined) => (object ? object.slice(object.lastIndexOf('.') + 1).trim() || null : null);

/** "Choose a table", "Choose an object", "Choose an endpoint": a chosen connection's system (a database before it is known). */
const chooseObject = (connector: string, role: 'read' | 'write') => {
  const { noun } = objectWording(connector || 'postgres', role);
  return `Choose ${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A formula on one line, cut to fit a node card. */
export function shortFormula(formula: string, max = 36): string {
  const flat = formula.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

// Annotated rather than `satisfies`, so an entry read through a generic id keeps its kind's types.
export const WEB_KINDS: { readonly [K in KindId]: WebKind<K> } = {
  'csv-source': {
    icon: IconFile,
    samples: 'uploaded-file',
    defaultName: (c) => c.fileName?.trim() || null,
    summary: (c) => {
      const name = c.fileName || (c.fileId ? 'Uploaded file' : '');
      return name ? `${name} · ${plural(c.columns?.length ?? 0, 'column')}` : 'No file yet';
    },
  },
  'sql-source': {
    icon: IconTable,
    samples: 'sql-preview',
    defaultName: (c) => lastPart(c.object),
    summary: ({ connectionId = '', connector = '', object = '', query = '', columns = [], preview = null }) => {
      if (!connectionId) return 'Choose a connection';
      if (!object) return chooseObject(connector, 'read');
      const current = isPreviewCurrent({ connectionId, object, query, preview: preview?.loadedAt !== undefined && preview.hash !== undefined ? { loadedAt: preview.loadedAt, hash: preview.hash } : null });
      const table = object.includes('.') ? object.slice(object.lastIndexOf('.') + 1) : object;
      return [table, query.trim() ? 'filtered' : null, plural(columns.length, connector && !objectWording(connector, 'read').sql ? 'field' : 'column'), current ? 'previewed' : 'not previewed'].filter(Boolean).join(' · ');
    },
  },
  'workspace-source': {
    icon: IconDatabase,
    samples: 'workspace-records',
    wide: true,
    defaultName: (c) => c.object?.trim() || null,
    summary: ({ object, filter = '' }) => {
      if (!object) return 'Choose an object';
      const where = shortFormula(filter, 28);
      return where ? `${object} · where ${where}` : `${object} · all records`;
    },
  },
  'webhook-source': {
    icon: IconPlug,
    samples: 'webhook-sample',
    wide: true,
    summary: ({ columns = [], recordsPath = '' }) =>
      columns.length === 0 ? 'Paste a sample body' : [`Inbound URL · ${plural(columns.length, 'field')}`, recordsPath ? `at ${recordsPath}` : null].filter(Boolean).join(' · '),
  },
  map: {
    icon: IconShuffle,
    wide: true,
    summary: ({ fields = [] }) => {
      if (fields.length === 0) return 'No fields mapped';
      const keys = fields.filter((f) => f.key === true).flatMap((f) => (f.target ? [f.target] : []));
      return `${plural(fields.length, 'field')}${keys.length ? ` · key: ${keys.join(', ')}` : ' · no key'}`;
    },
  },
  filter: {
    icon: IconFunnel,
    wide: true,
    defaultName: (c) => filterStepName(c),
    summary: ({ mode, match, conditions = [], formula = '' }) => {
      if (mode === 'formula') {
        const short = shortFormula(formula, 32);
        return short ? `Keep where ${short}` : 'No formula yet';
      }
      const [only] = conditions;
      if (!only) return 'No conditions';
      if (conditions.length > 1) return `${plural(conditions.length, 'condition')} · match ${match === 'any' ? 'any' : 'all'}`;
      const label = only.op ? FILTER_OP_LABELS[only.op] : '';
      const value = only.op === 'empty' || only.op === 'not_empty' ? '' : ` ${only.value || '…'}`;
      return `${only.field || '…'} ${label}${value}`;
    },
  },
  'calculated-field': {
    icon: IconFunction,
    wide: true,
    defaultName: (c) => (c.field?.trim() ? `Add ${c.field.trim()}` : null),
    summary: ({ field = '', formula = '' }) => {
      const short = shortFormula(formula, 30);
      if (!short) return field.trim() ? `${field.trim()} = …` : 'No formula yet';
      return `${field.trim() || '…'} = ${short}`;
    },
  },
  'workspace-target': {
    icon: IconDatabase,
    defaultName: (c) => c.object?.trim() || null,
    summary: ({ object, mode }) => (object ? `${mode ?? 'upsert'} → ${object}` : 'Choose an object'),
  },
  'sql-target': {
    icon: IconTableIn,
    defaultName: (c) => lastPart(c.object),
    summary: ({ connectionId, connector = '', object, mode }) => {
      if (!connectionId) return 'Choose a connection';
      return object ? `${mode ?? 'upsert'} → ${object}` : chooseObject(connector, 'write');
    },
  },
  'two-way-sync': {
    icon: IconShuffle,
    wide: true,
    summary: ({ a, b, direction, fields = [] }) => {
      if (!a?.object || !b?.object) return 'Choose side A and side B';
      const arrow = direction === 'push' ? '→' : direction === 'pull' ? '←' : direction === 'disabled' ? '×' : '⇄';
      return `${lastPart(a.object) ?? a.object} ${arrow} ${lastPart(b.object) ?? b.object} · ${plural(fields.length, 'field')}`;
    },
  },
};

/** Any kind's entry, for code that reads only what every entry has (its config type unknown). */
export type SomeWebKind = Omit<WebKindBase<KindId>, 'summary' | 'defaultName'> & { samples?: SampleSourceId };

export function webKind(kind: string): SomeWebKind | undefined {
  return isKindId(kind) ? WEB_KINDS[kind] : undefined;
}

function summaryOf<K extends KindId>(kind: K, config: unknown): string {
  return WEB_KINDS[kind].summary(draftConfig(kind, config));
}

/**
 * The kind's label for this node: a database-or-app source or target says what its connection's system holds
 * ("Read HubSpot object", "Write REST endpoint", "Read database table"); every other kind its own label.
 */
export function kindLabelOf(node: Pick<GraphNode, 'kind' | 'config'>): string | undefined {
  return connectorKindLabel(node) ?? getKind(node.kind)?.label;
}

/** The one-line summary under a canvas node ("customers.csv · 5 columns"); '' for a kind this app does not know. */
export function nodeSummary(node: Pick<GraphNode, 'kind' | 'config'>): string {
  return isKindId(node.kind) ? summaryOf(node.kind, node.config) : '';
}

function defaultNameOf<K extends KindId>(kind: K, config: unknown): string | null {
  const entry: WebKindBase<K> = WEB_KINDS[kind];
  return entry.defaultName?.(draftConfig(kind, config)) ?? null;
}

/** The name a step gets from its settings, or null when they say nothing yet (or the kind has no natural name). */
export function defaultStepName(node: Pick<GraphNode, 'kind' | 'config'>): string | null {
  return isKindId(node.kind) ? defaultNameOf(node.kind, node.config) : null;
}

const BY_CATEGORY: Record<KindCategory, ComponentType<{ size?: number }>> = { source: IconFile, transform: IconSparkle, target: IconDatabase };

/** The kind's icon (palette, canvas, run steps); a kind this app does not know falls back by category. */
export function KindIcon({ kind, size = 16 }: { kind: string; size?: number }) {
  const Icon = webKind(kind)?.icon ?? BY_CATEGORY[getKind(kind)?.category ?? 'transform'];
  return <Icon size={size} />;
}
