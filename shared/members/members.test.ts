// Member alignment's rules without a store: email keys, matching one system's users, the run's directory and its
// fallback, and what the formula checker says about MEMBER.
import { describe, expect, it } from 'vitest';
import { checkFormula, compileFormula } from '../formula';
import { alignUsers, NEW_MEMBER } from './align';
import { buildMemberDirectory } from './directory';
import { emailKey } from './email';

describe('email keys', () => {
  it('trims (any space, tabs, a BOM) and lower-cases', () => {
    expect(emailKey('  Ada@Example.COM\t')).toEqual({ key: 'ada@example.com' });
    expect(emailKey('\ufeff\u00a0bob@x.io\u2003')).toEqual({ key: 'bob@x.io' });
  });
  it('keys nothing for blanks, non-text, NUL, two addresses or no @', () => {
    expect(emailKey(null)).toEqual({ problem: 'no email' });
    expect(emailKey('   ')).toEqual({ problem: 'no email' });
    expect(emailKey(42)).toEqual({ problem: 'the email is not text' });
    expect(emailKey('ada\u0000@x.io')).toEqual({ problem: 'the email holds a control character' });
    expect('problem' in emailKey('a@x.io b@x.io')).toBe(true);
    expect('problem' in emailKey('not-an-email')).toBe(true);
  });
});

describe('aligning one system', () => {
  const none = new Map();
  it('links on email across case and spaces, creates members for new emails, keeps ids as text', () => {
    const members = new Map([['ada@example.com', 'mem_ada']]);
    const a = alignUsers(
      'hubspot',
      [
        { id: 301, email: ' ADA@example.com ', name: 'Ada' },
        { id: '9007199254740993', email: 'Grace@Navy.mil', name: 'Grace Hopper' },
      ],
      members,
      none,
      () => true,
    );
    expect(a.accounts).toEqual([
      { externalId: '301', email: 'ADA@example.com', name: 'Ada', memberId: 'mem_ada', matchedBy: 'email', problem: null },
      { externalId: '9007199254740993', email: 'Grace@Navy.mil', name: 'Grace Hopper', memberId: `${NEW_MEMBER}grace@navy.mil`, matchedBy: 'email', problem: null },
    ]);
    expect([...a.newMembers]).toEqual([['grace@navy.mil', { name: 'Grace Hopper', email: 'Grace@Navy.mil' }]]);
    expect(a.matched).toBe(2);
  });

  it('lists as unmatched: no email, an email two users share (in any case), a NUL in the email', () => {
    const a = alignUsers(
      'hubspot',
      [
        { id: '1', email: null, name: 'Nobody' },
        { id: '2', email: 'twin@x.io', name: 'Twin A' },
        { id: '3', email: ' TWIN@x.io', name: 'Twin B' },
        { id: '4', email: 'nul\u0000@x.io', name: 'Nul' },
      ],
      new Map(),
      none,
      () => true,
    );
    expect(a.accounts.map((x) => [x.externalId, x.memberId, x.problem])).toEqual([
      ['1', null, 'no email'],
      ['2', null, '2 users in hubspot share this email'],
      ['3', null, '2 users in hubspot share this email'],
      ['4', null, 'the email holds a control character'],
    ]);
    // The stored email shows the NUL as U+FFFD: no column can hold U+0000.
    expect(a.accounts[3]?.email).toBe('nul\ufffd@x.io');
    expect(a.newMembers.size).toBe(0);
  });

  it('skips users without an id, with a control character in it, or listed twice', () => {
    const a = alignUsers('crm', [{ id: null, email: 'a@x.io', name: null }, { id: 'a\u0000b', email: 'b@x.io', name: null }, { id: '7', email: 'c@x.io', name: null }, { id: '7', email: 'd@x.io', name: null }, { id: '__proto__', email: 'e@x.io', name: null }], new Map(), none, () => true);
    expect(a.skipped).toEqual(['User 1 has no id', 'User 2\'s id "a\ufffdb" holds a control character', 'The id "7" is listed twice; the first is kept']);
    expect(a.accounts.map((x) => x.externalId)).toEqual(['7', '__proto__']);
  });

  it('keeps links made by hand, and email gives no second account to a member linked by hand', () => {
    const members = new Map([['ada@example.com', 'mem_ada']]);
    const prior = new Map([['old-ada', { memberId: 'mem_ada', matchedBy: 'manual' as const }]]);
    const a = alignUsers('sf', [{ id: 'old-ada', email: 'ada.l@corp.io', name: 'Ada' }, { id: 'new-ada', email: 'ada@example.com', name: 'Ada' }], members, prior, () => true);
    expect(a.accounts.map((x) => [x.externalId, x.memberId, x.matchedBy])).toEqual([
      ['old-ada', 'mem_ada', 'manual'],
      ['new-ada', null, null],
    ]);
    expect(a.accounts[1]?.problem).toContain('linked by hand to sf id "old-ada"');
  });
});

