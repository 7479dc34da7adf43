// The integration's value maps (tables of replacements formulas read with LOOKUP), edited in the
// inspector's overview. Every edit is one setValueMaps op: undoable and saved in the draft.
import { useState, type ClipboardEvent } from 'react';
import type { Diagnostic, ValueMap } from '../../shared';
import { IconPlus, IconReplace, IconTrash, IconX } from '../components/icons';
import { FieldErrors } from '../form/field-errors';
import { addEntry, addValueMap, pasteEntries, removeEntry, removeValueMap, renameValueMap, setEntry } from './value-map-edits';

/** The graph schema's limit. */
const MAX_MAPS = 100;

export interface ValueMapsPanelProps {
  maps: readonly ValueMap[];
  diagnostics: readonly Diagnostic[];
  /** `mergeKey` folds typing in one box into one undo step. */
  onChange: (maps: ValueMap[], mergeKey?: string) => void;
}

export function ValueMapsPanel({ maps, diagnostics, onChange }: ValueMapsPanelProps) {
  const names = maps.map((m) => m.name.trim());
  return (
    <section className="inspector__section value-maps" data-testid="value-maps">
      <div className="value-maps__head">
        <h4 className="inspector__subtitle">Value maps</h4>
        <button type="button" className="btn btn--ghost btn--sm" onClick={() => onChange(addValueMap(maps))} disabled={maps.length >= MAX_MAPS} data-testid="add-value-map">
          <IconPlus size={14} /> New map
        </button>
      </div>
      {maps.length === 0 ? (
        <div className="value-maps__empty">
          <span className="value-maps__empty-icon">
            <IconReplace size={18} />
          </span>
          <span>
            Turn codes into labels in any formula: <code className="code-inline">LOOKUP([country], "countries")</code>
          </span>
        </div>
      ) : null}
      {maps.map((m, i) => {
        const own = diagnostics.filter((d) => d.path === `valueMaps.${i}.name` || d.path?.startsWith(`valueMaps.${i}.`));
        const name = m.name.trim();
        const local = names.indexOf(name) !== i ? `Another map is named "${name}"` : null;
        const problems: Diagnostic[] = own.length > 0 ? own : local ? [{ severity: 'error', code: 'value-map-name', message: local }] : [];
        const onPaste = (e: ClipboardEvent<HTMLInputElement>) => {
          const text = e.clipboardData.getData('text/plain');
          if (!/[\t\n]/.test(text.trim())) return;
          e.preventDefault();
          onChange(pasteEntries(maps, i, text));
        };
        return (
          <div key={i} className="value-map" data-testid="value-map">
            <div className="value-map__top">
              <NameInput name={m.name} index={i} invalid={problems.length > 0} onRename={(next) => onChange(renameValueMap(maps, i, next), `valueMaps:${i}:name`)} />
              <span className="muted small value-map__count">
                {m.entries.length} {m.entries.length === 1 ? 'entry' : 'entries'}
              </span>
              <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Delete value map ${m.name || i + 1}`} onClick={() => onChange(removeValueMap(maps, i))} data-testid="delete-value-map">
                <IconTrash size={14} />
              </button>
            </div>
            <FieldErrors diagnostics={problems} path={`valueMaps.${i}`} />
            <div className="value-map__usage muted small">
              Use it as <code className="code-inline">LOOKUP([field], "{m.name || 'name'}")</code>
            </div>
            <table className="value-map__table">
              <thead>
                <tr>
                  <th>From</th>
                  <th aria-hidden="true" />
                  <th>To</th>
                  <th aria-label="Remove" />
                </tr>
              </thead>
              <tbody>
                {m.entries.map((e, j) => (
                  <tr key={j} data-testid="value-map-entry">
                    <td>
                      <input
                        className="input input--sm"
                        value={e.from}
                        aria-label={`From ${j + 1}`}
                        spellCheck={false}
                        maxLength={500}
                        onPaste={onPaste}
                        onChange={(ev) => onChange(setEntry(maps, i, j, { from: ev.target.value }), `valueMaps:${i}:${j}:from`)}
                      />
                    </td>
                    <td className="value-map__arrow" aria-hidden="true">
                      →
                    </td>
                    <td>
                      <input
                        className="input input--sm"
                        value={e.to}
                        aria-label={`To ${j + 1}`}
                        spellCheck={false}
                        maxLength={500}
                        onPaste={onPaste}
                        onChange={(ev) => onChange(setEntry(maps, i, j, { to: ev.target.value }), `valueMaps:${i}:${j}:to`)}
                      />
                    </td>
                    <td>
                      <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Remove entry ${j + 1}`} onClick={() => onChange(removeEntry(maps, i, j))}>
                        <IconX size={13} />
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="value-map__actions">
              <button type="button" className="btn btn--ghost btn--sm" onClick={() => onChange(addEntry(maps, i))} data-testid="add-value-map-entry">
                <IconPlus size={13} /> Add entry
              </button>
              <span className="hint">or paste rows from a sheet</span>
            </div>
          </div>
        );
      })}
    </section>
  );
}

/**
 * A map's name. A blank name is never committed (the graph schema refuses it, so neither the server
 * nor the local draft could keep the integration); the box shows it until it loses focus.
 */
function NameInput({ name, index, invalid, onRename }: { name: string; index: number; invalid: boolean; onRename: (name: string) => void }) {
  const [editing, setEditing] = useState<string | null>(null);
  const shown = editing ?? name;
  const blank = shown.trim() === '';
  return (
      <input
        className={`input input--sm value-map__name${invalid || blank ? ' is-invalid' : ''}`}
        value={shown}
        aria-label={`Value map ${index + 1} name`}
        aria-invalid={invalid || blank || undefined}
        title={blank ? 'Name the value map' : undefined}
        spellCheck={false}
        maxLength={64}
        placeholder="Name the map"
        onChange={(e) => {
          setEditing(e.target.value);
          if (e.target.value.trim() !== '') onRename(e.target.value);
        }}
        onBlur={() => setEditing(null)}
        data-testid="value-map-name"
      />
  );
}
