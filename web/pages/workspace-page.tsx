// The workspace browser: Weft's own objects, and the records integrations wrote into them.
import { useEffect, useState } from 'react';
import type { WorkspaceObject } from '../../shared';
import { api, errorMessage } from '../api';
import { EmptyState, ErrorBanner } from '../components/empty-state';
import { IconDatabase, IconKey, IconSearch, IconTable, Spinner } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { formatCell, formatCount, formatDateTime, relativeTime } from '../lib/format';
import { useDebounced, useLoad, useNow } from '../lib/hooks';
import { href } from '../router';
import { Pager } from './history-page';

const PAGE = 50;

export function WorkspacePage({ object }: { object: string | null }) {
  const objects = useLoad(() => api.listObjects(), []);
  const list = objects.data ?? [];
  const selected = object ? list.find((o) => o.name === object) : undefined;
  return (
    <div className="page">
      <PageHeader
        crumbs={object ? <a href={href.workspace()}>Workspace</a> : undefined}
        title={selected?.label || object || 'Workspace'}
        meta={selected ? <span className="muted">{formatCount(selected.recordCount)} records</span> : null}
      />
      <div className="page__body workspace">
        {objects.error ? <ErrorBanner message={errorMessage(objects.error)} onRetry={objects.reload} /> : null}
        {objects.loading && !objects.data ? (
          <div className="page-loading">
            <Spinner size={20} /> Loading objects…
          </div>
        ) : list.length === 0 && !objects.error ? (
          <EmptyState icon={<IconDatabase size={28} />} title="Your workspace is empty" action={<a className="btn btn--primary" href={href.integrations()}>Go to integrations</a>}>
            Objects appear here the first time an integration writes to them — for example a CSV of customers becomes a
            contacts object you can browse and search.
          </EmptyState>
        ) : (
          <div className="workspace__layout">
            <nav className="card object-list" aria-label="Objects" data-testid="objects-list">
              <div className="object-list__head">
                <span>Object</span>
                <span className="num">Records</span>
              </div>
              {list.map((o) => (
                <a
                  key={o.name}
                  href={href.workspace(o.name)}
                  className={`object-item${o.name === object ? ' is-active' : ''}`}
                  data-testid="object-item"
                  data-name={o.name}
                >
                  <span className="object-item__icon">
                    <IconTable size={16} />
                  </span>
                  <span className="object-item__text">
                    <span className="object-item__name">{o.label || o.name}</span>
                    <span className="muted small">
                      {o.name} · {o.attributes.length} {o.attributes.length === 1 ? 'attribute' : 'attributes'}
                    </span>
                  </span>
                  <span className="num object-item__count">{formatCount(o.recordCount)}</span>
                </a>
              ))}
            </nav>
            <div className="workspace__records">
              {object && selected ? (
                <Records key={object} obj={selected} />
              ) : object && !objects.loading ? (
                <EmptyState compact title={`No object called "${object}"`}>
                  It may have been renamed. Pick one from the list.
                </EmptyState>
              ) : (
                <EmptyState compact icon={<IconTable size={24} />} title="Choose an object">
                  Pick an object on the left to browse its records.
                </EmptyState>
              )}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

function Records({ obj }: { obj: WorkspaceObject }) {
  const now = useNow();
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const q = useDebounced(search.trim(), 250);
  useEffect(() => setOffset(0), [q]);
  const records = useLoad(() => api.listRecords(obj.name, { limit: PAGE, offset, search: q }), [obj.name, offset, q]);
  const keys = new Set(obj.key);
  const items = records.data?.items ?? [];
  const total = records.data?.total ?? 0;
  return (
    <div className="card table-card">
      <div className="table-toolbar">
        <label className="search">
          <IconSearch size={16} />
          <input
            type="search"
            placeholder={`Search ${obj.label || obj.name}…`}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            data-testid="records-search"
            aria-label="Search records"
          />
        </label>
        {records.loading ? <Spinner /> : null}
        <span className="spacer" />
        <span className="muted small">
          {q ? `${formatCount(total)} matching` : `${formatCount(total)} records`} · key: {obj.key.join(', ') || 'none'}
        </span>
      </div>
      {records.error ? <ErrorBanner message={errorMessage(records.error)} onRetry={records.reload} /> : null}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Records">
        <table className="table table--dense" data-testid="records-table">
          <thead>
            <tr>
              {obj.attributes.map((a) => (
                <th key={a.name} className={a.type === 'number' || a.type === 'currency' ? 'num' : a.type === 'boolean' ? 'center' : undefined} title={`${a.name} · ${a.type}`}>
                  <span className="th-inner">
                    {keys.has(a.name) ? <IconKey size={12} /> : null}
                    {a.name}
                    <span className="th-type">
                      {a.type}
                      {a.type === 'currency' && a.currency ? ` · ${a.currency}` : a.type === 'reference' && a.ref ? ` → ${a.ref}` : ''}
                    </span>
                  </span>
                </th>
              ))}
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.key} data-testid="record-row">
                {obj.attributes.map((a) => {
                  const text = formatCell(r.values[a.name], a.type, a.currency);
                  const cls = a.type === 'number' || a.type === 'currency' ? 'num' : a.type === 'boolean' ? 'center' : undefined;
                  return (
                    <td key={a.name} className={cls}>
                      {text === null ? <span className="muted">—</span> : a.type === 'boolean' && text === '✓' ? <span className="bool-yes">✓</span> : a.type === 'boolean' ? <span className="muted">—</span> : text}
                    </td>
                  );
                })}
                <td className="muted small" title={formatDateTime(r.updatedAt, now)}>
                  {relativeTime(r.updatedAt, now)}
                </td>
              </tr>
            ))}
            {items.length === 0 && !records.loading ? (
              <tr>
                <td colSpan={obj.attributes.length + 1} className="table-empty">
                  {q ? `No records match "${q}".` : 'No records yet.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager offset={offset} limit={PAGE} total={total} onChange={setOffset} />
    </div>
  );
}
