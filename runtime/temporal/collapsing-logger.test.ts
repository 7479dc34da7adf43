import { describe, expect, it } from 'vitest';
import { CollapsingLogger } from './collapsing-logger';

describe('CollapsingLogger', () => {
  it('prints an outage once, then one summary a minute, however often the SDK retries', () => {
    const lines: string[] = [];
    let now = 0;
    const logger = new CollapsingLogger({ level: 'WARN', sink: (l) => lines.push(l), now: () => now });
    // Four minutes of a poll failing twice a second: ~480 warnings.
    for (let t = 0; t < 240_000; t += 500) {
      now = t;
      logger.warn(`Error when polling for workflow task: status: Unavailable, message: "tcp connect error: Connection refused (os error 111)" attempt ${t / 500}`, {
        sdkComponent: 'core',
      });
    }
    expect(lines.length).toBeLessThanOrEqual(6);
    expect(lines[0]).toMatch(/^\[temporal\] WARN Error when polling for workflow task/);
    expect(lines.slice(1)).toEqual([
      '[temporal] Temporal unreachable for 1 min, retrying (120 similar warnings not shown)',
      '[temporal] Temporal unreachable for 2 min, retrying (120 similar warnings not shown)',
      '[temporal] Temporal unreachable for 3 min, retrying (120 similar warnings not shown)',
    ]);
  });

  it('lets different warnings through, collapses a repeated one, and filters below its level', () => {
    const lines: string[] = [];
    let now = 0;
    const logger = new CollapsingLogger({ level: 'INFO', sink: (l) => lines.push(l), now: () => now });
    logger.debug('not shown');
    logger.info('Resuming pipeline', { runId: 'r1', batch: 5 });
    logger.warn('Activity failed, retry 1');
    now = 1_000;
    logger.warn('Activity failed, retry 2');
    logger.error('Something else');
    now = 200_000; // long after: a new episode, with the hidden count of the old one summarised first
    logger.warn('Activity failed, retry 3');
    expect(lines).toEqual([
      "[temporal] INFO Resuming pipeline { runId: 'r1', batch: 5 }",
      '[temporal] WARN Activity failed, retry 1',
      '[temporal] ERROR Something else',
      '[temporal] Still happening after 3 min: Activity failed, retry 1 (1 similar warning not shown)',
      '[temporal] WARN Activity failed, retry 3',
    ]);
  });
});
