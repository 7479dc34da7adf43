// The node-kind registry: the one list every layer (compiler, canvas, executors) keys off. Metadata only (labels,
// ports, config schemas); how a kind shapes its rows lives in shared/compiler/infer, keyed by the same ids.
import { calculatedField } from './calculated-field';
import { fileSource } from './file-source';
import { filterKind } from './filter';
import { mapKind } from './map';
import { sqlSource } from './sql-source';
import { sqlTarget } from './sql-target';
import type { KindCategory, NodeKindDef } from './types';
import { workspaceSource } from './workspace-source';
import { webhookSource } from './webhook-source';
import { workspaceTarget } from './workspace-target';
import { twoWaySync } from './two-way-sync';

export const KINDS = {
  // The id predates JSON, NDJSON and Excel; stored graphs keep it.
  'csv-source': fileSource,
  'sql-source': sqlSource,
  'workspace-source': workspaceSource,
  'webhook-source': webhookSource,
  map: mapKind,
  filter: filterKind,
  'calculated-field': calculatedField,
  'workspace-target': workspaceTarget,
  'sql-target': sqlTarget,
  'two-way-sync': twoWaySync,
} as const;

export type KindId = keyof typeof KINDS;
export const KIND_IDS = Object.keys(KINDS) as KindId[];

export const isKindId = (k: string): k is KindId => Object.hasOwn(KINDS, k);

export function getKind(kind: string): NodeKindDef<unknown> | undefined {
  return isKindId(kind) ? (KINDS[kind] as NodeKindDef<unknown>) : undefined;
}

/** A kind's config as its schema parses it. */
export type KindConfig<K extends KindId> = ReturnType<(typeof KINDS)[K]['defaults']>;

/** The ids of the kinds in one category, e.g. `KindIdsOf<'transform'>` = 'map' | 'filter' | 'calculated-field'. */
export type KindIdsOf<C extends KindCategory> = { [K in KindId]: (typeof KINDS)[K]['category'] extends C ? K : never }[KindId];

/** The kinds that read a file uploaded to Weft (a run may replace it). */
export const readsUploadedFiles = (kind: string): boolean => getKind(kind)?.readsUploadedFiles === true;

export * from './types';
export { FileSourceConfig, filePreviewHash, filePreviewStamp, isFilePreviewCurrent, withFilePreview, type FileStampInput } from './file-source';
/** @deprecated The kind reads CSV, JSON, NDJSON and Excel files: use FileSourceConfig (kept while branches merge). */
export { FileSourceConfig as CsvSourceConfig } from './file-source';
export { SqlSourceConfig, SqlPreviewStamp, sqlPreviewHash, isPreviewCurrent, stringHash } from './sql-source';
export { MapConfig, MapField, canConvert } from './map';
export { FilterConfig, FilterCondition, FilterOp, FILTER_OP_LABELS } from './filter';
export { WorkspaceTargetConfig } from './workspace-target';
export { WorkspaceSourceConfig } from './workspace-source';
export { SqlTargetConfig, fitsColumn, targetKey } from './sql-target';
export { CalculatedFieldConfig } from './calculated-field';
export { WebhookSourceConfig } from './webhook-source';
export { TwoWaySyncConfig, TwoWaySide, TwoWayField, WORKSPACE_UPDATED_AT } from './two-way-sync';
export { connectorKindLabel, objectWording, type ObjectWording } from './connector-wording';
