// The worker's garbage collection during one bench case, from V8's `--trace-gc-nvp` lines (one `name=value` line per
// collection on stdout): how many scavenges and mark-compacts, their main-thread pauses, and the bytes the scavenges
// kept (copied within the young generation) and promoted to the old one. Those byte counts depend on the machine's
// load less than CPU seconds do (they still move with how stages interleave, ~±30% between runs): they
// say whether a change lets a batch's rows die young (docs/benchmarks.md).

export interface GcTally {
  scavenges: number;
  scavengeMs: number;
  markCompacts: number;
  markCompactMs: number;
  /** Bytes scavenges promoted to the old generation. */
  promoted: number;
  /** Bytes scavenges kept in the young generation. */
  survived: number;
}

export const emptyTally = (): GcTally => ({ scavenges: 0, scavengeMs: 0, markCompacts: 0, markCompactMs: 0, promoted: 0, survived: 0 });

/** One `--trace-gc-nvp` line's collection added to `tally`; any other line leaves it as it is. */
export function addGcLine(tally: GcTally, line: string): void {
  const kind = / gc=(\w+) /.exec(line)?.[1];
  if (!kind) return;
  const number = (name: string) => {
    const m = new RegExp(` ${name}=([0-9.]+)`).exec(line);
    return m ? Number(m[1]) : 0;
  };
  const pause = number('pause');
  if (kind === 's') {
    tally.scavenges++;
    tally.scavengeMs += pause;
    tally.promoted += number('promoted');
    tally.survived += number('new_space_survived');
  } else {
    tally.markCompacts++;
    tally.markCompactMs += pause;
  }
}

/** Feeds a process's output, chunk by chunk, to `addGcLine` a whole line at a time (a line may span chunks). */
export class GcLines {
  tally = emptyTally();
  private rest = '';

  push(chunk: string): void {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) addGcLine(this.tally, line);
  }

  /** Starts a new tally (the lines before it were the worker's start). */
  reset(): void {
    this.tally = emptyTally();
  }
}

export function describeGc(t: GcTally): string {
  const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
  return `${t.scavenges} scavenges (${(t.scavengeMs / 1000).toFixed(1)} s paused), ${t.markCompacts} mark-compacts (${(t.markCompactMs / 1000).toFixed(1)} s), promoted ${mb(t.promoted)}, kept young ${mb(t.survived)}`;
}
