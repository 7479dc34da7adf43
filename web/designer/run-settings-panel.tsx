// The integration's run settings in the designer's overview: how long a run waits for an unreachable source or target.
import { useEffect, useState } from 'react';
import type { IntegrationSettings } from '../../shared/graph/schema';

export interface RunSettingsPanelProps {
  settings: IntegrationSettings | undefined;
  onChange: (settings: IntegrationSettings, mergeKey?: string) => void;
}

const MAX_MINUTES = 7 * 24 * 60;

export function RunSettingsPanel({ settings, onChange }: RunSettingsPanelProps) {
  const saved = settings?.outageWindowMinutes;
  const [text, setText] = useState(saved === undefined ? '' : String(saved));
  useEffect(() => setText(saved === undefined ? '' : String(saved)), [saved]);
  const value = text.trim() === '' ? undefined : Number(text);
  const invalid = value !== undefined && (!Number.isFinite(value) || value <= 0 || value > MAX_MINUTES);
  return (
    <section className="inspector__section" data-testid="run-settings">
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
          onChange={(e) => {
            setText(e.target.value);
            const next = e.target.value.trim() === '' ? undefined : Number(e.target.value);
            if (next === undefined) onChange({ ...settings, outageWindowMinutes: undefined }, 'settings:outageWindow');
            else if (Number.isFinite(next) && next > 0 && next <= MAX_MINUTES) onChange({ ...settings, outageWindowMinutes: next }, 'settings:outageWindow');
          }}
        />
      </div>
      <p className={`hint${invalid ? ' hint--error' : ''}`}>
        {invalid
          ? `Enter a number of minutes between 1 and ${MAX_MINUTES}.`
          : 'While a source or target database cannot be reached, a run waits and tries again; after this long it fails. Takes effect when you publish.'}
      </p>
    </section>
  );
}
