// Compile-time checks of the database table source: connection, table, preview stamp and columns.
import { isPreviewCurrent, type SqlSourceConfig } from '../../graph/kinds/sql-source';
import { sqlParamNames } from '../sql-params';
import type { KindInfer } from './types';

export const inferSqlSource: KindInfer<SqlSourceConfig> = (config, _input, report, ctx) => {
  // {{name}} in the filter is a run parameter bound as a value: it must be one the integration declares.
  const declared = new Set((ctx.params ?? []).map((p) => p.name));
  for (const name of sqlParamNames(config.query ?? '')) {
    if (!declared.has(name)) report({ code: 'unknown-parameter', message: `The query uses {{${name}}}, but the integration declares no parameter "${name}"`, path: 'query' });
  }
  if (!config.connectionId) report({ code: 'no-connection', message: 'Choose a connection', path: 'connectionId' });
  if (!config.object) report({ code: 'no-table', message: 'Choose a table', path: 'object' });
  if (config.connectionId && config.object) {
    if (!isPreviewCurrent(config)) {
      report({
        code: 'preview-required',
        message: config.preview ? 'The connection, table or query changed: load the preview again before publishing' : 'Load the preview before publishing',
        path: 'query',
      });
    } else if (config.columns.length === 0) report({ code: 'no-columns', message: 'The table has no columns to read', path: 'columns' });
  }
  const seen = new Set<string>();
  config.columns.forEach((c, i) => {
    if (seen.has(c.name)) report({ code: 'duplicate-column', message: `Column "${c.name}" appears twice`, path: `columns.${i}.name` });
    seen.add(c.name);
  });
  const names = new Set(config.columns.map((c) => c.name));
  return { fields: config.columns, key: config.key.filter((k) => names.has(k)) };
};
