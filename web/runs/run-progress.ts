// The run page's progress bar, in one place: from the sources' own totals (bytes of a file against its size, a
// table's row estimate) when they report them, else from an earlier run of the same files; what the bar says in words.
import { runProgress, secondsLeftAt, sourceFraction, type RunDetail } from '../../shared';
import { formatBytes } from '../lib/format';

export interface RunBar {
  fraction: number;
  secondsLeft: number | null;
  /** "38% of orders.csv (2.1 MB of 5.4 MB)". */
  text: string;
}

const count = (n: number) => new Intl.NumberFormat('en').format(Math.round(n));

export function runBar(run: Pick<RunDetail, 'steps' | 'counts' | 'startedAt'>, earlierTotal: number | null, rowsPerSecond: number | null, now: number): RunBar | null {
  const fraction = sourceFraction(run.steps);
  if (fraction !== null) {
    const elapsed = run.startedAt ? (now - Date.parse(run.startedAt)) / 1000 : -1;
    const reporting = run.steps.filter((s) => s.progress);
    const pct = `${Math.floor(fraction * 100)}%`;
    const only = reporting.length === 1 ? reporting[0]! : null;
    let text = `${pct} read`;
    if (only?.progress?.unit === 'bytes') text = `${pct} of ${only.label} (${formatBytes(only.progress.done ?? 0)} of ${formatBytes(only.progress.total)})`;
    else if (only?.progress?.unit === 'rows') text = `${pct} of about ${count(only.progress.total)} rows in ${only.label} (the database's estimate)`;
    else text = `${pct} of ${reporting.length} sources`;
    return { fraction, secondsLeft: secondsLeftAt(fraction, elapsed), text };
  }
  if (earlierTotal === null) return null;
  const p = runProgress(run.counts.read, earlierTotal, rowsPerSecond);
  return { ...p, text: `${Math.floor(p.fraction * 100)}% of about ${count(earlierTotal)} rows (the last run of these files)` };
}
