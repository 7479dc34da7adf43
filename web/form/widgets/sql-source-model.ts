// The pure part of the Database table source's widgets: what picking a table or loading a preview writes
// into the node config, and whether the stored preview still matches what the node reads.
import { isPreviewCurrent, SqlPreviewStamp, type DiscoveredObjectInfo, type SourcePreview } from '../../../shared';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Picking a table takes its discovered columns and key; the old preview no longer proves anything. */
export const patchForObject = (object: DiscoveredObjectInfo) => ({
  object: object.name,
  columns: object.fields.map((f) => ({ name: f.name, type: f.type })),
  key: [...object.primaryKey],
});

/** A loaded preview: its columns, key and the stamp that lets the integration publish. */
export const patchForPreview = (preview: SourcePreview) => ({ columns: preview.columns, key: preview.key, preview: preview.preview });

export type PreviewState = 'none' | 'current' | 'stale';

export function previewState(config: Record<string, unknown>): PreviewState {
  const stamp = SqlPreviewStamp.safeParse(config.preview);
  if (!stamp.success) return 'none';
  return isPreviewCurrent({ connectionId: str(config.connectionId), object: str(config.object), query: str(config.query), preview: stamp.data }) ? 'current' : 'stale';
}

/** A preview cell as text: dates as ISO, objects as JSON, null as empty. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
