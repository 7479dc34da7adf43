// Compile-time checks of the file source: duplicate columns, its filter formula and its preview stamp.
import { isFilePreviewCurrent, type FileSourceConfig } from '../../graph/kinds/file-source';
import { reportFormula } from './formula-report';
import type { KindInfer } from './types';

export const inferFileSource: KindInfer<FileSourceConfig> = (config, _input, report, ctx) => {
  const seen = new Set<string>();
  config.columns.forEach((c, i) => {
    if (seen.has(c.name)) report({ code: 'duplicate-column', message: `Column "${c.name}" appears twice`, path: `columns.${i}.name` });
    seen.add(c.name);
  });
  if (config.query.trim() !== '') reportFormula(report, 'query', config.query, config.columns, ctx, 'boolean');
  if (config.fileId && !isFilePreviewCurrent(config)) {
    report({
      code: 'preview-required',
      message: config.preview ? 'The file, how it is read or the filter changed: load the preview again before publishing' : 'Load the preview before publishing',
      path: 'query',
    });
  }
  return { fields: config.columns, key: [] };
};
