// Compile-time checks of a two-way sync: both sides picked with a change-time field and a record id, a match key,
// mapped fields that exist on their sides, and a warning where a field's direction is overridden by the object's.
import type { TwoWaySide, TwoWaySyncConfig } from '../../graph/kinds/two-way-sync';
import { WORKSPACE_UPDATED_AT } from '../../graph/kinds/two-way-sync';
import { effectiveDirection } from '../../sync/two-way';
import type { Report } from '../diagnostics';
import type { KindInfer } from './types';

function checkSide(side: TwoWaySide, name: 'a' | 'b', report: Report): boolean {
  const label = `Side ${name.toUpperCase()}`;
  if (!side.object) {
    report({ code: 'no-object', message: `${label}: choose a ${side.connectionId ? 'table' : 'workspace object'}`, path: `${name}.object` });
    return false;
  }
  if (!side.updatedAt) report({ code: 'no-updated-at', message: `${label}: choose the field that says when a record last changed`, path: `${name}.updatedAt` });
  else if (side.connectionId && side.columns.length > 0 && !side.columns.some((c) => c.name === side.updatedAt)) {
    report({ code: 'unknown-updated-at', message: `${label}: ${side.object} has no field "${side.updatedAt}"`, path: `${name}.updatedAt` });
  }
  if (side.connectionId && side.key.length === 0) report({ code: 'no-primary-key', message: `${label}: ${side.object} has no primary key, so Weft cannot tell its records apart`, path: `${name}.object` });
  return true;
}

export const inferTwoWaySync: KindInfer<TwoWaySyncConfig> = (config, _input, report, ctx) => {
  const okA = checkSide(config.a, 'a', report);
  const okB = checkSide(config.b, 'b', report);
  if (!okA || !okB) return null;
  // One table on both sides pairs each record with itself (or with another record of the same table by the match
  // key) and writes the table into itself: never what a person means, and a crossed mapping overwrites data.
  if (config.a.connectionId === config.b.connectionId && config.a.object === config.b.object) {
    const what = config.a.connectionId ? ['table', 'table'] : ['workspace object', 'object'];
    report({ code: 'same-object', message: `Side A and side B are the same ${what[0]} (${config.a.object}): choose another ${what[1]} for one of them`, path: 'b.object' });
    return null;
  }
  const known = (side: TwoWaySide, field: string) => side.columns.length === 0 || field === WORKSPACE_UPDATED_AT || side.columns.some((c) => c.name === field);
  if (!config.match.a || !config.match.b) report({ code: 'no-match-key', message: 'Choose the match key: the field on each side whose equal values make two records one', path: 'match' });
  if (config.fields.length === 0) report({ code: 'no-fields', message: 'Map at least one field between A and B', path: 'fields' });
  const seenA = new Set<string>();
  const seenB = new Set<string>();
  for (const [i, f] of config.fields.entries()) {
    if (!f.a || !f.b) report({ code: 'half-mapped', message: `Field ${i + 1} needs a field on both sides`, path: `fields.${i}` });
    if (f.a && !known(config.a, f.a)) report({ code: 'unknown-field', message: `Side A (${config.a.object}) has no field "${f.a}"`, path: `fields.${i}.a` });
    if (f.b && !known(config.b, f.b)) report({ code: 'unknown-field', message: `Side B (${config.b.object}) has no field "${f.b}"`, path: `fields.${i}.b` });
    if (f.a && seenA.has(f.a)) report({ code: 'duplicate-field', message: `"${f.a}" of side A is mapped twice`, path: `fields.${i}.a` });
    if (f.b && seenB.has(f.b)) report({ code: 'duplicate-field', message: `"${f.b}" of side B is mapped twice`, path: `fields.${i}.b` });
    seenA.add(f.a);
    seenB.add(f.b);
    const eff = effectiveDirection(ctx.syncEnabled !== false, config.direction, f.direction);
    if (eff.message) report({ code: 'direction-overridden', severity: 'warning', message: `${f.a} ↔ ${f.b}: ${eff.message}`, path: `fields.${i}.direction` });
  }
  // A record created on a side needs its record id among the fields written there.
  if (config.createMissing && config.direction !== 'disabled') {
    for (const [name, side] of [['a', config.a], ['b', config.b]] as const) {
      if (!side.connectionId || side.key.length === 0) continue;
      const mapped = new Set(config.fields.map((f) => f[name]));
      const missing = side.key.filter((k) => !mapped.has(k));
      if (missing.length > 0) {
        report({
          code: 'key-not-mapped',
          severity: 'warning',
          message: `Side ${name.toUpperCase()}'s primary key (${missing.join(', ')}) is not mapped: records missing there are counted "skipped: no match" instead of created`,
          path: 'fields',
        });
      }
    }
  }
  return null;
};
