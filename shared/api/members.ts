// Member alignment: Weft-side members (name, email) and their ids in each connected system, filled by matching the
// systems' user lists on email; MEMBER("system", [id]) in formulas reads it (docs/members.md).
import { z } from 'zod';
import { emailKey } from '../members/email';
import { controlFreePattern } from '../util/control-characters';

/** No control characters (NUL above all, which no column can hold): the one rule for names (shared/util/control-characters.ts). */
const NO_CONTROLS = controlFreePattern();

/**
 * The name formulas use: MEMBER("hubspot", [owner_id]). Lower-case letters, digits, `_` and `-`, starting with a
 * letter, so it reads the same in a formula, a URL and a column; "weft" is Weft's own (the member's email).
 */
export const MEMBER_SYSTEM_NAME = /^[a-z][a-z0-9_-]{0,39}$/;
export const WEFT_MEMBER_SYSTEM = 'weft';

/** Where a system's users come from: the connector's own user list, or a table a person names. */
export const MemberSource = z.discriminatedUnion('type', [
  z.object({ type: z.literal('connector') }),
  z.object({
    type: z.literal('table'),
    table: z.string().trim().min(1, 'Pick the table that lists the people').max(200).regex(NO_CONTROLS),
    idColumn: z.string().trim().min(1, 'Pick the column with their id').max(200).regex(NO_CONTROLS),
    emailColumn: z.string().trim().min(1, 'Pick the column with their email').max(200).regex(NO_CONTROLS),
    nameColumn: z.string().trim().max(200).regex(NO_CONTROLS).optional(),
  }),
]);
export type MemberSource = z.infer<typeof MemberSource>;

export const MemberSystemInput = z.object({
  name: z
    .string()
    .trim()
    .regex(MEMBER_SYSTEM_NAME, 'Lower-case letters, digits, _ and -, starting with a letter (at most 40): formulas name it, as in MEMBER("hubspot", [Owner])')
    .refine((n) => n !== WEFT_MEMBER_SYSTEM, '"weft" names Weft\'s own members (their email): choose another name'),
  connectionId: z.string().min(1, 'Pick a connection').max(100).regex(NO_CONTROLS),
  source: MemberSource,
});
export type MemberSystemInput = z.infer<typeof MemberSystemInput>;

export const MemberSystem = z.object({
  id: z.string(),
  name: z.string(),
  connectionId: z.string(),
  /** The connection's name now ('' when it is gone). */
  connectionName: z.string(),
  source: MemberSource,
  refreshedAt: z.string().nullable(),
  /** Why the last refresh failed, or null. */
  refreshError: z.string().nullable(),
  accounts: z.number().int(),
  unmatched: z.number().int(),
});
export type MemberSystem = z.infer<typeof MemberSystem>;

const MemberName = z.string().trim().max(200);
/** The name's check: a member made of a system's user keeps the name the system gave, controls and all. */
export const MEMBER_NAME_CONTROL_MESSAGE = 'A name holds no control characters';
const memberInput = <N extends z.ZodType<string, string>>(name: N) => z.object({
  name,
  email: z
    .string()
    .trim()
    .max(320)
    .regex(NO_CONTROLS, 'An email holds no control characters')
    // One address or none (blank): what matching keys on, refused here as a bad field rather than by the store.
    .superRefine((email, ctx) => {
      if (email === '') return;
      const k = emailKey(email);
      if ('problem' in k) ctx.addIssue({ code: 'custom', message: k.problem.startsWith('"') ? `${k.problem}` : `The email has a problem: ${k.problem}` });
    })
    .nullable(),
});
export const MemberInput = memberInput(MemberName.regex(NO_CONTROLS, MEMBER_NAME_CONTROL_MESSAGE));
export type MemberInput = z.infer<typeof MemberInput>;
/**
 * A member saved again: the name is checked by the server only when it changes (review16a: a member made of a system's
 * user, "make a member of it", is named as the system names it, and one named before the rule kept U+202E, NEL or
 * U+2028; either could not have its email changed), as integrations, connections and sets do.
 */
export const MemberUpdateInput = memberInput(MemberName);

export const MemberAccount = z.object({
  systemId: z.string(),
  system: z.string(),
  externalId: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  memberId: z.string().nullable(),
  /** How the account got its member: by email at a refresh, or by a person (kept across refreshes). */
  matchedBy: z.enum(['email', 'manual']).nullable(),
  /** Why it has no member (no email, an email two users share), or null. */
  problem: z.string().nullable(),
});
export type MemberAccount = z.infer<typeof MemberAccount>;

export const Member = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  /** Its id in each system, one per system. */
  accounts: z.array(z.object({ systemId: z.string(), system: z.string(), externalId: z.string(), matchedBy: z.enum(['email', 'manual']) })),
  createdAt: z.string(),
});
export type Member = z.infer<typeof Member>;

export const MembersView = z.object({
  systems: z.array(MemberSystem),
  members: z.array(Member),
  /** Accounts of a system with no member, for a person to resolve. */
  unmatched: z.array(MemberAccount),
});
export type MembersView = z.infer<typeof MembersView>;

export const RefreshOutcome = z.object({
  system: z.string(),
  read: z.number().int(),
  matched: z.number().int(),
  created: z.number().int(),
  unmatched: z.number().int(),
  /** Users the system listed that could not be kept at all (no id, an id with a NUL), with why. */
  skipped: z.array(z.string()),
});
export type RefreshOutcome = z.infer<typeof RefreshOutcome>;

/** A person links an account to a member (or unlinks it: null), or makes a new member of it. */
export const LinkAccountInput = z.object({
  externalId: z.string().min(1).max(500),
  memberId: z.string().max(100).nullable().optional(),
  /** Make a member of this account (its name and email) and link it. */
  createMember: z.boolean().optional(),
});
export type LinkAccountInput = z.infer<typeof LinkAccountInput>;
