// A compile problem tied to the node (and config field) that causes it, so the UI can badge it.
import { z } from 'zod';

export const Diagnostic = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  /** Dotted path inside the node's config, e.g. `fields.2.type`. */
  path: z.string().optional(),
  /** For a formula: the character range inside the text at `path`, for editor markers. */
  range: z.object({ start: z.number().int(), end: z.number().int() }).optional(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

export type Report = (d: Omit<Diagnostic, 'nodeId' | 'severity'> & { severity?: Diagnostic['severity'] }) => void;

export const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === 'error');
