// The integration's run parameters in the designer's overview: name, type, required and default. Runs give values
// in the Run now dialog (or the API); formulas read them with PARAM("name"), SQL filters with {{name}}.
import { PARAMETER_TYPE_LABELS, ParameterType, type Diagnostic, type RunParameter } from '../../shared';
import { IconPlus, IconX } from '../components/icons';

export interface ParametersPanelProps {
  parameters: RunParameter[];
  diagnostics: Diagnostic[];
  onChange: (parameters: RunParameter[], mergeKey?: string) => void;
}

/** A default as typed in the box: numbers and TRUE/FALSE keep their type, dates and text stay text. */
function defaultOf(type: ParameterType, text: string): RunParameter['default'] {
  if (text.trim() === '') return undefined;
  if (type === 'number') return Number.isFinite(Number(text)) ? Number(text) : text;
  return text;
}

export function ParametersPanel({ parameters, diagnostics, onChange }: ParametersPanelProps) {
  const set = (i: number, patch: Partial<RunParameter>, key: string) => onChange(parameters.map((p, j) => (j === i ? { ...p, ...patch } : p)), `parameters:${i}:${key}`);
  const add = () => {
    let n = parameters.length + 1;
    while (parameters.some((p) => p.name === `param${n}`)) n++;
    onChange([...parameters, { name: `param${n}`, type: 'text', required: false }]);
  };
  return (
    <section className="inspector__section" data-testid="parameters">
      <h4 className="inspector__subtitle">Run parameters</h4>
      <p className="hint">
        Values each run gives in Run now (or the API). Formulas read them with <code>PARAM("name")</code>, SQL filters with <code>{'{{name}}'}</code>, sent as a
        value, never as SQL.
      </p>
      {parameters.map((p, i) => {
        const problems = diagnostics.filter((d) => d.path?.startsWith(`parameters.${i}.`));
        return (
          <div key={i} className="param-row" data-testid="parameter-row">
            <div className="param-row__line">
              <input
                className={`input param-row__name${problems.some((d) => d.path === `parameters.${i}.name`) ? ' is-invalid' : ''}`}
                aria-label="Parameter name"
                value={p.name}
                data-testid="parameter-name"
                onChange={(e) => set(i, { name: e.target.value }, 'name')}
              />
              <select
                className="input param-row__type"
                aria-label="Parameter type"
                value={p.type}
                data-testid="parameter-type"
                onChange={(e) => {
                  const type = ParameterType.parse(e.target.value);
                  set(i, { type, default: type === 'boolean' ? false : undefined }, 'type');
                }}
              >
                {ParameterType.options.map((t) => (
                  <option key={t} value={t}>
                    {PARAMETER_TYPE_LABELS[t]}
                  </option>
                ))}
              </select>
              <button type="button" className="icon-btn icon-btn--quiet" aria-label={`Remove parameter ${p.name}`} onClick={() => onChange(parameters.filter((_, j) => j !== i))}>
                <IconX size={14} />
              </button>
            </div>
            <div className="param-row__line">
              <label className="checkbox small">
                <input type="checkbox" checked={p.required} data-testid="parameter-required" onChange={(e) => set(i, { required: e.target.checked }, 'required')} />
                Required
              </label>
              {p.type === 'boolean' ? (
                <label className="checkbox small">
                  <input type="checkbox" checked={p.default === true} onChange={(e) => set(i, { default: e.target.checked }, 'default')} />
                  On by default
                </label>
              ) : (
                <input
                  className={`input param-row__default${problems.some((d) => d.path === `parameters.${i}.default`) ? ' is-invalid' : ''}`}
                  aria-label={`Default of ${p.name}`}
                  placeholder={p.type === 'date' ? 'Default (YYYY-MM-DD)' : 'Default (optional)'}
                  type={p.type === 'date' ? 'date' : p.type === 'number' ? 'number' : 'text'}
                  value={p.default === undefined || p.default === null ? '' : String(p.default)}
                  data-testid="parameter-default"
                  onChange={(e) => set(i, { default: defaultOf(p.type, e.target.value) }, 'default')}
                />
              )}
            </div>
            {problems.map((d) => (
              <p key={d.message} className="hint hint--error">
                {d.message}
              </p>
            ))}
          </div>
        );
      })}
      <button type="button" className="btn btn--ghost btn--sm" onClick={add} data-testid="parameter-add">
        <IconPlus size={14} /> Add a parameter
      </button>
    </section>
  );
}
