// package.json's start and worker scripts: the malloc setting they give node is the caller's when set (sh's
// `${NAME:-default}`), and the benches read the scripts the same way (bench/npm-script.ts).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { npmScriptCommand } from '../bench/npm-script';

const run = promisify(execFile);

/** The script's own words before `node` (package.json as written), run by sh with `env`: what node would see. */
async function prefixSeen(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  const pkg = JSON.parse(await readFile(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (pkg.scripts[script]!.split('&&').pop() ?? '').trim().split(/\s+/);
  const prefix = words.slice(0, words.indexOf('node')).join(' ');
  const { stdout } = await run('sh', ['-c', `${prefix} node -e 'process.stdout.write(String(process.env.MALLOC_MMAP_THRESHOLD_))'`], { env: { PATH: process.env.PATH, ...env } });
  return stdout;
}

describe('npm scripts', () => {
  it('npm start gives node MALLOC_MMAP_THRESHOLD_=16384 unless the caller set one', async () => {
    expect(npmScriptCommand('start', {}).env).toEqual({ MALLOC_MMAP_THRESHOLD_: '16384' });
    expect(npmScriptCommand('start', { MALLOC_MMAP_THRESHOLD_: '65536' }).env).toEqual({ MALLOC_MMAP_THRESHOLD_: '65536' });
    expect(npmScriptCommand('start', { MALLOC_MMAP_THRESHOLD_: '' }).env).toEqual({ MALLOC_MMAP_THRESHOLD_: '16384' });
    expect(await prefixSeen('start', {})).toBe('16384');
    expect(await prefixSeen('start', { MALLOC_MMAP_THRESHOLD_: '65536' })).toBe('65536');
    expect(npmScriptCommand('start', {}).flags).toEqual(expect.arrayContaining(['--expose-gc', '--max-semi-space-size=4']));
  });

  it('reads a script as sh would: a literal value, a default taken only when the caller has none, nothing else expanded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-npm-script-'));
    try {
      const scripts = {
        a: 'x && A=1 B=${B:-2} C=${C:-} D=$(whoami) node --flag=1 main.mjs --not-a-node-flag',
        b: 'no node here',
      };
      await writeFile(join(dir, 'package.json'), JSON.stringify({ scripts }));
      expect(npmScriptCommand('a', { B: '__proto__' }, dir)).toEqual({ env: { A: '1', B: '__proto__', C: '', D: '$(whoami)' }, flags: ['--flag=1'] });
      expect(npmScriptCommand('a', {}, dir).env.B).toBe('2');
      expect(npmScriptCommand('b', {}, dir)).toEqual({ env: {}, flags: [] });
      expect(npmScriptCommand('missing', {}, dir)).toEqual({ env: {}, flags: [] });
      expect(Object.getPrototypeOf(npmScriptCommand('a', {}, dir).env)).toBe(Object.prototype);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
