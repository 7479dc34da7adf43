// The formula functions as the editor documents them, adapted once from the formula package's table.
import { counterpartOf, FUNCTIONS, type FunctionSpec, type ParamKind } from '../../shared';
import type { FunctionDoc } from './formula-support';

const KIND_WORDS: Record<ParamKind, string> = {
  text: 'Text',
  number: 'a Number',
  numbers: 'a Number or a List of Numbers',
  boolean: 'TRUE or FALSE',
  date: 'a Date',
  scalar: 'a single value',
  list: 'a List',
  any: 'any value',
};

export function toFunctionDoc(f: FunctionSpec): FunctionDoc {
  const c = counterpartOf(f.name);
  const names = c ? [c.excel && `Excel ${c.excel}`, c.sheets && `Sheets ${c.sheets}`, c.airtable && `Airtable ${c.airtable}`].filter(Boolean).join(' · ') : '';
  return {
    ...(names ? { counterparts: names } : {}),
    ...(c?.differs ? { differs: c.differs } : {}),
    name: f.name,
    category: f.category,
    signature: f.signature,
    description: f.description,
    example: f.example,
    result: f.result,
    repeat: f.repeat,
    params: f.params.map((p) => ({
      name: p.name,
      description: `${KIND_WORDS[p.kind]}${p.optional ? ', optional' : ''}${p.constant ? ', written in the formula (not computed)' : ''}`,
    })),
  };
}

export const FUNCTION_DOCS: readonly FunctionDoc[] = FUNCTIONS.map(toFunctionDoc);
