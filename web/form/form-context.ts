// What every inspector widget may read and write: the node's config, its problems and its upstream fields.
import type { Diagnostic, MapTargetSchema, PreviewResult, RowSchema, RunParameter, Sampling, WorkspaceObject } from '../../shared';

export interface FormCtx {
  nodeId: string;
  /** The integration being designed (absent before it is saved): widgets that talk to its routes need it. */
  integrationId?: string;
  kind: string;
  config: Record<string, unknown>;
  diagnostics: Diagnostic[];
  /** The rows flowing into this node, from compile(...).schemas of the upstream node. */
  upstream: RowSchema | null;
  upstreamLabel: string | null;
  /** The step's own name as the canvas shows it. */
  nodeLabel?: string;
  /** A Map's target fields (the table's columns, the workspace object's attributes), for auto-map; null when unknown. */
  downstream?: MapTargetSchema | null;
  workspaceObjects: WorkspaceObject[];
  /** The graph's value maps as formulas read them (LOOKUP): name -> (from -> to). */
  valueMaps: Record<string, Record<string, unknown>>;
  /** The integration's declared run parameters (PARAM). */
  params?: readonly RunParameter[];
  /** Sample rows reaching this node and what it makes of them; null when there is no preview. */
  preview: (PreviewResult & { loading?: boolean; sampling?: Sampling | null }) | null;
  /** The clock TODAY() and NOW() read in previews (fixed while the designer is open). */
  previewNow: number;
  /** The integration's sync switch (its settings; on when unset): a two-way sync says which fields it stops. */
  syncEnabled?: boolean;
  /** `merge` folds rapid edits of one field (typing) into one undo step. */
  set(path: string, value: unknown, opts?: { merge?: boolean }): void;
  /** Replaces several top-level keys at once (a file upload sets file, delimiter and columns). */
  patch(values: Record<string, unknown>): void;
}
