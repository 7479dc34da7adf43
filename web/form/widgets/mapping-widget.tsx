// 'mapping' widget: where each target field's value comes from (an upstream field, a formula or a
// constant), its name, its type, and which field is the key.
import { useMemo, useState } from 'react';
import { FIELD_TYPE_LABELS, FieldType, suggestMappings, type Field, type MapSuggestion } from '../../../shared';
import { ISO_4217_CODES } from '../../../shared/graph/currency-codes';
import { mappingCsv, type ExportedMapRow } from '../../../shared/transforms/map-export';
import { IconCheck, IconDownload, IconFunction, IconKey, IconNote, IconPlus, IconSparkle, IconX } from '../../components/icons';
import { FormulaField } from '../../formula/formula-field';
import { diagnosticsAt } from '../config-path';
import { FieldErrors } from '../field-errors';
import type { FormCtx } from '../form-context';
import { UpstreamFieldSelect } from './upstream-field-select';
import { memberSystemsContext } from '../../formula/editor-contexts';
import { memberFormula } from '../../../shared/graph/kinds/map';

export type MappingFrom = 'field' | 'formula' | 'constant' | 'member';

/** One row of the mapping table: the same shape the mapping's CSV export reads (shared/transforms/map-export.ts). */
export type MappingRow = ExportedMapRow;

const FROM_OPTIONS: { value: MappingFrom; label: string }[] = [
  { value: 'field', label: 'Field' },
  { value: 'formula', label: 'Formula' },
  { value: 'constant', label: 'Constant' },
  { value: 'member', label: 'Member' },
];

const asRows = (v: unknown): MappingRow[] => (Array.isArray(v) ? (v as MappingRow[]) : []);
export const fromOf = (row: MappingRow): MappingFrom => row.from ?? 'field';

/**
 * Maps every upstream field not yet mapped, keeping its name and type. When no row is a key yet, the input's own key
 * (a source table's primary key) is proposed as the Map's key.
 */
export function addAllFields(rows: readonly MappingRow[], upstream: readonly Field[], upstreamKey: readonly string[] = []): MappingRow[] {
  const mapped = new Set(rows.filter((r) => fromOf(r) === 'field').map((r) => r.source));
  const targets = new Set(rows.map((r) => r.target));
  const proposeKey = !rows.some((r) => r.key) && upstreamKey.length > 0 && upstreamKey.every((k) => upstream.some((f) => f.name === k) && !mapped.has(k) && !targets.has(k));
  const added = upstream
    .filter((f) => !mapped.has(f.name) && !targets.has(f.name))
    .map((f): MappingRow => ({ from: 'field', source: f.name, target: f.name, type: f.type, key: proposeKey && upstreamKey.includes(f.name), ...typeExtras(f) }));
  return [...rows, ...added];
}

/** A field's currency code or referenced object, carried into the row that maps it. */
const typeExtras = (f: Pick<Field, 'currency' | 'ref'>): Pick<MappingRow, 'currency' | 'ref'> => ({ ...(f.currency ? { currency: f.currency } : {}), ...(f.ref ? { ref: f.ref } : {}) });

/** Choosing a source fills in the target name (if untouched) and the type. */
export function withSource(row: MappingRow, source: string, upstream: readonly Field[]): MappingRow {
  const field = upstream.find((f) => f.name === source);
  const targetUntouched = row.target === '' || row.target === row.source;
  return { ...row, source, target: targetUntouched ? source : row.target, type: field?.type ?? row.type, ...(field ? typeExtras(field) : {}) };
}

/** An accepted auto-map suggestion as a mapping row (added after the others; the key it proposes is marked). */
export const suggestionRow = (s: MapSuggestion): MappingRow => ({ from: 'field', source: s.source, target: s.target, type: s.type, key: s.key, ...typeExtras(s), note: '' });

/** Whether a row shows its details line: a currency code or a referenced object to choose, a note, or opened by hand. */
export const showsDetails = (row: MappingRow, opened: boolean): boolean => opened || row.type === 'currency' || row.type === 'reference' || (row.note ?? '').trim() !== '';

const CURRENCY_CODES = [...ISO_4217_CODES];

/** Saves text as a file the browser downloads. */
function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'map';

/**
 * Auto-map's suggestions, each accepted or rejected by the person (one by one, or all at once); nothing is applied
 * until they say so.
 */
