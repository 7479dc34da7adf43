// A run's own files: the published plan's file sources, pointed at the file each one reads in this run, and
// what a replacement must hold. Pure and shared, so the API (checking a replacement), the activity (applying
// it) and anyone reading a run see exactly what a replacement changes.
import type { UploadedFile } from '../api/integrations';
import type { Field } from '../graph/field-types';
import { getKind } from '../graph/kinds';
import { FileSourceConfig } from '../graph/kinds/file-source';
import type { Plan, PlanStep } from './plan';

/** The stored file's settings a replacement brings (its format may differ from the published file's). */
export type RunFileSettings = Pick<UploadedFile, 'name' | 'columns' | 'format' | 'compression' | 'delimiter' | 'recordsPath' | 'zipEntry'> & {
  /** CSV: whether the upload's first row was taken as the header (files uploaded before it was kept: unknown). */
  hasHeader?: boolean;
  /** Excel: the sheet the upload read. */
  sheet?: string;
};

/** One file source's file in a run, as `store.listRunFiles` returns it. */
export interface RunFileLink {
  nodeId: string;
  fileId: string;
  /** The stored file; without it only the id changes and the published read settings are kept. */
  file?: RunFileSettings | null;
}

const DELIMITERS = FileSourceConfig.shape.delimiter.unwrap().options;
const isDelimiter = (d: string): d is FileSourceConfig['delimiter'] => (DELIMITERS as readonly string[]).includes(d);

/** Whether the step reads an uploaded file (its kind says so), so that a run may give it another file. */
export const isFileSource = (step: Pick<PlanStep, 'kind'>): boolean => getKind(step.kind)?.readsUploadedFiles === true;

/** The plan's file sources, in plan order. */
export const fileSources = (plan: Pick<Plan, 'steps'>): PlanStep[] => plan.steps.filter(isFileSource);

/** The names of the columns a file source reads (its published config's). */
export function fileSourceColumns(step: PlanStep): string[] {
  const columns = step.config.columns;
  if (!Array.isArray(columns)) return [];
  return columns.flatMap((c: unknown) => (typeof c === 'object' && c !== null && typeof (c as { name?: unknown }).name === 'string' ? [(c as { name: string }).name] : []));
}

/**
 * The steps with each file source reading its run's file. A link naming the published file changes nothing
 * (the published read settings win). A replacement brings its own format, compression, records path, zip
 * entry and delimiter. Columns keep the published types, since the compiler checked everything downstream
 * against them: JSON and NDJSON read by name, so the published columns stay; a CSV (or a sheet) is read by
 * position, so the columns become the file's, in its order, with the published type for every column the
 * node reads and Text for the rest (extra columns flow on as Text; targets write only their own fields). Steps that are not file sources, and links to unknown nodes, are left alone.
 */
export function applyRunFiles(steps: readonly PlanStep[], runFiles: readonly RunFileLink[]): PlanStep[] {
  const byNode = new Map(runFiles.map((f) => [f.nodeId, f]));
  return steps.map((step) => {
    const link = byNode.get(step.nodeId);
    if (!isFileSource(step) || !link) return step;
    const parsed = FileSourceConfig.safeParse(step.config);
    // An invalid config is the executor's to report, in its own words.
    if (!parsed.success) return step;
    const published = parsed.data;
    if (link.fileId === published.fileId) return step;
    const file = link.file;
    if (!file) return { ...step, config: { ...step.config, fileId: link.fileId } };
    const config: Record<string, unknown> = {
      ...published,
      fileId: link.fileId,
      fileName: file.name,
      format: file.format,
      compression: file.compression,
      recordsPath: file.format === 'json' ? (file.recordsPath ?? '') : '',
      zipEntry: file.compression === 'zip' ? (file.zipEntry ?? '') : '',
      delimiter: file.format === 'csv' && isDelimiter(file.delimiter) ? file.delimiter : published.delimiter,
      // An upload that did not record its header choice: a CSV replacing a CSV keeps the published one.
      hasHeader: file.hasHeader ?? (file.format === 'csv' && published.format === 'csv' ? published.hasHeader : true),
      columns: byName(file.format) ? published.columns : positionalColumns(file.columns, published.columns),
    };
    if ('sheet' in published) config.sheet = file.sheet ?? '';
    return { ...step, config };
  });
}

/** JSON and NDJSON records are read by field name; the other formats (CSV, spreadsheets) by column position. */
const byName = (format: string): boolean => format === 'json' || format === 'ndjson';

function positionalColumns(fileColumns: readonly Field[], published: readonly Field[]): Field[] {
  const types = new Map(published.map((c) => [c.name, c.type]));
  return fileColumns.map((c) => ({ name: c.name, type: types.get(c.name) ?? 'text' }));
}

/** The columns a file source reads (`needed`, by name) that a file lacks, by exact name: what a replacement must not miss. */
export function missingColumns(needed: readonly string[], file: readonly Pick<Field, 'name'>[]): string[] {
  const have = new Set(file.map((c) => c.name));
  return needed.filter((n) => !have.has(n));
}
