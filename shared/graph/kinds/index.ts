// The node-kind registry: the one list every layer (compiler, canvas, executors) keys off.
import { calculatedField } from './calculated-field';
import { csvSource } from './csv-source';
import { filterKind } from './filter';
import { mapKind } from './map';
import { sqlSource } from './sql-source';
import { sqlTarget } from './sql-target';
import type { NodeKindDef } from './types';
import { workspaceSource } from './workspace-source';
import { workspaceTarget } from './workspace-target';

export const KINDS = {
  'csv-source': csvSource,
  'sql-source': sqlSource,
  'workspace-source': workspaceSource,
  map: mapKind,
  filter: filterKind,
  'calculated-field': calculatedField,
  'workspace-target': workspaceTarget,
  'sql-target': sqlTarget,
} as const;

export type KindId = keyof typeof KINDS;
export const KIND_IDS = Object.keys(KINDS) as KindId[];

export const isKindId = (k: string): k is KindId => Object.hasOwn(KINDS, k);

export function getKind(kind: string): NodeKindDef<unknown> | undefined {
  return isKindId(kind) ? (KINDS[kind] as NodeKindDef<unknown>) : undefined;
}

export type KindConfig<K extends KindId> = ReturnType<(typeof KINDS)[K]['defaults']>;

export * from './types';
export { CsvSourceConfig, filePreviewHash, filePreviewStamp, isFilePreviewCurrent, withFilePreview, type FileStampInput } from './csv-source';
export { SqlSourceConfig, SqlPreviewStamp, sqlPreviewHash, isPreviewCurrent, stringHash } from './sql-source';
export { MapConfig, MapField, canConvert } from './map';
export { FilterConfig, FilterCondition, FilterOp, FILTER_OP_LABELS } from './filter';
export { WorkspaceTargetConfig } from './workspace-target';
export { WorkspaceSourceConfig } from './workspace-source';
export { SqlTargetConfig, fitsColumn, targetKey } from './sql-target';
export { CalculatedFieldConfig } from './calculated-field';
