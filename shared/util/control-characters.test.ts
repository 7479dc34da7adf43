import { describe, expect, it } from 'vitest';
import { controlFreePattern, hasControlCharacters } from './control-characters';
import { NAME_CONTROL_MESSAGE, IntegrationInput } from '../api/integrations';
import { MemberInput } from '../api/members';
import { SetInput } from '../api/sets';
import { TestRecordInput } from '../api/test-record';
import { uploadNameProblem } from '../api/routes/files';
import { IdParam, NameParam } from '../api/routes/define';
import { ConnectionInput } from '../api/connections';
import { InviteInput, SetupInput, TokenInput } from '../api/auth';
import { TriggerTokenInput } from '../api/operations';
import { StartRunInput } from '../api/integrations';
import { ResubmitInput } from '../api/inbox';

const hostile = {
  NUL: 'a\u0000b',
  tab: 'a\tb',
  'CR/LF': 'Orders\r\nBcc: x@example.com',
  ESC: 'a\u001b[31mred',
  DEL: 'a\u007f',
  'NEL (C1)': 'a\u0085b',
  'line separator U+2028': 'a\u2028b',
  'paragraph separator U+2029': 'a\u2029b',
  'lone high surrogate': 'a\ud800b',
  'lone low surrogate': '\udc00',
  'high surrogate at the end': 'Smile \ud83d',
  'two high halves': '\ud83d\ud83d\ude00',
};
const allowed = {
  plain: 'Customers',
  'emoji with joiners': 'Team 👩‍💻 🏳️‍🌈',
  'zero-width non-joiner (Persian)': 'می‌خواهم',
  'zero-width space': 'a\u200bb',
  Arabic: 'العملاء',
  Hebrew: 'לקוחות',
  'Hebrew with a right-to-left mark': 'לקוחות\u200f 2026',
  'Arabic with an Arabic letter mark': 'طلبات\u061c 2026',
  'Devanagari with joiners': 'क्\u200dष क्\u200cष',
  'a flag, a keycap and a tag sequence': '🇫🇷 1\ufe0f\u20e3 🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}',
  'a backslash and u': 'x \\ud800',
  ['__proto__']: '__proto__',
};
const reordering = { 'U+202E': 'invoice\u202Evsc.exe', 'U+2066 isolate': 'a\u2066b\u2069', 'U+202A embedding': 'a\u202ab\u202c' };
// ALM (U+061C) is the Arabic letter mark, RLM's kind (review16a: an upload named "x\u061c.csv" was kept).
const marks = { LRM: 'a\u200eb', RLM: 'a\u200fb', ALM: 'a\u061cb' };

