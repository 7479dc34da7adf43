// The Temporal SDK's logger for Weft's processes: plain lines, and a repeated warning (a poll that fails every
// second while Temporal is down) printed once and then summarised once a minute, so an outage cannot flood the log.
import { inspect } from 'node:util';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';

const ORDER: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/** Messages that mean "cannot reach the Temporal server", whatever part of the SDK says it. */
const UNREACHABLE = /transport error|connection refused|tcp connect error|error trying to connect|unavailable|dns error|broken pipe|connection reset|failed to poll|poll.*fail/i;

export interface CollapsingLoggerOptions {
  level: LogLevel;
  /** Where lines go (console.error by default). */
  sink?: (line: string) => void;
  now?: () => number;
  /** A repeat within this long of the previous one belongs to the same episode (default 60 s). */
  quietMs?: number;
  /** How often an ongoing episode is summarised (default 60 s). */
  summaryEveryMs?: number;
  prefix?: string;
}

interface Episode {
  first: number;
  last: number;
  lastSummary: number;
  hidden: number;
  message: string;
  unreachable: boolean;
}

/** A message with its numbers, ids and addresses blanked, so "retry 3 of 10" and "retry 4 of 10" collapse together. */
export const messageShape = (message: string) =>
  message
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/gi, '#')
    .replace(/\d+(\.\d+)?/g, '#')
    .slice(0, 200);

const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${Math.round(m / 60)} h`;
};

function metaText(meta?: LogMetadata): string {
  if (!meta) return '';
  const kept = Object.entries(meta).filter(([k, v]) => k !== 'sdkComponent' && k !== 'taskQueue' && k !== 'namespace' && v !== undefined);
  if (kept.length === 0) return '';
  return ` ${inspect(Object.fromEntries(kept.map(([k, v]) => [k, v instanceof Error ? v.message : v])), { colors: false, breakLength: Infinity, depth: 3 })}`;
}

export class CollapsingLogger implements Logger {
  private readonly episodes = new Map<string, Episode>();
  private readonly sink: (line: string) => void;
  private readonly now: () => number;
  private readonly quietMs: number;
  private readonly summaryEveryMs: number;
  private readonly prefix: string;

  constructor(private readonly opts: CollapsingLoggerOptions) {
    this.sink = opts.sink ?? ((line) => console.error(line));
    this.now = opts.now ?? Date.now;
    this.quietMs = opts.quietMs ?? 60_000;
    this.summaryEveryMs = opts.summaryEveryMs ?? 60_000;
    this.prefix = opts.prefix ?? '[temporal]';
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (ORDER[level] < ORDER[this.opts.level]) return;
    const now = this.now();
    // Only warnings and errors repeat in loops; info lines (e.g. "Resuming pipeline") always pass.
    if (ORDER[level] < ORDER.WARN) {
      this.sink(`${this.prefix} ${level} ${message}${metaText(meta)}`);
      return;
    }
    const unreachable = UNREACHABLE.test(message) || UNREACHABLE.test(metaText(meta));
    const key = unreachable ? 'unreachable' : `${level} ${messageShape(message)}`;
    const episode = this.episodes.get(key);
    if (!episode || now - episode.last > this.quietMs) {
      if (episode?.hidden) this.summarise(episode, now);
      this.episodes.set(key, { first: now, last: now, lastSummary: now, hidden: 0, message, unreachable });
      this.sink(`${this.prefix} ${level} ${message}${metaText(meta)}`);
      return;
    }
    episode.last = now;
    episode.hidden++;
    if (now - episode.lastSummary >= this.summaryEveryMs) this.summarise(episode, now);
  }

  private summarise(e: Episode, now: number): void {
    const hidden = `${e.hidden} similar warning${e.hidden === 1 ? '' : 's'} not shown`;
    this.sink(
      e.unreachable
        ? `${this.prefix} Temporal unreachable for ${duration(now - e.first)}, retrying (${hidden})`
        : `${this.prefix} Still happening after ${duration(now - e.first)}: ${e.message} (${hidden})`,
    );
    e.lastSummary = now;
    e.hidden = 0;
  }

  trace(message: string, meta?: LogMetadata) {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata) {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata) {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata) {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata) {
    this.log('ERROR', message, meta);
  }
}
