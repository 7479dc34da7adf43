// Where each Weft function comes from in Excel, Google Sheets and Airtable, and where Weft
// deliberately differs: one table read by the docs, the editor's hover and the differential test.

export interface Counterpart {
  /** The function's name in Excel, Google Sheets and Airtable; null when there is none. */
  excel: string | null;
  sheets: string | null;
  airtable: string | null;
  /** How Weft deliberately differs from the spreadsheet function (shown on hover and in the docs). */
  differs?: string;
}

// 'NAME': 'excel|sheets|airtable' ('=' is the same name, '-' none), then differences below.
const NAMES: Record<string, string> = {
  IF: '=|=|=', IFS: '=|=|-', SWITCH: '=|=|=', AND: '=|=|=', OR: '=|=|=', NOT: '=|=|=', XOR: '=|=|=',
  ISBLANK: '=|=|-', COALESCE: '-|-|-', IFERROR: '=|=|-', IFNA: '=|=|-', ISERROR: '=|=|ISERROR', ISNA: '=|=|-', NA: '=|=|ERROR',
  ISNUMBER: '=|=|-', ISTEXT: '=|=|-', ISLOGICAL: '=|=|-', ISDATE: '-|ISDATE|-', ISNONTEXT: '=|=|-', ISEVEN: '=|=|-', ISODD: '=|=|-', N: '=|=|-', T: '=|=|=',
  CONCAT: '=|=|CONCATENATE', LEFT: '=|=|=', RIGHT: '=|=|=', MID: '=|=|=', LEN: '=|=|=', LOWER: '=|=|=', UPPER: '=|=|=', TRIM: '=|=|=',
  SUBSTITUTE: '=|=|=', CONTAINS: '-|-|-', STARTSWITH: '-|-|-', ENDSWITH: '-|-|-', TEXT: '=|=|DATETIME_FORMAT', VALUE: '=|=|=',
  FIND: '=|=|=', SEARCH: '=|=|=', PROPER: '=|=|-', REPT: '=|=|=', REPLACE: '=|=|=', TEXTJOIN: '=|=|ARRAYJOIN', EXACT: '=|=|-',
  CHAR: '=|=|-', CODE: '=|=|-', UNICHAR: '=|=|-', UNICODE: '=|=|-', CLEAN: '=|=|-', FIXED: '=|=|-', DOLLAR: '=|=|-', NUMBERVALUE: '=|-|-',
  TEXTBEFORE: '=|-|-', TEXTAFTER: '=|-|-', REVERSE: '-|-|-', ENCODEURL: '=|=|ENCODE_URL_COMPONENT', DECODEURL: '-|-|-', HASH: '-|-|-',
  BASE64ENCODE: '-|-|-', BASE64DECODE: '-|-|-', JSONGET: '-|-|-', PARAM: '-|-|-',
  SPLIT: 'TEXTSPLIT|SPLIT|-', JOIN: 'TEXTJOIN|JOIN|ARRAYJOIN', INDEX: '=|=|-', VALUES: '-|-|-', UNIQUE: '=|=|ARRAYUNIQUE', SORT: '=|=|-',
  COUNT: '=|=|=', COUNTA: '=|=|=', COUNTBLANK: '=|=|-', AVERAGE: '=|=|=', MEDIAN: '=|=|-', MODE: 'MODE.SNGL|MODE|-', STDEV: 'STDEV.S|STDEV|-',
  STDEVP: 'STDEV.P|STDEVP|-', VAR: 'VAR.S|VAR|-', VARP: 'VAR.P|VARP|-', LARGE: '=|=|-', SMALL: '=|=|-', PRODUCT: '=|=|-', SUMSQ: '=|=|-',
  ROUND: '=|=|=', FLOOR: 'FLOOR.MATH|=|=', CEILING: 'CEILING.MATH|=|=', ABS: '=|=|=', MIN: '=|=|=', MAX: '=|=|=', SUM: '=|=|=', MOD: '=|=|=', POWER: '=|=|=',
  INT: '=|=|=', TRUNC: '=|=|-', ROUNDUP: '=|=|=', ROUNDDOWN: '=|=|=', MROUND: '=|=|-', SIGN: '=|=|-', SQRT: '=|=|=', EXP: '=|=|=', LN: '=|=|-',
  LOG: '=|=|=', LOG10: '=|=|-', PI: '=|=|-', QUOTIENT: '=|=|-', EVEN: '=|=|=', ODD: '=|=|=', FACT: '=|=|-', GCD: '=|=|-', LCM: '=|=|-',
  DEGREES: '=|=|-', RADIANS: '=|=|-', SIN: '=|=|-', COS: '=|=|-', TAN: '=|=|-', ATAN2: '=|=|-', COMBIN: '=|=|-',
  TODAY: '=|=|=', NOW: '=|=|=', DATE: '=|=|-', DATEVALUE: '=|=|DATETIME_PARSE', DATETIMEVALUE: '-|-|DATETIME_PARSE', DATETIME: '-|-|-',
  YEAR: '=|=|=', MONTH: '=|=|=', DAY: '=|=|=', WEEKDAY: '=|=|=', QUARTER: '-|-|-', HOUR: '=|=|=', MINUTE: '=|=|=', SECOND: '=|=|=', TIME: '=|=|-',
  DATEADD: '-|-|DATEADD', DATEDIFF: '-|-|DATETIME_DIFF', DATEDIF: '=|=|-', DAYS: '=|=|-', FORMATDATE: 'TEXT|TEXT|DATETIME_FORMAT',
  FORMATDATETZ: '-|-|DATETIME_FORMAT(SET_TIMEZONE())', DATETIMEVALUETZ: '-|-|DATETIME_PARSE', UNIXTIME: '-|-|-', FROMUNIXTIME: '-|-|-',
  EDATE: '=|=|-', EOMONTH: '=|=|-', NETWORKDAYS: '=|=|WORKDAY_DIFF', WORKDAY: '=|=|=', WEEKNUM: '=|=|=', ISOWEEKNUM: '=|=|-', YEARFRAC: '=|=|-',
  LOOKUP: 'VLOOKUP|VLOOKUP|-', REGEXMATCH: '-|=|REGEX_MATCH', REGEXEXTRACT: '-|=|REGEX_EXTRACT',
};

