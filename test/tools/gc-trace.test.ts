import { describe, expect, it } from 'vitest';
import { describeGc, GcLines } from '../../bench/gc-trace';

const scavenge = '[1:0x1]      327 ms: pause=9.6 mutator=311.4 gc=s reduce_memory=0 scavenge=9.46 total_size_before=7586464 promoted=2710912 new_space_survived=224984 nodes_promoted=1 promotion_ratio=78.6%';
const markCompact = '[1:0x1]     1033 ms: pause=5.6 mutator=18.6 gc=mc reduce_memory=0 evacuate=1.9 promoted=1170040 new_space_survived=0 promotion_ratio=60.1%';

describe('the worker GC tally of bench:move-rows', () => {
  it('counts each collection once, a line cut anywhere between chunks included', () => {
    const text = `ready\n${scavenge}\n${markCompact}\n${scavenge}\nnot a gc=line\n`;
    for (let cut = 0; cut <= text.length; cut++) {
      const lines = new GcLines();
      lines.push(text.slice(0, cut));
      lines.push(text.slice(cut));
      expect(lines.tally).toEqual({ scavenges: 2, scavengeMs: 19.2, markCompacts: 1, markCompactMs: 5.6, promoted: 2 * 2710912, survived: 2 * 224984 });
    }
  });

  it('reads promoted= not nodes_promoted=, and a mark-compact adds no scavenge bytes', () => {
    const lines = new GcLines();
    lines.push(`${markCompact}\n`);
    expect(lines.tally.promoted).toBe(0);
    lines.reset();
    lines.push(`${scavenge.replace('promoted=2710912', 'promoted=0')}\n`);
    expect(lines.tally).toMatchObject({ scavenges: 1, promoted: 0, survived: 224984 });
    expect(describeGc(lines.tally)).toBe('1 scavenges (0.0 s paused), 0 mark-compacts (0.0 s), promoted 0 MB, kept young 0 MB');
  });
});
