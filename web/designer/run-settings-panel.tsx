// The integration's run settings in the designer's overview: how long a run waits for an unreachable source or target,
// and what share of rejected records fails a run.
import { useEffect, useState } from 'react';
import type { IntegrationSettings } from '../../shared/graph/schema';
import { MAX_PARALLELISM } from '../../shared/sync/partitions';

export interface RunSettingsPanelProps {
  settings: IntegrationSettings | undefined;
  onChange: (settings: IntegrationSettings, mergeKey?: string) => void;
}

const MAX_MINUTES = 7 * 24 * 60;

/**
 * A number setting typed as text: the box keeps what is typed; a cleared box removes the setting, a valid number
 * saves it, and an invalid one keeps the last valid one until it is fixed.
 */
function useNumberSetting({ settings, onChange }: RunSettingsPanelProps, key: 'outageWindowMinutes' | 'maxRejectedPercent' | 'parallelism', valid: (v: number) => boolean) {
  const saved = settings?.[key] ?? undefined;
  const [text, setText] = useState(saved === undefined ? '' : String(saved));
  useEffect(() => setText(saved === undefined ? '' : String(saved)), [saved]);
  const parse = (t: string) => (t.trim() === '' ? undefined : Number(t));
  const value = parse(text);
  const onText = (typed: string) => {
    setText(typed);
    const next = parse(typed);
    if (next === undefined || valid(next)) onChange({ ...settings, [key]: next }, `settings:${key}`);
  };
  return { text, value, invalid: value !== undefined && !valid(value), onText };
}

export function RunSettingsPanel({ settings, onChange }: RunSettingsPanelProps) {
  const { text, invalid, onText } = useNumberSetting({ settings, onChange }, 'outageWindowMinutes', (v) => Number.isFinite(v) && v > 0 && v <= MAX_MINUTES);
  return (
    <section className="inspector__section" data-testid="run-settings">
      <h4 className="inspector__subtitle">Sync</h4>
      <div className="form-row form-row--inline">
        <label className="toggle">
          <input
            type="checkbox"
            className="checkbox"
            data-testid="sync-enabled"
            checked={settings?.syncEnabled !== false}
            onChange={(e) => onChange({ ...settings, syncEnabled: e.target.checked ? undefined : false }, 'settings:syncEnabled')}
          />
          <span>Sync is on</span>
        </label>
      </div>
      <p className="hint">{settings?.syncEnabled === false ? 'Off: two-way syncs read and write nothing, whatever their own directions say. Takes effect when you publish.' : 'The switch over every two-way sync of this integration: off wins over each object pair’s and field’s direction.'}</p>
      <h4 className="inspector__subtitle">When a system is unreachable</h4>
      <div className="form-row">
        <label className="form-label" htmlFor="outage-window">
          Keep trying for (minutes)
        </label>
        <input
          id="outage-window"
          className={`input${invalid ? ' is-invalid' : ''}`}
          type="number"
          min={1}
          max={MAX_MINUTES}
          inputMode="numeric"
          placeholder="15 (Weft's default)"
          value={text}
          aria-invalid={invalid}
          data-testid="outage-window"
          onChange={(e) => onText(e.target.value)}
        />
      </div>
      <p className={`hint${invalid ? ' hint--error' : ''}`}>
        {invalid
          ? `Enter a number of minutes between 1 and ${MAX_MINUTES}.`
          : 'While a source or target database cannot be reached, a run waits and tries again; after this long it fails. Takes effect when you publish.'}
      </p>
      <RejectedThreshold settings={settings} onChange={onChange} />
      <Parallelism settings={settings} onChange={onChange} />
    </section>
  );
}

/** "Fail the run when more than N % of records are rejected": empty is no limit (a run that rejects every record fails anyway). */
function RejectedThreshold(props: RunSettingsPanelProps) {
  const { text, value, invalid, onText } = useNumberSetting(props, 'maxRejectedPercent', (v) => Number.isFinite(v) && v >= 0 && v <= 100);
  return (
    <>
      <h4 className="inspector__subtitle">When records are rejected</h4>
      <div className="form-row">
        <label className="form-label" htmlFor="max-rejected-percent">
          Fail the run when more than
        </label>
        <div className="run-settings__sentence">
          <input
            id="max-rejected-percent"
            className={`input run-settings__percent${invalid ? ' is-invalid' : ''}`}
            type="number"
            min={0}
            max={100}
            step="any"
            inputMode="decimal"
            placeholder="No limit"
            value={text}
            aria-invalid={invalid}
            aria-label="Fail the run when more than this percentage of records are rejected (empty: no limit)"
            aria-describedby="max-rejected-percent-hint"
            data-testid="max-rejected-percent"
            onChange={(e) => onText(e.target.value)}
          />
          <span aria-hidden="true">% of records are rejected</span>
        </div>
      </div>
      <p id="max-rejected-percent-hint" className={`hint${invalid ? ' hint--error' : ''}`} data-testid="max-rejected-percent-hint">
        {invalid
          ? 'Enter a percentage from 0 to 100, or leave it empty for no limit.'
          : value === undefined
            ? 'No limit: a run with rejected records completes with errors, unless every record was rejected. Takes effect when you publish.'
            : `A run that rejects more than ${value}% of the records it reads fails (0: any rejected record fails it). Takes effect when you publish.`}
      </p>
    </>
  );
}

/** Issue 16: how many parts a large source is read in, side by side on the workers (empty: by size; 1: never split). */
function Parallelism(props: RunSettingsPanelProps) {
  const { text, value, invalid, onText } = useNumberSetting(props, 'parallelism', (v) => Number.isInteger(v) && v >= 1 && v <= MAX_PARALLELISM);
  return (
    <>
      <h4 className="inspector__subtitle">Large sources</h4>
      <div className="form-row">
        <label className="form-label" htmlFor="parallelism">
          Read in up to this many parts at once
        </label>
        <input
          id="parallelism"
          className={`input${invalid ? ' is-invalid' : ''}`}
          type="number"
          min={1}
          max={MAX_PARALLELISM}
          inputMode="numeric"
          placeholder="By size"
          value={text}
          aria-invalid={invalid}
          aria-describedby="parallelism-hint"
          data-testid="parallelism"
          onChange={(e) => onText(e.target.value)}
        />
      </div>
      <p id="parallelism-hint" className={`hint${invalid ? ' hint--error' : ''}`}>
        {invalid
          ? `Enter a whole number from 1 to ${MAX_PARALLELISM}, or leave it empty to decide by size.`
          : value === 1
            ? 'Every source is read in one piece, by one worker. Takes effect when you publish.'
            : `A database table with a whole-number key, or a plain CSV or NDJSON file, is split into ${value === undefined ? 'parts by its size (one per 250,000 rows or 32 MB, at most 8)' : `${value} parts`} that workers read side by side; each part is committed once. Takes effect when you publish.`}
      </p>
    </>
  );
}
