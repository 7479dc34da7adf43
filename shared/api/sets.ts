// Integration sets: an ordered list of published integrations run one after another (a Temporal parent workflow with
// one child workflow per member), with a name, its own schedule, its own trigger tokens and its own history.
import { z } from 'zod';
import { controlFreePattern, hasControlCharacters, NAME_CONTROL_MESSAGE } from '../util/control-characters';
import { RunStatus } from './runs';
import { Cadence } from './schedules';

/** No control characters (NUL above all, which no column can hold): the one rule for names (shared/util/control-characters.ts). */
const NO_CONTROLS = controlFreePattern();

/** Set ids start with this; an integration id never does, so a set named among the members is told apart. */
export const SET_ID_PREFIX = 'set_';

/** The workflow ids of a set run and its members, and the set's status: in ./set-runs, which the workflow bundle imports. */
export { setMemberWorkflowId, setRunStatus, setRunWorkflowId } from './set-runs';

/** At most this many members: a set is a short chain people read, not a batch system. */
export const MAX_SET_MEMBERS = 50;

/**
 * What a person saves. Members are integration ids in run order; each integration at most once (a duplicate would run
 * the same integration twice in a row and make the set's history ambiguous, so it is refused with the member's index).
 */
const SetName = z.string().trim().min(1, 'Name the set').max(120, 'At most 120 characters');
const setInput = <N extends z.ZodType<string, string>>(name: N) => z
  .object({
    name,
    members: z
      .array(
        z
          .string()
          .min(1, 'An integration id')
          .max(100)
          .regex(NO_CONTROLS, 'An id holds no control characters')
          .refine((id) => !id.startsWith(SET_ID_PREFIX), 'A set cannot contain a set (itself or another): members are integrations'),
      )
      .min(1, 'Add at least one integration')
      .max(MAX_SET_MEMBERS, `At most ${MAX_SET_MEMBERS} integrations`),
    /** "Abort the set when an integration fails": later members do not run. */
    abortOnFailure: z.boolean().default(true),
  })
  .superRefine((input, ctx) => {
    const seen = new Map<string, number>();
    input.members.forEach((id, i) => {
      const first = seen.get(id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['members', i], message: `This integration is already member ${first + 1}; each integration runs once per set` });
      else seen.set(id, i);
    });
  });
export const SetInput = setInput(SetName.refine((n) => !hasControlCharacters(n), NAME_CONTROL_MESSAGE));
export type SetInput = z.input<typeof SetInput>;
/**
 * A set saved again: its name is checked by the server only when it changes, so a set named before the rule
 * (tidy16/probe21: U+202E, NEL, U+2028 were kept) still saves its members (review16a), as an integration and a
 * connection do.
 */
export const SetUpdateInput = setInput(SetName);

export const SetMember = z.object({
  integrationId: z.string(),
  /** The integration's name now ('' when it no longer exists). */
  name: z.string(),
  published: z.boolean(),
  active: z.boolean(),
});
export type SetMember = z.infer<typeof SetMember>;

/** A set's schedule as served: what was saved, in words, and Temporal's next times. */
export const SetSchedule = z.object({
  cadence: Cadence,
  timeZone: z.string(),
  enabled: z.boolean(),
  description: z.string(),
  note: z.string().nullable(),
  nextRuns: z.array(z.string()),
  inTemporal: z.boolean(),
});
export type SetSchedule = z.infer<typeof SetSchedule>;

export const IntegrationSet = z.object({
  id: z.string(),
  name: z.string(),
  members: z.array(SetMember),
  abortOnFailure: z.boolean(),
  /** The stored cadence (Temporal's view comes with GET /sets/:id/schedule). */
  schedule: z.object({ cadence: Cadence, timeZone: z.string(), enabled: z.boolean(), description: z.string() }).nullable(),
  lastRun: z.object({ id: z.string(), status: RunStatus, createdAt: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type IntegrationSet = z.infer<typeof IntegrationSet>;

/** Who started a set run. */
export const SetRunTrigger = z.enum(['manual', 'api', 'schedule']);
export type SetRunTrigger = z.infer<typeof SetRunTrigger>;

/** One member of one set run: its own run (in the integration's history too), or why it did not run. */
export const SetRunMember = z.object({
  position: z.number().int().nonnegative(),
  integrationId: z.string(),
  name: z.string(),
  runId: z.string().nullable(),
  /** The member run's status; null when it did not run (yet, or ever: the set aborted or was cancelled first). */
  status: RunStatus.nullable(),
  /** Why the member could not start (unpublished, deactivated, deleted since), or the member run's error. */
  error: z.string().nullable(),
});
export type SetRunMember = z.infer<typeof SetRunMember>;

export const SetRun = z.object({
  id: z.string(),
  setId: z.string(),
  name: z.string(),
  /** queued, running, completed, completed_with_errors (abort off, a member failed), failed (aborted), cancelled. */
  status: RunStatus,
  trigger: SetRunTrigger,
  startedBy: z.string().nullable(),
  abortOnFailure: z.boolean(),
  members: z.array(SetRunMember),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type SetRun = z.infer<typeof SetRun>;

export const RunSetInput = z.object({ name: z.string().trim().max(200).refine((n) => !hasControlCharacters(n), NAME_CONTROL_MESSAGE).default('') });

export const SetTriggerResult = z.object({ setRunId: z.string(), statusUrl: z.string() });

export const SetTokenInfo = z.object({
  id: z.string(),
  setId: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type SetTokenInfo = z.infer<typeof SetTokenInfo>;
export const CreatedSetToken = z.object({ token: z.string(), info: SetTokenInfo });
