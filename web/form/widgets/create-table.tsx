// "Create this table" for a database target whose table does not exist yet: the columns are the fields reaching the
// target (the Map's targets and types), the key its key. The statement is shown in Weft's confirm dialog first and
// runs only on "Create table"; discovery is then read again and the target takes the new table's columns.
import { useState } from 'react';
import type { DiscoveredObjectInfo, RowSchema } from '../../../shared';
// The route itself, not a method of `api`: its schemas then load with the designer, not on first load.
import { createTable as createTableRoute } from '../../../shared/api/routes/create-table';
import { api, errorMessage } from '../../api';
import { Spinner } from '../../components/icons';
import { confirmDialog } from '../../lib/confirm';
import { toast } from '../../lib/toasts';

export function CreateTable({
  connectionId,
  upstream,
  upstreamLabel,
  suggested,
  onCreated,
}: {
  connectionId: string;
  upstream: RowSchema | null;
  upstreamLabel: string | null;
  /** The table the target names that does not exist, or '' when the person starts a new one. */
  suggested: string;
  onCreated(object: string): Promise<DiscoveredObjectInfo | null>;
}) {
  const [open, setOpen] = useState(suggested !== '');
  const [name, setName] = useState(suggested);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fields = upstream?.fields ?? [];

  if (!open) {
    return (
      <button type="button" className="btn btn--ghost btn--sm create-table__open" onClick={() => setOpen(true)} data-testid="create-table-open">
        + New table from the mapped fields
      </button>
    );
  }

  async function create() {
    const object = name.trim();
    if (!object) {
      setError('Name the table');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = { object, fields: fields.map((f) => ({ name: f.name, type: f.type })), key: upstream?.key ?? [] };
      const dry = await api.call(createTableRoute, { params: { id: connectionId }, body: { ...body, dryRun: true } });
      const keyWords = body.key.length > 0 ? ` Its primary key is ${body.key.join(', ')}.` : ' It has no primary key, so only Insert mode can write to it.';
      const ok = await confirmDialog({
        title: `Create table ${object}?`,
        message: `Weft will run this statement on the connection, with a column for each of the ${fields.length} fields${upstreamLabel ? ` from ${upstreamLabel}` : ''}.${keyWords}`,
        code: dry.ddl,
        confirmLabel: 'Create table',
      });
      if (!ok) return;
      const made = await api.call(createTableRoute, { params: { id: connectionId }, body: { ...body, dryRun: false } });
      const found = await onCreated(made.object);
      toast(found ? `Created table ${object}` : `Created table ${object}; press Refresh if it is not listed yet`, 'success');
      setOpen(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="create-table stack-sm" data-testid="create-table">
      {suggested ? <p className="hint">Table “{suggested}” does not exist in this database yet.</p> : null}
      {fields.length === 0 ? (
        <p className="hint">Connect a step with the fields to write (a Map) first: the new table gets one column per field.</p>
      ) : (
        <>
          <div className="row-sm">
            <input
              className="input"
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-label="New table name"
              placeholder="Table name, e.g. orders"
              maxLength={200}
              data-testid="create-table-name"
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  void create();
                }
              }}
            />
            <button type="button" className="btn btn--secondary btn--sm" onClick={() => void create()} aria-disabled={busy} data-testid="create-table-run">
              {busy ? <Spinner /> : null}
              Create this table…
            </button>
          </div>
          <p className="hint">
            {fields.length} {fields.length === 1 ? 'column' : 'columns'}: {fields.map((f) => f.name).join(', ')}
            {upstream && upstream.key.length > 0 ? ` · key ${upstream.key.join(', ')}` : ' · no key'}. You see the statement before it runs.
          </p>
        </>
      )}
      {error ? (
        <div className="banner banner--error banner--sm" role="alert" data-testid="create-table-error">
          {error}
        </div>
      ) : null}
    </div>
  );
}
