// The one-line summary under each canvas node, from its config ("customers.csv · 5 columns").
import { FILTER_OP_LABELS, isPreviewCurrent, SqlPreviewStamp, type FilterOp, type GraphNode } from '../../shared';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const arr = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const previewStamp = (v: unknown): SqlPreviewStamp | null => {
  const parsed = SqlPreviewStamp.safeParse(v);
  return parsed.success ? parsed.data : null;
};

/** A formula on one line, cut to fit a node card. */
export function shortFormula(formula: string, max = 36): string {
  const flat = formula.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

export function nodeSummary(node: Pick<GraphNode, 'kind' | 'config'>): string {
  const c = node.config ?? {};
  switch (node.kind) {
    case 'csv-source': {
      const name = str(c.fileName) || (str(c.fileId) ? 'Uploaded file' : '');
      if (!name) return 'No file yet';
      return `${name} · ${plural(arr(c.columns).length, 'column')}`;
    }
    case 'sql-source': {
      if (!str(c.connectionId)) return 'Choose a connection';
      const object = str(c.object);
      if (!object) return 'Choose a table';
      const current = isPreviewCurrent({ connectionId: str(c.connectionId), object, query: str(c.query), preview: previewStamp(c.preview) });
      const table = object.includes('.') ? object.slice(object.lastIndexOf('.') + 1) : object;
      return [table, str(c.query).trim() ? 'filtered' : null, plural(arr(c.columns).length, 'column'), current ? 'previewed' : 'not previewed'].filter(Boolean).join(' · ');
    }
    case 'map': {
      const fields = arr(c.fields);
      if (fields.length === 0) return 'No fields mapped';
      const keys = fields.filter((f) => f.key === true).map((f) => str(f.target)).filter(Boolean);
      return `${plural(fields.length, 'field')}${keys.length ? ` · key: ${keys.join(', ')}` : ' · no key'}`;
    }
    case 'calculated-field': {
      const field = str(c.field).trim();
      const formula = shortFormula(str(c.formula), 30);
      if (!formula) return field ? `${field} = …` : 'No formula yet';
      return `${field || '…'} = ${formula}`;
    }
    case 'filter': {
      if (c.mode === 'formula') {
        const formula = shortFormula(str(c.formula), 32);
        return formula ? `Keep where ${formula}` : 'No formula yet';
      }
      const conds = arr(c.conditions);
      if (conds.length === 0) return 'No conditions';
      if (conds.length === 1) {
        const [only] = conds as [Record<string, unknown>];
        const op = str(only.op) as FilterOp;
        const label = FILTER_OP_LABELS[op] ?? op;
        const value = op === 'empty' || op === 'not_empty' ? '' : ` ${str(only.value) || '…'}`;
        return `${str(only.field) || '…'} ${label}${value}`;
      }
      return `${plural(conds.length, 'condition')} · match ${c.match === 'any' ? 'any' : 'all'}`;
    }
    case 'workspace-source': {
      const object = str(c.object);
      if (!object) return 'Choose an object';
      const filter = shortFormula(str(c.filter), 28);
      return filter ? `${object} · where ${filter}` : `${object} · all records`;
    }
    case 'workspace-target': {
      const object = str(c.object);
      return object ? `${str(c.mode) || 'upsert'} → ${object}` : 'Choose an object';
    }
    case 'sql-target': {
      if (!str(c.connectionId)) return 'Choose a connection';
      const object = str(c.object);
      return object ? `${str(c.mode) || 'upsert'} → ${object}` : 'Choose a table';
    }
    default:
      return '';
  }
}
