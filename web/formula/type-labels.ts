// Formula types in the words the rest of the app uses for field types ("Date & time", not "DateTime").
import type { FormulaType } from '../../shared';

const LABELS: Record<string, string> = {
  Text: 'Text',
  Number: 'Number',
  Currency: 'Currency',
  Boolean: 'Boolean',
  Date: 'Date',
  DateTime: 'Date & time',
  Null: 'Empty',
  Any: 'Any',
};

export function resultTypeLabel(t: FormulaType | null): string {
  if (!t) return '?';
  return t.kind === 'List' ? `List of ${resultTypeLabel(t.of)}` : (LABELS[t.kind] ?? t.kind);
}
