// Formula problems with exact source ranges, and the catalogue of their codes (the docs list it).

export interface FormulaDiagnostic {
  message: string;
  /** Offset of the first character (UTF-16 code units, like JavaScript strings and Monaco). */
  start: number;
  /** Offset just past the last character. */
  end: number;
  severity: 'error' | 'warning';
  code: FormulaDiagnosticCode;
  /** The "Did you mean": text that replaces start..end, offered as the editor's quick fix. */
  fix?: FormulaFix;
}

/** A replacement for a diagnostic's range: "Change to [deal_value]". */
export interface FormulaFix {
  title: string;
  text: string;
}

export const DIAGNOSTIC_CODES = {
  'empty': { about: 'The formula has no text.', example: 'The formula is empty' },
  'too-long': { about: 'The formula is longer than the limit.', example: 'The formula is too long: 12,000 characters (the limit is 10,000)' },
  'too-deep': { about: 'Parentheses, calls or prefix operators nest deeper than the limit.', example: 'The formula nests too deeply (more than 64 levels)' },
  'unclosed-string': { about: 'A text literal has no closing double quote.', example: 'Text is missing its closing quote (")' },
  'unclosed-field': { about: 'A field reference has no closing bracket.', example: 'Field name is missing its closing "]"' },
  'unclosed-paren': { about: 'An opening parenthesis is never closed (the range is the opening one).', example: 'This "(" is never closed: add ")"' },
  'unexpected-token': { about: 'A token where it cannot go: a stray operator, ")" or ",", a missing operator or argument.', example: 'Expected a value after "+"' },
  'bad-character': { about: 'A character the language does not use, often with a hint ("use AND", "text goes in double quotes").', example: 'Text goes in double quotes ("), not single quotes' },
  'bad-number': { about: 'A number literal too large to represent.', example: 'This number is too large' },
  'chained-comparison': { about: 'a < b < c; comparisons do not chain.', example: 'Comparisons cannot be chained: write AND(a < b, b < c)' },
  'unknown-field': { about: 'No upstream field has this name (with the closest name, if any).', example: 'Unknown field [Amout]. Did you mean [Amount]?' },
  'unknown-function': { about: 'No function has this name (with the closest name, if any).', example: 'Unknown function ROUDN. Did you mean ROUND?' },
  'unknown-name': { about: 'A bare word that is not a function call, TRUE, FALSE or NULL.', example: 'Amount is not a function or keyword; field names go in square brackets: [Amount]' },
  'arg-count': { about: 'Too few or too many arguments.', example: 'ROUND expects 1 to 2 arguments, got 3' },
  'arg-type': { about: 'An argument of the wrong type.', example: 'ROUND expects a Number as argument 1, got Text' },
  'operand-type': { about: 'An operator applied to the wrong type.', example: '+ expects a Number, got Text' },
  'compare-types': { about: 'Comparing values of different types.', example: 'Cannot compare Text to Number' },
  'branch-types': { about: 'IF, IFS, SWITCH or COALESCE choosing between values of different types.', example: 'IF gives Number in one case and Text in another; they must have the same type' },
  'result-type': { about: 'The formula gives a type its target cannot take.', example: 'This formula must give a Boolean (TRUE or FALSE), but it gives Number.' },
  'list-result': { about: 'The formula gives a List, which no field can hold.', example: 'The formula gives a List<Text>; a field cannot hold a list (use JOIN or INDEX)' },
  'constant-required': { about: 'An argument that must be written as a constant (a unit, a format, a pattern, a map name).', example: 'The unit must be text in quotes, such as "day"' },
  'bad-argument': { about: 'A constant argument with a value the function does not accept (unit, format, weekday type).', example: 'Unknown unit "fortnight"; use one of year, quarter, month, week, day, hour, minute, second' },
  'unknown-map': { about: 'LOOKUP names a value map that does not exist.', example: 'Unknown value map "contries". Did you mean "countries"?' },
  'unknown-param': { about: 'PARAM names a parameter the integration does not declare.', example: 'Unknown parameter "sinse". Did you mean "since"?' },
  'unknown-member-system': { about: 'MEMBER names a member system that does not exist (Members page).', example: 'Unknown member system "hubspt". Did you mean "hubspot"?' },
  'bad-value-map': { about: 'A value map holds values LOOKUP cannot use, or mixes types (a warning: values become Text).', example: 'Value map "tiers" mixes value types; LOOKUP gives Text' },
  'regex-invalid': { about: 'A regular expression that does not parse, or uses syntax Weft does not support (lookaround, \\p{...}, a repeat of something that can match empty text).', example: 'Missing ")" to close this "(" (at character 1 of the pattern)' },
  'regex-unsafe': { about: 'A regular expression construct that can take exponential time (nested repetition, backreferences) or is too large.', example: 'Nested repetition such as (a+)+ is not allowed: it can take exponential time; repeat once, e.g. (a)+ or a+' },
  'constant-error': { about: 'A part of the formula made only of constants fails (for example 1/0), so it would fail for every record.', example: '#DIV/0! Division by zero in 1/0' },
  'format-hint': { about: 'A warning about a likely mistake in a date format.', example: '"mm" means minutes; use "MM" for the month' },
} as const;

export type FormulaDiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
