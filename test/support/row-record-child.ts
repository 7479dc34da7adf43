// Run with --allow-natives-syntax (shared/util/records.test.ts): how V8 lays out row records of each width after the
// process's first records were small ones. Prints one JSON line.
import { rowRecord } from '../../shared/util/records';

// eslint-disable-next-line no-new-func -- V8's natives syntax (%HasFastProperties) cannot be written in TypeScript source
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
// A process's first records: small ones (a 3-column lookup), made through the constructor shared by every width.
for (let k = 0; k < 50; k++) {
  const small = rowRecord(3);
  for (let j = 0; j < 3; j++) small[`s${j}`] = j;
  const unsized = rowRecord();
  for (let j = 0; j < 3; j++) unsized[`s${j}`] = j;
}
const out: Record<string, boolean> = {};
for (const width of [11, 30, 64]) {
  const records = [];
  for (let k = 0; k < 50; k++) {
    const r = rowRecord(width);
    for (let j = 0; j < width; j++) r[`c${j}`] = j;
    records.push(r);
  }
  out[`fast${width}`] = records.every(hasFastProperties);
}
console.log(JSON.stringify(out));
