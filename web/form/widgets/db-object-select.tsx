// 'db-object' widget: the tables the chosen connection can read (from discovery); picking one takes its columns and key.
import { useEffect, useState } from 'react';
import type { DiscoveredObjectInfo } from '../../../shared';
import { objectWording } from '../../../shared/graph/kinds';
import { api, errorMessage } from '../../api';
import { Spinner } from '../../components/icons';
import type { FormCtx } from '../form-context';
import { CreateTable } from './create-table';
import { patchForObject } from './sql-source-model';

// One discovery per connection while the designer is open; "Refresh" asks again.
const discovered = new Map<string, Promise<DiscoveredObjectInfo[]>>();

function discover(connectionId: string, fresh = false): Promise<DiscoveredObjectInfo[]> {
  let found = discovered.get(connectionId);
  if (!found || fresh) {
    found = api.discoverConnection(connectionId);
    discovered.set(connectionId, found);
    found.catch(() => discovered.delete(connectionId));
  }
  return found;
}

export function DbObjectSelect({ ctx, path, id, invalid }: { ctx: FormCtx; path: string; id?: string; invalid?: boolean }) {
  const connectionId = typeof ctx.config.connectionId === 'string' ? ctx.config.connectionId : '';
  const value = typeof ctx.config[path] === 'string' ? (ctx.config[path] as string) : '';
  const [state, setState] = useState<{ objects: DiscoveredObjectInfo[] | null; error: string | null; loading: boolean }>({ objects: null, error: null, loading: false });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!connectionId) {
      setState({ objects: null, error: null, loading: false });
      return;
    }
    let live = true;
    setState((s) => ({ ...s, error: null, loading: true }));
    discover(connectionId, tick > 0).then(
      (objects) => live && setState({ objects, error: null, loading: false }),
      (e: unknown) => live && setState({ objects: null, error: errorMessage(e), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [connectionId, tick]);

  if (!connectionId) return <p className="hint">Choose a connection first.</p>;
  const connector = typeof ctx.config.connector === 'string' && ctx.config.connector ? ctx.config.connector : 'postgres';
  const words = objectWording(connector, ctx.kind === 'sql-target' ? 'write' : 'read');
  const a = /^[aeiou]/.test(words.noun) ? 'an' : 'a';
  const columns = (n: number) => (words.sql ? (n === 1 ? 'column' : 'columns') : n === 1 ? 'field' : 'fields');
  const objects = state.objects ?? [];
  const known = objects.some((o) => o.name === value);
  return (
    <div className="stack-sm" data-testid="db-object-select">
      <div className="row-sm">
        <select
          id={id}
          className={`input select${invalid ? ' is-invalid' : ''}`}
          value={value}
          aria-label={words.object}
          aria-invalid={invalid || undefined}
          disabled={state.loading && !state.objects}
          onChange={(e) => {
            const picked = objects.find((o) => o.name === e.target.value);
            if (picked) ctx.patch(patchForObject(picked));
            else ctx.set(path, e.target.value);
          }}
        >
          <option value="">{state.loading && !state.objects ? `Reading the ${words.plural}…` : `Choose ${a} ${words.noun}…`}</option>
          {value && !known ? <option value={value}>{value}</option> : null}
          {objects.map((o) => (
            <option key={o.name} value={o.name}>
              {o.label} · {o.fields.length} {columns(o.fields.length)}
            </option>
          ))}
        </select>
        <button type="button" className="btn btn--ghost btn--sm" onClick={() => setTick((t) => t + 1)} disabled={state.loading} aria-label={`Refresh the list of ${words.plural}`}>
          {state.loading ? <Spinner /> : null}
          Refresh
        </button>
      </div>
      {state.error ? (
        <div className="banner banner--error banner--sm" role="alert" data-testid="discover-error">
          {state.error}
        </div>
      ) : null}
      {ctx.kind === 'sql-target' && state.objects ? (
        <CreateTable
          key={`${connectionId}:${known ? '' : value}`}
          connectionId={connectionId}
          upstream={ctx.upstream}
          upstreamLabel={ctx.upstreamLabel}
          suggested={value && !known ? value : ''}
          onCreated={async (object) => {
            const fresh = await discover(connectionId, true);
            const picked = fresh.find((o) => o.name === object) ?? null;
            setState({ objects: fresh, error: null, loading: false });
            if (picked) ctx.patch(patchForObject(picked));
            return picked;
          }}
        />
      ) : null}
    </div>
  );
}
