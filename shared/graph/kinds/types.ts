// What every node kind declares: its label, category, ports, config schema and defaults. Metadata only: how a kind
// shapes the rows it emits is the compiler's (shared/compiler/infer), so the web app's first load carries no checker.
import type { z } from 'zod';
import type { RowSchema } from '../field-types';

export type KindCategory = 'source' | 'transform' | 'target';

/** Facts the compiler may know about the world: existing workspace objects, by name. */
export interface CompileContext {
  workspaceObjects?: Record<string, RowSchema>;
  /** Value maps formulas may LOOKUP, by name (from the graph when not given). */
  valueMaps?: Record<string, Record<string, unknown>>;
  /** The integration's declared run parameters (from the graph when not given): PARAM("name") is checked against them. */
  params?: readonly { name: string; type: 'text' | 'number' | 'date' | 'boolean' }[];
  /** The integration's sync switch (its settings'): off, a two-way sync says which of its fields it overrides. */
  syncEnabled?: boolean;
  /** The member systems MEMBER("system", id) may name (docs/members.md); absent: any name, checked at run time. */
  memberSystems?: readonly string[];
  /**
   * The ids of the saved connections (the server's compile: publish and POST /compile); absent: not checked. A node
   * naming another id published, and every run failed with "The connection … no longer exists" (probe18).
   */
  connectionIds?: ReadonlySet<string>;
  /** Of the uploaded files the graph's file sources name (`config.fileId`), those that exist (the server's compile); absent: not checked. */
  fileIds?: ReadonlySet<string>;
}

/**
 * A kind's metadata. `readsUploadedFiles` is a capability flag: the kind reads a file uploaded to Weft
 * (`config.fileId`), so a run may replace that file, the run page lists it, and the designer's preview reads the
 * upload's sample rows. Code asks the flag, never the kind id.
 */
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
  /** The saved connections the config names, each with its config path (the compiler checks they exist). */
  connectionRefs?(config: C): { path: string; id: string }[];
}

/**
 * Declares a kind, keeping its literal facts (`category: 'transform'`, `readsUploadedFiles: true`) in its type so the
 * other layers' registries can be keyed by them, and checking that `defaults()` fits the config schema.
 */
export const defineKind = <const D extends NodeKindDef<unknown>>(def: D & NodeKindDef<z.output<D['config']>>): D => def;
