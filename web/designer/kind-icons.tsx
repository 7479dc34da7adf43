// One icon per node kind (palette, canvas, run steps); unknown kinds fall back by category.
import type { ComponentType } from 'react';
import { getKind } from '../../shared';
import { IconDatabase, IconFile, IconFunction, IconFunnel, IconShuffle, IconSparkle, IconTable, IconTableIn } from '../components/icons';

const ICONS: Record<string, ComponentType<{ size?: number }>> = {
  'csv-source': IconFile,
  'sql-source': IconTable,
  'workspace-source': IconDatabase,
  map: IconShuffle,
  filter: IconFunnel,
  'calculated-field': IconFunction,
  'workspace-target': IconDatabase,
  'sql-target': IconTableIn,
};

const BY_CATEGORY: Record<string, ComponentType<{ size?: number }>> = {
  source: IconFile,
  transform: IconSparkle,
  target: IconDatabase,
};

export function KindIcon({ kind, size = 16 }: { kind: string; size?: number }) {
  const Icon = ICONS[kind] ?? BY_CATEGORY[getKind(kind)?.category ?? 'transform'] ?? IconSparkle;
  return <Icon size={size} />;
}