/** Weft's deliberate differences from the spreadsheet functions. */
export const DIFFERENCES: Record<string, string> = {
  ISBLANK: 'Empty text counts as blank (Excel: ISBLANK("") is FALSE).',
  COUNTA: 'Empty text counts as blank, so it is not counted.',
  COUNTBLANK: 'Empty text counts as blank in Weft as in Excel.',
  TEXT: 'Date formats use YYYY MM DD HH mm tokens (upper-case Y and D), not Excel\'s yyyy mm dd hh.',
  FORMATDATE: 'Tokens are YYYY MM DD HH mm (upper-case Y and D); dates are written in UTC.',
  DATEVALUE: 'Takes the format as an argument and gives a Date, not a serial number; text that does not match rejects the record.',
  TODAY: 'Read in UTC from the run\'s clock.',
  NOW: 'Read in UTC from the run\'s clock.',
  FLOOR: 'The sign of the significance is ignored (Excel\'s FLOOR with a negative number needs a negative significance).',
  CEILING: 'The sign of the significance is ignored.',
  SEARCH: 'The same wildcards as Excel (? * ~); compared with @formulajs only on patterns without them, which it does not support.',
  CHAR: 'Codes 128-159 give the Latin-1 (Unicode) character; Excel on Windows gives Windows-1252 characters.',
  DOLLAR: 'Negative amounts are written -$12.00 (Excel uses parentheses, following the locale).',
  TIME: 'Weft has no time-of-day type: the result is a plain Number fraction of a day.',
  N: 'Dates give 0 (Excel gives their serial number).',
  LEN: 'Counts UTF-16 units, as Excel; an emoji counts 2.',
  DAY: 'Dates are text YYYY-MM-DD, never serial numbers.',
  WEEKDAY: 'Only types 1 (Sunday first) and 2 (Monday first).',
  WEEKNUM: 'Only types 1 (Sunday) and 2 (Monday).',
  SUM: 'Arguments are typed: text is a check error, not skipped.',
  AVERAGE: 'Lists and multi-value fields are arguments; text is a check error.',
  MODE: 'Excel\'s MODE.SNGL: the first number to reach the top count.',
  NUMBERVALUE: 'Blank text is 0, as Excel; a group separator after the decimal separator is #VALUE!.',
  FIXED: 'At most 100 decimals.',
  MROUND: 'A value exactly halfway between multiples rounds away from zero at 15 significant digits (MROUND(4990.23, 0.02) is 4990.24); Excel and @formulajs work on the binary double and may round down.',
  POWER: 'POWER(0, 0) and 0 ^ 0 are 1, as in JavaScript and most languages; Excel gives #NUM!.',
  TRIM: 'Removes all whitespace runs (tabs, non-breaking spaces) as well as spaces.',
  '= < >': 'Text comparisons are case-sensitive ("a" = "A" is FALSE); Excel ignores case.',
};

