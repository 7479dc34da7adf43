// Renders a generated form (see form-model.ts) for one node's config, errors beside their fields.
import { useId } from 'react';
import { objectWording } from '../../shared/graph/kinds';
import { IconPlus, IconX } from '../components/icons';
import { diagnosticsAt, diagnosticsUnder, getAt, joinPath } from './config-path';
import { FieldErrors } from './field-errors';
import { SyncFieldSelect } from './widgets/sync-field-select';
import type { FormCtx } from './form-context';
import { emptyItem, visibleFields, type FormField } from './form-model';
import { ColumnsWidget } from './widgets/columns-widget';
import { WebhookEndpointWidget, WebhookSampleWidget } from './widgets/webhook-widgets';
import { ConnectionSelect } from './widgets/connection-select';
import { DbObjectSelect } from './widgets/db-object-select';
import { FileQueryWidget } from './widgets/file-query-widget';
import { FileWidget } from './widgets/file-widget';
import { FormulaWidget } from './widgets/formula-widget';
import { MappingWidget } from './widgets/mapping-widget';
import { SegmentedControl } from './widgets/segmented-control';
import { SqlWidget } from './widgets/sql-widget';
import { TwoWayWidget } from './widgets/two-way-widget';
import { UpstreamFieldSelect } from './widgets/upstream-field-select';
import { WorkspaceObjectInput } from './widgets/workspace-object-input';
import { WorkspaceFilterWidget, WorkspaceSourceObjectSelect } from './widgets/workspace-source-widgets';

export function ConfigForm({ fields, ctx }: { fields: FormField[]; ctx: FormCtx }) {
  return (
    <div className="form">
      {worded(visibleFields(fields, ctx.config), ctx).map((f) => (
        <TopField key={f.key} field={f} ctx={ctx} />
      ))}
    </div>
  );
}

/**
 * A database-or-app source or target in its connection's words: "Object" or "Endpoint" instead of "Table", and no
 * SQL query filter where the system has no SQL (shared/graph/kinds/connector-wording.ts).
 */
function worded(fields: FormField[], ctx: FormCtx): FormField[] {
  if (ctx.kind !== 'sql-source' && ctx.kind !== 'sql-target') return fields;
  const connector = typeof ctx.config.connector === 'string' ? ctx.config.connector : '';
  if (!connector) return fields;
  const words = objectWording(connector, ctx.kind === 'sql-source' ? 'read' : 'write');
  // The query field holds the preview too: without SQL it keeps its place, titled for the preview (sql-widget.tsx).
  const filtered = typeof ctx.config.query === 'string' && ctx.config.query.trim() !== '';
  return fields.map((f) => (f.key === 'object' ? { ...f, title: words.object } : f.key === 'query' && !words.sql && !filtered ? { ...f, title: 'Preview' } : f));
}

/** Widgets that print their own errors (they place them per row or per column). */
const SELF_REPORTING = new Set(['file', 'mapping', 'columns', 'formula', 'workspace-filter', 'webhook-sample', 'two-way']);

function TopField({ field, ctx }: { field: FormField; ctx: FormCtx }) {
  const id = useId();
  if (field.widget === 'hidden') return null;
  const path = field.key;
  const own = diagnosticsAt(ctx.diagnostics, path);
  if (field.type === 'boolean') {
    return (
      <div className="form-row form-row--inline" data-field={path}>
        <label className="toggle">
          <input type="checkbox" className="checkbox" id={id} checked={(getAt(ctx.config, path) ?? field.default) === true} onChange={(e) => ctx.set(path, e.target.checked)} />
          <span>{field.title}</span>
        </label>
        <FieldErrors diagnostics={own} path={path} />
      </div>
    );
  }
  const selfReporting = SELF_REPORTING.has(field.widget ?? '') || (field.type === 'list' && !field.widget);
  return (
    <div className="form-row" data-field={path}>
      <label className="form-label" htmlFor={id}>
        {field.title}
      </label>
      <Control field={field} path={path} ctx={ctx} id={id} invalid={own.length > 0} />
      {selfReporting ? null : <FieldErrors diagnostics={own} path={path} />}
    </div>
  );
}

