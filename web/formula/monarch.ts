// Colouring for Weft formulas as a Monarch grammar: numbers, "text", [fields], FUNCTIONS(, keywords, operators.
// Plain data (no Monaco import) so it can be tested and shared by the lazy editor chunk.
import type { editor, languages } from 'monaco-editor/editor';
import { KEYWORDS } from '../../shared';

export const LANGUAGE_ID = 'weft-formula';

export const monarchLanguage: languages.IMonarchLanguage = {
  ignoreCase: true,
  defaultToken: 'invalid',
  keywords: [...KEYWORDS],
  tokenizer: {
    root: [
      [/\s+/, 'white'],
      [/\[/, { token: 'field.bracket', next: '@field' }],
      [/"/, { token: 'string.quote', next: '@string' }],
      [/(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/, 'number'],
      [/[A-Za-z_]\w*(?=\s*\()/, { cases: { '@keywords': 'keyword', '@default': 'function' } }],
      [/[A-Za-z_]\w*/, { cases: { '@keywords': 'keyword', '@default': 'identifier' } }],
      [/<>|!=|<=|>=|[=<>+\-*/^&]/, 'operator'],
      [/[()]/, '@brackets'],
      [/,/, 'delimiter'],
    ],
    field: [
      [/[^\]]+/, 'field'],
      [/\]\]/, 'field'],
      [/\]/, { token: 'field.bracket', next: '@pop' }],
    ],
    string: [
      [/[^"]+/, 'string'],
      [/""/, 'string.escape'],
      [/"/, { token: 'string.quote', next: '@pop' }],
    ],
  },
};

export const languageConfiguration: languages.LanguageConfiguration = {
  brackets: [
    ['(', ')'],
    ['[', ']'],
  ],
  // Nothing closes itself inside "text" (the tokens above mark strings as `string…`, which Monaco reads as
  // the string token type): typing `" ("` gives exactly that. A typed closer that is already there is stepped
  // over (the editor's autoClosingOvertype), and typing over a selection replaces it (autoSurround is off).
  autoClosingPairs: [
    { open: '(', close: ')', notIn: ['string'] },
    { open: '[', close: ']', notIn: ['string'] },
    { open: '"', close: '"', notIn: ['string'] },
  ],
  surroundingPairs: [],
  // A "word" for double-click, hover and completion prefixes: identifiers only ([fields] are handled apart).
  wordPattern: /[A-Za-z_]\w*|-?\d*\.\d+|-?\d+/,
};

/** Weft's light theme for the editor: white, slate text, indigo accent (see styles.css variables). */
export const themeData = {
  base: 'vs',
  inherit: true,
  rules: [
    { token: '', foreground: '101828' },
    { token: 'number', foreground: '0e7490' },
    { token: 'string', foreground: '067647' },
    { token: 'string.quote', foreground: '067647' },
    { token: 'string.escape', foreground: '054f31', fontStyle: 'bold' },
    { token: 'field', foreground: '4338ca' },
    { token: 'field.bracket', foreground: '8b86f0' },
    { token: 'function', foreground: '7c3aed', fontStyle: 'bold' },
    { token: 'keyword', foreground: 'c2410c', fontStyle: 'bold' },
    { token: 'operator', foreground: '475467' },
    { token: 'delimiter', foreground: '667085' },
    { token: 'identifier', foreground: 'b42318' },
    { token: 'invalid', foreground: 'b42318' },
  ],
  colors: {
    'editor.background': '#ffffff',
    'editor.foreground': '#101828',
    'editorCursor.foreground': '#4f46e5',
    'editor.selectionBackground': '#c7d2fe',
    'editor.inactiveSelectionBackground': '#e0e7ff',
    'editor.lineHighlightBackground': '#00000000',
    'editor.lineHighlightBorder': '#00000000',
    'editorLineNumber.foreground': '#98a2b3',
    'editorLineNumber.activeForeground': '#475467',
    'editorBracketMatch.background': '#e0e7ff',
    'editorBracketMatch.border': '#a5b4fc',
    'editorError.foreground': '#f04438',
    'editorWarning.foreground': '#f79009',
    'editorWidget.background': '#ffffff',
    'editorWidget.border': '#e4e7ec',
    'editorSuggestWidget.background': '#ffffff',
    'editorSuggestWidget.border': '#d0d5dd',
    'editorSuggestWidget.foreground': '#101828',
    'editorSuggestWidget.selectedBackground': '#eef2ff',
    'editorSuggestWidget.selectedForeground': '#101828',
    'editorSuggestWidget.highlightForeground': '#4f46e5',
    'editorSuggestWidget.focusHighlightForeground': '#4338ca',
    'editorHoverWidget.background': '#ffffff',
    'editorHoverWidget.border': '#d0d5dd',
    'editorHoverWidget.foreground': '#101828',
    'list.hoverBackground': '#f9fafb',
    'focusBorder': '#4f46e5',
    'textLink.foreground': '#4f46e5',
    'textCodeBlock.background': '#f2f4f7',
    'scrollbarSlider.background': '#d0d5dd80',
    'scrollbarSlider.hoverBackground': '#98a2b380',
  },
} satisfies editor.IStandaloneThemeData;

export const THEME_ID = 'weft-light';
