// The Markdown renderer bundled in Monaco (no types of its own): the formula editor's tests render hovers with it.
declare module 'monaco-editor/base/common/marked/marked.js' {
  export const marked: { parse(markdown: string, options: { async: false; gfm: boolean }): string };
}