function Control({ field, path, ctx, id, invalid }: { field: FormField; path: string; ctx: FormCtx; id?: string; invalid?: boolean }) {
  // A field the config does not hold yet (a graph saved before the field existed, or made through the API) shows
  // the default the compiler and the run apply to it, never an empty "Choose…" or an unticked box that says otherwise.
  const value = getAt(ctx.config, path) ?? field.default;
  const str = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  switch (field.widget) {
    case 'file':
      return <FileWidget ctx={ctx} path={path} />;
    case 'two-way':
      return <TwoWayWidget ctx={ctx} />;
    case 'columns':
      return <ColumnsWidget ctx={ctx} path={path} />;
    case 'connection':
      return <ConnectionSelect ctx={ctx} path={path} id={id} invalid={invalid} capability={field.capability ?? 'read'} />;
    case 'db-object':
      return <DbObjectSelect ctx={ctx} path={path} id={id} invalid={invalid} />;
    case 'sql':
      return <SqlWidget ctx={ctx} path={path} id={id} invalid={invalid} />;
    case 'mapping':
      return <MappingWidget ctx={ctx} path={path} />;
    case 'formula':
      return <FormulaWidget ctx={ctx} path={path} id={id} label={field.title} />;
    case 'file-query':
      return <FileQueryWidget ctx={ctx} path={path} id={id} label={field.title} />;
    case 'segmented':
      if (field.type !== 'enum') break;
      return <SegmentedControl id={id} label={field.title} options={field.options} value={str || String(field.default ?? '')} onChange={(v) => ctx.set(path, v)} testId={`segmented-${path}`} />;
    case 'workspace-object':
      return <WorkspaceObjectInput ctx={ctx} id={id} value={str} invalid={invalid} onChange={(v) => ctx.set(path, v, { merge: true })} />;
    case 'workspace-source-object':
      return <WorkspaceSourceObjectSelect ctx={ctx} path={path} id={id} invalid={invalid} />;
    case 'workspace-filter':
      return <WorkspaceFilterWidget ctx={ctx} path={path} id={id} label={field.title} />;
    case 'input-field':
      return <UpstreamFieldSelect ctx={ctx} id={id} value={str} invalid={invalid} label={field.title} compact={path.includes('.')} onChange={(v) => ctx.set(path, v)} />;
    case 'webhook-endpoint':
      return <WebhookEndpointWidget ctx={ctx} />;
    case 'webhook-sample':
      return <WebhookSampleWidget ctx={ctx} path={path} id={id} />;
    case 'cursor-field':
    case 'soft-delete-field':
      return <SyncFieldSelect ctx={ctx} path={path} id={id} purpose={field.widget === 'cursor-field' ? 'cursor' : 'soft-delete'} />;
    case 'hidden':
      return null;
    default:
      break;
  }
  switch (field.type) {
    case 'enum':
      return (
        <select id={id} className={`input select${invalid ? ' is-invalid' : ''}`} value={str} aria-label={field.title} aria-invalid={invalid || undefined} onChange={(e) => ctx.set(path, e.target.value)}>
          {str === '' || !field.options.some((o) => o.value === str) ? <option value={str}>{str === '' ? 'Choose…' : str}</option> : null}
          {field.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
    case 'boolean':
      return <input id={id} type="checkbox" className="checkbox" checked={value === true} aria-label={field.title} onChange={(e) => ctx.set(path, e.target.checked)} />;
    case 'number':
      return (
        <input
          id={id}
          type="number"
          className={`input${invalid ? ' is-invalid' : ''}`}
          value={typeof value === 'number' ? value : ''}
          aria-label={field.title}
          onChange={(e) => ctx.set(path, e.target.value === '' ? undefined : Number(e.target.value), { merge: true })}
        />
      );
    case 'string':
      return (
        <input
          id={id}
          className={`input${invalid ? ' is-invalid' : ''}`}
          value={str}
          aria-label={field.title}
          aria-invalid={invalid || undefined}
          maxLength={field.maxLength}
          onChange={(e) => ctx.set(path, e.target.value, { merge: true })}
        />
      );
    case 'list':
      return <ListWidget field={field} path={path} ctx={ctx} />;
    default:
      return <p className="hint">This setting cannot be edited here yet.</p>;
  }
}

/** A repeatable group of rows (filter conditions): item fields side by side, add and remove. */
function ListWidget({ field, path, ctx }: { field: Extract<FormField, { type: 'list' }>; path: string; ctx: FormCtx }) {
  const raw = getAt(ctx.config, path);
  const items = Array.isArray(raw) ? (raw as unknown[]) : [];
  const visible = field.item.filter((f) => f.widget !== 'hidden');
  return (
    <div className="list-widget" data-testid={`list-${path}`}>
      {items.map((_, i) => {
        const itemPath = joinPath(path, i);
        const errs = diagnosticsUnder(ctx.diagnostics, itemPath);
        return (
          <div key={i} className="list-item" data-testid="list-item">
            <div className="list-item__fields" style={{ gridTemplateColumns: `repeat(${visible.length}, minmax(0, 1fr))` }}>
              {visible.map((f) => {
                const p = joinPath(itemPath, f.key);
                return (
                  <Control key={f.key} field={f} path={p} ctx={ctx} invalid={diagnosticsAt(ctx.diagnostics, p).length > 0} />
                );
              })}
            </div>
            <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Remove ${field.itemTitle} ${i + 1}`} onClick={() => ctx.set(path, items.filter((__, j) => j !== i))}>
              <IconX size={14} />
            </button>
            {errs.length ? (
              <div className="list-item__errors">
                <FieldErrors diagnostics={errs} path={itemPath} />
              </div>
            ) : null}
          </div>
        );
      })}
      <FieldErrors diagnostics={diagnosticsAt(ctx.diagnostics, path)} path={path} />
      <button type="button" className="btn btn--ghost btn--sm" onClick={() => ctx.set(path, [...items, emptyItem(field.item)])} data-testid={`add-${path}`}>
        <IconPlus size={14} /> Add {field.itemTitle}
      </button>
    </div>
  );
}
