import { describe, expect, it } from 'vitest';
import type { FieldType } from '../graph/field-types';
import { canonicalNumber, conflictWinner, creationFor, effectiveDirection, effectiveRule, normalizeValue, recordId, sameValue, settlePair, timeOf, type SettleField, type SideState } from './two-way';

describe('direction precedence: integration > object > field', () => {
  it('the integration switch off stops every field and says so where the field had its own direction', () => {
    expect(effectiveDirection(false, 'both', 'inherit')).toEqual({ flow: 'none', overriddenBy: 'integration', message: null });
    expect(effectiveDirection(false, 'both', 'push')).toMatchObject({ flow: 'none', overriddenBy: 'integration', message: 'Sync is switched off for this integration: the field is not synced' });
  });
  it('a disabled object stops its fields', () => {
    expect(effectiveDirection(true, 'disabled', 'both')).toMatchObject({ flow: 'none', overriddenBy: 'object', message: 'This field is synced both ways, but the object is disabled: the field is not synced' });
    expect(effectiveDirection(true, 'disabled', 'inherit').flow).toBe('none');
  });
  it('a field inherits the object direction', () => {
    for (const d of ['push', 'pull', 'both'] as const) expect(effectiveDirection(true, d, 'inherit')).toEqual({ flow: d, overriddenBy: null, message: null });
  });
  it('a field may narrow the object direction', () => {
    expect(effectiveDirection(true, 'both', 'push')).toEqual({ flow: 'push', overriddenBy: null, message: null });
    expect(effectiveDirection(true, 'both', 'pull')).toEqual({ flow: 'pull', overriddenBy: null, message: null });
    expect(effectiveDirection(true, 'push', 'disabled')).toEqual({ flow: 'none', overriddenBy: null, message: null });
  });
  it('a field cannot widen the object direction, and the message says so in the issue words', () => {
    expect(effectiveDirection(true, 'pull', 'push')).toEqual({ flow: 'none', overriddenBy: 'object', message: 'This field is pushed, but the object is set to pull only: the field is not synced' });
    expect(effectiveDirection(true, 'push', 'pull').message).toBe('This field is pulled, but the object is set to push only: the field is not synced');
    expect(effectiveDirection(true, 'push', 'both')).toEqual({ flow: 'push', overriddenBy: 'object', message: 'This field is synced both ways, but the object is set to push only: the field is only pushed' });
    expect(effectiveDirection(true, 'pull', 'both').flow).toBe('pull');
  });
  it('a field rule overrides the object rule unless it inherits', () => {
    expect(effectiveRule('latest')).toBe('latest');
    expect(effectiveRule('latest', 'inherit')).toBe('latest');
    expect(effectiveRule('latest', 'review')).toBe('review');
  });
});

