// The member alignment table as MEMBER reads it during a run: built once from a snapshot (runtime/members/snapshot.ts)
// and asked synchronously per row. Pure, so the designer's test of a record builds the same one.
import type { MemberDirectory } from '../formula';
import { WEFT_MEMBER_SYSTEM } from '../api/members';
import { emailKey, shown } from './email';

export interface DirectoryRows {
  accounts: readonly { system: string; externalId: string; memberId: string }[];
  members: readonly { id: string; email: string | null; name: string }[];
  /** Every member system's name, so a run can tell "no such system" from "no such id". */
  systems: readonly string[];
}

/** What a Map does when a person has no id in the target system: reject the record, or use the default member. */
export interface MemberFallback {
  unmatched: 'reject' | 'default';
  /** The default member's email (Weft-side), when `unmatched` is 'default'. */
  defaultMember?: string;
}

type Resolved = { ok: true; id: string } | { ok: false; reason: string };

export interface BuiltDirectory extends MemberDirectory {
  /** The same table with a Map's fallback applied. */
  withFallback(fallback: MemberFallback | undefined): MemberDirectory;
}

/** `target`: the member system of the pipeline's target (or "weft" for the workspace); MEMBER's third argument wins. */
export function buildMemberDirectory(rows: DirectoryRows, target: string | undefined): BuiltDirectory {
  const systems = new Set(rows.systems);
  const byAccount = new Map<string, Map<string, string>>();
  const byMember = new Map<string, Map<string, string>>();
  for (const a of rows.accounts) {
    let ids = byAccount.get(a.system);
    if (!ids) byAccount.set(a.system, (ids = new Map()));
    ids.set(a.externalId, a.memberId);
    let of = byMember.get(a.memberId);
    if (!of) byMember.set(a.memberId, (of = new Map()));
    of.set(a.system, a.externalId);
  }
  const people = new Map<string, { email: string | null; name: string }>();
  const byEmail = new Map<string, string>();
  for (const m of rows.members) {
    people.set(m.id, { email: m.email, name: m.name });
    const k = emailKey(m.email);
    if ('key' in k) byEmail.set(k.key, m.id);
  }
  const who = (memberId: string) => {
    const p = people.get(memberId);
    if (!p) return 'the member';
    return p.name && p.email ? `${p.name} (${p.email})` : (p.name || p.email || 'the member');
  };

  function memberOf(from: string, id: string): { ok: true; memberId: string } | { ok: false; reason: string } {
    if (from === WEFT_MEMBER_SYSTEM) {
      const k = emailKey(id);
      const memberId = 'key' in k ? byEmail.get(k.key) : undefined;
      return memberId ? { ok: true, memberId } : { ok: false, reason: `No member has the email "${shown(id)}"` };
    }
    if (!systems.has(from)) return { ok: false, reason: `No member system is named "${shown(from)}" (Members page)` };
    const memberId = byAccount.get(from)?.get(id);
    return memberId ? { ok: true, memberId } : { ok: false, reason: `No member has ${from} id "${shown(id)}" (Members page: link it to a member)` };
  }

  function idIn(memberId: string, to: string): Resolved {
    if (to === WEFT_MEMBER_SYSTEM) {
      const email = people.get(memberId)?.email;
      return email ? { ok: true, id: email } : { ok: false, reason: `${who(memberId)} has no email` };
    }
    if (!systems.has(to)) return { ok: false, reason: `No member system is named "${shown(to)}" (Members page)` };
    const id = byMember.get(memberId)?.get(to);
    return id !== undefined ? { ok: true, id } : { ok: false, reason: `${who(memberId)} has no id in ${to}` };
  }

  function resolve(from: string, id: string, to: string | undefined): Resolved {
    const dest = to ?? target;
    if (dest === undefined) return { ok: false, reason: 'The target of this step is no member system: name one, as in MEMBER("hubspot", [Owner], "salesforce")' };
    const m = memberOf(from, id);
    return m.ok ? idIn(m.memberId, dest) : m;
  }

  return {
    resolve,
    withFallback(fallback) {
      if (!fallback || fallback.unmatched !== 'default') return { resolve };
      const email = fallback.defaultMember ?? '';
      return {
        resolve(from, id, to) {
          const r = resolve(from, id, to);
          if (r.ok) return r;
          const dest = to ?? target;
          const k = emailKey(email);
          const memberId = 'key' in k ? byEmail.get(k.key) : undefined;
          if (!memberId || dest === undefined) return { ok: false, reason: `${r.reason}, and the default member "${shown(email)}" is no member` };
          const d = idIn(memberId, dest);
          return d.ok ? d : { ok: false, reason: `${r.reason}, and the default member: ${d.reason}` };
        },
      };
    },
  };
}
