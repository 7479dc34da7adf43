// "Did you mean": the closest known name by edit distance, if it is close enough to help.

export function editDistance(a: string, b: string): number {
  return editDistanceWithin(a, b, Math.max(a.length, b.length));
}

/** Cells one `suggest` call may compute: a few milliseconds, whatever the names (the editor calls it per keystroke). */
export const SUGGEST_BUDGET = 2_000_000;

/**
 * The edit distance of a and b when it is at most `max`, else `max + 1`. Only the band of cells within `max` of the
 * diagonal is computed, and it stops once a whole row is past `max`: O(min(|a|, |b|) * max) rather than |a| * |b|.
 */
export function editDistanceWithin(a: string, b: string, max: number): number {
  if (a.length > b.length) [a, b] = [b, a];
  const m = a.length;
  const n = b.length;
  if (n - m > max) return max + 1;
  const over = max + 1;
  let prev = new Int32Array(n + 1).fill(over);
  let cur = new Int32Array(n + 1).fill(over);
  for (let j = 0; j <= Math.min(n, max); j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(n, i + max);
    // Cells left of the band keep what two rows ago wrote there: the one this row reads must count as past max.
    if (lo > 1) cur[lo - 1] = over;
    cur[0] = i <= max ? i : over;
    let rowMin = cur[0] as number;
    const ai = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const cost = ai === b.charCodeAt(j - 1) ? 0 : 1;
      const d = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      const v = d > over ? over : d;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return over;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[n] as number, over);
}

/** Characters counted by code unit modulo this, for the lower bound below (merging counts keeps it a lower bound). */
const BUCKETS = 64;

function countInto(counts: Int32Array, text: string, sign: number): void {
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i) % BUCKETS;
    counts[k] = (counts[k] as number) + sign;
  }
}

export function suggest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestScore = Infinity;
  let budget = SUGGEST_BUDGET;
  const mine = new Int32Array(BUCKETS);
  countInto(mine, lower, 1);
  const diff = new Int32Array(BUCKETS);
  for (const c of candidates) {
    // Only a closer candidate than the best so far matters: the band narrows as better ones are found.
    const max = Math.min(limit, bestScore - 1);
    if (max < 0) break;
    const cl = c.toLowerCase();
    if (Math.abs(cl.length - lower.length) > max) continue;
    // An edit changes the character counts by at most 2: counts further apart than 2 * max rule the name out for the
    // cost of reading it, before any budget is spent (else 3,000 long, unlike names used it up before the one wanted).
    diff.set(mine);
    countInto(diff, cl, -1);
    let apart = 0;
    for (let k = 0; k < BUCKETS; k++) apart += Math.abs(diff[k] as number);
    if (apart > 2 * max) continue;
    budget -= Math.min(cl.length, lower.length) * (2 * max + 1);
    if (budget < 0) break;
    const d = editDistanceWithin(lower, cl, max);
    if (d < bestScore && d <= max) {
      best = c;
      bestScore = d;
    }
  }
  return best;
}
