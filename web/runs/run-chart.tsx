// The integration's last runs as a chart: records created, updated and rejected per run (stacked bars) and how long
// each took (a line on its own axis), oldest on the left. Drawn with Chart.js (tree-shaken: only the bar and line
// controllers, two scales, tooltip and legend are registered) and loaded on its own (React.lazy), so neither the first
// page load nor the history's table waits for it. A "Table" toggle shows the same figures as a table, and the canvas
// carries a one-sentence summary for screen readers. Colours come from the theme's CSS variables and are read again
// when the system switches between light and dark.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunListItem } from '../../shared';
import { RUN_STATUS_LABELS } from '../../shared';
import { durationBetween, formatCount, formatDateTime, formatDuration } from '../lib/format';
import { href, navigate } from '../router';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

export interface ChartRun {
  id: string;
  /** The run's name (or its start time when it has none): the x axis and the table name runs by it. */
  name: string;
  /** When it started, in the person's time. */
  label: string;
  when: string;
  status: RunListItem['status'];
  created: number;
  updated: number;
  rejected: number;
  /** Milliseconds from start to end; null for a run that never started. */
  durationMs: number | null;
}

/** The runs the chart draws, oldest first: ended runs only (a run in progress has no final counts yet). */
export function chartRuns(runs: readonly RunListItem[]): ChartRun[] {
  return runs
    .filter((r) => r.endedAt !== null)
    .map((r) => ({
      id: r.id,
      name: r.name || formatDateTime(r.startedAt ?? r.createdAt),
      label: formatDateTime(r.startedAt ?? r.createdAt),
      when: r.startedAt ?? r.createdAt,
      status: r.status,
      created: r.counts.created,
      updated: r.counts.updated,
      rejected: r.counts.rejected,
      durationMs: durationBetween(r.startedAt, r.endedAt),
    }))
    .reverse();
}

/** One sentence for a screen reader: what the chart shows, in totals and extremes. */
export function chartSummary(runs: readonly ChartRun[]): string {
  if (runs.length === 0) return 'No finished runs to chart yet.';
  const sum = (k: 'created' | 'updated' | 'rejected') => formatCount(runs.reduce((n, r) => n + r[k], 0));
  const durations = runs.flatMap((r) => (r.durationMs === null ? [] : [r.durationMs]));
  const took = durations.length ? `; each took from ${formatDuration(Math.min(...durations))} to ${formatDuration(Math.max(...durations))}` : '';
  return `The last ${runs.length} finished run${runs.length === 1 ? '' : 's'}: ${sum('created')} records created, ${sum('updated')} updated and ${sum('rejected')} rejected in all${took}.`;
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function palette() {
  return {
    created: cssVar('--green-solid') || '#17b26a',
    updated: cssVar('--blue-solid') || '#2e90fa',
    rejected: cssVar('--red-solid') || '#f04438',
    duration: cssVar('--text-2') || '#475467',
    text: cssVar('--text-3') || '#5b6577',
    grid: cssVar('--border') || '#e4e7ec',
    surface: cssVar('--surface') || '#ffffff',
    font: cssVar('--font') || 'system-ui',
  };
}

/** Re-renders when the system switches light/dark, so the colours follow the theme. */
function useColorScheme(): string {
  const query = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const on = () => setDark(query.matches);
    query.addEventListener('change', on);
    return () => query.removeEventListener('change', on);
  }, [query]);
  return dark ? 'dark' : 'light';
}