describe('normalising values so echoes hash alike', () => {
  it('numbers are exact canonical text, never doubles', () => {
    expect(canonicalNumber('005.500')).toBe('5.5');
    expect(canonicalNumber('-0.0')).toBe('0');
    expect(canonicalNumber('12345678901234567890.10')).toBe('12345678901234567890.1');
    expect(normalizeValue(5, 'number')).toBe('5');
    expect(normalizeValue('5.00', 'currency')).toBe('5');
    expect(normalizeValue(2n ** 64n, 'number')).toBe('18446744073709551616');
    expect(normalizeValue(1e21, 'number')).toBe('1000000000000000000000');
    for (const n of [0, -0, 7, -7, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 53 + 2, -(2 ** 60), 1e20]) expect(normalizeValue(n, 'number')).toBe(BigInt(n).toString());
  });
  it('canonical number text is what the regular expression reading gave, for any text', () => {
    // The reading canonicalNumber had before it scanned by hand: the reference.
    const reference = (value: string) => {
      const t = value.trim();
      const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(t);
      if (!m || (m[2] === '' && (m[3] ?? '') === '')) return t;
      const int = (m[2] ?? '').replace(/^0+/, '') || '0';
      const frac = (m[3] ?? '').replace(/0+$/, '');
      const sign = m[1] === '-' && (int !== '0' || frac !== '') ? '-' : '';
      return `${sign}${int}${frac ? `.${frac}` : ''}`;
    };
    const fixed = ['', ' ', '+', '-', '.', '+.', '-.', '.5', '-.50', '+0.000', '0', '00', '-0', '+0', '5.', '-5.', '1e5', '12a', '--1', '1..2', '1.2.3', '\u0000', '1\u0000', '\uff11\uff12', ' 0012.3400 ', '\t-0012.0\n', '9007199254740993', '12345678901234567890.10', '__proto__', 'constructor', '0'.repeat(5000) + '1.' + '0'.repeat(5000), '1' + '0'.repeat(400)];
    for (const v of fixed) expect(canonicalNumber(v), JSON.stringify(v)).toBe(reference(v));
    const chars = ['0', '0', '1', '9', '.', '-', '+', ' ', 'e', 'x'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let k = 0; k < 20_000; k++) {
      let v = '';
      for (let len = next() % 9; len > 0; len--) v += chars[next() % chars.length];
      expect(canonicalNumber(v), JSON.stringify(v)).toBe(reference(v));
    }
  });
  it('leading zeros in text stay (an id is not a number)', () => {
    expect(normalizeValue('007', 'text')).toBe('007');
    expect(recordId(['007'])).not.toBe(recordId([7]));
    expect(recordId([7])).toBe(recordId(['7']));
  });
  it('date-times from different systems meet as ISO UTC', () => {
    const iso = '2026-12-01T06:00:03.000Z';
    expect(normalizeValue(new Date(iso), 'datetime')).toBe(iso);
    expect(normalizeValue('2026-12-01 06:00:03', 'datetime')).toBe(iso);
    expect(normalizeValue('2026-12-01T07:00:03+01:00', 'datetime')).toBe(iso);
    expect(normalizeValue(new Date('2026-12-01T00:00:00Z'), 'date')).toBe('2026-12-01');
    expect(normalizeValue('not a date', 'datetime')).toBe('not a date');
  });
  it('booleans, empties and objects', () => {
    expect(normalizeValue(1, 'boolean')).toBe(true);
    expect(normalizeValue('f', 'boolean')).toBe(false);
    expect(normalizeValue('', 'text')).toBeNull();
    expect(normalizeValue(undefined, 'text')).toBeNull();
    expect(normalizeValue({ a: 1 }, undefined)).toBe('{"a":1}');
    expect(normalizeValue('a\u0000b', 'text')).toBe('a\u0000b');
  });
  it('sameValue compares across sides by each side type', () => {
    expect(sameValue(5, 'number', '5.00', 'currency')).toBe(true);
    expect(sameValue('5', 'text', 5, 'number')).toBe(true);
    expect(sameValue('a ', 'text', 'a', 'text')).toBe(false);
    expect(sameValue(null, 'text', '', 'text')).toBe(true);
    expect(sameValue('x', 'text', null, 'text')).toBe(false);
  });
  it('timeOf reads dates, ISO text and numbers', () => {
    expect(timeOf(new Date(1000))).toBe(1000);
    expect(timeOf('1970-01-01T00:00:01Z')).toBe(1000);
    expect(timeOf(42)).toBe(42);
    expect(timeOf(null)).toBeNull();
    expect(timeOf('nope')).toBeNull();
  });
});

const types = { a: (): FieldType => 'text', b: (): FieldType => 'text' };
const field = (name: string, flow: SettleField['flow'] = 'both', rule: SettleField['rule'] = 'latest'): SettleField => ({ a: name, b: `${name}_b`, flow, rule });
const side = (values: Record<string, unknown> | null, changed: string[], updatedAt: number | null = null): SideState => ({ values, changed: new Set(changed), updatedAt });
const bValues = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).map(([k, x]) => [`${k}_b`, x]));

