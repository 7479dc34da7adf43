// 'connection' widget: pick one of the saved connections whose system can be read (a source) or written (a
// target, `.meta({ capability: 'write' })`), or go make one.
import { useEffect } from 'react';
import { api, errorMessage } from '../../api';
import { useLoad } from '../../lib/hooks';
import type { FormCtx } from '../form-context';

export function ConnectionSelect({ ctx, path, id, invalid, capability = 'read' }: { ctx: FormCtx; path: string; id?: string; invalid?: boolean; capability?: 'read' | 'write' }) {
  const value = typeof ctx.config[path] === 'string' ? (ctx.config[path] as string) : '';
  const { data, error, loading } = useLoad(async () => {
    const [connections, connectors] = await Promise.all([api.listConnections(), api.listConnectors()]);
    const able = new Set(connectors.filter((c) => c.capabilities.includes(capability)).map((c) => c.id));
    return connections.filter((c) => able.has(c.connector));
  }, [capability]);
  const options = data ?? [];
  const known = options.some((c) => c.id === value);
  // A database-or-app node keeps its connection's connector beside it, so its wording follows (web/kinds/registry.tsx);
  // a node saved before it did gets it once the list is here.
  const keepsConnector = ctx.kind === 'sql-source' || ctx.kind === 'sql-target';
  const chosen = options.find((c) => c.id === value);
  useEffect(() => {
    if (keepsConnector && chosen && ctx.config.connector !== chosen.connector) ctx.set('connector', chosen.connector);
  }, [keepsConnector, chosen, ctx]);
  const choose = (id: string) => {
    if (!keepsConnector) return ctx.set(path, id);
    ctx.patch({ [path]: id, connector: options.find((c) => c.id === id)?.connector ?? '' });
  };
  return (
    <div className="stack-sm" data-testid="connection-select">
      <select
        id={id}
        className={`input select${invalid ? ' is-invalid' : ''}`}
        value={value}
        aria-label="Connection"
        aria-invalid={invalid || undefined}
        disabled={loading && !data}
        onChange={(e) => choose(e.target.value)}
      >
        <option value="">{loading && !data ? 'Loading connections…' : 'Choose a connection…'}</option>
        {value && !known && data ? <option value={value}>Missing connection ({value})</option> : null}
        {options.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
      {error ? (
        <p className="hint hint--error" role="alert">
          {errorMessage(error)}
        </p>
      ) : null}
      <p className="hint">
        {data && options.length === 0 ? 'No connections yet. ' : null}
        <a href="#/connections">Manage connections</a>
      </p>
    </div>
  );
}
