// 'formula' widget: a calculated field's or a filter's formula, checked against the fields reaching the step.
import type { FieldType, FlowRow } from '../../../shared';
import { FormulaField } from '../../formula/formula-field';
import { diagnosticsAt } from '../config-path';
import type { FormCtx } from '../form-context';

/**
 * The type a formula setting must give, by kind and config path. The kinds' schemas do not say it
 * (yet); the compiler passes the same expectation to the checker.
 */
const EXPECTED: Record<string, FieldType> = { 'filter.formula': 'boolean' };

const RESULT_LABELS: Record<string, string> = { 'filter.formula': 'Keep?', 'calculated-field.formula': '' };

/**
 * A filter's results on a deeper sample (read because its first rows did not get through): a few rows it
 * keeps, then a few it drops, rather than the first six of 2,400 all reading "Drop".
 */
function filterSample(preview: FormCtx['preview']): FlowRow[] | null {
  if (!preview) return null;
  if (!preview.sampling?.deep || preview.output.length === 0) return preview.input;
  const kept = new Set(preview.output.map((r) => r.rowNumber));
  return [...preview.input.filter((r) => kept.has(r.rowNumber)).slice(0, 3), ...preview.input.filter((r) => !kept.has(r.rowNumber)).slice(0, 3)];
}

export function FormulaWidget({ ctx, path, id, label }: { ctx: FormCtx; path: string; id?: string; label: string }) {
  const raw = ctx.config[path];
  const value = typeof raw === 'string' ? raw : '';
  const key = `${ctx.kind}.${path}`;
  const field = ctx.kind === 'calculated-field' && typeof ctx.config.field === 'string' ? ctx.config.field.trim() : '';
  return (
    <FormulaField
      value={value}
      onChange={(v) => ctx.set(path, v, { merge: true })}
      fields={ctx.upstream?.fields ?? null}
      valueMaps={ctx.valueMaps}
      params={ctx.params}
      expected={EXPECTED[key]}
      sourceLabel={ctx.upstreamLabel}
      diagnostics={diagnosticsAt(ctx.diagnostics, path)}
      name={`${ctx.nodeId}-${path}`}
      label={label}
      id={id}
      placeholder={key === 'filter.formula' ? 'e.g. [vip] AND [deal_value] > 10000' : undefined}
      rows={key === 'filter.formula' ? filterSample(ctx.preview) : (ctx.preview?.input ?? null)}
      previewProblem={ctx.preview?.loading ? 'Loading sample rows…' : ctx.preview?.problem}
      previewNow={ctx.previewNow}
      resultLabel={RESULT_LABELS[key] || field || 'Result'}
      booleanWords={key === 'filter.formula' ? ['✓ Keep', 'Drop'] : undefined}
    />
  );
}
