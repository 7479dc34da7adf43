// Compile-time checks of the database table target: every field fits a column, and the key the write mode matches on.
import { fitsColumn, targetKey, type SqlTargetConfig } from '../../graph/kinds/sql-target';
import { suggest } from '../../util/suggest';
import type { KindInfer } from './types';

export const inferSqlTarget: KindInfer<SqlTargetConfig> = (config, input, report) => {
  if (!config.connectionId) report({ code: 'no-connection', message: 'Choose a connection', path: 'connectionId' });
  if (!config.object) report({ code: 'no-table', message: 'Choose a table', path: 'object' });
  if (!input || !config.connectionId || !config.object) return input;
  if (config.columns.length === 0) {
    report({ code: 'no-columns', message: 'The table has no known columns: pick the table again', path: 'object' });
    return input;
  }
  const names = config.columns.map((c) => c.name);
  for (const f of input.fields) {
    const column = config.columns.find((c) => c.name === f.name);
    if (!column) {
      const near = suggest(f.name, names);
      report({
        code: 'unknown-column',
        message: `${config.object} has no column "${f.name}"${near ? ` (did you mean "${near}"?)` : ''}. Rename the field in a Map before this target.`,
        path: 'object',
      });
    } else if (!fitsColumn(f.type, column.type)) {
      report({ code: 'mistyped-field', message: `"${f.name}" is ${f.type} and cannot go into ${config.object}.${f.name}, which is ${column.type}`, path: 'object' });
    }
  }
  if (config.mode !== 'insert') {
    const { key, from } = targetKey(config, input);
    if (from === 'none') {
      report({ code: 'no-primary-key', message: `${config.mode === 'update' ? 'Update' : 'Upsert'} needs a key: mark a key field in the Map before this target (${config.object} has no primary key)`, path: 'mode' });
    } else {
      const missing = key.filter((k) => !input.fields.some((f) => f.name === k));
      if (missing.length > 0) {
        report({
          code: 'key-not-written',
          message: `Records are matched on ${from === 'input' ? 'the incoming key' : `${config.object}'s primary key`} (${key.join(', ')}), but ${missing.map((m) => `"${m}"`).join(', ')} is not among the incoming fields: map it, or mark another key in the Map`,
          path: 'mode',
        });
      } else if (config.mode === 'upsert' && from === 'input' && config.key.length > 0 && [...key].sort().join(',') !== [...config.key].sort().join(',')) {
        report({
          code: 'key-not-primary',
          severity: 'warning',
          message: `Upsert matches on the incoming key (${key.join(', ')}), not ${config.object}'s primary key (${config.key.join(', ')}): the table needs a unique constraint on ${key.join(', ')}`,
          path: 'mode',
        });
      }
    }
  }
  return input;
};
