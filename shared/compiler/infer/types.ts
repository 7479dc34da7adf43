// How a kind shapes the rows it emits: the compiler calls it with the node's parsed config and its input's schema.
import type { RowSchema } from '../../graph/field-types';
import type { CompileContext } from '../../graph/kinds/types';
import type { Report } from '../diagnostics';

/** The schema of rows a node emits (targets: the schema they write), reporting the problems it finds. */
export type KindInfer<C> = (config: C, input: RowSchema | null, report: Report, ctx: CompileContext) => RowSchema | null;
