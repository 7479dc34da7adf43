// The run page's progress bar, in one place: from the sources' own totals (bytes of a file against its size, a
// table's row estimate) when they report them, else from an earlier run of the same files; what the bar says in words.
import { runProgress, type RunDetail, type RunStep } from '../../shared';
import { formatBytes } from '../lib/format';

// Here, not in shared/api: the run page is loaded lazily, the API contracts are in the first-load bundle.
/**
 * The fraction of a running run's reading that is done, from its sources' own progress (bytes of a file against its
 * size, rows against a table's estimate), averaged over the sources that report one; null when none does.
 */
export function sourceFraction(steps: readonly Pick<RunStep, 'progress' | 'counts'>[]): number | null {
  const parts = steps.flatMap((s) => {
    if (!s.progress) return [];
    const done = s.progress.unit === 'bytes' ? (s.progress.done ?? 0) : s.counts.read;
    return [Math.min(1, Math.max(0, done / s.progress.total))];
  });
  return parts.length > 0 ? parts.reduce((a, b) => a + b, 0) / parts.length : null;
}

/** Seconds left when `fraction` of the work took `elapsedSeconds`, at the same pace; null before anything is done. */
export function secondsLeftAt(fraction: number, elapsedSeconds: number): number | null {
  if (!(fraction > 0) || !(elapsedSeconds >= 0)) return null;
  return Math.max(0, (elapsedSeconds * (1 - fraction)) / fraction);
}

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
