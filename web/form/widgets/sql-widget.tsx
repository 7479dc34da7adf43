// 'sql' widget: the optional query filter in Monaco (built-in SQL colouring; a textarea while it loads),
// and "Load preview": the first 10 rows with their types, which also stamps the node as previewed.
import type * as Monaco from 'monaco-editor/editor';
import { useEffect, useRef, useState } from 'react';
import type { SourcePreview } from '../../../shared';
import { objectWording } from '../../../shared/graph/kinds';
import { api, errorMessage } from '../../api';
import { loadMonaco } from '../../formula/load-monaco';
import { rememberSqlSample } from '../../lib/sql-samples';
import type { FormCtx } from '../form-context';
import { PreviewControls, TypedRowsTable } from './preview-controls';
import { patchForPreview, previewState } from './sql-source-model';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function SqlWidget({ ctx, path, id, invalid }: { ctx: FormCtx; path: string; id?: string; invalid?: boolean }) {
  const query = str(ctx.config[path]);
  const connectionId = str(ctx.config.connectionId);
  const object = str(ctx.config.object);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rows, setRows] = useState<SourcePreview | null>(null);
  const state = previewState(ctx.config);
  // HubSpot, Salesforce and REST have no SQL: no query filter, only the preview (a filter kept from before stays editable).
  const words = objectWording(str(ctx.config.connector) || 'postgres', 'read');
  const sql = words.sql || query.trim() !== '';

  async function load() {
    setBusy(true);
    setError(null);
    try {
      const preview = await api.previewSource(connectionId, { object, ...(query.trim() ? { query } : {}) });
      ctx.patch(patchForPreview(preview));
      rememberSqlSample(preview.preview.hash, preview.rows);
      setRows(preview);
    } catch (e) {
      setError(errorMessage(e));
      setRows(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="sql-widget stack-sm">
      {sql ? (
        <>
          <SqlEditor id={id} value={query} invalid={invalid} onChange={(v) => ctx.set(path, v, { merge: true })} />
          <p className="hint">Leave empty to read the whole table, or write one SELECT (or WITH … SELECT), e.g. SELECT * FROM orders WHERE status = 'open'.</p>
        </>
      ) : (
        <p className="hint" data-testid="no-sql-hint">
          Every record of the {words.noun} is read. Filter them after this step with a Filter.
        </p>
      )}
      <PreviewControls
        onLoad={() => void load()}
        busy={busy}
        disabled={!connectionId || !object}
        state={state}
        error={error}
        why={sql ? "A database table is read live, through your query, with the connection's permissions: load its first rows to check what Weft will read before publishing." : `The ${words.noun} is read live, with the connection's credentials: load its first records to check what Weft will read before publishing.`}
      />
      {rows ? <PreviewTable preview={rows} /> : null}
    </div>
  );
}

function PreviewTable({ preview }: { preview: SourcePreview }) {
  if (preview.rows.length === 0) return <p className="hint">No rows came back.</p>;
  return <TypedRowsTable columns={preview.columns} rows={preview.rows} keyFields={preview.key} testId="sql-preview-table" />;
}

/** Monaco with the built-in 'sql' language; a plain textarea until (or if never) it loads. */
function SqlEditor({ value, onChange, id, invalid }: { value: string; onChange: (v: string) => void; id?: string; invalid?: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const [editor, setEditor] = useState<Monaco.editor.IStandaloneCodeEditor | null>(null);
  const latest = useRef({ value, onChange });
  latest.current = { value, onChange };

  useEffect(() => {
    let disposed = false;
    let cleanup: (() => void) | null = null;
    loadMonaco().then(
      (monaco) => {
        if (disposed || !host.current) return;
        const model = monaco.editor.createModel(latest.current.value, 'sql');
        const ed = monaco.editor.create(host.current, {
          model,
          ariaLabel: 'Query filter',
          automaticLayout: true,
          minimap: { enabled: false },
          lineNumbers: 'off',
          glyphMargin: false,
          folding: false,
          wordWrap: 'on',
          scrollBeyondLastLine: false,
          renderLineHighlight: 'none',
          overviewRulerLanes: 0,
          contextmenu: false,
          tabFocusMode: true,
          editContext: false,
          fontSize: 13,
          lineHeight: 20,
          padding: { top: 6, bottom: 6 },
        });
        const sub = model.onDidChangeContent(() => {
          if (model.getValue() !== latest.current.value) latest.current.onChange(model.getValue());
        });
        setEditor(ed);
        cleanup = () => {
          sub.dispose();
          ed.dispose();
          model.dispose();
        };
      },
      () => undefined,
    );
    return () => {
      disposed = true;
      cleanup?.();
      setEditor(null);
    };
  }, []);

  // Undo from the toolbar, or another node's config: replace the text without echoing it back.
  useEffect(() => {
    const model = editor?.getModel();
    if (model && model.getValue() !== value) model.pushEditOperations([], [{ range: model.getFullModelRange(), text: value }], () => null);
  }, [editor, value]);

  return (
    <div className={`formula-editor${invalid ? ' is-invalid' : ''}${editor ? ' is-ready' : ''}`} data-testid="sql-editor" data-ready={editor ? 'true' : 'false'}>
      <div ref={host} className="formula-editor__host" style={{ height: 104, display: editor ? undefined : 'none' }} />
      {editor ? null : (
        <textarea
          id={id}
          className="formula-editor__fallback"
          value={value}
          rows={4}
          aria-label="Query filter"
          placeholder="SELECT * FROM orders WHERE …"
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
          data-testid="sql-fallback"
        />
      )}
    </div>
  );
}
