// The hard limits that keep one formula (or one bad row) from hurting a whole batch.

export const LIMITS = {
  /** Characters in a formula's source text. */
  formulaLength: 10_000,
  /** Nested parentheses, function calls and prefix operators. Checked before recursing. */
  nestingDepth: 64,
  /** Characters in any text value a formula builds (&, CONCAT, SUBSTITUTE, JOIN, UPPER...). */
  textLength: 1_000_000,
  /** Characters in a regular expression pattern. */
  regexPatternLength: 1_000,
  /** Instructions a compiled pattern may have once counted repeats such as a{1,50} are expanded. */
  regexProgramSize: 5_000,
  /** Characters of text a regular expression function will look at. */
  regexInputLength: 100_000,
  /** Matcher steps per call: linear-time matching, with a ceiling as a last line of defence. */
  regexSteps: 5_000_000,
  /** Character comparisons one SEARCH with ? wildcards may make. */
  searchSteps: 5_000_000,
} as const;

export const LIMIT_DESCRIPTIONS: Record<keyof typeof LIMITS, string> = {
  formulaLength: 'characters in a formula',
  nestingDepth: 'levels of nested parentheses, function calls and prefix operators (-, NOT)',
  textLength: 'characters in a text value a formula builds; a longer result rejects the record',
  regexPatternLength: 'characters in a regular expression pattern',
  regexProgramSize: 'steps in a compiled pattern after counted repeats such as a{2,50} are expanded',
  regexInputLength: 'characters of text REGEXMATCH and REGEXEXTRACT will look at; longer text rejects the record',
  regexSteps: 'matcher steps for one REGEXMATCH or REGEXEXTRACT call',
  searchSteps: 'character comparisons for one SEARCH whose pattern holds the ? wildcard; more rejects the record',
};
