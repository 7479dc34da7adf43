// Offsets to Monaco-style (1-based) line and column positions, and back.

export interface Position {
  line: number;
  column: number;
}

/** 1-based line and column of an offset; "\r\n", "\n" and "\r" each end a line. */
export function offsetToPosition(text: string, offset: number): Position {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** The offset of a 1-based line and column (clamped to the text). */
export function positionToOffset(text: string, position: Position): number {
  let line = 1;
  let i = 0;
  while (line < position.line && i < text.length) {
    const c = text.charCodeAt(i);
    i++;
    if (c === 10 || (c === 13 && text.charCodeAt(i) !== 10)) line++;
  }
  let lineEnd = i;
  while (lineEnd < text.length && text.charCodeAt(lineEnd) !== 10 && text.charCodeAt(lineEnd) !== 13) lineEnd++;
  return Math.min(i + Math.max(0, position.column - 1), lineEnd);
}

/** A range as Monaco's IMarkerData / IRange wants it. */
export function toMonacoRange(text: string, range: { start: number; end: number }) {
  const s = offsetToPosition(text, range.start);
  const e = offsetToPosition(text, range.end);
  return { startLineNumber: s.line, startColumn: s.column, endLineNumber: e.line, endColumn: e.column };
}
