// What every node kind declares: its config schema, its ports and how it shapes the rows it emits.
import type { z } from 'zod';
import type { Report } from '../../compiler/diagnostics';
import type { RowSchema } from '../field-types';

export type KindCategory = 'source' | 'transform' | 'target';

/** Facts the compiler may know about the world: existing workspace objects, by name. */
export interface CompileContext {
  workspaceObjects?: Record<string, RowSchema>;
  /** Value maps formulas may LOOKUP, by name (from the graph when not given). */
  valueMaps?: Record<string, Record<string, unknown>>;
}

export interface NodeKindDef<C = unknown> {
  kind: string;
  label: string;
  description: string;
  category: KindCategory;
  readsUploadedFiles?: true;
  /** Number of input ports (0 for sources) and output ports (0 for targets). */
  inputs: 0 | 1;
  outputs: 0 | 1;
  config: z.ZodType<C>;
  defaults(): C;
  /** The schema of rows this node emits (targets: the schema they write), reporting problems. */
  infer(config: C, input: RowSchema | null, report: Report, ctx: CompileContext): RowSchema | null;
}

export const defineKind = <C>(def: NodeKindDef<C>): NodeKindDef<C> => def;