/**
 * Where the reference the differential test runs against (@formulajs/formulajs 4.6) answers
 * differently from Excel itself, and Weft follows Excel: the test skips exactly these cases.
 */
export const REFERENCE_ERRATA: Record<string, string> = {
  'binary rounding': 'TRUNC(1.005, 3), FIXED(1.005, 2), FLOOR(0.3, 0.1), MOD(0.5, 0.1): @formulajs works on the binary double (1.004, "1.00", 0.2, 0.1); Excel and Weft correct to 15 digits (1.005, "1.01", 0.3, 0).',
  'LOG base 0': 'LOG(x, 0): Excel #NUM!; @formulajs takes base 10.',
  'ATAN2(0, 0)': 'Excel #DIV/0!; @formulajs 0. @formulajs also takes (y, x) where Excel takes (x, y); the test passes it (y, x).',
  'QUOTIENT tiny': 'QUOTIENT whose exact quotient is below 1e-6 in size: Excel 0; @formulajs reads the exponent form (-9.99e-7 gives -9).',
  'GCD negative': 'GCD with a negative number: Excel #NUM!; @formulajs ignores the sign.',
  'MODE no repeat': 'MODE.SNGL when no number repeats: Excel #N/A; @formulajs gives the number. With a tie Excel gives the first number to reach the top count; @formulajs another.',
  'MOD signs': 'MOD by a negative divisor: Excel has the sign of the divisor (MOD(0.01, -1) is -0.99, MOD(-1, -2) is -1); @formulajs -0.01 and 3.',
  'YEARFRAC February': 'YEARFRAC basis 0 from the last day of February: Excel counts it as day 30 (NASD; 2062-02-28 to 2062-03-01 is 1/360); @formulajs does not (3/360).',
  'k out of range': 'LARGE / SMALL with k outside 1..count: Excel #NUM!; @formulajs gives nothing (undefined).',
  'negative count': 'LEFT / RIGHT / REPT with a negative count, REPLACE / MID with a start below 1: Excel #VALUE!; @formulajs gives text.',
  'MID empty': 'MID(text, start, 0) and MID("", ...): Excel ""; @formulajs #VALUE!.',
  'PROPER separators': 'PROPER("a-b-c"): Excel capitalises after any non-letter ("A-B-C"); @formulajs only after spaces.',
  'CHAR range': 'CHAR / UNICHAR outside their code range: Excel #VALUE!; @formulajs gives a character.',
  'FIXED negative zero': 'FIXED of a negative number that rounds to 0: Excel "0"; @formulajs "-0".',
  'NETWORKDAYS reversed': 'NETWORKDAYS with the end before the start: Excel counts the same days negated; @formulajs counts one more.',
  'DATEDIF': 'DATEDIF of equal dates is 0 in Excel, and an end before the start #NUM!; @formulajs gives #NUM! and a negative count. "MD" / "YD" across month-ends follow Excel\'s documented results, which @formulajs computes differently.',
  'YEARFRAC reversed': 'YEARFRAC with the end before the start: Excel swaps them (positive); @formulajs gives a negative fraction.',
  'TIME rollover': 'TIME(24, 0, 0): Excel rolls over to 0; @formulajs gives 1.',
};

export function counterpartOf(name: string): Counterpart | undefined {
  const spec = NAMES[name];
  if (!spec) return undefined;
  const [excel, sheets, airtable] = spec.split('|').map((s) => (s === '=' ? name : s === '-' ? null : s)) as [string | null, string | null, string | null];
  const differs = DIFFERENCES[name];
  return differs ? { excel, sheets, airtable, differs } : { excel, sheets, airtable };
}

export const COUNTERPART_NAMES: readonly string[] = Object.keys(NAMES);

/**
 * Names people type from other tools, by meaning: what Weft calls the same thing. The checker
 * names it when a formula calls an unknown function ("Unknown function LENGTH — Weft's LEN(text) does this").
 */
