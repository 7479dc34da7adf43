// Which file each file source reads in a new run: the published one, or a replacement given for this run
// only. A replacement must be an uploaded file holding every column the published node reads (by name).
import type { Plan, RunFileSource } from '../../shared';
import { fileSourceColumns, fileSources, isFileSource, missingColumns } from '../../shared/compiler/run-files';
import type { NewRunFile, StoredFile } from '../store/types';
import { HttpError } from './errors';

/**
 * The run's files, one per file source of the plan. Every bad replacement is named at once in a 422
 * (`issues[].path` is `files.<node id>`), so the person can fix them all before trying again. A published
 * file that is no longer stored is left out: the run then fails on that step with the executor's message.
 */
export async function resolveRunFiles(
  plan: Plan,
  replacements: Record<string, string>,
  getFile: (id: string) => Promise<StoredFile | null>,
): Promise<NewRunFile[]> {
  const issues: { path: string; message: string; code: string }[] = [];
  const sources = fileSources(plan);
  for (const [nodeId, fileId] of Object.entries(replacements)) {
    const path = `files.${nodeId}`;
    const step = plan.steps.find((s) => s.nodeId === nodeId);
    if (!step) {
      const names = sources.map((s) => `"${s.label}" (${s.nodeId})`).join(', ');
      issues.push({ path, code: 'unknown_node', message: `The published version has no node "${nodeId}"${names ? `; its file sources are ${names}` : ' and no file sources'}` });
      continue;
    }
    if (!isFileSource(step)) {
      issues.push({ path, code: 'not_a_file_source', message: `"${step.label}" is not a file source; only a file source's file can be replaced for a run` });
      continue;
    }
    const file = await getFile(fileId);
    if (!file) {
      issues.push({ path, code: 'file_not_found', message: `File "${fileId}" for "${step.label}" was not found; upload it again` });
      continue;
    }
    const missing = missingColumns(fileSourceColumns(step), file.columns);
    if (missing.length > 0) {
      const list = missing.map((n) => `"${n}"`).join(', ');
      issues.push({
        path,
        code: 'missing_columns',
        message: `"${file.name}" cannot replace the file of "${step.label}": it has no ${missing.length === 1 ? 'column' : 'columns'} ${list}, which "${step.label}" reads. Its columns are: ${file.columns.map((c) => c.name).join(', ') || 'none'}`,
      });
    }
  }
  if (issues.length > 0) {
    const [first] = issues;
    const code = issues.every((i) => i.code === first!.code) ? first!.code : 'invalid_files';
    throw new HttpError(422, code, issues.map((i) => i.message).join('. '), { issues: issues.map(({ path, message }) => ({ path, message })) });
  }

  const files: NewRunFile[] = [];
  for (const step of sources) {
    const published = typeof step.config.fileId === 'string' ? step.config.fileId : '';
    const replacement = Object.hasOwn(replacements, step.nodeId) ? replacements[step.nodeId] : undefined; // a node id `constructor` is not Object's
    if (replacement !== undefined) {
      files.push({ nodeId: step.nodeId, fileId: replacement, replaced: replacement !== published });
      continue;
    }
    if (published && (await getFile(published))) files.push({ nodeId: step.nodeId, fileId: published, replaced: false });
  }
  return files;
}

/** The plan's file sources in plan order, with their published file and the columns a replacement needs. */
export async function listFileSources(plan: Plan, getFile: (id: string) => Promise<StoredFile | null>): Promise<RunFileSource[]> {
  const out: RunFileSource[] = [];
  for (const step of fileSources(plan)) {
    const fileId = typeof step.config.fileId === 'string' ? step.config.fileId : '';
    const file = fileId ? await getFile(fileId) : null;
    out.push({
      nodeId: step.nodeId,
      nodeLabel: step.label,
      columns: fileSourceColumns(step),
      file: file ? { id: file.id, name: file.name, size: file.size, format: file.format, compression: file.compression } : null,
    });
  }
  return out;
}
