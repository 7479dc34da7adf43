// Edits to the graph's value maps as pure functions; the panel turns each into one setValueMaps op.
import type { ValueMap } from '../../shared';

type Entry = ValueMap['entries'][number];

/** A name not taken yet: "new_map", "new_map_2", … (formulas quote it: LOOKUP([x], "new_map")). */
export function freshMapName(maps: readonly ValueMap[], base = 'new_map'): string {
  const taken = new Set(maps.map((m) => m.name));
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}_${n}`)) n++;
  return `${base}_${n}`;
}

export const addValueMap = (maps: readonly ValueMap[]): ValueMap[] => [...maps, { name: freshMapName(maps), entries: [{ from: '', to: '' }] }];

export const renameValueMap = (maps: readonly ValueMap[], index: number, name: string): ValueMap[] =>
  maps.map((m, i) => (i === index ? { ...m, name } : m));

export const removeValueMap = (maps: readonly ValueMap[], index: number): ValueMap[] => maps.filter((_, i) => i !== index);

const withEntries = (maps: readonly ValueMap[], index: number, f: (entries: Entry[]) => Entry[]): ValueMap[] =>
  maps.map((m, i) => (i === index ? { ...m, entries: f(m.entries) } : m));

export const addEntry = (maps: readonly ValueMap[], index: number): ValueMap[] => withEntries(maps, index, (es) => [...es, { from: '', to: '' }]);

export const setEntry = (maps: readonly ValueMap[], index: number, entry: number, patch: Partial<Entry>): ValueMap[] =>
  withEntries(maps, index, (es) => es.map((e, j) => (j === entry ? { ...e, ...patch } : e)));

export const removeEntry = (maps: readonly ValueMap[], index: number, entry: number): ValueMap[] =>
  withEntries(maps, index, (es) => es.filter((_, j) => j !== entry));

/**
 * Rows pasted from a spreadsheet or typed as "from,to" lines: tab-separated when the text has tabs,
 * else split at the first comma. Blank lines are skipped.
 */
export function parseEntries(text: string): Entry[] {
  const tabbed = text.includes('\t');
  return text
    .split(/\r\n|\n|\r/)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const at = tabbed ? line.indexOf('\t') : line.indexOf(',');
      const entry = at < 0 ? { from: line.trim(), to: '' } : { from: line.slice(0, at).trim(), to: line.slice(at + 1).trim() };
      return { from: entry.from.slice(0, MAX_TEXT), to: entry.to.slice(0, MAX_TEXT) };
    });
}

/** Appends pasted entries, dropping blank rows left at the end of the map first. */
export const pasteEntries = (maps: readonly ValueMap[], index: number, text: string): ValueMap[] =>
  withEntries(maps, index, (es) => [...es.filter((e) => e.from !== '' || e.to !== ''), ...parseEntries(text)].slice(0, MAX_ENTRIES));

/** The graph schema's limits (ValueMap in shared/graph/schema.ts). */
export const MAX_ENTRIES = 5000;
const MAX_TEXT = 500;