describe('the one control-character rule for names', () => {
  it.each(Object.entries(hostile))('refuses %s', (_, name) => {
    expect(hasControlCharacters(name)).toBe(true);
    expect(hasControlCharacters(name, { directionMarks: true })).toBe(true);
  });
  it.each(Object.entries(allowed))('keeps %s', (_, name) => {
    expect(hasControlCharacters(name)).toBe(false);
  });
  it('refuses the marks that reorder text unless allowed, LRM/RLM only when asked, and tab only when not allowed', () => {
    for (const name of Object.values(reordering)) {
      expect(hasControlCharacters(name), JSON.stringify(name)).toBe(true);
      expect(hasControlCharacters(name, { allowReordering: true }), JSON.stringify(name)).toBe(false);
      expect(hasControlCharacters(name, { allowReordering: true, directionMarks: true }), JSON.stringify(name)).toBe(true);
    }
    for (const name of Object.values(marks)) {
      expect(hasControlCharacters(name), JSON.stringify(name)).toBe(false);
      expect(hasControlCharacters(name, { directionMarks: true }), JSON.stringify(name)).toBe(true);
    }
    expect(hasControlCharacters('a\tb', { allowTab: true })).toBe(false);
    expect(hasControlCharacters('a\nb', { allowTab: true })).toBe(true);
    expect(controlFreePattern()).toBe(controlFreePattern({}));
  });

  it('is the rule every name, id, search and upload name the API takes goes by', () => {
    const graph = { nodes: [], edges: [] };
    const firstMessage = (r: { success: boolean; error?: { issues: { message: string }[] } }) => (r.success ? null : r.error!.issues[0]!.message);
    for (const name of Object.values(hostile)) {
      expect(firstMessage(IntegrationInput.safeParse({ name: `x${name}`, graph })), JSON.stringify(name)).toBe(NAME_CONTROL_MESSAGE);
      expect(firstMessage(SetInput.safeParse({ name: `x${name}`, members: [] })), JSON.stringify(name)).toBe(NAME_CONTROL_MESSAGE);
      expect(firstMessage(MemberInput.safeParse({ name: `x${name}` })), JSON.stringify(name)).toBe('A name holds no control characters');
      expect(firstMessage(IdParam.safeParse({ id: `x${name}` })), JSON.stringify(name)).toBe('An id holds no control characters');
      expect(firstMessage(NameParam.safeParse({ name: `x${name}` })), JSON.stringify(name)).toBe('A name holds no control characters');
      expect(uploadNameProblem(`x${name}.csv`), JSON.stringify(name)).toMatch(/control characters/);
      if (name !== hostile.tab) expect(firstMessage(TestRecordInput.safeParse({ search: name })), JSON.stringify(name)).toBe('A search holds no control characters');
    }
    // tidy16: connection, person, token and run names had no rule (or a NUL one only).
    for (const name of Object.values(hostile)) {
      const at = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => (r.success ? [] : r.error!.issues.filter((i) => i.path[0] === 'name').map((i) => i.message));
      const named = `x${name}`;
      expect(at(ConnectionInput.safeParse({ connector: 'postgres', name: named })), JSON.stringify(name)).toEqual([NAME_CONTROL_MESSAGE]);
      expect(at(SetupInput.safeParse({ email: 'a@b.example', name: named, password: 'long enough password' })), JSON.stringify(name)).toEqual([NAME_CONTROL_MESSAGE]);
      expect(at(InviteInput.safeParse({ email: 'a@b.example', name: named, role: 'viewer' })), JSON.stringify(name)).toEqual([NAME_CONTROL_MESSAGE]);
      expect(at(TokenInput.safeParse({ name: named, role: 'viewer' })), JSON.stringify(name)).toEqual([NAME_CONTROL_MESSAGE]);
      expect(at(TriggerTokenInput.safeParse({ name: named })), JSON.stringify(name)).toEqual([NAME_CONTROL_MESSAGE]);
      expect(at(StartRunInput.safeParse({ name: named })), JSON.stringify(name)).toEqual([name === hostile.NUL ? 'A run name cannot contain the character U+0000 (NUL)' : NAME_CONTROL_MESSAGE]);
      expect(at(ResubmitInput.safeParse({ ids: ['r1'], name: named })), JSON.stringify(name)).toEqual([name === hostile.NUL ? 'A name holds no NUL character' : NAME_CONTROL_MESSAGE]);
    }
    for (const name of Object.values(allowed)) {
      expect(ConnectionInput.safeParse({ connector: 'postgres', name }).success, name).toBe(true);
      expect(TokenInput.safeParse({ name, role: 'viewer' }).success, name).toBe(true);
      expect(StartRunInput.safeParse({ name }).success, name).toBe(true);
    }
    expect(TestRecordInput.safeParse({ search: 'a\tb' }).success).toBe(true);
    for (const name of [...Object.values(reordering), ...Object.values(marks)]) expect(uploadNameProblem(`${name}.csv`)).toMatch(/direction marks/);
    for (const name of Object.values(allowed)) {
      const parsed = IntegrationInput.safeParse({ name, graph });
      expect(parsed.success ? [] : parsed.error.issues.filter((i) => i.path[0] === 'name'), name).toEqual([]);
      expect(MemberInput.safeParse({ name, email: null }).success, name).toBe(true);
      if (name !== allowed['Hebrew with a right-to-left mark'] && name !== allowed['Arabic with an Arabic letter mark'] && !name.includes('\\')) expect(uploadNameProblem(`${name}.csv`), name).toBeNull();
      expect(IdParam.safeParse({ id: name }).success, name).toBe(true);
    }
  });
});