describe('the run directory', () => {
  const rows = {
    systems: ['hubspot', 'salesforce'],
    members: [
      { id: 'm1', email: 'ada@example.com', name: 'Ada' },
      { id: 'm2', email: 'bob@example.com', name: 'Bob' },
      { id: 'm3', email: 'default@example.com', name: 'Queue' },
    ],
    accounts: [
      { system: 'hubspot', externalId: '301', memberId: 'm1' },
      { system: 'salesforce', externalId: '005A', memberId: 'm1' },
      { system: 'hubspot', externalId: '302', memberId: 'm2' },
      { system: 'salesforce', externalId: '005Q', memberId: 'm3' },
    ],
  };
  const dir = buildMemberDirectory(rows, 'salesforce');

  it('gives the same person in the target, another named system, or their email', () => {
    expect(dir.resolve('hubspot', '301', undefined)).toEqual({ ok: true, id: '005A' });
    expect(dir.resolve('salesforce', '005A', 'hubspot')).toEqual({ ok: true, id: '301' });
    expect(dir.resolve('hubspot', '301', 'weft')).toEqual({ ok: true, id: 'ada@example.com' });
    expect(dir.resolve('weft', ' ADA@example.com', undefined)).toEqual({ ok: true, id: '005A' });
  });

  it('says why there is no one: unknown id, no id in the target, unknown system (names are data)', () => {
    expect(dir.resolve('hubspot', '999', undefined)).toEqual({ ok: false, reason: 'No member has hubspot id "999" (Members page: link it to a member)' });
    expect(dir.resolve('hubspot', '302', undefined)).toEqual({ ok: false, reason: 'Bob (bob@example.com) has no id in salesforce' });
    expect(dir.resolve('__proto__', '1', undefined)).toEqual({ ok: false, reason: 'No member system is named "__proto__" (Members page)' });
    expect(dir.resolve('hubspot', 'constructor', undefined).ok).toBe(false);
    expect(buildMemberDirectory(rows, undefined).resolve('hubspot', '301', undefined)).toMatchObject({ ok: false, reason: expect.stringContaining('name one') });
  });

  it('falls back to the default member when the Map says so, and says so when the default has no id either', () => {
    const withDefault = dir.withFallback({ unmatched: 'default', defaultMember: 'Default@Example.com ' });
    expect(withDefault.resolve('hubspot', '999', undefined)).toEqual({ ok: true, id: '005Q' });
    expect(withDefault.resolve('hubspot', '302', undefined)).toEqual({ ok: true, id: '005Q' });
    expect(withDefault.resolve('hubspot', '301', undefined)).toEqual({ ok: true, id: '005A' });
    expect(dir.withFallback({ unmatched: 'default', defaultMember: 'bob@example.com' }).resolve('hubspot', '999', undefined)).toEqual({ ok: false, reason: 'No member has hubspot id "999" (Members page: link it to a member), and the default member: Bob (bob@example.com) has no id in salesforce' });
    expect(dir.withFallback({ unmatched: 'reject' }).resolve('hubspot', '999', undefined).ok).toBe(false);
  });
});

describe('MEMBER in formulas', () => {
  const fields = [
    { name: 'owner_id', type: 'number' as const },
    { name: 'owners', type: 'text' as const },
  ];
  const ctx = { fields, memberSystems: ['hubspot', 'salesforce'] };
  const errors = (text: string, c: Parameters<typeof checkFormula>[1] = ctx) => checkFormula(text, c).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);

  it('gives Text and reads the run directory; a blank id gives NULL', () => {
    const c = compileFormula('MEMBER("hubspot", [owner_id])', ctx);
    expect(c.ok && c.type).toEqual({ kind: 'Text' });
    if (!c.ok) return;
    const members = buildMemberDirectory({ systems: ['hubspot', 'salesforce'], members: [{ id: 'm1', email: 'a@x.io', name: 'A' }], accounts: [{ system: 'hubspot', externalId: '301', memberId: 'm1' }, { system: 'salesforce', externalId: '005A', memberId: 'm1' }] }, 'salesforce');
    expect(c.evaluate({ owner_id: 301 }, { members })).toEqual({ ok: true, value: '005A' });
    expect(c.evaluate({ owner_id: null }, { members })).toEqual({ ok: true, value: null });
    const miss = c.evaluate({ owner_id: 5 }, { members });
    expect(miss.ok).toBe(false);
    expect(!miss.ok && miss.error).toBe('#N/A No member has hubspot id "5" (Members page: link it to a member) in MEMBER("hubspot", [owner_id])');
    expect(c.evaluate({ owner_id: 301 })).toMatchObject({ ok: false, error: expect.stringContaining('MEMBER is looked up in runs and in Test a record, not in this preview') });
  });

  it('refuses an unknown system with a did-you-mean, a computed system name, a wrong count and a list id', () => {
    expect(errors('MEMBER("hubspt", [owner_id])')).toEqual(['unknown-member-system: Unknown member system "hubspt". Did you mean "hubspot"?']);
    expect(errors('MEMBER("__proto__", [owner_id])')[0]).toMatch(/^unknown-member-system: Unknown member system "__proto__"\. The member systems are "hubspot", "salesforce"\./);
    expect(errors('MEMBER("x", [owner_id])', { fields, memberSystems: [] })).toEqual(['unknown-member-system: Unknown member system "x". No member systems are set up yet (Members page).']);
    expect(errors('MEMBER("hubspot", [owner_id], "salesfroce")')).toEqual(['unknown-member-system: Unknown member system "salesfroce". Did you mean "salesforce"?']);
    expect(errors('MEMBER([owners], [owner_id])')).toEqual(['constant-required: The system must be text in quotes, such as "hubspot"']);
    expect(errors('MEMBER("hubspot")')[0]).toMatch(/^arg-count: MEMBER expects 2 to 3 arguments, got 1/);
    expect(errors('MEMBER("hubspot", SPLIT([owners], ","))')[0]).toMatch(/^arg-type: MEMBER expects a single value/);
    // "weft" is always known; without a list of systems (outside an integration) any name is taken.
    expect(errors('MEMBER("weft", [owners])')).toEqual([]);
    expect(errors('MEMBER("anything", [owner_id])', { fields })).toEqual([]);
    // Its result is Text: a Number field cannot take it unconverted.
    expect(errors('MEMBER("hubspot", [owner_id]) + 1')[0]).toMatch(/^operand-type/);
  });
});