describe('settling one pair', () => {
  it('a field changed on A only goes to B; on B only goes to A', () => {
    const fields = [field('name'), field('city')];
    const s = settlePair(fields, side({ name: 'Ann', city: 'Oslo' }, ['name']), side(bValues({ name: 'Anne', city: 'Bergen' }), ['city_b']), types);
    expect({ ...s.toB }).toEqual({ name_b: 'Ann' });
    expect({ ...s.toA }).toEqual({ city: 'Bergen' });
    expect(s.held).toEqual([]);
    expect(s.conflicts).toEqual([]);
  });
  it('a change on A with B not read this run is written to B', () => {
    const s = settlePair([field('name')], side({ name: 'Ann' }, ['name']), side(null, []), types);
    expect({ ...s.toB }).toEqual({ name_b: 'Ann' });
  });
  it('unchanged on both sides writes nothing (echo)', () => {
    const s = settlePair([field('name')], side({ name: 'Ann' }, []), side(bValues({ name: 'Ann' }), []), types);
    expect(Object.keys(s.toA).length + Object.keys(s.toB).length).toBe(0);
  });
  it('changed on both sides to the same value is not a conflict', () => {
    const s = settlePair([field('name', 'both', 'review')], side({ name: 'Ann' }, ['name'], 1), side(bValues({ name: 'Ann' }), ['name_b'], 2), types);
    expect(s.held).toEqual([]);
    expect(Object.keys(s.toA)).toEqual([]);
  });
  it('conflict, most recent change wins: by updated-at, a tie to A', () => {
    const a = side({ name: 'A-val' }, ['name'], 2000);
    const bLater = side(bValues({ name: 'B-val' }), ['name_b'], 3000);
    expect({ ...settlePair([field('name')], a, bLater, types).toA }).toEqual({ name: 'B-val' });
    const bEarlier = side(bValues({ name: 'B-val' }), ['name_b'], 1000);
    expect({ ...settlePair([field('name')], a, bEarlier, types).toB }).toEqual({ name_b: 'A-val' });
    const tie = settlePair([field('name')], a, side(bValues({ name: 'B-val' }), ['name_b'], 2000), types);
    expect({ ...tie.toB }).toEqual({ name_b: 'A-val' });
    expect(tie.conflicts).toEqual([{ field: 'name', winner: 'a' }]);
  });
  it('conflict, A wins / B wins regardless of time', () => {
    const a = side({ name: 'A-val' }, ['name'], 1);
    const b = side(bValues({ name: 'B-val' }), ['name_b'], 9);
    expect({ ...settlePair([field('name', 'both', 'a-wins')], a, b, types).toB }).toEqual({ name_b: 'A-val' });
    expect({ ...settlePair([field('name', 'both', 'b-wins')], a, b, types).toA }).toEqual({ name: 'B-val' });
  });
  it('conflict, hold for review: nothing written, the values listed', () => {
    const s = settlePair([field('name', 'both', 'review'), field('city')], side({ name: 'A-val', city: 'Oslo' }, ['name', 'city'], 1), side(bValues({ name: 'B-val', city: 'Oslo' }), ['name_b'], 2), types);
    expect(s.held).toEqual([{ a: 'name', b: 'name_b', aValue: 'A-val', bValue: 'B-val' }]);
    expect(Object.keys(s.toA)).toEqual([]);
    expect(Object.keys(s.toB)).toEqual([]);
  });
  it('per-field rules settle fields of one record differently', () => {
    const s = settlePair([field('name', 'both', 'a-wins'), field('city', 'both', 'b-wins')], side({ name: 'An', city: 'Oslo' }, ['name', 'city']), side(bValues({ name: 'Bn', city: 'Rome' }), ['name_b', 'city_b']), types);
    expect({ ...s.toB }).toEqual({ name_b: 'An' });
    expect({ ...s.toA }).toEqual({ city: 'Rome' });
  });
  it('a push-only field: A changes go to B, B changes stay on B, and a both-sides change is not a conflict', () => {
    const f = [field('name', 'push')];
    expect({ ...settlePair(f, side({ name: 'A' }, ['name']), side(bValues({ name: 'B' }), []), types).toB }).toEqual({ name_b: 'A' });
    expect(Object.keys(settlePair(f, side({ name: 'A' }, []), side(bValues({ name: 'B' }), ['name_b']), types).toA)).toEqual([]);
    const both = settlePair(f, side({ name: 'A' }, ['name'], 1), side(bValues({ name: 'B' }), ['name_b'], 9), types);
    expect({ ...both.toB }).toEqual({ name_b: 'A' });
    expect(both.conflicts).toEqual([]);
  });
  it('a pull-only field mirrors push', () => {
    const f = [field('name', 'pull')];
    expect({ ...settlePair(f, side({ name: 'A' }, ['name'], 9), side(bValues({ name: 'B' }), ['name_b'], 1), types).toA }).toEqual({ name: 'B' });
    expect(Object.keys(settlePair(f, side({ name: 'A' }, ['name']), side(bValues({ name: 'B' }), []), types).toB)).toEqual([]);
  });
  it('a field with no flow is never written', () => {
    const s = settlePair([field('name', 'none')], side({ name: 'A' }, ['name']), side(bValues({ name: 'B' }), ['name_b']), types);
    expect(Object.keys(s.toA).length + Object.keys(s.toB).length + s.held.length).toBe(0);
  });
  it('field names that are object prototype names are data', () => {
    const f: SettleField[] = [{ a: '__proto__', b: 'constructor', flow: 'both', rule: 'latest' }];
    const a = Object.create(null) as Record<string, unknown>;
    a.__proto__ = 'x';
    const s = settlePair(f, side(a, ['__proto__']), side({ constructor: 'y' }, []), types);
    expect(Object.getOwnPropertyDescriptor(s.toB, 'constructor')?.value).toBe('x');
  });
  it('conflictWinner with unknown times', () => {
    expect(conflictWinner('latest', null, 5)).toBe('b');
    expect(conflictWinner('latest', 5, null)).toBe('a');
    expect(conflictWinner('latest', null, null)).toBe('a');
  });
});

