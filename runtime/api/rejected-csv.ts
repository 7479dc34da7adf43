// A run's rejected records as a person reads them: the line in the file each came from (header counted), and all
// of them as a CSV download with their reasons, streamed page by page so a large inbox never sits in memory.
import { stringify } from 'csv-stringify/sync';
import { fileLine, type Plan, type RejectedRecord } from '../../shared';

/** The source step feeding each step of the plan (a step in no pipeline has none). */
function sourceOf(plan: Plan): Map<string, Plan['steps'][number]> {
  const steps = new Map(plan.steps.map((s) => [s.nodeId, s]));
  const out = new Map<string, Plan['steps'][number]>();
  for (const p of plan.pipelines) {
    const source = steps.get(p.nodeIds[0]!);
    if (!source) continue;
    for (const id of p.nodeIds) if (!out.has(id)) out.set(id, source);
  }
  return out;
}

/** A function giving the line in the file of a rejected record (undefined when its source is not a file). */
export function lineFinder(plan: Plan | null): (r: Pick<RejectedRecord, 'nodeId' | 'rowNumber'>) => number | undefined {
  if (!plan) return () => undefined;
  const sources = sourceOf(plan);
  return (r) => {
    const source = sources.get(r.nodeId);
    return source ? fileLine(source, r.rowNumber) : undefined;
  };
}

/** Records with their line in the file, when there is one. */
export function withLines<T extends RejectedRecord>(plan: Plan | null, items: readonly T[]): T[] {
  const find = lineFinder(plan);
  return items.map((r) => {
    const line = find(r);
    return line === undefined ? r : { ...r, line };
  });
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Cells a spreadsheet would run as formulas (=, +, -, @, tab, CR first) start with ' instead. */
export const csvRows = (rows: readonly (readonly string[])[]): string => stringify(rows as string[][], { escape_formulas: true, record_delimiter: '\r\n', quoted_match: /[\r\n]/ });

type PageOf = (offset: number, limit: number) => Promise<{ items: RejectedRecord[]; total: number }>;

/**
 * The CSV of every rejected record: "Line in file" (or "Row" for a source that is not a file), "Step",
 * "Reason", then each source column seen in any record, in the source's order (others after). Two passes over the pages: the
 * first finds the columns, the second writes the rows.
 */
export function rejectedCsv(pageOf: PageOf, plan: Plan | null, stepLabels: ReadonlyMap<string, string>, pageSize = 1000): ReadableStream<Uint8Array> {
  const find = lineFinder(plan);
  const encoder = new TextEncoder();
  let columns: string[] | null = null;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!columns) {
        const seen = new Set<string>();
        for (let o = 0; ; o += pageSize) {
          const { items } = await pageOf(o, pageSize);
          for (const r of items) for (const k of Object.keys(r.source)) seen.add(k);
          if (items.length < pageSize) break;
        }
        // The store keeps source values as jsonb, which reorders keys: the sources' own column order first.
        const ordered = (plan?.steps ?? []).flatMap((st) => (plan?.pipelines.some((p) => p.nodeIds[0] === st.nodeId) ? (st.output?.fields ?? []).map((f) => f.name) : []));
        columns = [...new Set([...ordered.filter((c) => seen.has(c)), ...seen])];
        // A BOM so Excel opens the file as UTF-8.
        controller.enqueue(encoder.encode('\uFEFF' + csvRows([['Line in file', 'Row', 'Step', 'Reason', ...columns]])));
        return;
      }
      const { items } = await pageOf(offset, pageSize);
      offset += items.length;
      if (items.length > 0) {
        const cols = columns;
        controller.enqueue(
          encoder.encode(csvRows(items.map((r) => [cell(find(r)), String(r.rowNumber), stepLabels.get(r.nodeId) ?? r.nodeId, r.reason, ...cols.map((c) => cell(r.source[c]))]))),
        );
      }
      if (items.length < pageSize) controller.close();
    },
  });
}
