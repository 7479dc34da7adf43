// The record inbox: rejected records across runs and integrations, fixed and resubmitted, or ignored with a note.
// One shape for the API, the store and the web page.
import { z } from 'zod';
import { nameRecord } from '../util/name-record';
import { hasControlCharacters, NAME_CONTROL_MESSAGE } from '../util/control-characters';

/**
 * Where a rejected record stands: `open` (rejected, nobody acted yet), `resubmitting` (in a resubmit run now),
 * `fixed` (a resubmit run wrote it), `still_failing` (a resubmit run rejected it again, with the new reason),
 * `ignored` (a person set it aside, with a note).
 */
export const InboxStatus = z.enum(['open', 'resubmitting', 'fixed', 'still_failing', 'ignored']);
export type InboxStatus = z.infer<typeof InboxStatus>;

export const INBOX_STATUS_LABELS: Record<InboxStatus, string> = {
  open: 'Rejected',
  resubmitting: 'Resubmitting',
  fixed: 'Fixed',
  still_failing: 'Still failing',
  ignored: 'Ignored',
};

/** The statuses a person can still act on (resubmit or ignore): the inbox's default view. */
export const ACTIONABLE_INBOX_STATUSES: readonly InboxStatus[] = ['open', 'still_failing'];

export const InboxRecord = z.object({
  id: z.string(),
  integrationId: z.string(),
  integrationName: z.string(),
  runId: z.string(),
  runName: z.string(),
  nodeId: z.string(),
  /** The step that rejected it, as the run named it. */
  stepLabel: z.string(),
  rowNumber: z.number().int(),
  /**
   * How many runs rejected this record (by its integration and key; this is the newest rejection): resubmitting or
   * ignoring it settles them all. 1 for a record with no key, which is its own entry.
   */
  rejectedInRuns: z.number().int().positive(),
  /** The values as the source read them. */
  source: nameRecord(z.unknown()),
  mapped: nameRecord(z.unknown()).nullable(),
  /** The source values with a person's edits, as last resubmitted (null: never edited). */
  edited: nameRecord(z.unknown()).nullable(),
  /** Why the run rejected it. */
  reason: z.string(),
  status: InboxStatus,
  /** Still failing: why the resubmit run rejected it again. Failed resubmit run: what stopped it. */
  latestReason: z.string().nullable(),
  /** The resubmit run that fixed it (fixed), or that last tried (still failing, resubmitting). */
  outcomeRunId: z.string().nullable(),
  /** Ignored: the person's note. */
  note: z.string().nullable(),
  createdAt: z.string(),
  settledAt: z.string().nullable(),
});
export type InboxRecord = z.infer<typeof InboxRecord>;

/** How many records share one reason, under the same filters as the list. */
export const InboxGroup = z.object({ reason: z.string(), count: z.number().int().nonnegative() });
export type InboxGroup = z.infer<typeof InboxGroup>;

const NO_NUL = /^[^\u0000]*$/;

/** A list of statuses, comma-separated, each named when unknown. */
const StatusList = z
  .string()
  .optional()
  .transform((s, ctx) => {
    if (!s) return undefined;
    const parts = s.split(',').map((p) => p.trim()).filter(Boolean);
    const bad = parts.filter((p) => !InboxStatus.safeParse(p).success);
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `Unknown status ${bad.map((b) => `"${b}"`).join(', ')}; use ${InboxStatus.options.join(', ')}` });
      return z.NEVER;
    }
    return parts as InboxStatus[];
  });

/** The inbox's filters, applied on the server before paging and grouping. */
export const InboxFilter = z.object({
  integrationId: z.string().min(1).max(100).regex(NO_NUL, 'An id holds no NUL character').optional().meta({ description: 'Only records of this integration' }),
  reason: z.string().max(2000).regex(NO_NUL, 'A reason holds no NUL character').optional().meta({ description: 'Only records with exactly this reason (a group of the groups answer)' }),
  search: z.string().max(200).regex(NO_NUL, 'A search holds no NUL character').optional().meta({ description: 'Only records whose reason contains this text (any case)' }),
  status: StatusList.meta({ description: `Only records in these statuses, comma-separated (default: ${ACTIONABLE_INBOX_STATUSES.join(',')})` }),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only records rejected at or after this ISO date-time' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only records rejected before this ISO date-time' }),
});
export type InboxFilter = z.infer<typeof InboxFilter>;

