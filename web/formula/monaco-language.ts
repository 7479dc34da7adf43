// Registers weft-formula with Monaco: colouring, completion (shared/formula's completionsAt, mapped onto
// Monaco's types), signature help, hovers, the checker's squiggles and its "Did you mean" as a quick fix.
// Every provider looks up its editor's fields and value maps by model URI (editor-contexts.ts).
import type * as Monaco from 'monaco-editor/editor';
import { checkFormula, completionsAt, functionAt, functionDocs, offsetToPosition, tokenize, type FormulaDiagnostic, type SuggestionKind } from '../../shared';
import { getEditorContext, memberSystemsContext } from './editor-contexts';
import { hoverAt, markersFor, signatureHelp } from './formula-support';
import { LANGUAGE_ID, languageConfiguration, monarchLanguage } from './monarch';

type MonacoApi = typeof Monaco;

const VALIDATE_DELAY_MS = 150;

/** The checker's problems for a model's text in its editor's context (none when its fields are not known). */
function problemsOf(model: Monaco.editor.ITextModel): { text: string; diagnostics: FormulaDiagnostic[] } {
  const ctx = getEditorContext(model.uri.toString());
  const text = model.getValue();
  if (!ctx || ctx.unknownFields || text.trim() === '') return { text, diagnostics: [] };
  return { text, diagnostics: checkFormula(text, { fields: [...ctx.fields], valueMaps: ctx.valueMaps, ...(ctx.params && { params: ctx.params }), ...memberSystemsContext(), expected: ctx.expected }).diagnostics };
}

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
    'member-system': monaco.languages.CompletionItemKind.Module,
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
      const { from, to, items } = completionsAt(text, offset, { fields: ctx?.fields ?? [], sourceLabel: ctx?.sourceLabel, valueMaps: ctx?.valueMaps, ...(ctx?.params && { params: ctx.params }), ...memberSystemsContext() });
      return {
        suggestions: items.map((s) => ({
          label: { label: s.label, description: s.kind === 'field' ? s.detail : undefined },
          kind: KIND[s.kind],
          detail: s.detail,
          documentation: { value: s.documentation },
          insertText: s.insertText,
          filterText: s.filterText,
          sortText: s.sortText,
          range: { insert: rangeOf(model, from, offset), replace: rangeOf(model, from, to) },
          ...(s.triggerSignatureHelp ? { command: { id: 'editor.action.triggerParameterHints', title: 'Show parameters' } } : {}),
        })),
      };
    },
  });

  monaco.languages.registerSignatureHelpProvider(LANGUAGE_ID, {
    signatureHelpTriggerCharacters: ['(', ','],
    signatureHelpRetriggerCharacters: [','],
    provideSignatureHelp(model, position) {
      const info = signatureHelp(functionAt(model.getValue(), model.getOffsetAt(position)), functionDocs());
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
      const hover = hoverAt(model.getOffsetAt(position), tokens, { fields: ctx?.fields ?? [], sourceLabel: ctx?.sourceLabel });
      return hover ? { range: rangeOf(model, hover.start, hover.end), contents: [{ value: hover.markdown }] } : null;
    },
  });

  // "Did you mean [deal_value]?" as a quick fix (the light bulb, or Ctrl+.): replaces the misspelt range.
  monaco.languages.registerCodeActionProvider(
    LANGUAGE_ID,
    {
      provideCodeActions(model, range) {
        const { diagnostics } = problemsOf(model);
        const actions = diagnostics.flatMap((d): Monaco.languages.CodeAction[] => {
          const at = rangeOf(model, d.start, d.end);
          if (!d.fix || !monaco.Range.areIntersectingOrTouching(at, range)) return [];
          return [{ title: d.fix.title, kind: 'quickfix', isPreferred: true, edit: { edits: [{ resource: model.uri, versionId: model.getVersionId(), textEdit: { range: at, text: d.fix.text } }] } }];
        });
        return { actions, dispose() {} };
      },
    },
    { providedCodeActionKinds: ['quickfix'] },
  );
}

const decorationIds = new WeakMap<Monaco.editor.ITextModel, string[]>();

/**
 * Checks the model's text against its editor's context and underlines its problems (now). Squiggles are plain
 * decorations, not markers: the message is said once, in words, under the editor (formula-field.tsx), so the
 * squiggle's hover does not repeat it with a code and "No quick fixes available".
 */
export function validateModel(monaco: MonacoApi, model: Monaco.editor.ITextModel) {
  if (model.isDisposed()) return;
  const { text, diagnostics } = problemsOf(model);
  const decorations = markersFor(text, diagnostics, offsetToPosition).map(
    (m): Monaco.editor.IModelDeltaDecoration => ({
      range: new monaco.Range(m.startLineNumber, m.startColumn, m.endLineNumber, m.endColumn),
      options: { className: m.severity === 'error' ? 'squiggly-error' : 'squiggly-warning', showIfCollapsed: true, zIndex: 30, stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges },
    }),
  );
  decorationIds.set(model, model.deltaDecorations(decorationIds.get(model) ?? [], decorations));
}

/** Debounced validation while typing; returns a cancel function. */
export function scheduleValidation(monaco: MonacoApi, model: Monaco.editor.ITextModel, delay = VALIDATE_DELAY_MS): () => void {
  const t = window.setTimeout(() => validateModel(monaco, model), delay);
  return () => window.clearTimeout(t);
}
