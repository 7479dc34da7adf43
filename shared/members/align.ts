// Aligns one system's user list with Weft's members by email: pure, so the store applies it in one transaction and
// the tests read the rules here (docs/members.md, "Matching").
import { emailKey, shown } from './email';

export interface ListedUser {
  id: unknown;
  email: unknown;
  name: unknown;
}

export interface PriorAccount {
  memberId: string | null;
  matchedBy: 'email' | 'manual' | null;
}

export interface AlignedAccount {
  externalId: string;
  email: string | null;
  name: string | null;
  /** An existing member's id, or `new:<email key>` for a member this alignment creates. */
  memberId: string | null;
  matchedBy: 'email' | 'manual' | null;
  problem: string | null;
}

export interface Alignment {
  accounts: AlignedAccount[];
  /** Members to create, by email key (name and email as the first user with that email gave them). */
  newMembers: Map<string, { name: string; email: string }>;
  /** Users not kept at all, with why (no id, an id with a control character, an id listed twice). */
  skipped: string[];
  matched: number;
}

 
const CONTROLS = /[\u0000-\u001f\u007f]/;
/** Text a column can hold: NUL and other control characters shown as U+FFFD. */
 
const storable = (v: string) => v.replace(/[\u0000-\u001f\u007f]/g, '\ufffd');

function idText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  return null;
}

export const NEW_MEMBER = 'new:';

/**
 * `members`: the email key of every member and its id. `prior`: this system's accounts as the last alignment left
 * them (manual links are kept). `taken`: members already linked by hand to another account of this system.
 */
export function alignUsers(system: string, users: Iterable<ListedUser>, members: ReadonlyMap<string, string>, prior: ReadonlyMap<string, PriorAccount>, memberExists: (id: string) => boolean): Alignment {
  const skipped: string[] = [];
  const seen = new Set<string>();
  const listed: { externalId: string; email: string | null; name: string | null; key: string | null; problem: string | null }[] = [];
  let n = 0;
  for (const u of users) {
    n++;
    const id = idText(u.id);
    if (id === null || id.trim() === '') {
      skipped.push(`User ${n} has no id`);
      continue;
    }
    if (CONTROLS.test(id)) {
      skipped.push(`User ${n}'s id "${shown(id)}" holds a control character`);
      continue;
    }
    if (seen.has(id)) {
      skipped.push(`The id "${shown(id)}" is listed twice; the first is kept`);
      continue;
    }
    seen.add(id);
    const k = emailKey(u.email);
    listed.push({
      externalId: id,
      email: typeof u.email === 'string' && u.email !== '' ? storable(u.email.trim()) : null,
      name: typeof u.name === 'string' && u.name.trim() !== '' ? storable(u.name.trim()) : null,
      key: 'key' in k ? k.key : null,
      problem: 'problem' in k ? k.problem : null,
    });
  }

  const perKey = new Map<string, number>();
  for (const a of listed) if (a.key) perKey.set(a.key, (perKey.get(a.key) ?? 0) + 1);
  // Members a person linked by hand to an account of this system keep that account; email cannot give them another.
  const manual = new Map<string, string>();
  for (const a of listed) {
    const p = prior.get(a.externalId);
    if (p?.matchedBy === 'manual' && p.memberId && memberExists(p.memberId)) manual.set(p.memberId, a.externalId);
  }

  const newMembers = new Map<string, { name: string; email: string }>();
  const accounts: AlignedAccount[] = [];
  let matched = 0;
  for (const a of listed) {
    const base = { externalId: a.externalId, email: a.email, name: a.name };
    const p = prior.get(a.externalId);
    if (p?.matchedBy === 'manual' && p.memberId && memberExists(p.memberId)) {
      accounts.push({ ...base, memberId: p.memberId, matchedBy: 'manual', problem: null });
      matched++;
      continue;
    }
    if (!a.key) {
      accounts.push({ ...base, memberId: null, matchedBy: null, problem: a.problem });
      continue;
    }
    const sharing = perKey.get(a.key) ?? 0;
    if (sharing > 1) {
      accounts.push({ ...base, memberId: null, matchedBy: null, problem: `${sharing} users in ${system} share this email` });
      continue;
    }
    const existing = members.get(a.key);
    if (existing && manual.has(existing) && manual.get(existing) !== a.externalId) {
      accounts.push({ ...base, memberId: null, matchedBy: null, problem: `the member with this email is linked by hand to ${system} id "${shown(manual.get(existing) as string)}"` });
      continue;
    }
    if (existing) {
      accounts.push({ ...base, memberId: existing, matchedBy: 'email', problem: null });
      matched++;
      continue;
    }
    newMembers.set(a.key, { name: a.name ?? (a.email as string), email: a.email as string });
    accounts.push({ ...base, memberId: `${NEW_MEMBER}${a.key}`, matchedBy: 'email', problem: null });
    matched++;
  }
  return { accounts, newMembers, skipped, matched };
}
