// A formula setting: the editor, the type it gives ("→ Number"), its problems in words, and its value
// on the sample rows that reach the step, live as you type.
import { useMemo } from 'react';
import { checkFormula, type Diagnostic, type Field, type FieldType, type FlowRow, type RunParameter } from '../../shared';
import { IconAlert } from '../components/icons';
import { PreviewValue } from '../designer/node-preview';
import type { FormulaEditorContext } from './editor-contexts';
import { FormulaEditor } from './formula-editor';
import { evaluateRows, keyColumns } from './formula-results';
import { resultTypeLabel } from './type-labels';

export interface FormulaFieldProps {
  value: string;
  onChange: (value: string) => void;
  /** The fields reaching the step; null when the steps before it cannot say (not connected, or broken). */
  fields: readonly Field[] | null;
  valueMaps: Record<string, Record<string, unknown>>;
  /** The integration's declared run parameters: PARAM("…") completes and is typed by them. */
  params?: readonly RunParameter[];
  expected?: FieldType;
  sourceLabel?: string | null;
  /** Problems the compiler has with this setting that the checker does not know (e.g. "Write a formula"). */
  diagnostics: readonly Diagnostic[];
  name: string;
  label: string;
  id?: string;
  placeholder?: string;
  /** Sample rows reaching the step; null when there is no preview (with `previewProblem` saying why). */
  rows: readonly FlowRow[] | null;
  previewProblem?: string | null;
  previewNow: number;
  /** Rows shown in the live results. */
  maxRows?: number;
  /** Header of the result column. */
  resultLabel?: string;
  /** Words for TRUE and FALSE results (a filter: Keep / Drop). */
  booleanWords?: [string, string];
  /** Say why there are no results (off in mapping rows, where the step's preview says it once). */
  explainEmpty?: boolean;
  testId?: string;
}

const NO_FIELDS: Field[] = [];

export function FormulaField(props: FormulaFieldProps) {
  const { value, valueMaps, params, expected, diagnostics, maxRows = 6 } = props;
  const known = props.fields !== null;
  const fields = props.fields ?? NO_FIELDS;
  // Stable while the fields stay the same (compile makes new arrays on every edit), so the editor
  // re-checks on a real change of context and otherwise on its own debounce.
  const fieldsKey = fields.map((f) => `${f.name}\u0000${f.type}`).join('\u0001');
  const context = useMemo<FormulaEditorContext>(
    () => ({ fields, valueMaps, ...(params && { params }), expected, sourceLabel: props.sourceLabel, unknownFields: !known }),
    [fieldsKey, valueMaps, params, expected, props.sourceLabel, known],
  );
  const check = useMemo(() => (!known || value.trim() === '' ? null : checkFormula(value, { fields: [...fields], valueMaps, ...(params && { params }), expected })), [known, value, fields, valueMaps, params, expected]);
  const problems = check?.diagnostics ?? [];
  const errors = problems.filter((d) => d.severity === 'error');
  // Config problems without a range (empty formula, …); the checker's own ones come from `check`.
  const other = diagnostics.filter((d) => !d.range);
  const typeLabel = check && errors.length === 0 ? resultTypeLabel(check.type) : null;

  return (
    <div className="formula-field" data-testid={props.testId ?? 'formula-field'}>
      <div className="formula-field__editor">
        <FormulaEditor
          value={value}
          onChange={props.onChange}
          context={context}
          name={props.name}
          ariaLabel={props.label}
          id={props.id}
          placeholder={props.placeholder ?? 'e.g. [deal_value] * 0.1 — type [ for fields'}
          invalid={errors.length > 0 || other.some((d) => d.severity === 'error')}
          adornment={
            <span
              className={`formula-type${typeLabel ? '' : ' formula-type--unknown'}`}
              data-testid="formula-type"
              title={typeLabel ? `This formula gives ${typeLabel}` : known ? 'Fix the formula to see what it gives' : 'Connect and fix the steps before this one'}
            >
              → {typeLabel ?? '?'}
            </span>
          }
        />
      </div>
      {!known ? <p className="hint">Connect this step to a working input to check the formula against its fields.</p> : null}
      {problems.length > 0 || other.length > 0 ? (
        // The one place a formula's problems are said, in words (the editor only underlines them).
        <div className="field-errors" data-testid="formula-problems" aria-live="polite">
          {other.map((d, i) => (
            <div key={`o${i}`} className={`field-error${d.severity === 'warning' ? ' field-error--warn' : ''}`} data-testid="formula-problem">
              <IconAlert size={13} />
              <span>{d.message}</span>
            </div>
          ))}
          {problems.map((d, i) => (
            <div key={i} className={`field-error${d.severity === 'warning' ? ' field-error--warn' : ''}`} data-testid="formula-problem">
              <IconAlert size={13} />
              <span>{d.message}</span>
              {d.fix ? (
                <button
                  type="button"
                  className="btn btn--xs field-error__fix"
                  onClick={() => d.fix && props.onChange(value.slice(0, d.start) + d.fix.text + value.slice(d.end))}
                  title="Quick fix (also Ctrl+. in the editor)"
                  data-testid="formula-fix"
                >
                  {d.fix.title}
                </button>
              ) : null}
            </div>
          ))}
        </div>
      ) : null}
      <FormulaResults {...props} fields={fields} maxRows={maxRows} compiles={check !== null && errors.length === 0} resultType={expected ?? check?.fieldType ?? undefined} />
    </div>
  );
}

