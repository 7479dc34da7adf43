// Map: renames, selects and converts fields; a value that does not convert rejects its row, naming both.
import { convertValue } from '../../shared/graph/field-types';
import { MapConfig } from '../../shared/graph/kinds';
import type { NewRejected } from '../store/types';
import { defineExecutor, type FlowRow } from './types';

export const mapExecutor = defineExecutor({
  kind: 'map',
  config: MapConfig,
  create(config, step) {
    return {
      role: 'transform',
      apply(rows) {
        const out: FlowRow[] = [];
        const rejected: NewRejected[] = [];
        for (const row of rows) {
          const mapped: Record<string, unknown> = {};
          const problems: string[] = [];
          for (const f of config.fields) {
            const raw = row.values[f.source];
            const converted = convertValue(raw, f.type);
            if (converted.ok) {
              mapped[f.target] = converted.value;
            } else {
              problems.push(`${f.source}: ${converted.reason}`);
              mapped[f.target] = raw ?? null; // kept as it was, for the record inbox to fix
            }
          }
          if (problems.length > 0) rejected.push({ nodeId: step.nodeId, rowNumber: row.rowNumber, source: row.source, mapped, reason: problems.join('; ') });
          else out.push({ ...row, values: mapped });
        }
        return { rows: out, rejected };
      },
    };
  },
});
