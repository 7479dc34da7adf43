// Auto-map: which upstream field fills which target field, by name (case, spaces, _ and - ignored, common synonyms)
// and compatible type, keys first. Only suggestions: the person accepts or rejects each one in the Map's inspector.
import type { Field, FieldType, RowSchema } from '../graph/field-types';
import { canConvert } from '../graph/kinds/map';

/** The fields a Map's target already has (a database table's columns, a workspace object's attributes). */
export interface MapTargetSchema {
  label: string;
  fields: readonly Field[];
  key: readonly string[];
}

export type MatchReason = 'same-name' | 'normalized' | 'synonym';

export interface MapSuggestion {
  source: string;
  target: string;
  /** The target's type (and its currency code or referenced object), so the row writes what the target holds. */
  type: FieldType;
  currency?: string;
  ref?: string;
  key: boolean;
  reason: MatchReason;
  /** Why, in words: "Same name ignoring case and separators", "Synonyms: e-mail and email". */
  why: string;
}

export interface MapSuggestions {
  suggestions: MapSuggestion[];
  /** Target fields left without a suggestion (not yet mapped, and nothing upstream fits). */
  unmatched: string[];
}

/**
 * Groups of names that mean one thing, each written as people write them. A name matches a group when its normalized
 * form (lower case, separators and diacritics removed) is one of the group's.
 */
const SYNONYMS: readonly (readonly string[])[] = [
  ['email', 'e-mail', 'email address', 'e-mail address', 'mail', 'email id'],
  ['zip', 'zip code', 'zipcode', 'postal code', 'postcode', 'post code', 'postal'],
  ['phone', 'telephone', 'tel', 'phone number', 'telephone number', 'phone no'],
  ['mobile', 'mobile phone', 'cell', 'cell phone', 'mobile number', 'cellphone'],
  ['company', 'organization', 'organisation', 'org', 'company name', 'organization name', 'organisation name', 'employer'],
  ['first name', 'given name', 'forename', 'firstname', 'fname'],
  ['last name', 'surname', 'family name', 'lastname', 'lname'],
  ['full name', 'name', 'display name', 'contact name'],
  ['address', 'street', 'street address', 'address line 1', 'address1', 'addr'],
  ['city', 'town', 'locality'],
  ['state', 'province', 'region', 'state province', 'county'],
  ['country', 'nation', 'country name'],
  ['website', 'web site', 'url', 'homepage', 'home page', 'web'],
  ['title', 'job title', 'position', 'role'],
  ['created at', 'created', 'created on', 'creation date', 'date created', 'createdate', 'created date'],
  ['updated at', 'updated', 'updated on', 'modified', 'modified at', 'last modified', 'lastmodifieddate', 'last modified date', 'date modified'],
  ['amount', 'total', 'value', 'price'],
  ['description', 'notes', 'note', 'comments', 'comment'],
  ['birth date', 'birthday', 'date of birth', 'dob', 'birthdate'],
  ['id', 'identifier', 'record id'],
  ['owner', 'owner id', 'account owner', 'assigned to', 'rep'],
];

/**
 * `First_Name`, `first-name`, ` FirstName `, `firstName`, `Prénom`… as one form: lower-case words, no separators. The
 * letters, digits and vowel signs of every script stay (`Имя` is `имя`; `名前 1` is not `電話 1`, which would both be `1` if only
 * a–z and 0–9 were kept), accents go, and `ß` is `ss` as upper case writes it.
 */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '');
}

const GROUP_OF = (() => {
  const m = new Map<string, number>();
  SYNONYMS.forEach((group, i) => {
    for (const name of group) if (!m.has(normalizeName(name))) m.set(normalizeName(name), i);
  });
  return m;
})();

/** The synonym group a name belongs to, or -1. */
export const synonymGroup = (name: string): number => GROUP_OF.get(normalizeName(name)) ?? -1;

function reasonOf(source: string, target: string): { reason: MatchReason; why: string } | null {
  if (source === target) return { reason: 'same-name', why: 'Same name' };
  const a = normalizeName(source);
  const b = normalizeName(target);
  if (a === '' || b === '') return null;
  if (a === b) return { reason: 'normalized', why: 'Same name ignoring case and separators' };
  const g = GROUP_OF.get(a);
  if (g !== undefined && g === GROUP_OF.get(b)) return { reason: 'synonym', why: `Synonyms: ${source} and ${target}` };
  return null;
}

const RANK: Record<MatchReason, number> = { 'same-name': 0, normalized: 1, synonym: 2 };

/**
 * Suggestions for the target fields not yet mapped, from upstream fields not yet used: each target gets its best
 * match (same name, then the same normalized name, then a synonym) among the upstream fields whose type converts to
 * the target's without a per-row check that may fail. The target's key fields are matched first, so a key takes the
 * field that fits it best before any other target can. One upstream field fills at most one target.
 */
export function suggestMappings(
  upstream: RowSchema,
  target: MapTargetSchema,
  existing: readonly { from?: string; source: string; target: string; key?: boolean }[] = [],
): MapSuggestions {
  const usedSources = new Set(existing.filter((r) => (r.from ?? 'field') === 'field').map((r) => r.source));
  const mappedTargets = new Set(existing.map((r) => r.target));
  const targetKey = new Set(target.key);
  // A target without a key (a new object or table) takes the source's primary key, when no row is a key yet.
  const sourceKey = targetKey.size === 0 && !existing.some((r) => r.key === true) ? new Set(upstream.key) : new Set<string>();
  const open = target.fields.filter((f) => !mappedTargets.has(f.name));
  // Keys first, then the target's order.
  const ordered = [...open.filter((f) => targetKey.has(f.name)), ...open.filter((f) => !targetKey.has(f.name))];
  const suggestions: MapSuggestion[] = [];
  const unmatched: string[] = [];
  for (const t of ordered) {
    let best: { field: Field; reason: MatchReason; why: string; keyBonus: number } | null = null;
    for (const s of upstream.fields) {
      if (usedSources.has(s.name) || !canConvert(s.type, t.type)) continue;
      const r = reasonOf(s.name, t.name);
      if (!r) continue;
      // A key of the source fits a key of the target better than any other field of the same rank.
      const keyBonus = targetKey.has(t.name) && upstream.key.includes(s.name) ? 0 : 1;
      if (!best || RANK[r.reason] < RANK[best.reason] || (RANK[r.reason] === RANK[best.reason] && keyBonus < best.keyBonus)) {
        best = { field: s, ...r, keyBonus };
      }
    }
    if (!best) {
      unmatched.push(t.name);
      continue;
    }
    usedSources.add(best.field.name);
    suggestions.push({
      source: best.field.name,
      target: t.name,
      type: t.type,
      ...(t.currency ? { currency: t.currency } : {}),
      ...(t.ref ? { ref: t.ref } : {}),
      key: targetKey.has(t.name) || sourceKey.has(best.field.name),
      reason: best.reason,
      why: best.why,
    });
  }
  // Shown in the target's order, keys included where they stand.
  const order = new Map(target.fields.map((f, i) => [f.name, i]));
  suggestions.sort((a, b) => (order.get(a.target) ?? 0) - (order.get(b.target) ?? 0));
  return { suggestions, unmatched: target.fields.filter((f) => unmatched.includes(f.name)).map((f) => f.name) };
}