function config(runs: readonly ChartRun[], c: ReturnType<typeof palette>): ChartConfiguration<'bar' | 'line', (number | null)[], string> {
  const bar = (label: string, key: 'created' | 'updated' | 'rejected', color: string) => ({
    type: 'bar' as const,
    label,
    data: runs.map((r) => r[key]),
    backgroundColor: color,
    borderColor: c.surface,
    borderWidth: { top: 1, left: 0, right: 0, bottom: 0 },
    stack: 'records',
    pointStyle: 'rect' as const,
    yAxisID: 'records',
    maxBarThickness: 36,
    order: 2,
  });
  return {
    type: 'bar',
    data: {
      // Two lines under each bar: the run's name (shortened) and when it started; runs minutes apart stay apart.
      labels: runs.map((r) => [r.name.length > 22 ? `${r.name.slice(0, 21)}…` : r.name, r.label] as unknown as string),
      datasets: [
        bar('Created', 'created', c.created),
        bar('Updated', 'updated', c.updated),
        bar('Rejected', 'rejected', c.rejected),
        {
          type: 'line' as const,
          label: 'Duration',
          data: runs.map((r) => (r.durationMs === null ? null : r.durationMs / 1000)),
          borderColor: c.duration,
          backgroundColor: c.duration,
          borderWidth: 2,
          borderDash: [5, 3],
          pointRadius: 3,
          pointStyle: 'circle' as const,
          pointHoverRadius: 5,
          tension: 0.2,
          spanGaps: true,
          yAxisID: 'seconds',
          order: 1,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      font: { family: c.font },
      color: c.text,
      onHover: (event, elements) => {
        const target = event.native?.target;
        if (target instanceof HTMLElement) target.style.cursor = elements.length ? 'pointer' : 'default';
      },
      onClick: (_event, elements) => {
        const hit = elements[0];
        const run = hit ? runs[hit.index] : undefined;
        if (run) navigate(href.run(run.id));
      },
      plugins: {
        legend: { position: 'bottom', labels: { color: c.text, boxWidth: 12, boxHeight: 12, usePointStyle: true, font: { family: c.font, size: 12 } } },
        tooltip: {
          callbacks: {
            title: (items) => {
              const run = items[0] ? runs[items[0].dataIndex] : undefined;
              return run ? [run.name, `${run.label} · ${RUN_STATUS_LABELS[run.status]}`] : '';
            },
            label: (item) =>
              item.dataset.label === 'Duration'
                ? ` Duration: ${formatDuration(runs[item.dataIndex]?.durationMs)}`
                : ` ${item.dataset.label ?? ''}: ${formatCount(Number(item.raw ?? 0))}`,
          },
        },
      },
      scales: {
        x: { stacked: true, ticks: { color: c.text, maxRotation: 0, autoSkip: true, autoSkipPadding: 16, font: { family: c.font, size: 11 } }, grid: { display: false }, border: { color: c.grid } },
        records: {
          type: 'linear',
          position: 'left',
          stacked: true,
          beginAtZero: true,
          title: { display: true, text: 'Records', color: c.text, font: { family: c.font, size: 12 } },
          ticks: { color: c.text, precision: 0, font: { family: c.font, size: 11 } },
          grid: { color: c.grid },
          border: { display: false },
        },
        seconds: {
          type: 'linear',
          position: 'right',
          beginAtZero: true,
          title: { display: true, text: 'Duration (s)', color: c.text, font: { family: c.font, size: 12 } },
          ticks: { color: c.text, font: { family: c.font, size: 11 } },
          grid: { display: false },
          border: { display: false },
        },
      },
    },
  };
}

function ChartCanvas({ runs, summary }: { runs: readonly ChartRun[]; summary: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const scheme = useColorScheme();
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const chart = new Chart(canvas, config(runs, palette()));
    return () => chart.destroy();
  }, [runs, scheme]);
  return (
    <div className="run-chart__canvas">
      <canvas ref={ref} role="img" aria-label={summary} data-testid="run-chart-canvas">
        {summary}
      </canvas>
    </div>
  );
}

function ChartTable({ runs }: { runs: readonly ChartRun[] }) {
  return (
    <div className="table-scroll run-chart__table" tabIndex={0} role="region" aria-label="Last runs as a table">
      <table className="table table--dense" data-testid="run-chart-table">
        <caption className="sr-only">Records created, updated and rejected, and duration, of the last finished runs, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Created
            </th>
            <th scope="col" className="num">
              Updated
            </th>
            <th scope="col" className="num">
              Rejected
            </th>
            <th scope="col" className="num">
              Duration
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-testid="run-chart-row">
              <th scope="row">
                <a href={href.run(r.id)}>{r.name}</a>
              </th>
              <td className="nowrap">{r.label}</td>
              <td>{RUN_STATUS_LABELS[r.status]}</td>
              <td className="num">{formatCount(r.created)}</td>
              <td className="num">{formatCount(r.updated)}</td>
              <td className="num">{formatCount(r.rejected)}</td>
              <td className="num">{formatDuration(r.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The card: title, the Chart/Table toggle, and the chart or its table. `runs` are the latest runs, newest first. */
export default function RunHistoryChart({ runs: latest }: { runs: readonly RunListItem[] }) {
  const runs = useMemo(() => chartRuns(latest), [latest]);
  const summary = useMemo(() => chartSummary(runs), [runs]);
  const [asTable, setAsTable] = useState(false);
  return (
    <section className="card run-chart" aria-labelledby="run-chart-title" data-testid="run-chart">
      <header className="run-chart__head">
        <div>
          <h2 className="run-chart__title" id="run-chart-title">
            Last {runs.length} finished run{runs.length === 1 ? '' : 's'}
          </h2>
          <p className="muted small">Records per run (bars, left axis) and how long each run took (dashed line, right axis). Select a run to open it.</p>
        </div>
        <div className="segmented" role="group" aria-label="Show the last runs as">
          <button type="button" className={`segmented__option${asTable ? '' : ' is-on'}`} aria-pressed={!asTable} onClick={() => setAsTable(false)} data-testid="run-chart-show-chart">
            Chart
          </button>
          <button type="button" className={`segmented__option${asTable ? ' is-on' : ''}`} aria-pressed={asTable} onClick={() => setAsTable(true)} data-testid="run-chart-show-table">
            Table
          </button>
        </div>
      </header>
      {runs.length === 0 ? <p className="muted small">{summary}</p> : asTable ? <ChartTable runs={runs} /> : <ChartCanvas runs={runs} summary={summary} />}
    </section>
  );
}
