// 'two-way' widget: the whole two-way sync pair in one form — side A and side B (a table of a saved connection that
// can write, or a workspace object), the match key, the object pair's direction and conflict rule, and the field
// mapping with each field's own direction and rule. Where a higher setting overrides a field's, the row says so.
import { useEffect, useState } from 'react';
import type { DiscoveredObjectInfo } from '../../../shared';
import type { TwoWayField, TwoWaySide, TwoWaySyncConfig } from '../../../shared/graph/kinds';
import { WORKSPACE_UPDATED_AT } from '../../../shared/graph/kinds';
import { CONFLICT_RULE_LABELS, DIRECTION_LABELS, effectiveDirection, type ConflictRule, type FieldConflictRule, type FieldDirection, type SyncDirection } from '../../../shared/sync/two-way';
import { DEFAULT_DELETE_THRESHOLD_PERCENT, type DeleteMode } from '../../../shared/sync/target';
import { api, errorMessage } from '../../api';
import { IconPlus, IconX } from '../../components/icons';
import { useLoad } from '../../lib/hooks';
import { diagnosticsAt, diagnosticsUnder } from '../config-path';
import { FieldErrors } from '../field-errors';
import type { FormCtx } from '../form-context';

const EMPTY_SIDE: TwoWaySide = { connectionId: '', object: '', updatedAt: '', columns: [], key: [], deletedField: '' };
const FIELD_DIRECTION_LABELS: Record<FieldDirection, string> = { inherit: 'As the object', push: 'Push A → B', pull: 'Pull B → A', both: 'Both ways', disabled: 'Not synced' };
const FIELD_RULE_LABELS: Record<FieldConflictRule, string> = { inherit: 'As the object', ...CONFLICT_RULE_LABELS };
const DELETE_CHOICES: [DeleteMode, string][] = [
  ['ignore', 'Ignore (default)'],
  ['delete', 'Delete'],
  ['soft', 'Soft delete'],
];

const discovered = new Map<string, Promise<DiscoveredObjectInfo[]>>();
function discover(connectionId: string): Promise<DiscoveredObjectInfo[]> {
  let found = discovered.get(connectionId);
  if (!found) {
    found = api.discoverConnection(connectionId);
    discovered.set(connectionId, found);
    found.catch(() => discovered.delete(connectionId));
  }
  return found;
}

function configOf(ctx: FormCtx): TwoWaySyncConfig {
  const c = ctx.config as Partial<TwoWaySyncConfig>;
  return {
    a: { ...EMPTY_SIDE, ...c.a },
    b: { ...EMPTY_SIDE, ...c.b },
    match: c.match ?? { a: '', b: '' },
    direction: c.direction ?? 'both',
    rule: c.rule ?? 'latest',
    fields: c.fields ?? [],
    createMissing: c.createMissing ?? true,
    deletesToB: c.deletesToB ?? 'ignore',
    deletesToA: c.deletesToA ?? 'ignore',
    deleteThresholdPercent: c.deleteThresholdPercent ?? DEFAULT_DELETE_THRESHOLD_PERCENT,
  };
}

