// The list of tokens and the "create, then show once" flow both kinds of token share: the API tokens page (a token
// with a role) and an integration's trigger tokens (a token that can start that integration only).
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiRequestError, errorMessage } from '../api';
import { formatDateTime, relativeTime } from '../lib/format';

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Name, [extra columns], Token (its prefix), Created (and by whom), Last used, Revoke; `testIds` name the table, its rows and the Revoke buttons. */
export function TokenTable<T extends TokenRow>({
  tokens,
  now,
  onRevoke,
  testIds,
  extra = [],
  dense = false,
}: {
  tokens: readonly T[];
  now: number;
  onRevoke: (t: T) => void;
  testIds: { table: string; row: string; revoke: string };
  extra?: { header: string; cell: (t: T) => ReactNode }[];
  dense?: boolean;
}) {
  return (
    <table className={`table${dense ? ' table--dense' : ''}`} data-testid={testIds.table}>
      <thead>
        <tr>
          <th>Name</th>
          {extra.map((c) => (
            <th key={c.header}>{c.header}</th>
          ))}
          <th>Token</th>
          <th>Created</th>
          <th>Last used</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {tokens.map((t) => (
          <tr key={t.id} data-testid={testIds.row} data-name={t.name}>
            <td className="strong">{t.name}</td>
            {extra.map((c) => (
              <td key={c.header}>{c.cell(t)}</td>
            ))}
            <td>
              <code className="code-inline">{t.prefix}…</code>
            </td>
            <td title={t.createdAt}>
              <div>{formatDateTime(t.createdAt, now)}</div>
              {t.createdBy ? <div className="muted small">by {t.createdBy}</div> : null}
            </td>
            <td data-testid="token-last-used">{t.lastUsedAt ? relativeTime(t.lastUsedAt, now) : <span className="muted">Never</span>}</td>
            <td className="actions-cell">
              <button type="button" className="link-btn link-btn--danger" onClick={() => onRevoke(t)} data-testid={testIds.revoke}>
                Revoke
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A create-token form's state: submit calls `create`, keeps the token it answers (shown once), or the first issue's message. */
export function useCreateToken(create: () => Promise<{ token: string }>, onCreated: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [token, setToken] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await create();
      setToken(created.token);
      onCreated();
    } catch (err) {
      setError(err instanceof ApiRequestError && err.issues[0] ? err.issues[0].message : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, token, submit };
}
