// The lazy Monaco chunk: the core editor with only the features a formula needs (suggest, hover,
// parameter hints, quick fixes), its worker from our own bundle (never a CDN), the weft-formula language, and
// Monaco's built-in SQL colouring for the query filters of database sources.
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/codeEditor/register';
import 'monaco-editor/features/suggest/register';
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/parameterHints/register';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/codeAction/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/wordOperations/register';
import 'monaco-editor/features/placeholderText/register';
import 'monaco-editor/features/cursorUndo/register';
import 'monaco-editor/languages/definitions/sql/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { registerFormulaLanguage } from './monaco-language';
import { THEME_ID, themeData } from './monarch';

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

registerFormulaLanguage(monaco);
monaco.editor.defineTheme(THEME_ID, themeData);

export { monaco };
export type MonacoApi = typeof monaco;
