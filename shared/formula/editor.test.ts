import { describe, expect, it } from 'vitest';
import { functionAt, offsetToPosition, positionToOffset, toMonacoRange, tokenize } from './index';

const kinds = (text: string) => tokenize(text).map((t) => `${t.type}:${text.slice(t.start, t.end)}`);

describe('tokenize', () => {
  it('classifies every token for colouring', () => {
    expect(kinds('IF([Close Date] >= 1.5e3, "a ""b""", NOT TRUE)')).toEqual([
      'function:IF', 'paren:(', 'field:[Close Date]', 'whitespace: ', 'operator:>=', 'whitespace: ', 'number:1.5e3', 'comma:,', 'whitespace: ',
      'string:"a ""b"""', 'comma:,', 'whitespace: ', 'keyword:NOT', 'whitespace: ', 'keyword:TRUE', 'paren:)',
    ]);
  });

  it('tells AND/OR/NOT calls from operators', () => {
    expect(kinds('AND(TRUE) AND (FALSE)').filter((k) => !k.startsWith('whitespace') && !k.startsWith('paren'))).toEqual(['function:AND', 'keyword:TRUE', 'keyword:AND', 'keyword:FALSE']);
    expect(kinds('not(x)')[0]).toBe('function:not');
  });

  it('marks errors and unknown bare words', () => {
    expect(kinds("1 'x'")).toEqual(['number:1', 'whitespace: ', "error:'", 'error:x', "error:'"]);
    expect(kinds('"open')).toEqual(['error:"open']);
    expect(kinds('[open')).toEqual(['error:[open']);
    expect(kinds('round')).toEqual(['function:round']);
  });

  it('gives field names unescaped and text unquoted', () => {
    expect(tokenize('[a]]b] & "x""y"').filter((t) => t.value !== undefined).map((t) => t.value)).toEqual(['a]b', 'x"y']);
  });
});

describe('functionAt (signature help)', () => {
  it('finds the innermost call and the argument the cursor is in', () => {
    const text = 'IF([A] > 1, ROUND([B], 2), 0)';
    expect(functionAt(text, 3)).toMatchObject({ name: 'IF', argIndex: 0, start: 0 });
    expect(functionAt(text, 12)).toMatchObject({ name: 'IF', argIndex: 1 });
    expect(functionAt(text, 18)).toMatchObject({ name: 'ROUND', argIndex: 0, start: 12 });
    expect(functionAt(text, 23)).toMatchObject({ name: 'ROUND', argIndex: 1 });
    expect(functionAt(text, 26)).toMatchObject({ name: 'IF', argIndex: 2 });
    expect(functionAt(text, text.length)).toBeNull();
    expect(functionAt(text, 0)).toBeNull();
  });

  it('works while typing, with grouping parentheses, commas in text and unknown names', () => {
    expect(functionAt('round(1, ', 9)).toMatchObject({ name: 'ROUND', argIndex: 1, spec: { name: 'ROUND' } });
    expect(functionAt('IF((1 + 2', 9)).toMatchObject({ name: 'IF', argIndex: 0 });
    expect(functionAt('CONCAT("a,b", ', 14)).toMatchObject({ name: 'CONCAT', argIndex: 1 });
    expect(functionAt('FOO(1, 2', 8)).toMatchObject({ name: 'FOO', argIndex: 1, spec: null });
    expect(functionAt('(1, 2', 5)).toBeNull();
  });
});

describe('positions', () => {
  const text = 'IF([A] > 1,\n  "x",\r\n  "y")';
  it('converts offsets to 1-based lines and columns, Monaco-style', () => {
    expect(offsetToPosition(text, 0)).toEqual({ line: 1, column: 1 });
    expect(offsetToPosition(text, 11)).toEqual({ line: 1, column: 12 });
    expect(offsetToPosition(text, 12)).toEqual({ line: 2, column: 1 });
    expect(offsetToPosition(text, 14)).toEqual({ line: 2, column: 3 });
    expect(offsetToPosition(text, 20)).toEqual({ line: 3, column: 1 });
    expect(offsetToPosition(text, 999)).toEqual(offsetToPosition(text, text.length));
  });

  it('round-trips', () => {
    for (let i = 0; i <= text.length; i++) {
      if (text[i - 1] === '\r') continue; // between \r and \n is not a position
      expect(positionToOffset(text, offsetToPosition(text, i))).toBe(i);
    }
  });

  it('makes Monaco ranges', () => {
    expect(toMonacoRange(text, { start: 14, end: 17 })).toEqual({ startLineNumber: 2, startColumn: 3, endLineNumber: 2, endColumn: 6 });
  });
});
