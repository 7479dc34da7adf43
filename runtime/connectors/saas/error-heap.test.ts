// review14a: probe15 bounded what a CRM's successful answer may hold (net/json-shape.ts), but an error answer was still
// parsed whole with JSON.parse to find its message: a 400 of 9 MB of `{},{},…` (3 million objects, inside the byte limit)
// ran a worker-sized heap out of memory. Each case runs in a child process, since memory is the point.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const child = resolve(import.meta.dirname, '../../../test/support/saas-error-child.ts');

function run(system: string, count: number): { ok: boolean; message?: string } {
  const r = spawnSync(process.execPath, ['--max-old-space-size=160', '--import', 'tsx', child, system, String(count)], { encoding: 'utf8', timeout: 90_000 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`the child failed (${r.status ?? r.signal}): ${/heap out of memory/.test(r.stderr) ? 'heap out of memory' : r.stderr.slice(-500)}`);
  return JSON.parse(line) as ReturnType<typeof run>;
}

describe('a CRM error answer of millions of values in a 160 MB heap', () => {
  it('HubSpot and Salesforce (an error, a token answer) say the error with the start of the body, not an out-of-memory crash', () => {
    for (const system of ['hubspot', 'salesforce', 'salesforce-token']) expect(run(system, 3_000_000), system).toMatchObject({ ok: true, message: expect.stringContaining('[{},{},{}') });
  }, 120_000);
});
