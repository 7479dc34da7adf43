// A node's config as drafted on the canvas, typed: every field may still be missing (a node just dropped, a form half
// filled), but a field that is there has its schema's type. Read with the kind's own schema, field by field, so a
// summary never shows a value of the wrong type and never needs a cast.
import { z } from 'zod';
import { KINDS, type KindConfig, type KindId } from '../../shared/graph/kinds';

/** T with every field, at every depth, optional. */
export type Draft<T> = T extends readonly (infer E)[] ? Draft<E>[] : T extends object ? { [P in keyof T]?: Draft<T[P]> } : T;
export type DraftConfig<K extends KindId> = Draft<KindConfig<K>>;

/** The same schema, forgiving: a missing or mistyped field is left out (or takes its default); lists keep their items. */
function forgiving(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodDefault) {
    const fallback: unknown = schema.parse(undefined);
    return forgiving(schema.unwrap() as z.ZodType).transform((v) => (v === undefined ? fallback : v));
  }
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => [key, forgiving(field)]));
    return z.object(shape).catch({});
  }
  if (schema instanceof z.ZodArray) return z.array(forgiving(schema.element as z.ZodType)).catch([]);
  return schema.optional().catch(undefined);
}

const readers = new Map<KindId, z.ZodType>();

/** The node's config as far as it is filled in. */
export function draftConfig<K extends KindId>(kind: K, config: unknown): DraftConfig<K> {
  let reader = readers.get(kind);
  if (!reader) {
    reader = forgiving(KINDS[kind].config as z.ZodType);
    readers.set(kind, reader);
  }
  // `forgiving` keeps exactly the schema's fields and types, each optional: what DraftConfig<K> spells out.
  return reader.parse(config ?? {}) as DraftConfig<K>;
}
