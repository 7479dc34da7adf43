// Registers weft-formula with Monaco: colouring, completion, signature help, hovers and checker markers.
// Every provider looks up its editor's fields and value maps by model URI (editor-contexts.ts).
import type * as Monaco from 'monaco-editor/editor';
import { checkFormula, functionAt, offsetToPosition, tokenize } from '../../shared';
import { FUNCTION_DOCS } from './catalog';
import { getEditorContext } from './editor-contexts';
import { completionsAt, hoverAt, markersFor, signatureHelp, type SuggestionKind } from './formula-support';
import { LANGUAGE_ID, languageConfiguration, monarchLanguage } from './monarch';

type MonacoApi = typeof Monaco;

export const MARKER_OWNER = 'weft-formula';
const VALIDATE_DELAY_MS = 150;

export function registerFormulaLanguage(monaco: MonacoApi) {
  monaco.languages.register({ id: LANGUAGE_ID, extensions: ['.wfx'], aliases: ['Weft formula'] });
  monaco.languages.setMonarchTokensProvider(LANGUAGE_ID, monarchLanguage);
  monaco.languages.setLanguageConfiguration(LANGUAGE_ID, languageConfiguration);

  const KIND: Record<SuggestionKind, Monaco.languages.CompletionItemKind> = {
    field: monaco.languages.CompletionItemKind.Field,
    function: monaco.languages.CompletionItemKind.Function,
    keyword: monaco.languages.CompletionItemKind.Keyword,
    'value-map': monaco.languages.CompletionItemKind.Enum,
    parameter: monaco.languages.CompletionItemKind.Variable,
  };
  const rangeOf = (model: Monaco.editor.ITextModel, start: number, end: number): Monaco.IRange => {
    const s = model.getPositionAt(start);
    const e = model.getPositionAt(end);
    return { startLineNumber: s.lineNumber, startColumn: s.column, endLineNumber: e.lineNumber, endColumn: e.column };
  };

  monaco.languages.registerCompletionItemProvider(LANGUAGE_ID, {
    triggerCharacters: ['[', '"'],
    provideCompletionItems(model, position) {
      const ctx = getEditorContext(model.uri.toString());
      const text = model.getValue();
      const offset = model.getOffsetAt(position);
      const items = completionsAt(text, offset, {
        fields: ctx?.fields ?? [],
        functions: FUNCTION_DOCS,
        sourceLabel: ctx?.sourceLabel,
        valueMaps: ctx?.valueMaps,
        ...(ctx?.params && { params: ctx.params }),
        call: functionAt(text, offset),
      });
      return {
        suggestions: items.map((s) => ({
          label: { label: s.label, description: s.kind === 'field' ? s.detail : undefined },
          kind: KIND[s.kind],
          detail: s.detail,
          documentation: { value: s.documentation },
          insertText: s.insertText,
          filterText: s.filterText,
          sortText: s.sortText,
          range: { insert: rangeOf(model, s.start, offset), replace: rangeOf(model, s.start, s.end) },
          ...(s.triggerSignatureHelp ? { command: { id: 'editor.action.triggerParameterHints', title: 'Show parameters' } } : {}),
        })),
      };
    },
  });

  monaco.languages.registerSignatureHelpProvider(LANGUAGE_ID, {
    signatureHelpTriggerCharacters: ['(', ','],
    signatureHelpRetriggerCharacters: [','],
    provideSignatureHelp(model, position) {
      const info = signatureHelp(functionAt(model.getValue(), model.getOffsetAt(position)), FUNCTION_DOCS);
      if (!info) return null;
      return {
        value: {
          signatures: [
            {
              label: info.label,
              documentation: { value: info.documentation },
              parameters: info.parameters.map((p) => ({ label: p.label, documentation: p.documentation ? { value: p.documentation } : undefined })),
            },
          ],
          activeSignature: 0,
          activeParameter: info.activeParameter,
        },
        dispose() {},
      };
    },
  });

  monaco.languages.registerHoverProvider(LANGUAGE_ID, {
    provideHover(model, position) {
      const ctx = getEditorContext(model.uri.toString());
      const text = model.getValue();
      // Operators carry their text so the hover can say where they differ from Excel (= on text is case-sensitive).
      const tokens = tokenize(text).map((t) => (t.type === 'operator' ? { ...t, value: text.slice(t.start, t.end) } : t));
      const hover = hoverAt(model.getOffsetAt(position), tokens, { fields: ctx?.fields ?? [], functions: FUNCTION_DOCS, sourceLabel: ctx?.sourceLabel });
      return hover ? { range: rangeOf(model, hover.start, hover.end), contents: [{ value: hover.markdown }] } : null;
    },
  });
}

/** Checks the model's text against its editor's context and sets the markers (now). */
export function validateModel(monaco: MonacoApi, model: Monaco.editor.ITextModel) {
  if (model.isDisposed()) return;
  const ctx = getEditorContext(model.uri.toString());
  const text = model.getValue();
  if (!ctx || ctx.unknownFields || text.trim() === '') {
    monaco.editor.setModelMarkers(model, MARKER_OWNER, []);
    return;
  }
  const result = checkFormula(text, { fields: [...ctx.fields], valueMaps: ctx.valueMaps, ...(ctx.params && { params: ctx.params }), expected: ctx.expected });
  const severity = { error: monaco.MarkerSeverity.Error, warning: monaco.MarkerSeverity.Warning };
  monaco.editor.setModelMarkers(
    model,
    MARKER_OWNER,
    markersFor(text, result.diagnostics, offsetToPosition).map((m) => ({ ...m, severity: severity[m.severity], source: 'Weft' })),
  );
}

/** Debounced validation while typing; returns a cancel function. */
export function scheduleValidation(monaco: MonacoApi, model: Monaco.editor.ITextModel, delay = VALIDATE_DELAY_MS): () => void {
  const t = window.setTimeout(() => validateModel(monaco, model), delay);
  return () => window.clearTimeout(t);
}
