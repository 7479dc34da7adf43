// A Monaco editor for one formula: loads Monaco lazily, grows from one to eight lines, and knows which
// fields and value maps this formula may use (registered by model URI for the shared providers).
import type * as Monaco from 'monaco-editor/editor';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { deleteEditorContext, newModelUri, setEditorContext, type FormulaEditorContext } from './editor-contexts';
import { loadMonaco } from './load-monaco';
import { scheduleValidation, validateModel } from './monaco-language';
import { LANGUAGE_ID, THEME_ID } from './monarch';

const LINE_HEIGHT = 20;
const PAD_Y = 7;
const MIN_LINES = 1;
const MAX_LINES = 8;
const heightFor = (contentHeight: number) => Math.min(MAX_LINES * LINE_HEIGHT + 2 * PAD_Y, Math.max(MIN_LINES * LINE_HEIGHT + 2 * PAD_Y, contentHeight));

export interface FormulaEditorProps {
  value: string;
  onChange: (value: string) => void;
  context: FormulaEditorContext;
  /** Names the model URI (for debugging) — e.g. the node and config path. */
  name: string;
  ariaLabel: string;
  placeholder?: string;
  invalid?: boolean;
  id?: string;
  testId?: string;
  /** Shown at the right of the first line, inside the box (the result type). */
  adornment?: ReactNode;
}

type Loaded = { monaco: typeof Monaco; editor: Monaco.editor.IStandaloneCodeEditor; model: Monaco.editor.ITextModel };