function FormulaResults({
  value,
  fields,
  valueMaps,
  params,
  expected,
  rows,
  previewProblem,
  previewNow,
  maxRows,
  resultLabel,
  compiles,
  resultType,
  explainEmpty = true,
  booleanWords,
}: Omit<FormulaFieldProps, 'fields'> & { fields: readonly Field[]; compiles: boolean; maxRows: number; resultType?: FieldType }) {
  const shown = useMemo(() => (rows ?? []).slice(0, maxRows), [rows, maxRows]);
  const results = useMemo(() => (compiles ? evaluateRows(value, shown, { fields, valueMaps, ...(params && { params }), expected }, previewNow) : null), [compiles, value, shown, fields, valueMaps, params, expected, previewNow]);
  const columns = useMemo(() => keyColumns(value, fields), [value, fields]);

  if (!rows || rows.length === 0) {
    return explainEmpty ? <p className="formula-results__empty hint">{previewProblem ?? 'Results on sample rows show here once a source has data.'}</p> : null;
  }
  const failures = results?.filter((r) => !r.ok).length ?? 0;
  return (
    <div className="formula-results" data-testid="formula-preview">
      <div className="formula-results__head">
        <span>Result on sample rows</span>
        {results ? (
          failures > 0 ? (
            <span className="formula-results__bad">{failures === 1 ? '1 row fails' : `${failures} rows fail`}</span>
          ) : (
            <span className="muted">{shown.length === 1 ? '1 row' : `${shown.length} rows`}</span>
          )
        ) : (
          <span className="muted">{value.trim() === '' ? 'write a formula' : 'fix the formula to see results'}</span>
        )}
      </div>
      <div className="table-scroll">
        <table className="table table--mini formula-results__table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.name} className="truncate" title={c.name}>
                  {c.name}
                </th>
              ))}
              <th className="formula-results__result">{resultLabel ?? 'Result'}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row, i) => {
              const r = results?.[i];
              return (
                <tr key={row.rowNumber} data-testid="formula-preview-row">
                  {columns.map((c) => (
                    <td key={c.name} className="truncate" title={String(row.values[c.name] ?? '')}>
                      <PreviewValue value={row.values[c.name]} type={c.type} />
                    </td>
                  ))}
                  <td className={`formula-results__result truncate${r && !r.ok ? ' is-error' : ''}`} title={r ? (r.ok ? String(r.value ?? '') : r.error) : undefined} data-testid="formula-preview-value">
                    {!r ? (
                      <span className="preview-null">…</span>
                    ) : !r.ok ? (
                      r.error
                    ) : booleanWords && typeof r.value === 'boolean' ? (
                      <span className={r.value ? 'preview-true' : 'preview-false'}>{r.value ? booleanWords[0] : booleanWords[1]}</span>
                    ) : (
                      <PreviewValue value={r.value} type={resultType} />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