export const ALIASES: Record<string, string> = {
  LENGTH: 'LEN(text)',
  STRLEN: 'LEN(text)',
  CONCATENATE: 'CONCAT(value, …) or &',
  DATETIME_DIFF: 'DATEDIFF(start, end, "day")',
  DATETIMEDIFF: 'DATEDIFF(start, end, "day")',
  DAYSBETWEEN: 'DAYS(end, start)',
  DATE_ADD: 'DATEADD(date, count, "day")',
  DATETIME_FORMAT: 'FORMATDATE(date, "YYYY-MM-DD") or FORMATDATETZ(date, format, "Europe/Paris")',
  DATETIME_PARSE: 'DATETIMEVALUE(text, "MM/DD/YYYY HH:mm")',
  SET_TIMEZONE: 'FORMATDATETZ(date, format, "Europe/Paris")',
  CONVERT_TZ: 'FORMATDATETZ(date, format, zone) or DATETIMEVALUETZ(text, format, zone)',
  DATESTR: 'FORMATDATE(date, "YYYY-MM-DD")',
  TIMESTR: 'FORMATDATE(date, "HH:mm:ss")',
  WORKDAY_DIFF: 'NETWORKDAYS(start, end)',
  TONOW: 'DATEDIFF(date, NOW(), "day")',
  FROMNOW: 'DATEDIFF(date, NOW(), "day")',
  IS_BEFORE: 'a comparison: [Start] < [End]',
  IS_AFTER: 'a comparison: [Start] > [End]',
  IS_SAME: 'a comparison: [Start] = [End]',
  BLANK: 'the NULL keyword',
  ERROR: 'NA()',
  ENCODE_URL_COMPONENT: 'ENCODEURL(text)',
  URLENCODE: 'ENCODEURL(text)',
  ENCODEURICOMPONENT: 'ENCODEURL(text)',
  URLDECODE: 'DECODEURL(text)',
  REGEX_MATCH: 'REGEXMATCH(text, pattern)',
  REGEX_EXTRACT: 'REGEXEXTRACT(text, pattern)',
  REGEXREPLACE: 'SUBSTITUTE(text, old, new) (plain text; there is no pattern replace yet)',
  REGEX_REPLACE: 'SUBSTITUTE(text, old, new) (plain text; there is no pattern replace yet)',
  ARRAYJOIN: 'JOIN(list, ", ")',
  ARRAYUNIQUE: 'UNIQUE(list)',
  ARRAYCOMPACT: 'TEXTJOIN(", ", TRUE, list) (skips blanks)',
  AVG: 'AVERAGE(numbers, …)',
  MEAN: 'AVERAGE(numbers, …)',
  SUBSTR: 'MID(text, start, length)',
  SUBSTRING: 'MID(text, start, length)',
  INSTR: 'FIND(search, text)',
  INDEXOF: 'FIND(search, text)',
  STRPOS: 'FIND(search, text)',
  STARTS_WITH: 'STARTSWITH(text, prefix)',
  ENDS_WITH: 'ENDSWITH(text, suffix)',
  IFNULL: 'COALESCE(value, fallback)',
  NVL: 'COALESCE(value, fallback)',
  ISNULL: 'ISBLANK(value)',
  IS_NULL: 'ISBLANK(value)',
  TOSTRING: 'TEXT(value, format) or & ""',
  STR: 'TEXT(value, format) or & ""',
  TONUMBER: 'VALUE(text)',
  NUMBER: 'VALUE(text)',
  TO_DATE: 'DATEVALUE(text, "MM/DD/YYYY")',
  DATEPARSE: 'DATEVALUE(text, "MM/DD/YYYY")',
  MD5: 'HASH(value, …) (SHA-256)',
  SHA1: 'HASH(value, …) (SHA-256)',
  SHA256: 'HASH(value, …)',
  UUID: 'HASH([Id], [Source]) for a stable id',
  JSON_EXTRACT: 'JSONGET(json, "a.b[0]")',
  JSON_VALUE: 'JSONGET(json, "a.b[0]")',
  JSONPATH: 'JSONGET(json, "a.b[0]")',
  LTRIM: 'TRIM(text)',
  RTRIM: 'TRIM(text)',
  UCASE: 'UPPER(text)',
  LCASE: 'LOWER(text)',
  CAPITALIZE: 'PROPER(text)',
  INITCAP: 'PROPER(text)',
  COUNTIF: 'COUNT over a list: a formula sees one record, so count its list items with COUNT(list)',
  SUMIF: 'SUM(list): a formula sees one record',
  VLOOKUP: 'LOOKUP(value, "map name") with a value map',
  XLOOKUP: 'LOOKUP(value, "map name") with a value map',
  HLOOKUP: 'LOOKUP(value, "map name") with a value map',
  TEXTSPLIT: 'SPLIT(text, separator)',
  GETPARAM: 'PARAM(name)',
  RECORD_ID: 'a field holding the id',
  DATEDIFF_DAYS: 'DATEDIFF(start, end, "day")',
};