/** The objects a side can pick: the workspace's, or the connection's tables (discovered). */
function useObjects(ctx: FormCtx, connectionId: string) {
  const [state, setState] = useState<{ objects: DiscoveredObjectInfo[] | null; error: string | null }>({ objects: null, error: null });
  useEffect(() => {
    if (!connectionId) {
      setState({
        objects: ctx.workspaceObjects.map((o) => ({
          name: o.name,
          label: o.label,
          fields: o.attributes.map((a) => ({ ...a, nativeType: a.type, nullable: !o.key.includes(a.name) })),
          primaryKey: o.key,
          cursorFields: [WORKSPACE_UPDATED_AT],
        })),
        error: null,
      });
      return;
    }
    let live = true;
    setState({ objects: null, error: null });
    discover(connectionId).then(
      (objects) => live && setState({ objects, error: null }),
      (e: unknown) => live && setState({ objects: null, error: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [connectionId, ctx.workspaceObjects]);
  return state;
}

function SideEditor({ ctx, name, side }: { ctx: FormCtx; name: 'a' | 'b'; side: TwoWaySide }) {
  const { data: connections } = useLoad(async () => {
    const [list, connectors] = await Promise.all([api.listConnections(), api.listConnectors()]);
    const able = new Set(connectors.filter((c) => c.capabilities.includes('write') && c.capabilities.includes('read') && c.id !== 'workspace' && c.id !== 'files').map((c) => c.id));
    return list.filter((c) => able.has(c.connector));
  }, []);
  const { objects, error } = useObjects(ctx, side.connectionId);
  const label = `Side ${name.toUpperCase()}`;
  const picked = objects?.find((o) => o.name === side.object);
  const timeFields = side.connectionId ? (picked?.fields.filter((f) => f.type === 'datetime' || f.type === 'date' || picked.cursorFields.includes(f.name)).map((f) => f.name) ?? []) : [WORKSPACE_UPDATED_AT];
  const set = (next: TwoWaySide) => ctx.set(name, next);
  return (
    <fieldset className="two-way__side" data-testid={`two-way-side-${name}`}>
      <legend className="two-way__legend">{label}</legend>
      <label className="form-label" htmlFor={`tw-${ctx.nodeId}-${name}-system`}>
        System
      </label>
      <select
        id={`tw-${ctx.nodeId}-${name}-system`}
        className="input select"
        value={side.connectionId}
        aria-label={`${label} system`}
        onChange={(e) => set({ ...EMPTY_SIDE, connectionId: e.target.value })}
      >
        <option value="">Workspace (Weft)</option>
        {(connections ?? []).map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
      <label className="form-label" htmlFor={`tw-${ctx.nodeId}-${name}-object`}>
        {side.connectionId ? 'Table' : 'Workspace object'}
      </label>
      <select
        id={`tw-${ctx.nodeId}-${name}-object`}
        className={`input select${diagnosticsAt(ctx.diagnostics, `${name}.object`).length ? ' is-invalid' : ''}`}
        value={side.object}
        aria-label={`${label} ${side.connectionId ? 'table' : 'workspace object'}`}
        onChange={(e) => {
          const o = objects?.find((x) => x.name === e.target.value);
          if (!o) return set({ ...side, object: e.target.value });
          const updatedAt = side.connectionId ? (o.fields.find((f) => f.type === 'datetime' && /updated|modified|changed/i.test(f.name))?.name ?? o.fields.find((f) => f.type === 'datetime')?.name ?? '') : WORKSPACE_UPDATED_AT;
          set({ ...side, object: o.name, columns: o.fields.map((f) => ({ name: f.name, type: f.type })), key: o.primaryKey, updatedAt });
        }}
      >
        <option value="">{objects ? 'Choose…' : 'Loading…'}</option>
        {side.object && !picked ? <option value={side.object}>{side.object}</option> : null}
        {(objects ?? []).map((o) => (
          <option key={o.name} value={o.name}>
            {o.label}
          </option>
        ))}
      </select>
      {error ? (
        <p className="hint hint--error" role="alert">
          {error}
        </p>
      ) : null}
      <FieldErrors diagnostics={diagnosticsAt(ctx.diagnostics, `${name}.object`)} path={`${name}.object`} />
      <label className="form-label" htmlFor={`tw-${ctx.nodeId}-${name}-updated`}>
        Changed at (cursor)
      </label>
      <select
        id={`tw-${ctx.nodeId}-${name}-updated`}
        className="input select"
        value={side.updatedAt}
        aria-label={`${label} changed-at field`}
        disabled={!side.connectionId}
        onChange={(e) => set({ ...side, updatedAt: e.target.value })}
      >
        <option value="">Choose…</option>
        {[...new Set([...timeFields, ...(side.updatedAt ? [side.updatedAt] : [])])].map((f) => (
          <option key={f} value={f}>
            {f === WORKSPACE_UPDATED_AT ? 'Last write (kept by Weft)' : f}
          </option>
        ))}
      </select>
      <FieldErrors diagnostics={diagnosticsAt(ctx.diagnostics, `${name}.updatedAt`)} path={`${name}.updatedAt`} />
      <label className="form-label" htmlFor={`tw-${ctx.nodeId}-${name}-deleted`}>
        Soft-delete field
      </label>
      <select id={`tw-${ctx.nodeId}-${name}-deleted`} className="input select" value={side.deletedField} aria-label={`${label} soft-delete field`} onChange={(e) => set({ ...side, deletedField: e.target.value })}>
        <option value="">None</option>
        {[...new Set([...side.columns.map((c) => c.name), ...(side.deletedField ? [side.deletedField] : [])])].map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </select>
      {side.key.length > 0 ? <p className="hint">Records are told apart by {side.key.join(', ')}.</p> : null}
    </fieldset>
  );
}

function FieldSelect({ value, options, label, onChange }: { value: string; options: string[]; label: string; onChange: (v: string) => void }) {
  return (
    <select className="input select" value={value} aria-label={label} onChange={(e) => onChange(e.target.value)}>
      <option value="">Choose…</option>
      {value && !options.includes(value) ? <option value={value}>{value}</option> : null}
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

export function TwoWayWidget({ ctx }: { ctx: FormCtx }) {
  const config = configOf(ctx);
  const syncOn = ctx.syncEnabled !== false;
  const namesA = config.a.columns.map((c) => c.name).filter((n) => n !== config.a.updatedAt);
  const namesB = config.b.columns.map((c) => c.name).filter((n) => n !== config.b.updatedAt);
  const setFields = (fields: TwoWayField[]) => ctx.set('fields', fields);
  const setField = (i: number, patch: Partial<TwoWayField>) => setFields(config.fields.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  const sameNamed = namesA.filter((n) => namesB.includes(n) && !config.fields.some((f) => f.a === n || f.b === n));
  return (
    <div className="two-way" data-testid="two-way">
      {!syncOn ? (
        <p className="banner banner--warn" role="status" data-testid="two-way-sync-off">
          Sync is switched off for this integration (Integration settings): nothing below is synced until it is switched on.
        </p>
      ) : null}
      <div className="two-way__sides">
        <SideEditor ctx={ctx} name="a" side={config.a} />
        <SideEditor ctx={ctx} name="b" side={config.b} />
      </div>

      <div className="two-way__grid">
        <label className="form-label" htmlFor={`tw-${ctx.nodeId}-direction`}>
          Direction
        </label>
        <select id={`tw-${ctx.nodeId}-direction`} className="input select" value={config.direction} data-testid="two-way-direction" onChange={(e) => ctx.set('direction', e.target.value as SyncDirection)}>
          {(Object.keys(DIRECTION_LABELS) as SyncDirection[]).map((d) => (
            <option key={d} value={d}>
              {DIRECTION_LABELS[d]}
            </option>
          ))}
        </select>
        <label className="form-label" htmlFor={`tw-${ctx.nodeId}-rule`}>
          When both sides changed a field
        </label>
        <select id={`tw-${ctx.nodeId}-rule`} className="input select" value={config.rule} data-testid="two-way-rule" onChange={(e) => ctx.set('rule', e.target.value as ConflictRule)}>
          {(Object.keys(CONFLICT_RULE_LABELS) as ConflictRule[]).map((r) => (
            <option key={r} value={r}>
              {CONFLICT_RULE_LABELS[r]}
            </option>
          ))}
        </select>
        <span className="form-label">Match records on</span>
        <div className="row-sm" data-testid="two-way-match">
          <FieldSelect value={config.match.a} options={config.a.columns.map((c) => c.name)} label="Match key on side A" onChange={(v) => ctx.set('match', { ...config.match, a: v })} />
          <span aria-hidden="true">=</span>
          <FieldSelect value={config.match.b} options={config.b.columns.map((c) => c.name)} label="Match key on side B" onChange={(v) => ctx.set('match', { ...config.match, b: v })} />
        </div>
      </div>
      <FieldErrors diagnostics={diagnosticsAt(ctx.diagnostics, 'match')} path="match" />
      <label className="toggle">
        <input type="checkbox" className="checkbox" checked={config.createMissing} onChange={(e) => ctx.set('createMissing', e.target.checked)} />
        <span>Create records missing on the other side (off: they are counted “skipped: no match”)</span>
      </label>

      <h4 className="inspector__subtitle">Deletes</h4>
      <div className="two-way__deletes" data-testid="two-way-deletes">
        <label className="two-way__field-rule">
          <span className="form-label">Deleted on A → on B</span>
          <select className="input select" value={config.deletesToB} aria-label="Deletes from A applied to B" onChange={(e) => ctx.set('deletesToB', e.target.value as DeleteMode)}>
            {DELETE_CHOICES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label className="two-way__field-rule">
          <span className="form-label">Deleted on B → on A</span>
          <select className="input select" value={config.deletesToA} aria-label="Deletes from B applied to A" onChange={(e) => ctx.set('deletesToA', e.target.value as DeleteMode)}>
            {DELETE_CHOICES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
      </div>
      {config.deletesToA !== 'ignore' || config.deletesToB !== 'ignore' ? (
        <>
          <label className="form-label" htmlFor={`tw-${ctx.nodeId}-threshold`}>
            Delete at most this % of matched records without confirming
          </label>
          <input
            id={`tw-${ctx.nodeId}-threshold`}
            className="input"
            type="number"
            min={0}
            max={100}
            value={config.deleteThresholdPercent}
            onChange={(e) => ctx.set('deleteThresholdPercent', Math.min(100, Math.max(0, Number(e.target.value) || 0)))}
          />
          <p className="hint">
            A delete is a record whose soft-delete field is set (each side&apos;s, above), or on a full sync a record gone from its side. A soft delete sets the other side&apos;s
            soft-delete field.
          </p>
        </>
      ) : null}

      <h4 className="inspector__subtitle">Fields</h4>
      {/* One card per field: the two fields on the first line, their direction and conflict rule on the second, so
          every choice reads in full in a narrow inspector (a five-column table truncated them). */}
      <ol className="two-way__fields" data-testid="two-way-fields">
        {config.fields.map((f, i) => {
          const eff = effectiveDirection(syncOn, config.direction, f.direction);
          const problems = diagnosticsUnder(ctx.diagnostics, `fields.${i}`).filter((d) => d.code !== 'direction-overridden');
          return (
            <li key={i} className="two-way__field" data-testid={`two-way-field-${i}`} aria-label={`Field ${i + 1}`}>
              <div className="two-way__field-names">
                <FieldSelect value={f.a} options={namesA} label={`Field ${i + 1} on side A`} onChange={(v) => setField(i, { a: v })} />
                <span className="two-way__arrow" aria-hidden="true">
                  ⇄
                </span>
                <FieldSelect value={f.b} options={namesB} label={`Field ${i + 1} on side B`} onChange={(v) => setField(i, { b: v })} />
                <button type="button" className="btn btn--ghost btn--icon" aria-label={`Remove field ${i + 1}`} onClick={() => setFields(config.fields.filter((_, j) => j !== i))}>
                  <IconX size={14} />
                </button>
              </div>
              <div className="two-way__field-rules">
                <label className="two-way__field-rule">
                  <span className="hint">Direction</span>
                  <select className="input select" value={f.direction} aria-label={`Field ${i + 1} direction`} onChange={(e) => setField(i, { direction: e.target.value as FieldDirection })}>
                    {(Object.keys(FIELD_DIRECTION_LABELS) as FieldDirection[]).map((d) => (
                      <option key={d} value={d}>
                        {FIELD_DIRECTION_LABELS[d]}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="two-way__field-rule">
                  <span className="hint">Conflict rule</span>
                  <select className="input select" value={f.rule} aria-label={`Field ${i + 1} conflict rule`} onChange={(e) => setField(i, { rule: e.target.value as FieldConflictRule })}>
                    {(Object.keys(FIELD_RULE_LABELS) as FieldConflictRule[]).map((r) => (
                      <option key={r} value={r}>
                        {FIELD_RULE_LABELS[r]}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              {eff.message ? (
                <p className="field-error field-error--warn" data-testid={`two-way-override-${i}`}>
                  {eff.message}
                </p>
              ) : null}
              {problems.map((d) => (
                <p key={d.message} className="hint hint--error">
                  {d.message}
                </p>
              ))}
            </li>
          );
        })}
      </ol>
      <FieldErrors diagnostics={diagnosticsAt(ctx.diagnostics, 'fields')} path="fields" />
      <div className="row-sm">
        <button type="button" className="btn btn--secondary btn--sm" onClick={() => setFields([...config.fields, { a: '', b: '', direction: 'inherit', rule: 'inherit' }])}>
          <IconPlus size={14} /> Add field
        </button>
        {sameNamed.length > 0 ? (
          <button
            type="button"
            className="btn btn--secondary btn--sm"
            data-testid="two-way-map-same"
            onClick={() => setFields([...config.fields, ...sameNamed.map((n) => ({ a: n, b: n, direction: 'inherit' as const, rule: 'inherit' as const }))])}
          >
            Map {sameNamed.length} same-named {sameNamed.length === 1 ? 'field' : 'fields'}
          </button>
        ) : null}
      </div>
    </div>
  );
}
