// Which fields, value maps and result type each formula editor on screen checks against, by model URI,
// so the one set of Monaco providers serves every editor (calculated field, filter, map rows) at once.
import type { Field, FieldType, RunParameter } from '../../shared';

export interface FormulaEditorContext {
  fields: readonly Field[];
  /** Value maps LOOKUP may name: name -> (from -> to). */
  valueMaps: Record<string, Record<string, unknown>>;
  /** The integration's declared run parameters: PARAM("…") completes and is checked against them. */
  params?: readonly RunParameter[];
  /** The field type the result must fit (a filter: boolean; a map row: its type). */
  expected?: FieldType;
  /** The step the fields come from, for hovers ("A field from CSV file"). */
  sourceLabel?: string | null;
  /** The steps before cannot say which fields arrive: offer functions, check nothing. */
  unknownFields?: boolean;
}

const contexts = new Map<string, FormulaEditorContext>();

export const setEditorContext = (uri: string, ctx: FormulaEditorContext) => void contexts.set(uri, ctx);
export const getEditorContext = (uri: string): FormulaEditorContext | undefined => contexts.get(uri);
export const deleteEditorContext = (uri: string) => void contexts.delete(uri);

let next = 0;
/** A model URI no other editor uses. */
export const newModelUri = (hint: string) => `inmemory://weft/formula/${++next}-${hint.replace(/[^A-Za-z0-9_.-]+/g, '-')}.wfx`;

/**
 * The member systems MEMBER may name: one list for the whole workspace (not per editor), set by the designer when it
 * loads them; null until then, when any name is taken (the publish gate checks again).
 */
let memberSystems: readonly string[] | null = null;
export const setMemberSystems = (names: readonly string[] | null) => void (memberSystems = names);
export const memberSystemsContext = (): { memberSystems?: readonly string[] } => (memberSystems ? { memberSystems } : {});
