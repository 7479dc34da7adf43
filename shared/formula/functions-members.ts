// MEMBER: the same person's id in another system, from the member alignment table (docs/members.md). The table is a
// snapshot the run loads once (runtime/members/snapshot.ts), handed in through the evaluation's env like PARAM's values.
import { suggest } from '../util/suggest';
import { defineFunction, type CallInfo } from './function-spec';
import { isBlank, show, toText } from './runtime';
import { T } from './types';

/** Weft's own side of the alignment: MEMBER(..., "weft") gives the member's email. */
const WEFT = 'weft';

function systemArg(c: CallInfo, i: number, what: string): string | null | undefined {
  const a = c.args[i];
  if (!a) return undefined;
  if (!a.constant || typeof a.constant.value !== 'string') {
    c.error(a, 'constant-required', `The ${what} must be text in quotes, such as "hubspot"`);
    return null;
  }
  const name = a.constant.value;
  const known = c.memberSystems;
  if (!known || name === WEFT || known.includes(name)) return name;
  const hint = suggest(name, [...known]);
  const fix = hint ? { title: `Change to ${show(hint)}`, text: show(hint) } : undefined;
  c.error(
    a,
    'unknown-member-system',
    `Unknown member system ${show(name)}.${hint ? ` Did you mean ${show(hint)}?` : known.length ? ` The member systems are ${known.map(show).join(', ')}.` : ' No member systems are set up yet (Members page).'}`,
    fix,
  );
  return null;
}

export const MEMBER_FUNCTIONS = [
  defineFunction<{ from: string; to: string | undefined }>({
    name: 'MEMBER',
    category: 'Lookup',
    params: [
      { name: 'system', kind: 'text', constant: true },
      { name: 'id', kind: 'scalar' },
      { name: 'to', kind: 'text', optional: true, constant: true },
    ],
    returns: T.Text,
    description:
      'The id, in the target system, of the person whose id in `system` is `id`, from the member alignment (Members page). `system` "weft" takes an email instead of an id; `to` names another system than the target ("weft" gives the member\'s email). NULL for a blank id. A person with no id there rejects the record, or gives the Map\'s default member when the Map says so.',
    example: 'MEMBER("weft", [Email])',
    result: '"005A1"',
    nulls: 'accept',
    volatile: true,
    check: (c) => {
      const from = systemArg(c, 0, 'system');
      const to = systemArg(c, 2, 'target system');
      if (from === null || to === null || from === undefined) return {};
      return { prep: { from, to }, type: T.Text };
    },
    lazy: ({ site, args }) => {
      const { from, to } = site.prep;
      const idOf = args[1];
      if (!idOf) throw new Error('MEMBER without an id argument');
      return (row, env) => {
        const v = idOf(row, env);
        if (isBlank(v)) return null;
        if (!env.members) return site.failWith('#N/A', 'MEMBER is looked up in runs and in Test a record, not in this preview');
        const r = env.members.resolve(from, toText(v), to);
        return r.ok ? r.id : site.failWith('#N/A', r.reason);
      };
    },
  }),
];