/** Most records one resubmit or ignore takes (a page of the inbox is at most 500; select-all of a group is capped here). */
export const MAX_INBOX_SELECTION = 5_000;

const RecordId = z.string().min(1).max(100).regex(NO_NUL, 'An id holds no NUL character');

/**
 * An edited value: text (kept exactly: a number past 2^53 or with leading zeros is sent as text), a number that JSON
 * carries exactly, true/false, or null (empty). Never a NUL character, which no store column can hold.
 */
export const EditValue = z.union([
  z.string().max(100_000).regex(NO_NUL, 'A value holds no NUL character (U+0000); remove it'),
  z.number().refine((n) => Number.isFinite(n) && (!Number.isInteger(n) || Number.isSafeInteger(n)), {
    message: 'This number is past 2^53 and cannot be kept exactly as a JSON number; send it as text ("9007199254740993")',
  }),
  z.boolean(),
  z.null(),
]);
export type EditValue = z.infer<typeof EditValue>;

/** Field name -> new value; field names are data (`__proto__` included), and must be fields of the record's source. */
const Edits = nameRecord(EditValue).refine((r) => Object.keys(r).every((k) => NO_NUL.test(k) && k.length > 0 && k.length <= 200), {
  message: 'A field name is 1 to 200 characters with no NUL character',
});

export const ResubmitInput = z.object({
  ids: z.array(RecordId).min(1, 'Select at least one record').max(MAX_INBOX_SELECTION, `Resubmit at most ${MAX_INBOX_SELECTION} records at once`),
  /** Per record: its own edits (record id -> field -> value). */
  edits: nameRecord(Edits).optional().meta({ description: 'Per record: { "<record id>": { "<field>": "<value>" } }' }),
  /** One edit for every selected record ("set country to US for the 40 selected"), applied after the per-record ones. */
  set: Edits.optional().meta({ description: 'For every selected record: { "<field>": "<value>" }' }),
  /** The resubmit run's name (one run per integration; the integration's name is added when there are several). */
  name: z.string().trim().max(200).regex(NO_NUL, 'A name holds no NUL character').refine((n) => n.includes('\u0000') || !hasControlCharacters(n), NAME_CONTROL_MESSAGE).optional(),
});
export type ResubmitInput = z.input<typeof ResubmitInput>;

export const ResubmitResult = z.object({
  runs: z.array(z.object({ runId: z.string(), integrationId: z.string(), records: z.number().int().positive() })),
});
export type ResubmitResult = z.infer<typeof ResubmitResult>;

export const IgnoreInput = z.object({
  ids: z.array(RecordId).min(1, 'Select at least one record').max(MAX_INBOX_SELECTION, `Ignore at most ${MAX_INBOX_SELECTION} records at once`),
  note: z.string().trim().min(1, 'Say why these records are ignored').max(2000).regex(NO_NUL, 'A note holds no NUL character'),
});
export type IgnoreInput = z.infer<typeof IgnoreInput>;

/** What the nav badge shows: records waiting for a person (rejected, or still failing). */
export const InboxCount = z.object({ waiting: z.number().int().nonnegative() });

/** The values a resubmit sends for one record: its source values, then its own edits, then the selection's. */
export function resubmittedValues(
  source: Readonly<Record<string, unknown>>,
  own: Readonly<Record<string, unknown>> | undefined,
  shared: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(source)) out[k] = source[k];
  for (const edits of [own, shared]) if (edits) for (const k of Object.keys(edits)) out[k] = edits[k];
  return out;
}
