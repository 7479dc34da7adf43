import { describe, expect, it } from 'vitest';
import { startIdleCollector } from './idle-gc';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('idle collector', () => {
  it('collects what an idle process left behind, without a gc global anywhere', async () => {
    let garbage: { i: number; s: string }[] | null = [];
    for (let i = 0; i < 400_000; i++) garbage.push({ i, s: `row ${i}` });
    const before = process.memoryUsage().heapUsed;
    garbage = null;
    const collector = startIdleCollector({ intervalMs: 100, growthBytes: 1024 * 1024, idleBelow: 0.9 });
    try {
      for (let i = 0; i < 30 && collector.collections() === 0; i++) await sleep(100);
      expect(collector.collections()).toBeGreaterThan(0);
      expect(process.memoryUsage().heapUsed).toBeLessThan(before - 10 * 1024 * 1024);
      expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
      const { runInNewContext } = await import('node:vm');
      expect(runInNewContext('typeof gc')).toBe('undefined');
    } finally {
      collector.stop();
    }
  });

  it('leaves a busy process to V8', async () => {
    const collector = startIdleCollector({ intervalMs: 50, growthBytes: 0, idleBelow: 0 });
    try {
      await sleep(400);
      expect(collector.collections()).toBe(0);
    } finally {
      collector.stop();
    }
  });
});