function AutoMapPanel({ suggestions, unmatched, label, onAccept, onReject, onClose }: {
  suggestions: MapSuggestion[];
  unmatched: string[];
  label: string;
  onAccept(s: MapSuggestion[]): void;
  onReject(s: MapSuggestion[]): void;
  onClose(): void;
}) {
  return (
    <div className="automap" data-testid="automap" role="region" aria-label="Auto-map suggestions">
      <div className="automap__head">
        <span className="automap__title" title={label}>
          <IconSparkle size={16} />
          <span className="automap__count">{suggestions.length === 0 ? 'No more suggestions' : `${suggestions.length} ${suggestions.length === 1 ? 'suggestion' : 'suggestions'}`}</span>
          <span className="muted automap__for">for {label}</span>
        </span>
        {suggestions.length > 0 ? (
          <>
            <button type="button" className="btn btn--secondary btn--sm" onClick={() => onAccept(suggestions)} data-testid="automap-accept-all">
              <IconCheck size={13} /> Accept all
            </button>
            <button type="button" className="btn btn--ghost btn--sm" onClick={() => onReject(suggestions)} data-testid="automap-reject-all">
              Reject all
            </button>
          </>
        ) : (
          <button type="button" className="btn btn--ghost btn--sm" onClick={onClose} data-testid="automap-close">
            Close
          </button>
        )}
      </div>
      {suggestions.length > 0 ? (
        <ul className="automap__list">
          {suggestions.map((s) => (
            <li key={`${s.source}\u0000${s.target}`} className="automap__item" data-testid="automap-suggestion">
              <span className="automap__pair">
                <code className="automap__field" title={s.source}>{s.source}</code>
                <span className="automap__arrow" aria-hidden="true">→</span>
                <code className="automap__field" title={s.target}>{s.target}</code>
                {s.key ? (
                  <span className="automap__key" title="Key: rows are matched by this field">
                    <IconKey size={11} /> key
                  </span>
                ) : null}
              </span>
              <span className="automap__why muted small">
                {FIELD_TYPE_LABELS[s.type]}
                {s.currency ? ` ${s.currency}` : ''}
                {s.ref ? ` → ${s.ref}` : ''} · {s.why}
              </span>
              <span className="automap__buttons">
                <button type="button" className="icon-btn icon-btn--quiet automap__accept" aria-label={`Accept ${s.source} → ${s.target}`} title="Accept" onClick={() => onAccept([s])} data-testid="automap-accept">
                  <IconCheck size={14} />
                </button>
                <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Reject ${s.source} → ${s.target}`} title="Reject" onClick={() => onReject([s])} data-testid="automap-reject">
                  <IconX size={14} />
                </button>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {unmatched.length > 0 ? (
        <p className="automap__unmatched muted small" data-testid="automap-unmatched">
          No field upstream fits {unmatched.length === 1 ? 'the target field' : `${unmatched.length} target fields`}: {unmatched.join(', ')}. Map {unmatched.length === 1 ? 'it' : 'them'} by hand, with a formula or a constant.
        </p>
      ) : null}
    </div>
  );
}

/** Switching where a value comes from; a new formula starts from the field the row had. */
export function withFrom(row: MappingRow, from: MappingFrom, memberSystems: readonly string[] = []): MappingRow {
  if (from === 'formula' && !(row.formula ?? '').trim()) {
    return { ...row, from, formula: row.source ? `[${row.source.replace(/]/g, ']]')}]` : '' };
  }
  // "Align member from <system>": the person's id in the target's system is Text; the first system is proposed.
  if (from === 'member') return { ...row, from, type: 'text', system: row.system || memberSystems[0] || '' };
  return { ...row, from };
}

export function MappingWidget({ ctx, path }: { ctx: FormCtx; path: string }) {
  const rows = asRows(ctx.config[path]);
  const upstream = ctx.upstream?.fields ?? [];
  const unmapped = upstream.filter((f) => !rows.some((r) => fromOf(r) === 'field' && r.source === f.name) && !rows.some((r) => r.target === f.name)).length;
  const setRows = (next: MappingRow[]) => ctx.set(path, next);
  const target = ctx.downstream ?? null;
  /** The suggestions shown (null: auto-map not run), and those the person rejected since. */
  const [automap, setAutomap] = useState<{ rejected: Set<string> } | null>(null);
  const [opened, setOpened] = useState<ReadonlySet<number>>(new Set());
  const sig = (s: MapSuggestion) => `${s.source}\u0000${s.target}`;
  const suggested = useMemo(() => (automap && target && ctx.upstream ? suggestMappings(ctx.upstream, target, rows) : null), [automap, target, ctx.upstream, rows]);
  const shown = suggested ? suggested.suggestions.filter((s) => !automap?.rejected.has(sig(s))) : [];
  const toggle = (i: number) => setOpened((o) => {
    const next = new Set(o);
    if (next.has(i)) next.delete(i);
    else next.add(i);
    return next;
  });
  const objectNames = ctx.workspaceObjects.map((o) => o.name);
  const memberSystems = memberSystemsContext().memberSystems ?? [];

  return (
    <div className="mapping" data-testid="mapping">
      {rows.length === 0 ? (
        <div className="mapping__empty">
          {ctx.upstream ? (
            <>
              <strong>No fields mapped yet.</strong> Bring over every field from {ctx.upstreamLabel ?? 'the input'} and adjust from there.
            </>
          ) : (
            <>Connect an input to this step to choose its fields.</>
          )}
        </div>
      ) : (
        <table className="mapping__table">
          <thead>
            <tr>
              <th>From</th>
              <th>Source</th>
              <th>Target field</th>
              <th>Type</th>
              <th className="center" title="Primary key: rows are matched and updated by this field">
                <IconKey size={12} /> Key
              </th>
              <th aria-label="Remove" />
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const at = (k: string) => diagnosticsAt(ctx.diagnostics, `${path}.${i}.${k}`);
              const from = fromOf(row);
              const errs = [...(from === 'field' || from === 'member' ? at('source') : []), ...(from === 'member' ? at('system') : []), ...(from === 'constant' ? at('value') : []), ...at('target'), ...at('type'), ...at('key'), ...diagnosticsAt(ctx.diagnostics, `${path}.${i}`)];
              return [
                <tr key={`r${i}`} className={`mapping__row mapping__row--${from}`} data-testid="mapping-row">
                  <td>
                    <select className="input select" value={from} aria-label={`From ${i + 1}`} onChange={(e) => ctx.set(`${path}.${i}`, withFrom(row, e.target.value as MappingFrom, memberSystems))}>
                      {FROM_OPTIONS.map((o) => (
                        <option key={o.value} value={o.value}>
                          {o.label}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {from === 'field' || from === 'member' ? (
                      <UpstreamFieldSelect
                        ctx={ctx}
                        compact
                        value={row.source}
                        label={`Source field ${i + 1}`}
                        invalid={at('source').length > 0}
                        onChange={(v) => ctx.set(`${path}.${i}`, withSource(row, v, upstream))}
                      />
                    ) : from === 'constant' ? (
                      <input
                        className={`input${at('value').length ? ' is-invalid' : ''}`}
                        value={row.value ?? ''}
                        aria-label={`Constant ${i + 1}`}
                        placeholder="value"
                        spellCheck={false}
                        onChange={(e) => ctx.set(`${path}.${i}.value`, e.target.value, { merge: true })}
                      />
                    ) : (
                      <span className="mapping__via" title="The formula below gives this field's value">
                        <IconFunction size={13} /> below
                      </span>
                    )}
                  </td>
                  <td>
                    <div className="mapping__target">
                      <input
                        className={`input${at('target').length ? ' is-invalid' : ''}${row.note?.trim() ? ' has-note' : ''}`}
                        value={row.target}
                        aria-label={`Target field ${i + 1}`}
                        spellCheck={false}
                        placeholder="name"
                        onChange={(e) => ctx.set(`${path}.${i}.target`, e.target.value, { merge: true })}
                      />
                      {row.note?.trim() ? (
                        <span className="mapping__note" tabIndex={0} aria-label={`Note on ${row.target || `field ${i + 1}`}: ${row.note}`} data-testid="mapping-note-badge">
                          <IconNote size={12} />
                          <span className="mapping__tip" role="tooltip" data-testid="mapping-note-tip">
                            {row.note}
                          </span>
                        </span>
                      ) : null}
                    </div>
                  </td>
                  <td>
                    <select
                      className={`input select${at('type').length ? ' is-invalid' : ''}`}
                      value={row.type}
                      aria-label={`Type ${i + 1}`}
                      onChange={(e) => ctx.set(`${path}.${i}.type`, e.target.value)}
                    >
                      {FieldType.options.map((t) => (
                        <option key={t} value={t}>
                          {FIELD_TYPE_LABELS[t]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="center">
                    <input
                      type="checkbox"
                      className="checkbox"
                      checked={row.key === true}
                      aria-label={`Key ${i + 1}`}
                      onChange={(e) => ctx.set(`${path}.${i}.key`, e.target.checked)}
                    />
                  </td>
                  <td>
                    <span className="mapping__tools">
                      <button
                        type="button"
                        className={`icon-btn icon-btn--quiet${row.note?.trim() ? ' is-on' : ''}`}
                        aria-label={`${row.note?.trim() ? 'Edit the note on' : 'Add a note to'} ${row.target || `field ${i + 1}`}`}
                        aria-expanded={showsDetails(row, opened.has(i))}
                        title={row.note?.trim() ? row.note : 'Add a note'}
                        onClick={() => toggle(i)}
                        data-testid="mapping-note-toggle"
                      >
                        <IconNote size={14} />
                      </button>
                      <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Remove ${row.target || 'field'}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                        <IconX size={14} />
                      </button>
                    </span>
                  </td>
                </tr>,
                showsDetails(row, opened.has(i)) ? (
                  <tr key={`d${i}`} className="mapping__details" data-testid="mapping-details">
                    <td colSpan={6}>
                      <div className="mapping__details-grid">
                        {row.type === 'currency' ? (
                          <label className="mapping__detail mapping__detail--code">
                            <span>Currency</span>
                            <input
                              className={`input input--sm${at('currency').length ? ' is-invalid' : ''}`}
                              value={row.currency ?? ''}
                              list="weft-currency-codes"
                              maxLength={3}
                              placeholder="EUR"
                              spellCheck={false}
                              aria-label={`Currency code of ${row.target || `field ${i + 1}`}`}
                              onChange={(e) => ctx.set(`${path}.${i}.currency`, e.target.value.toUpperCase(), { merge: true })}
                              data-testid="mapping-currency"
                            />
                          </label>
                        ) : null}
                        {row.type === 'reference' ? (
                          <label className="mapping__detail mapping__detail--ref">
                            <span>References</span>
                            <input
                              className={`input input--sm${at('ref').length ? ' is-invalid' : ''}`}
                              value={row.ref ?? ''}
                              list="weft-workspace-objects"
                              maxLength={63}
                              placeholder="workspace object, e.g. companies"
                              spellCheck={false}
                              aria-label={`Object ${row.target || `field ${i + 1}`} references`}
                              onChange={(e) => ctx.set(`${path}.${i}.ref`, e.target.value, { merge: true })}
                              data-testid="mapping-ref"
                            />
                          </label>
                        ) : null}
                        <label className="mapping__detail mapping__detail--note">
                          <span>Note</span>
                          <input
                            className="input input--sm"
                            value={row.note ?? ''}
                            maxLength={2000}
                            placeholder="Why it is mapped this way (shown on hover and in the CSV export)"
                            aria-label={`Note on ${row.target || `field ${i + 1}`}`}
                            onChange={(e) => ctx.set(`${path}.${i}.note`, e.target.value, { merge: true })}
                            data-testid="mapping-note"
                          />
                        </label>
                      </div>
                      <FieldErrors diagnostics={[...at('currency'), ...at('ref'), ...at('note')]} path={`${path}.${i}`} />
                    </td>
                  </tr>
                ) : null,
                from === 'member' ? (
                  <tr key={`m${i}`} className="mapping__member" data-testid="mapping-member-row">
                    <td colSpan={6}>
                      <div className="mapping__member-line">
                        <label className="mapping__detail">
                          <span>Align member from</span>
                          <select
                            className={`input select input--sm${at('system').length ? ' is-invalid' : ''}`}
                            value={row.system ?? ''}
                            aria-label={`Align member from, for ${row.target || `field ${i + 1}`}`}
                            onChange={(e) => ctx.set(`${path}.${i}.system`, e.target.value, { merge: true })}
                            data-testid="mapping-member-system"
                          >
                            {!row.system ? <option value="">Choose a system…</option> : null}
                            {row.system && !memberSystems.includes(row.system) ? <option value={row.system}>{row.system}</option> : null}
                            {['weft', ...memberSystems.filter((s) => s !== 'weft')].map((s) => (
                              <option key={s} value={s}>
                                {s === 'weft' ? 'weft (member emails)' : s}
                              </option>
                            ))}
                          </select>
                        </label>
                        <p className="hint mapping__member-hint">
                          {row.source ? (
                            <>
                              The {row.system || '…'} id in <strong>{row.source}</strong> becomes that person&rsquo;s id in the target&rsquo;s system (the workspace: their email). No one found:
                              {' '}
                              {ctx.config.unmatchedMembers === 'default' ? 'the default member below' : 'the record is rejected'}.
                              {' '}
                              <code className="code-inline">{memberFormula(row.system ?? '', row.source)}</code>
                            </>
                          ) : (
                            'Choose the field that holds the person’s id in the system above.'
                          )}
                        </p>
                      </div>
                    </td>
                  </tr>
                ) : null,
                from === 'formula' ? (
                  <tr key={`f${i}`} className="mapping__formula" data-testid="mapping-formula-row">
                    <td colSpan={6}>
                      <FormulaField
                        value={row.formula ?? ''}
                        onChange={(v) => ctx.set(`${path}.${i}.formula`, v, { merge: true })}
                        fields={ctx.upstream?.fields ?? null}
                        valueMaps={ctx.valueMaps}
                        params={ctx.params}
                        expected={row.type}
                        sourceLabel={ctx.upstreamLabel}
                        diagnostics={at('formula')}
                        name={`${ctx.nodeId}-${path}-${i}`}
                        label={`Formula for ${row.target || `field ${i + 1}`}`}
                        rows={ctx.preview?.input ?? null}
                        previewProblem={ctx.preview?.loading ? 'Loading sample rows…' : ctx.preview?.problem}
                        previewNow={ctx.previewNow}
                        maxRows={4}
                        explainEmpty={false}
                        resultLabel={row.target || 'Result'}
                        testId="mapping-formula"
                      />
                    </td>
                  </tr>
                ) : null,
                errs.length > 0 ? (
                  <tr key={`e${i}`} className="mapping__errors">
                    <td colSpan={6}>
                      <FieldErrors diagnostics={errs} path={`${path}.${i}`} />
                    </td>
                  </tr>
                ) : null,
              ];
            })}
          </tbody>
        </table>
      )}
      <FieldErrors diagnostics={diagnosticsAt(ctx.diagnostics, path)} path={path} />
      {suggested && target ? (
        <AutoMapPanel
          suggestions={shown}
          unmatched={suggested.unmatched}
          label={target.label}
          onAccept={(list) => setRows([...rows, ...list.map(suggestionRow)])}
          onReject={(list) => setAutomap((a) => ({ rejected: new Set([...(a?.rejected ?? []), ...list.map(sig)]) }))}
          onClose={() => setAutomap(null)}
        />
      ) : null}
      <datalist id="weft-currency-codes">
        {CURRENCY_CODES.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <datalist id="weft-workspace-objects">
        {objectNames.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <div className="mapping__actions">
        <button
          type="button"
          className="btn btn--secondary btn--sm"
          disabled={!target || !ctx.upstream}
          onClick={() => setAutomap({ rejected: new Set() })}
          data-testid="automap-run"
          title={
            target
              ? `Suggest a source field for each field of ${target.label}, by name and type`
              : 'Auto-map matches the fields of the table or workspace object this Map writes to: connect a target that has fields first'
          }
        >
          <IconSparkle size={14} /> Auto-map
        </button>
        <button
          type="button"
          className="btn btn--secondary btn--sm"
          disabled={unmapped === 0}
          onClick={() => setRows(addAllFields(rows, upstream, ctx.upstream?.key ?? []))}
          data-testid="add-all-fields"
          title={ctx.upstream ? undefined : 'Connect an input first'}
        >
          <IconPlus size={14} /> Add all fields{unmapped > 0 && rows.length > 0 ? ` (${unmapped})` : ''}
        </button>
        <button type="button" className="btn btn--ghost btn--sm" onClick={() => setRows([...rows, { from: 'field', source: '', target: '', type: 'text', key: false }])} data-testid="add-field">
          <IconPlus size={14} /> Add field
        </button>
        <span className="spacer" />
        <button
          type="button"
          className="btn btn--ghost btn--sm"
          disabled={rows.length === 0}
          onClick={() => download(`${fileSafe(ctx.nodeLabel ?? 'map')}-mapping.csv`, mappingCsv(ctx.nodeLabel ?? 'Map', rows), 'text/csv;charset=utf-8')}
          title="Download this mapping as CSV: target, type, source or formula, key and note of each field"
          data-testid="mapping-export"
        >
          <IconDownload size={14} /> Export CSV
        </button>
      </div>
    </div>
  );
}
