// The compiler's registry: how each node kind shapes its rows, keyed by the kinds' own ids so none can be missing.
// Kept out of the kind metadata: it pulls in the formula checker, which only the compiler needs.
import type { KindConfig, KindId } from '../../graph/kinds';
import { inferCalculatedField } from './calculated-field';
import { inferFileSource } from './file-source';
import { inferFilter } from './filter';
import { inferMap } from './map';
import { inferSqlSource } from './sql-source';
import { inferSqlTarget } from './sql-target';
import type { KindInfer } from './types';
import { inferWebhookSource } from './webhook-source';
import { inferWorkspaceSource } from './workspace-source';
import { inferWorkspaceTarget } from './workspace-target';
import { inferTwoWaySync } from './two-way-sync';

export const INFER: { readonly [K in KindId]: KindInfer<KindConfig<K>> } = {
  'csv-source': inferFileSource,
  'sql-source': inferSqlSource,
  'workspace-source': inferWorkspaceSource,
  'webhook-source': inferWebhookSource,
  map: inferMap,
  filter: inferFilter,
  'calculated-field': inferCalculatedField,
  'workspace-target': inferWorkspaceTarget,
  'sql-target': inferSqlTarget,
  'two-way-sync': inferTwoWaySync,
};

/** The kind's inference over a config its schema has parsed (the compiler's one untyped call site). */
export const inferFor = (kind: KindId): KindInfer<unknown> => INFER[kind] as KindInfer<unknown>;

export type { KindInfer } from './types';
