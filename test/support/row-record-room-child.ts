// Run with --expose-gc (shared/util/records.test.ts): the bytes a field added to row records of a width costs, after
// the records were made and given their width's fields (a calculated field added downstream). Prints one JSON line.
import { rowRecord } from '../../shared/util/records';

const gc = (globalThis as { gc?: () => void }).gc!;
const COUNT = 50_000;
const out: Record<string, number> = {};
for (const [width, extra] of [
  [10, 'commission'],
  [3, '__proto__'],
  [1, 'constructor'],
  [30, 'x'],
] as const) {
  const records: Record<string, unknown>[] = [];
  for (let k = 0; k < COUNT; k++) {
    const r = rowRecord(width);
    for (let j = 0; j < width; j++) r[`c${j}`] = j;
    records.push(r);
  }
  gc();
  const before = process.memoryUsage().heapUsed;
  for (const r of records) Object.defineProperty(r, extra, { value: 7, writable: true, enumerable: true, configurable: true });
  gc();
  out[`${extra}@${width}`] = Math.round((process.memoryUsage().heapUsed - before) / COUNT);
  if (Object.keys(records[COUNT - 1]!).length !== width + 1) throw new Error('a record lost a field');
}
console.log(JSON.stringify(out));
