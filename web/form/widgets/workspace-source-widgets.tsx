// The Workspace source's inspector: pick one of the workspace's objects (its attributes and key come with it), and
// write the optional TRUE/FALSE filter, tried live on the object's first records.
import { FIELD_TYPE_LABELS, type Field, type FlowRow, type RowSchema, type WorkspaceObject } from '../../../shared';
import { IconEye, IconKey, Spinner } from '../../components/icons';
import { PreviewValue } from '../../designer/node-preview';
import { FormulaField } from '../../formula/formula-field';
import { formatCount } from '../../lib/format';
import { cachedWorkspaceSample, useWorkspaceSampleVersion, workspaceSampleState } from '../../lib/workspace-samples';
import { diagnosticsAt } from '../config-path';
import type { FormCtx } from '../form-context';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The picked object as the workspace knows it now, else as the node saved it. */
function schemaOf(ctx: FormCtx): { object: WorkspaceObject | null; schema: RowSchema | null } {
  const name = str(ctx.config.object);
  const object = ctx.workspaceObjects.find((o) => o.name === name) ?? null;
  if (object) return { object, schema: { fields: object.attributes, key: object.key } };
  const columns = Array.isArray(ctx.config.columns) ? (ctx.config.columns as Field[]) : [];
  return { object: null, schema: name && columns.length > 0 ? { fields: columns, key: Array.isArray(ctx.config.key) ? (ctx.config.key as string[]) : [] } : null };
}

export function WorkspaceSourceObjectSelect({ ctx, path, id, invalid }: { ctx: FormCtx; path: string; id?: string; invalid?: boolean }) {
  const value = str(ctx.config[path]);
  const objects = ctx.workspaceObjects;
  const picked = objects.find((o) => o.name === value);
  if (objects.length === 0 && !value) {
    return (
      <p className="hint" data-testid="workspace-source-empty">
        The workspace has no objects yet. Run an integration with a Workspace target first; its object then shows here.
      </p>
    );
  }
  return (
    <div className="stack-sm" data-testid="workspace-source-object">
      <select
        id={id}
        className={`input select${invalid ? ' is-invalid' : ''}`}
        value={value}
        aria-label="Workspace object"
        aria-invalid={invalid || undefined}
        onChange={(e) => {
          const o = objects.find((x) => x.name === e.target.value);
          ctx.patch(o ? { [path]: o.name, columns: o.attributes, key: o.key } : { [path]: e.target.value });
        }}
      >
        <option value="">Choose an object…</option>
        {value && !picked ? <option value={value}>{value} (not in the workspace)</option> : null}
        {objects.map((o) => (
          <option key={o.name} value={o.name}>
            {o.label} · {formatCount(o.recordCount)} {o.recordCount === 1 ? 'record' : 'records'}
          </option>
        ))}
      </select>
      {picked ? (
        <p className="hint" data-testid="workspace-source-hint">
          {picked.attributes.length} {picked.attributes.length === 1 ? 'field' : 'fields'}
          {picked.key.length ? ` · key: ${picked.key.join(', ')}` : ' · no key'} · read in key order, resumable
        </p>
      ) : null}
    </div>
  );
}

export function WorkspaceFilterWidget({ ctx, path, id, label }: { ctx: FormCtx; path: string; id?: string; label: string }) {
  useWorkspaceSampleVersion();
  const value = str(ctx.config[path]);
  const { object, schema } = schemaOf(ctx);
  if (!schema) return <p className="hint">Choose an object first; the filter is written over its fields.</p>;
  // The object's first records, unfiltered, so each shows whether the filter keeps it.
  const sample = cachedWorkspaceSample(ctx.config, schema, false);
  const state = workspaceSampleState(ctx.config, schema, false);
  const rows: FlowRow[] | null = sample ? sample.map((values, i) => ({ rowNumber: i + 1, values, source: values })) : null;
  return (
    <div className="stack-sm" data-testid="workspace-filter">
      <FormulaField
        value={value}
        onChange={(v) => ctx.set(path, v, { merge: true })}
        fields={schema.fields}
        valueMaps={ctx.valueMaps}
        expected="boolean"
        sourceLabel={object?.label ?? str(ctx.config.object)}
        diagnostics={diagnosticsAt(ctx.diagnostics, path)}
        name={`${ctx.nodeId}-${path}`}
        label={label}
        id={id}
        placeholder="e.g. [active] AND [amount] > 100"
        rows={rows}
        previewProblem={state.loading ? 'Loading the first records…' : (state.error ?? (sample?.length === 0 ? 'The object has no records yet.' : null))}
        previewNow={ctx.previewNow}
        resultLabel="Keep?"
        booleanWords={['✓ Keep', 'Skip']}
      />
      <p className="hint">Leave it empty to read every record. Records the formula is not TRUE for are not read.</p>
      <SourcePreview ctx={ctx} schema={schema} />
    </div>
  );
}

/** The first records this source reads, its filter applied (read through the workspace connector). */
function SourcePreview({ ctx, schema }: { ctx: FormCtx; schema: RowSchema }) {
  const rows = cachedWorkspaceSample(ctx.config, schema, true);
  const state = workspaceSampleState(ctx.config, schema, true);
  const filtered = str(ctx.config.filter).trim() !== '';
  let body;
  if (state.error) {
    body = (
      <div className="banner banner--error banner--sm" role="alert" data-testid="workspace-preview-error">
        {state.error}
      </div>
    );
  } else if (!rows) {
    body = (
      <p className="hint">
        {state.loading ? (
          <>
            <Spinner size={12} /> Reading the first records…
          </>
        ) : (
          'Fix the filter to see the records this source reads.'
        )}
      </p>
    );
  } else if (rows.length === 0) {
    body = <p className="hint">{filtered ? 'No record of the first ones read matches the filter.' : 'The object has no records yet.'}</p>;
  } else {
    body = (
      <div className="table-scroll preview-table__scroll" tabIndex={0} role="region" aria-label="Preview records">
        <table className="table table--mini preview-table" data-testid="workspace-preview-table">
          <thead>
            <tr>
              {schema.fields.map((f) => (
                <th key={f.name} title={schema.key.includes(f.name) ? 'Key' : undefined}>
                  {f.name}
                  {schema.key.includes(f.name) ? (
                    <>
                      {' '}
                      <IconKey size={11} />
                    </>
                  ) : null}
                  <div className="muted small">{FIELD_TYPE_LABELS[f.type]}</div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} data-testid="workspace-preview-row">
                {schema.fields.map((f) => (
                  <td key={f.name} className="truncate" title={r[f.name] === null || r[f.name] === undefined ? '' : String(r[f.name])}>
                    <PreviewValue value={r[f.name]} type={f.type} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  return (
    <section className="inspector__section preview" data-testid="workspace-preview">
      <div className="preview__head">
        <h4 className="inspector__subtitle">
          <IconEye size={13} /> Preview
        </h4>
        {rows && rows.length > 0 ? (
          <span className="preview__summary muted small">
            first {rows.length} {rows.length === 1 ? 'record' : 'records'} this source reads
          </span>
        ) : null}
      </div>
      {body}
    </section>
  );
}
