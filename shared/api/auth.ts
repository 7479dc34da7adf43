// Sign-in, users, roles, API tokens and the audit log: the shapes the API and the web app share.
import { z } from 'zod';
import { ROLES } from './roles';
import { hasControlCharacters, NAME_CONTROL_MESSAGE } from '../util/control-characters';

export { ACCESS_ROLES, may, ROLE_LABELS, ROLES, type Access } from './roles';

export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** The roles an invitation or a role change may give: there is one owner, made at first start. */
export const AssignableRole = z.enum(['admin', 'editor', 'operator', 'viewer']);
export type AssignableRole = z.infer<typeof AssignableRole>;

export const ROLE_HELP: Record<Role, string> = {
  owner: 'Everything, and the one account that cannot be removed',
  admin: 'Users, API tokens, connections and settings, and all an editor can do',
  editor: 'Designs, publishes and runs integrations',
  operator: 'Runs integrations, fixes records and sees everything',
  viewer: 'Reads integrations, runs and history; changes nothing',
};

const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+$/, 'Enter an email address like ann@example.com');

/** 8 to 256 characters, no control characters (a NUL byte or a newline in a password is a mistake, not strength). */
export const Password = z
  .string()
  .min(8, 'Use at least 8 characters')
  .max(256, 'Use at most 256 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'A password cannot hold control characters (such as a NUL byte or a line break)');

const PersonName = z.string().trim().min(1, 'Enter a name').max(100).refine((n) => !hasControlCharacters(n), NAME_CONTROL_MESSAGE);

export const User = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  /** false while an invitation has not been accepted yet. */
  active: z.boolean(),
  createdAt: z.string(),
  lastSignInAt: z.string().nullable(),
});
export type User = z.infer<typeof User>;

export const SessionInfo = z.object({
  /** No account exists yet: the first visit creates the owner. */
  needsSetup: z.boolean(),
  user: User.nullable(),
  /** Send as X-CSRF-Token with a multipart or other non-JSON request made by the browser. */
  csrfToken: z.string().nullable(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const SetupInput = z.object({ email: Email, name: PersonName, password: Password });
export const SignInInput = z.object({ email: z.string().trim().toLowerCase().max(254), password: z.string().max(1024) });
export const ChangePasswordInput = z.object({ currentPassword: z.string().max(1024), newPassword: Password });

export const InviteInput = z.object({
  email: Email,
  name: PersonName,
  role: AssignableRole,
  /** Set an initial password; without one the answer carries an invitation link to pass on (valid 7 days). */
  password: Password.optional(),
});
export const InviteResult = z.object({ user: User, inviteUrl: z.string().nullable() });
export const InviteInfo = z.object({ email: z.string(), name: z.string() });
export const AcceptInviteInput = z.object({ name: PersonName.optional(), password: Password });
export const UserPatch = z.object({ role: AssignableRole });

export const ApiTokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  /** The first characters, to tell tokens apart; the token itself is shown once. */
  prefix: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type ApiTokenInfo = z.infer<typeof ApiTokenInfo>;
export const TokenInput = z.object({ name: z.string().trim().min(1, 'Name the token').max(100).refine((n) => !hasControlCharacters(n), NAME_CONTROL_MESSAGE), role: AssignableRole });
export const CreatedToken = z.object({ token: z.string(), info: ApiTokenInfo });

export const AUDIT_ACTIONS = [
  'auth.setup',
  'auth.sign_in',
  'auth.sign_in_failed',
  'auth.sign_out',
  'auth.sign_out_everywhere',
  'auth.password_changed',
  'auth.invite_accepted',
  'integration.created',
  'integration.saved',
  'integration.deleted',
  'integration.published',
  'integration.activated',
  'integration.deactivated',
  'integration.auto_disabled',
  'integration.duplicated',
  'integration.alerts_changed',
  'integration.alert_secret_rotated',
  'integration.triggered',
  'trigger_token.created',
  'trigger_token.revoked',
  'trigger_token.refused',
  'webhook.secret_created',
  'webhook.settings_changed',
  'run.started',
  'run.resumed',
  'run.cancelled',
  'run.rerun',
  'inbox.resubmitted',
  'inbox.ignored',
  'schedule.saved',
  'schedule.deleted',
  'set.created',
  'set.saved',
  'set.deleted',
  'set.started',
  'set.cancelled',
  'set.triggered',
  'set.schedule_saved',
  'set.schedule_deleted',
  'members.system_saved',
  'members.system_deleted',
  'members.refreshed',
  'members.member_saved',
  'members.member_deleted',
  'members.account_linked',
  'connection.created',
  'connection.changed',
  'connection.tested',
  'connection.authorized',
  'connection.authorization_failed',
  'connection.table_created',
  'connection.duplicated',
  'connection.deleted',
  'user.invited',
  'user.role_changed',
  'user.removed',
  'user.password_reset',
  'user.signed_out',
  'token.created',
  'token.revoked',
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  /** The person's email, `token:<name>` for an API token, or `system`. */
  actor: z.string(),
  actorId: z.string().nullable(),
  action: AuditAction,
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  targetName: z.string().nullable(),
  /** What changed, never a secret value. */
  detail: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.object({
  actor: z.string().max(254).optional(),
  action: AuditAction.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