describe('records with no pair', () => {
  it('are created with the fields that flow that way', () => {
    const fields = [field('id'), field('name', 'push'), field('note', 'pull')];
    expect({ ...creationFor(fields, 'a', { id: 1, name: 'Ann', note: 'n' }) }).toEqual({ id_b: 1, name_b: 'Ann' });
    expect({ ...creationFor(fields, 'b', { id_b: 2, name_b: 'Bo', note_b: 'm' }) }).toEqual({ id: 2, note: 'm' });
  });
  it('nothing flows that way: no creation', () => {
    expect(creationFor([field('name', 'pull')], 'a', { name: 'x' })).toBeNull();
  });
});

describe('settling made lazily (twoway14h): the same settlements as settling every field', () => {
  // The settlement as it was made before twoway14h: every field's values compared, every record and list made up front.
  function reference(fields: readonly SettleField[], a: SideState, b: SideState, types: { a: (f: string) => FieldType | undefined; b: (f: string) => FieldType | undefined }) {
    const put = (t: Record<string, unknown>, n: string, v: unknown) => Object.defineProperty(t, n, { value: v, enumerable: true, writable: true, configurable: true });
    const out = { toA: Object.create(null) as Record<string, unknown>, toB: Object.create(null) as Record<string, unknown>, held: [] as unknown[], conflicts: [] as unknown[] };
    for (const f of fields) {
      if (f.flow === 'none') continue;
      const aHas = a.values !== null;
      const bHas = b.values !== null;
      const aVal = aHas ? a.values![f.a] : undefined;
      const bVal = bHas ? b.values![f.b] : undefined;
      const aChanged = aHas && a.changed.has(f.a);
      const bChanged = bHas && b.changed.has(f.b);
      const push = f.flow === 'push' || f.flow === 'both';
      const pull = f.flow === 'pull' || f.flow === 'both';
      const differ = !(aHas && bHas) || !sameValue(aVal, types.a(f.a), bVal, types.b(f.b));
      if (aChanged && bChanged) {
        if (!differ) continue;
        if (push && !pull) put(out.toB, f.b, aVal);
        else if (pull && !push) put(out.toA, f.a, bVal);
        else {
          const winner = conflictWinner(f.rule, a.updatedAt, b.updatedAt);
          if (winner === 'review') out.held.push({ a: f.a, b: f.b, aValue: aVal ?? null, bValue: bVal ?? null });
          else {
            out.conflicts.push({ field: f.a, winner });
            if (winner === 'a') put(out.toB, f.b, aVal);
            else put(out.toA, f.a, bVal);
          }
        }
      } else if (aChanged) {
        if (push && differ) put(out.toB, f.b, aVal);
      } else if (bChanged) {
        if (pull && differ) put(out.toA, f.a, bVal);
      }
    }
    return out;
  }
  const own = (x: Record<string, unknown>) => Object.entries(Object.getOwnPropertyDescriptors(x)).map(([k, d]) => [k, d.value]);

  it('every flow, rule, change and value combination, with hostile field names and values', () => {
    const names = ['__proto__', 'constructor', 'a\u0000b', '😀', 'n'];
    const valuesA = [null, '007', 12345678901234567890n, '', 'x\u0000y'];
    const valuesB = ['007', '7', 12345678901234567890n, null, '😀'];
    const types = { a: (f: string) => (f === 'n' ? ('number' as FieldType) : undefined), b: (f: string) => (f === 'n' ? ('number' as FieldType) : undefined) };
    let cases = 0;
    for (const flow of ['push', 'pull', 'both', 'none'] as const) {
      for (const rule of ['latest', 'a-wins', 'b-wins', 'review'] as const) {
        const fields: SettleField[] = names.map((n) => ({ a: n, b: n, flow, rule }));
        for (let mask = 0; mask < 1 << 4; mask++) {
          for (const shift of [0, 1, 2]) {
            const rowA = Object.create(null) as Record<string, unknown>;
            const rowB = Object.create(null) as Record<string, unknown>;
            names.forEach((n, i) => {
              rowA[n] = valuesA[(i + shift) % valuesA.length];
              rowB[n] = valuesB[(i * shift) % valuesB.length];
            });
            const changedA = new Set(names.filter((_, i) => mask & 1 && (i + shift) % 2 === 0));
            const changedB = new Set(names.filter((_, i) => mask & 2 && (i + mask) % 3 !== 0));
            const a: SideState = { values: mask & 4 ? null : rowA, changed: changedA, updatedAt: mask & 8 ? 2 : 1 };
            const b: SideState = { values: rowB, changed: changedB, updatedAt: shift === 2 ? null : 1 };
            const got = settlePair(fields, a, b, types);
            const want = reference(fields, a, b, types);
            expect(own(got.toA)).toEqual(own(want.toA));
            expect(own(got.toB)).toEqual(own(want.toB));
            expect(Object.getPrototypeOf(got.toA)).toBe(null);
            expect(Object.getPrototypeOf(got.toB)).toBe(null);
            expect(got.held).toEqual(want.held);
            expect(got.conflicts).toEqual(want.conflicts);
            cases += 1;
          }
        }
      }
    }
    expect(cases).toBe(4 * 4 * 16 * 3);
  });

  it('a settlement with nothing to write shares no object another one writes into', () => {
    const fields: SettleField[] = [{ a: '__proto__', b: '__proto__', flow: 'both', rule: 'latest' }];
    const values = Object.create(null) as Record<string, unknown>;
    values.__proto__ = 'x';
    const none = settlePair(fields, { values, changed: new Set(), updatedAt: 1 }, { values, changed: new Set(), updatedAt: 1 }, { a: () => undefined, b: () => undefined });
    const some = settlePair(fields, { values, changed: new Set(['__proto__']), updatedAt: 1 }, { values: Object.create(null) as Record<string, unknown>, changed: new Set(), updatedAt: 1 }, { a: () => undefined, b: () => undefined });
    expect(Object.keys(none.toB)).toEqual([]);
    expect(Object.keys(some.toB)).toEqual(['__proto__']);
    expect(some.toB.__proto__).toBe('x');
    expect(Object.keys(none.toB)).toEqual([]);
    expect(none.held).toEqual([]);
    expect(none.conflicts).toEqual([]);
  });
});

describe('record ids of one key value (twoway14h)', () => {
  it('are the text of the array of the normalised value, whatever the value', () => {
    const hostile: unknown[] = ['__proto__', 'a\u0000b', '😀', '007', '', 9007199254740993n, 2 ** 53 + 2, -0, 1.5e300, true, null, undefined, new Date(0), new Date(NaN), { k: '__proto__' }, ['x'], 'quote " and \\ back'];
    for (const v of hostile) expect(recordId([v])).toBe(JSON.stringify([normalizeValue(v, undefined)]));
    expect(recordId(['007'])).toBe('["007"]');
    expect(recordId([9007199254740993n])).toBe('["9007199254740993"]');
    expect(recordId(['a', 1])).toBe(JSON.stringify(['a', '1']));
  });
});
