// The Workspace source's preview: the first records of an object as the source reads them (its filter applied).
import { z } from 'zod';
import { nameRecord } from '../util/name-record';

export const WorkspacePreviewInput = z.object({
  /** The source's TRUE/FALSE formula; empty: every record. */
  filter: z.string().max(10_000).default(''),
});
export type WorkspacePreviewInput = z.input<typeof WorkspacePreviewInput>;

export const WorkspacePreview = z.object({
  /** Up to 10 records in key order, with every attribute (null where a record has none). */
  rows: z.array(nameRecord(z.unknown())),
});
export type WorkspacePreview = z.infer<typeof WorkspacePreview>;
