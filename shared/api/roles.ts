// Roles and what each may do, without zod: the web app's first page reads them (the signed-in user's menu and
// rights) before the route contracts load (web/api.ts). shared/api/auth.ts builds its schemas on them.

/** Who may do what: owner and admin (users, connections, settings), editor (design, publish, run), operator (run, fix records, read), viewer (read). */
export const ROLES = ['owner', 'admin', 'editor', 'operator', 'viewer'] as const;
type Role = (typeof ROLES)[number];

/**
 * What a route needs, declared beside it: `public` (no sign-in), `signedIn` (any role), `read`, `run`, `design`, `admin`.
 * The roles each level admits are ACCESS_ROLES'; the OpenAPI document names them on every operation (x-weft-roles).
 */
export const ACCESS_ROLES = {
  public: [],
  signedIn: ['owner', 'admin', 'editor', 'operator', 'viewer'],
  read: ['owner', 'admin', 'editor', 'operator', 'viewer'],
  run: ['owner', 'admin', 'editor', 'operator'],
  design: ['owner', 'admin', 'editor'],
  admin: ['owner', 'admin'],
  /** No role: only a trigger token of the integration in the path (the trigger API checks it itself). */
  trigger: [],
} as const satisfies Record<string, readonly Role[]>;
export type Access = keyof typeof ACCESS_ROLES;

export const may = (role: Role | null | undefined, access: Access): boolean =>
  access === 'public' || (role != null && (ACCESS_ROLES[access] as readonly Role[]).includes(role));

export const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', admin: 'Admin', editor: 'Editor', operator: 'Operator', viewer: 'Viewer' };
