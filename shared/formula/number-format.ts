// TEXT's number formats, Excel-style: "0.00", "#,##0.00", "0%", "$#,##0.00", "0.0#".
import { numberToText, roundHalfAway } from './runtime';

export interface NumberFormat {
  prefix: string;
  suffix: string;
  minInt: number;
  minDec: number;
  maxDec: number;
  group: boolean;
  percent: boolean;
}

/** Parses a number format, or returns why it cannot. */
export function parseNumberFormat(format: string): NumberFormat | string {
  let prefix = '';
  let suffix = '';
  let digits = '';
  let state: 'prefix' | 'digits' | 'suffix' = 'prefix';
  let percent = false;
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    let literal: string | null = null;
    if (c === '\\') {
      literal = format[i + 1] ?? '';
      i++;
    } else if (c === '"') {
      const close = format.indexOf('"', i + 1);
      if (close < 0) return 'A quoted part of the format is not closed';
      literal = format.slice(i + 1, close);
      i = close;
    } else if (c === ';') {
      return 'Formats with sections (;) are not supported';
    } else if (c === '0' || c === '#' || ((c === ',' || c === '.') && state === 'digits') || (c === '.' && /[0#]/.test(format[i + 1] ?? ''))) {
      if (state === 'suffix') return 'A number format has one group of digit placeholders (0 and #)';
      state = 'digits';
      digits += c;
      continue;
    } else {
      if (c === '%') percent = true;
      literal = c;
    }
    if (state === 'prefix') prefix += literal;
    else {
      state = 'suffix';
      suffix += literal;
    }
  }
  if (!/[0#]/.test(digits)) return 'A number format needs digit placeholders, such as "0.00" or "#,##0"';
  const dot = digits.indexOf('.');
  if (dot !== digits.lastIndexOf('.')) return 'A number format has at most one decimal point';
  const intPart = dot < 0 ? digits : digits.slice(0, dot);
  const decPart = dot < 0 ? '' : digits.slice(dot + 1);
  if (decPart.includes(',')) return 'Thousands separators (,) go before the decimal point';
  if (intPart.endsWith(',')) return 'Scaling by a trailing comma is not supported';
  return {
    prefix,
    suffix,
    minInt: [...intPart].filter((c) => c === '0').length,
    minDec: [...decPart].filter((c) => c === '0').length,
    maxDec: decPart.length,
    group: intPart.includes(','),
    percent,
  };
}

export function formatNumber(n: number, f: NumberFormat): string {
  const x = f.percent ? n * 100 : n;
  const r = roundHalfAway(Math.abs(x), f.maxDec);
  if (r >= 1e21) return (x < 0 ? '-' : '') + f.prefix + numberToText(r) + f.suffix;
  const fixed = r.toFixed(f.maxDec);
  const dot = fixed.indexOf('.');
  let int = dot < 0 ? fixed : fixed.slice(0, dot);
  let dec = dot < 0 ? '' : fixed.slice(dot + 1);
  while (dec.length > f.minDec && dec.endsWith('0')) dec = dec.slice(0, -1);
  if (int === '0' && f.minInt === 0) int = '';
  int = int.padStart(f.minInt, '0');
  if (f.group) int = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const negative = x < 0 && /[1-9]/.test(int + dec);
  return `${negative ? '-' : ''}${f.prefix}${int}${dec ? `.${dec}` : ''}${f.suffix}`;
}
