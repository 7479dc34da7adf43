// Human formats for times, durations, sizes and typed cell values, shared by every page.
import type { FieldType } from '../../shared';

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "just now", "2 minutes ago", "in 3 hours". */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const secs = Math.round((t - now) / 1000);
  if (Math.abs(secs) < 45) return 'just now';
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(secs) >= size * (unit === 'minute' ? 0.75 : 1)) return rtf.format(Math.round(secs / size), unit);
  }
  return rtf.format(Math.round(secs / 60), 'minute');
}

/** "0.4 s", "12 s", "3 min 4 s", "1 h 2 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

export function durationBetween(start: string | null | undefined, end: string | null | undefined, now = Date.now()): number | null {
  if (!start) return null;
  const a = Date.parse(start);
  const b = end ? Date.parse(end) : now;
  return Number.isNaN(a) || Number.isNaN(b) ? null : Math.max(0, b - a);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const kb = n / 1024;
  if (kb < 1024) return `${kb < 10 ? kb.toFixed(1) : Math.round(kb)} KB`;
  const mb = kb / 1024;
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

const dateTime = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const dateTimeWithYear = new Intl.DateTimeFormat('en', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
export function formatDateTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return (d.getFullYear() === new Date(now).getFullYear() ? dateTime : dateTimeWithYear).format(d);
}

export const formatCount = (n: number) => new Intl.NumberFormat('en').format(n);

const dateOnly = new Intl.DateTimeFormat('en', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
const numberFmt = new Intl.NumberFormat('en', { maximumFractionDigits: 6 });
const currencyFmt = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
/** Exact decimal text (an amount past 2^53, or with many decimals) grouped by thousands, digit for digit: never rounded. */
function groupExact(text: string, minFraction: number): string | null {
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const int = (m[2] ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (m[3] ?? '').padEnd(minFraction, '0');
  return `${m[1]}${int}${frac ? `.${frac}` : ''}`;
}

/** A workspace value as text for its field type; null when the cell is empty. */
export function formatCell(value: unknown, type: FieldType, currency?: string): string | null {
  if (value === null || value === undefined || value === '') return type === 'boolean' ? '—' : null;
  switch (type) {
    case 'boolean':
      return value === true || value === 'true' ? '✓' : '—';
    case 'number':
    case 'currency': {
      const code = type === 'currency' && currency ? ` ${currency}` : '';
      // Decimal text is how Weft keeps a number a double cannot hold: shown digit for digit.
      const exact = typeof value === 'string' && !/^-?\d{1,15}(\.\d{1,2})?$/.test(value) ? groupExact(value, type === 'currency' ? 2 : 0) : null;
      if (exact !== null) return `${exact}${code}`;
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(n)) return String(value);
      return `${(type === 'currency' ? currencyFmt : numberFmt).format(n)}${code}`;
    }
    case 'date': {
      const s = String(value);
      const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
      return Number.isNaN(d.getTime()) ? s : dateOnly.format(d);
    }
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}
