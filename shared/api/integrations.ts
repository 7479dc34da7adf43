// Integration, version and file shapes served by the API and read by the web app.
import { z } from 'zod';
import { nameRecord } from '../util/name-record';
import { hasNul } from '../util/nul';
import { hasControlCharacters, NAME_CONTROL_MESSAGE } from '../util/control-characters';
import { Diagnostic } from '../compiler/diagnostics';
import { Plan } from '../compiler/plan';
import { Field } from '../graph/field-types';
import { FileCompression, FileFormat } from '../graph/kinds/file-source';
import { Graph } from '../graph/schema';
import { RunFile, RunFilesInput, RunStatus } from './runs';

// No control characters (sched13): a name travels into alert mail subjects, webhook payloads and the audit log; a CR/LF
// in it only passed because nodemailer folds header line breaks. Set names refuse them already.
const SavedName = z.string().trim().min(1, 'Name is required').max(120);
/** What a name may not hold (shared/util/control-characters.ts); the API checks a renamed one against it (runtime/api/integrations.ts). */
export { NAME_CONTROL_MESSAGE };
const IntegrationName = SavedName.refine((name) => !hasControlCharacters(name), NAME_CONTROL_MESSAGE);
/** What the integration is for, in the person's words; shown on its card and under its name in the designer. */
const IntegrationDescription = z
  .string()
  .max(2000, 'Keep the description under 2,000 characters')
  .refine((d) => !d.includes('\u0000'), 'The description cannot hold a NUL character');

export const IntegrationInput = z.object({
  name: IntegrationName,
  description: IntegrationDescription.default(''),
  graph: Graph,
});
export type IntegrationInput = z.infer<typeof IntegrationInput>;

/** Only what is sent changes: no defaults here, so saving the graph keeps the description. */
// The name is checked for control characters only when it changes (runtime/api/integrations.ts): one saved before
// they were refused comes back unchanged with every designer save, which must keep working (review13b).
export const IntegrationPatch = z.object({ name: SavedName, description: IntegrationDescription, graph: Graph }).partial();
export type IntegrationPatch = z.infer<typeof IntegrationPatch>;

export const Integration = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  graph: Graph,
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedVersionId: z.string().nullable(),
  publishedVersionNumber: z.number().int().nullable(),
  /** True when the draft differs from the published version. */
  hasUnpublishedChanges: z.boolean(),
  /** A deactivated integration cannot run (by hand, by the trigger API or on a schedule). */
  active: z.boolean().default(true),
  /** Why it was deactivated, in words, when Weft did it ("Deactivated after 5 failed runs in a row"); null when a person did. */
  disabledReason: z.string().nullable().default(null),
});
export type Integration = z.infer<typeof Integration>;

export const IntegrationSummary = Integration.omit({ graph: true }).extend({
  nodeCount: z.number().int(),
  lastRun: z
    .object({ id: z.string(), status: RunStatus, createdAt: z.string(), endedAt: z.string().nullable() })
    .nullable(),
});
export type IntegrationSummary = z.infer<typeof IntegrationSummary>;

export const IntegrationVersion = z.object({
  id: z.string(),
  integrationId: z.string(),
  number: z.number().int().positive(),
  graph: Graph,
  plan: Plan,
  hash: z.string(),
  createdAt: z.string(),
});
export type IntegrationVersion = z.infer<typeof IntegrationVersion>;

export const PublishResult = z.object({ version: IntegrationVersion, diagnostics: z.array(Diagnostic) });

/** A run's name as a person types it: at most 200 characters, no U+0000 (Postgres text cannot hold it). */
export const RunName = z
  .string()
  .trim()
  .max(200, 'A run name has at most 200 characters')
  .refine((s) => !s.includes('\u0000'), 'A run name cannot contain the character U+0000 (NUL)')
  .refine((s) => s.includes('\u0000') || !hasControlCharacters(s), NAME_CONTROL_MESSAGE);

export const StartRunInput = z.object({
  /** What to call the run in the history; "Manual run, <date time>" (or "API run, …") when omitted. */
  name: RunName.optional(),
  /**
   * Values of the integration's declared parameters by name (defaults fill the rest): checked against the
   * declarations. Kept under their own names (`__proto__` too, so it is refused as undeclared rather than dropped);
   * a value holding U+0000 is refused here, since the run's stored parameters cannot hold it.
   */
  params: nameRecord(z.unknown().refine((v) => !hasNul(v), 'A parameter value cannot contain the character U+0000 (NUL)')).default(() => ({})),
  files: RunFilesInput,
  /** Issue 14: read everything once, whatever the sources' kept cursors ("Run full sync"). */
  fullSync: z.boolean().optional(),
  /** Issue 14: apply deletes even above a target's threshold (after a run held them back). */
  confirmDeletes: z.boolean().optional(),
  /**
   * Issue 14, "Sync and refresh": re-read every source record and rewrite every mapped field of the matched target
   * records with the current mapping (a changed formula reaches old records); the cursors move as after a full sync.
   */
  refresh: z.boolean().optional(),
});
export const StartRunResult = z.object({ runId: z.string(), workflowId: z.string(), files: z.array(RunFile) });

export const UploadedFile = z.object({
  id: z.string(),
  name: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  columns: z.array(Field),
  delimiter: z.string(),
  sampleRows: z.array(nameRecord(z.string())),
  createdAt: z.string(),
  // Files uploaded before JSON and NDJSON existed are plain CSV.
  format: FileFormat.default('csv'),
  compression: FileCompression.default('none'),
  /** JSON: the dotted path of the array of records ('' = the top level). */
  recordsPath: z.string().optional(),
  /** Zip: the entry inside that was read. */
  zipEntry: z.string().optional(),
  /** CSV: whether the first row was taken as the header (absent on files uploaded before it was kept: true). */
  hasHeader: z.boolean().optional(),
  /** Excel: the sheet that was read, and every sheet in the workbook. */
  sheet: z.string().optional(),
  sheets: z.array(z.string()).optional(),
  /** PGP/GPG-encrypted: reading it needs a Files connection holding the private key. Absent: not encrypted. */
  encrypted: z.boolean().optional(),
});
export type UploadedFile = z.infer<typeof UploadedFile>;

export const WorkspaceObject = z.object({
  name: z.string(),
  label: z.string(),
  key: z.array(z.string()),
  /** Each attribute's name and type; a Currency's ISO code and the object a Reference points at when set. */
  attributes: z.array(Field),
  recordCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WorkspaceObject = z.infer<typeof WorkspaceObject>;

export const WorkspaceRecord = z.object({
  key: z.string(),
  values: nameRecord(z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WorkspaceRecord = z.infer<typeof WorkspaceRecord>;

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), offset: z.number().int(), limit: z.number().int() });

export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** For validation errors: which field was wrong and why. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    diagnostics: z.array(Diagnostic).optional(),
    /** needs_key / key_refused on an upload: the stored file to sniff again with a Files connection. */
    fileId: z.string().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;

/** Progress event streamed over SSE while a run is in flight. */
export const RunEvent = z.object({ type: z.literal('run'), run: z.unknown() });