export function FormulaEditor({ value, onChange, context, name, ariaLabel, placeholder, invalid, id, testId = 'formula-editor', adornment }: FormulaEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [failed, setFailed] = useState(false);
  const [focused, setFocused] = useState(false);
  const [height, setHeight] = useState(heightFor(0));
  const uri = useRef<string>('');
  if (!uri.current) uri.current = newModelUri(name);
  const applyExternal = useRef<((v: string) => void) | null>(null);
  const latest = useRef({ onChange, value, context });
  latest.current = { onChange, value, context };

  // The providers read this editor's context by URI; keep it current and re-check when it changes.
  useEffect(() => {
    setEditorContext(uri.current, context);
    if (loaded) validateModel(loaded.monaco, loaded.model);
  }, [loaded, context]);
  useEffect(() => {
    const key = uri.current;
    return () => deleteEditorContext(key);
  }, []);

  useEffect(() => {
    let disposed = false;
    let cleanup: (() => void) | null = null;
    loadMonaco().then(
      (monaco) => {
        if (disposed || !host.current) return;
        const model = monaco.editor.createModel(latest.current.value, LANGUAGE_ID, monaco.Uri.parse(uri.current));
        const editor = monaco.editor.create(host.current, {
          model,
          theme: THEME_ID,
          ariaLabel,
          placeholder,
          automaticLayout: true,
          fixedOverflowWidgets: true,
          minimap: { enabled: false },
          lineNumbers: 'off',
          lineNumbersMinChars: 2,
          lineDecorationsWidth: 8,
          glyphMargin: false,
          folding: false,
          wordWrap: 'on',
          scrollBeyondLastLine: false,
          renderLineHighlight: 'none',
          overviewRulerLanes: 0,
          overviewRulerBorder: false,
          hideCursorInOverviewRuler: true,
          scrollbar: { vertical: 'auto', horizontal: 'hidden', verticalScrollbarSize: 8, useShadows: false, alwaysConsumeMouseWheel: false },
          fontFamily: "SFMono-Regular, Menlo, Consolas, 'Liberation Mono', 'DejaVu Sans Mono', monospace",
          fontSize: 13,
          lineHeight: LINE_HEIGHT,
          padding: { top: PAD_Y, bottom: PAD_Y },
          quickSuggestions: { other: true, comments: false, strings: true },
          suggestOnTriggerCharacters: true,
          wordBasedSuggestions: 'off',
          suggest: { showWords: false, preview: false, insertMode: 'replace', showStatusBar: false },
          parameterHints: { enabled: true, cycle: false },
          hover: { enabled: 'on', delay: 250 },
          contextmenu: false,
          links: false,
          occurrencesHighlight: 'off',
          selectionHighlight: false,
          renderWhitespace: 'none',
          guides: { indentation: false },
          stickyScroll: { enabled: false },
          tabSize: 2,
          // Tab moves to the next setting, as in every other box of the form (it still accepts a suggestion).
          tabFocusMode: true,
          bracketPairColorization: { enabled: false },
          // Typing as in a spreadsheet cell: a closer that is already there is stepped over, and a selection is
          // replaced by what is typed, never wrapped in brackets or quotes.
          autoClosingOvertype: 'always',
          autoSurround: 'never',
          // The classic hidden textarea: EditContext drops typed spaces in automation and is newer than we need.
          editContext: false,
          'semanticHighlighting.enabled': false,
        });
        let applyingExternal = false;
        let cancelValidation = () => {};
        const subs = [
          model.onDidChangeContent(() => {
            cancelValidation();
            cancelValidation = scheduleValidation(monaco, model);
            editor.updateOptions({ lineNumbers: model.getLineCount() > 1 ? 'on' : 'off' });
            if (!applyingExternal) latest.current.onChange(model.getValue());
          }),
          editor.onDidContentSizeChange((e) => setHeight(heightFor(e.contentHeight))),
          editor.onDidFocusEditorWidget(() => setFocused(true)),
          editor.onDidBlurEditorWidget(() => setFocused(false)),
        ];
        // Suggestions and parameter hints float (fixed) above the inspector; close them when the page
        // under them scrolls, or they would stay behind, detached from the text.
        const onScroll = (e: Event) => {
          if (e.target instanceof Node && editor.getDomNode()?.contains(e.target)) return;
          editor.trigger('weft', 'hideSuggestWidget', null);
          editor.trigger('weft', 'closeParameterHints', null);
        };
        window.addEventListener('scroll', onScroll, true);
        subs.push({ dispose: () => window.removeEventListener('scroll', onScroll, true) });
        setHeight(heightFor(editor.getContentHeight()));
        validateModel(monaco, model);
        setLoaded({ monaco, editor, model });
        cleanup = () => {
          cancelValidation();
          subs.forEach((s) => s.dispose());
          editor.dispose();
          model.dispose();
        };
        // Values set from outside (undo from the toolbar, another row) replace the text without echoing back.
        applyExternal.current = (v: string) => {
          applyingExternal = true;
          try {
            model.pushEditOperations([], [{ range: model.getFullModelRange(), text: v }], () => null);
          } finally {
            applyingExternal = false;
          }
        };
      },
      () => !disposed && setFailed(true),
    );
    return () => {
      disposed = true;
      applyExternal.current = null;
      cleanup?.();
      setLoaded(null);
    };
    // The editor is created once per mount; props are read through `latest`.
  }, []);

  useEffect(() => {
    if (!loaded || loaded.model.getValue() === value) return;
    applyExternal.current?.(value);
  }, [loaded, value]);

  useEffect(() => {
    loaded?.editor.layout();
  }, [loaded, height]);

  const cls = `formula-editor${focused ? ' is-focused' : ''}${invalid ? ' is-invalid' : ''}${loaded ? ' is-ready' : ''}`;
  return (
    <div className={cls} data-testid={testId} data-ready={loaded ? 'true' : 'false'}>
      <div ref={host} className="formula-editor__host" style={{ height, display: loaded ? undefined : 'none' }} />
      {loaded ? null : (
        <textarea
          id={id}
          className="formula-editor__fallback"
          value={value}
          rows={Math.min(MAX_LINES, Math.max(MIN_LINES, value.split('\n').length))}
          aria-label={ariaLabel}
          placeholder={failed ? placeholder : 'Loading the formula editor…'}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
          data-testid="formula-fallback"
        />
      )}
      {adornment ? <div className="formula-editor__adornment">{adornment}</div> : null}
    </div>
  );
}
