import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startIdleCollector } from './idle-gc';

const CHILD = resolve(import.meta.dirname, '../test/support/idle-gc-child.ts');

/** The collector in a process started as `npm start` and the store process are: with `--expose-gc`. */
async function inChild(mode: 'idle' | 'busy' | 'defaults' | 'pages' | 'stretched' | 'fragmented' | 'young' | 'start-code' | 'start-code-kept'): Promise<{ globalGc: string; contextGc: string; collections: number; shrinks?: number; works?: string; grown?: number; after?: number; freedBytes?: number; afterMs?: number; first?: number; second?: number; slackBytes?: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--max-semi-space-size=4', '--import', 'tsx', CHILD, mode], { cwd: resolve(import.meta.dirname, '..') });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Awaited<ReturnType<typeof inChild>>;
}

describe('idle collector', () => {
  it('collects what an idle process left behind, without a gc global anywhere', async () => {
    const seen = await inChild('idle');
    expect(seen.collections).toBeGreaterThan(0);
    expect(seen.freedBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(seen.globalGc).toBe('undefined');
    expect(seen.contextGc).toBe('undefined');
  }, 30_000);

  it('with its defaults (npm start), collects a few MB of leftovers within ~2 s of quiet', async () => {
    const seen = await inChild('defaults');
    expect(seen.collections).toBe(1);
    expect(seen.freedBytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(seen.afterMs).toBeLessThan(3_500);
  }, 30_000);

  it('collects when V8 grew the heap by pages although the used heap is back at its level, once', async () => {
    const seen = await inChild('pages');
    expect(seen.first).toBe(1);
    expect(seen.second).toBe(2);
    expect(seen.collections).toBe(2);
  }, 30_000);

  it('counts a process that uses no CPU as quiet although its event loop reads busy (a loaded machine)', async () => {
    const seen = await inChild('stretched');
    expect(seen.collections).toBe(1);
  }, 30_000);

  it('compacts: a heap whose garbage is spread over every page gives the pages back', async () => {
    const seen = await inChild('fragmented');
    expect(seen.collections).toBe(1);
    // Without compaction ~22 MB stayed; the young generation alone may hold ~8 MB (4 MB semi-spaces, as npm start).
    expect(seen.slackBytes).toBeLessThan(14 * 1024 * 1024);
  }, 30_000);

  it('gives the young generation back when the quiet lasts: 8 MB of semi-spaces down to ~1 MB, ~6 s after the collection', async () => {
    const seen = await inChild('young');
    expect(seen.grown).toBeGreaterThanOrEqual(6 * 1024 * 1024);
    expect(seen.collections).toBe(1);
    expect(seen.shrinks).toBe(1);
    expect(seen.after).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(seen.afterMs).toBeLessThan(11_000);
  }, 30_000);

  it("drops the bytecode of code the start ran once, at the first long quiet spell; the functions still work", async () => {
    const flushed = await inChild('start-code');
    const kept = await inChild('start-code-kept');
    expect(flushed.shrinks).toBe(1);
    expect(kept.shrinks).toBe(1);
    // 3,000 small functions: ~2 MB of bytecode and feedback; without the flush the shrink frees far less (V8's own
    // bytecode ageing may drop some of it there: ~0.3 MB on a loaded machine in CI, so the two are compared).
    expect(flushed.freedBytes).toBeGreaterThan(700 * 1024);
    expect(kept.freedBytes!).toBeLessThan(flushed.freedBytes! / 2);
    expect(flushed.works).toBe('[14996,"r2999",{"k":14996}]'); // 5 * 2999 + 1
  }, 40_000);

  it('leaves a busy process to V8', async () => {
    const seen = await inChild('busy');
    expect(seen.collections).toBe(0);
    expect(seen.globalGc).toBe('undefined');
  }, 30_000);

  it('does nothing in a process started without --expose-gc', async () => {
    const collector = startIdleCollector({ intervalMs: 20, growthBytes: 0, idleBelow: 1 });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(collector.collections()).toBe(0);
    } finally {
      collector.stop();
    }
  });
});
