// "Create this table" for a database target: what the route takes and answers. Apart from connections.ts (and not
// re-exported by shared/index.ts) so its schemas load with the designer, not in the first-load bundle.
import { z } from 'zod';
import { FieldType } from '../graph/field-types';

/** A table or column name for "Create this table": the dialect checks its own length rules; NUL is never a name. */
const NewIdentifier = (what: string) =>
  z
    .string()
    .min(1, `Name the ${what}`)
    .max(128, `The ${what} name is longer than 128 characters`)
    .refine((n) => !n.includes('\u0000'), `A ${what} name cannot hold a NUL character`)
    .refine((n) => n.trim() === n, `A ${what} name cannot start or end with a space`);

/**
 * "Create this table" for a database target: the table's name (schema-qualified where the system has schemas) and
 * the columns from the mapped fields and their Weft types; `key` becomes the primary key. `dryRun` only answers the
 * statement, to show before anything runs.
 */
export const CreateTableInput = z
  .object({
    object: NewIdentifier('table').max(200),
    fields: z.array(z.object({ name: NewIdentifier('column'), type: FieldType })).min(1, 'Map at least one field to create a table').max(1000),
    key: z.array(z.string()).max(32).default([]),
    dryRun: z.boolean().default(false),
  })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    input.fields.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'name'], message: `Column "${f.name}" appears twice` });
      seen.add(f.name);
    });
    input.key.forEach((k, i) => {
      if (!seen.has(k)) ctx.addIssue({ code: 'custom', path: ['key', i], message: `Key "${k}" is not among the fields` });
    });
    if (new Set(input.key).size !== input.key.length) ctx.addIssue({ code: 'custom', path: ['key'], message: 'A key field appears twice' });
  });
export type CreateTableInput = z.infer<typeof CreateTableInput>;

export const CreateTableResult = z.object({
  /** The table as discovery names it (schema.table on Postgres). */
  object: z.string(),
  /** The statement, as it ran (or would run, on a dry run). */
  ddl: z.string(),
  created: z.boolean(),
});
export type CreateTableResult = z.infer<typeof CreateTableResult>;
