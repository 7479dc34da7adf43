// The right-hand inspector: the selected step's form (generated from its kind's schema), or an overview.
import { useMemo } from 'react';
import { FIELD_TYPE_LABELS, getKind, PARAMETER_NAME, pinnedRowOf, previewSourceOf, valueMapTable, type Diagnostic, type Graph, type GraphNode, type RowSchema, type IntegrationSettings, type RunParameter, type ValueMap, type WorkspaceObject } from '../../shared';
import { IconAlert, IconCheck, IconKey, IconTrash } from '../components/icons';
import { setAt, unplacedDiagnostics } from '../form/config-path';
import { ConfigForm } from '../form/config-form';
import { FieldErrors } from '../form/field-errors';
import type { FormCtx } from '../form/form-context';
import { buildForm, visibleFields } from '../form/form-model';
import { KindIcon, kindLabelOf, webKind } from '../kinds/registry';
import { NodePreviewSection, type PinControl } from './node-preview';
import { useNodePreview } from './use-node-preview';
import { RunSettingsPanel } from './run-settings-panel';
import { ParametersPanel } from './parameters-panel';
import { ValueMapsPanel } from './value-maps-panel';
import { mapTargetOf } from './map-target';

const formCache = new Map<string, ReturnType<typeof buildForm>>();
function formFor(kind: string) {
  let form = formCache.get(kind);
  const def = getKind(kind);
  if (!form && def) {
    form = buildForm(def.config);
    formCache.set(kind, form);
  }
  return form ?? [];
}

export interface InspectorProps {
  graph: Graph;
  node: GraphNode | null;
  diagnostics: Diagnostic[];
  schemas: Record<string, RowSchema | null>;
  workspaceObjects: WorkspaceObject[];
  onConfig: (nodeId: string, config: Record<string, unknown>, mergeKey?: string) => void;
  onRename: (nodeId: string, label: string) => void;
  onDelete: (nodeId: string) => void;
  onFocusNode: (nodeId: string) => void;
  onValueMaps: (maps: ValueMap[], mergeKey?: string) => void;
  /** The integration's run settings (the outage window). */
  onSettings: (settings: IntegrationSettings, mergeKey?: string) => void;
  /** The integration's declared run parameters. */
  onParameters: (parameters: RunParameter[], mergeKey?: string) => void;
  /** The clock formulas' TODAY() and NOW() read in previews. */
  previewNow: number;
  /** The integration being designed, for widgets that call its routes (the webhook source's URL). */
  integrationId?: string;
}

export function Inspector(props: InspectorProps) {
  return (
    <aside className={`inspector${props.node && webKind(props.node.kind)?.wide ? ' inspector--wide' : ''}`} data-testid="inspector" aria-label="Inspector">
      {props.node ? <NodeInspector key={props.node.id} {...props} node={props.node} /> : <Overview {...props} />}
    </aside>
  );
}

function NodeInspector({ graph, node, diagnostics, schemas, workspaceObjects, onConfig, onRename, onDelete, previewNow, integrationId }: InspectorProps & { node: GraphNode }) {
  const kind = getKind(node.kind);
  const fields = useMemo(() => formFor(node.kind), [node.kind]);
  const valueMaps = useMemo(() => valueMapTable(graph.valueMaps), [graph.valueMaps]);
  const preview = useNodePreview(graph, schemas, kind && kind.category !== 'source' ? node.id : null, previewNow);
  const mine = diagnostics.filter((d) => d.nodeId === node.id);
  const upstreamId = graph.edges.find((e) => e.target === node.id)?.source;
  const upstreamNode = graph.nodes.find((n) => n.id === upstreamId);
  const upstream = upstreamId ? (schemas[upstreamId] ?? null) : null;
  const output = schemas[node.id] ?? null;
  const placed = visibleFields(fields, node.config).map((f) => f.key);
  const unplaced = unplacedDiagnostics(mine, placed);

  const ctx: FormCtx = {
    nodeId: node.id,
    ...(integrationId && { integrationId }),
    kind: node.kind,
    config: node.config,
    diagnostics: mine,
    upstream,
    upstreamLabel: upstreamNode ? upstreamNode.label?.trim() || kindLabelOf(upstreamNode) || upstreamNode.kind : null,
    nodeLabel: node.label?.trim() || kindLabelOf(node) || node.kind,
    downstream: node.kind === 'map' ? mapTargetOf(graph, node.id, workspaceObjects) : null,
    workspaceObjects,
    valueMaps,
    // None declared: PARAM takes any name (as the compiler does), so pass nothing.
    ...(graph.parameters?.length ? { params: graph.parameters.filter((p) => PARAMETER_NAME.test(p.name)) } : {}),
    preview,
    previewNow,
    syncEnabled: graph.settings?.syncEnabled !== false,
    set: (path, value, opts) => onConfig(node.id, setAt(node.config, path, value), opts?.merge ? `${node.id}:${path}` : undefined),
    patch: (values) => onConfig(node.id, { ...node.config, ...values }),
  };

  return (
    <div className="inspector__content">
      <header className="inspector__head">
        <span className={`kind-chip kind-chip--${kind?.category ?? 'transform'} kind-chip--lg`}>
          <KindIcon kind={node.kind} size={20} />
        </span>
        <div className="inspector__titles">
          <input
            className="inspector__name"
            value={node.label ?? ''}
            placeholder={kindLabelOf(node) ?? node.kind}
            aria-label="Step name"
            // A name longer than the box ends in "…" (styles.css); its title shows it whole on hover.
            title={node.label || (kindLabelOf(node) ?? node.kind)}
            maxLength={120}
            onChange={(e) => onRename(node.id, e.target.value)}
            data-testid="node-label-input"
          />
          <div className="muted small" data-testid="inspector-kind">
            {kindLabelOf(node) ?? node.kind}
            <span title="The step's id: the API names a step by it (a file replaced for one run, the rejected records' step)"> · step id {node.id}</span>
          </div>
        </div>
      </header>
      {kind ? <p className="inspector__desc">{kind.description}</p> : null}
      {mine.length > 0 ? (
        // Warnings alone (a field direction the object overrides) do not stop publishing: amber, "to check", not red
        // "to fix" (ui16), as the Problems button already tells them apart.
        <div className={`inspector__status inspector__status--${mine.some((d) => d.severity === 'error') ? 'error' : 'warn'}`} data-testid="inspector-problems">
          <div className="inspector__status-title">
            <IconAlert size={14} /> {problemsTitle(mine)}
          </div>
          {unplaced.length > 0 ? (
            <ul className="inspector__status-list">
              {unplaced.map((d, i) => (
                <li key={i} data-testid="field-error" data-path={d.path ?? ''}>
                  {d.message}
                </li>
              ))}
            </ul>
          ) : (
            <div className="inspector__status-sub">Marked next to the settings below.</div>
          )}
        </div>
      ) : (
        <div className="inspector__status inspector__status--ok">
          <div className="inspector__status-title">
            <IconCheck size={14} /> Ready
          </div>
        </div>
      )}
      {kind ? (
        <ConfigForm fields={fields} ctx={ctx} />
      ) : (
        <p className="hint">Weft does not know this kind of step. Remove it or update Weft.</p>
      )}
      {output && output.fields.length > 0 && kind?.category !== 'source' ? (
        <section className="inspector__section">
          <h4 className="inspector__subtitle">{kind?.category === 'target' ? 'Writes' : 'Output'}</h4>
          <div className="field-chips">
            {output.fields.map((f) => (
              <span key={f.name} className="field-chip" title={FIELD_TYPE_LABELS[f.type]}>
                {output.key.includes(f.name) ? <IconKey size={11} /> : null}
                {f.name}
                <span className="field-chip__type">{FIELD_TYPE_LABELS[f.type]}</span>
              </span>
            ))}
          </div>
        </section>
      ) : null}
      {kind ? (
        <NodePreviewSection
          preview={preview}
          category={kind.category}
          kind={node.kind}
          nodeId={node.id}
          schema={kind.category === 'target' ? upstream : output}
          highlight={node.kind === 'calculated-field' && typeof node.config.field === 'string' ? [node.config.field] : []}
          blocked={mine.some((d) => d.severity === 'error')}
          pin={pinControl(graph, node.id, onConfig)}
        />
      ) : null}
      <footer className="inspector__foot">
        <button type="button" className="btn btn--danger-ghost btn--sm" onClick={() => onDelete(node.id)} data-testid="delete-node">
          <IconTrash size={14} /> Delete step
        </button>
      </footer>
    </div>
  );
}

/** Pinning a preview row keeps its source record on the source node (`pinnedSample`, saved with the draft). */
function pinControl(graph: Graph, nodeId: string, onConfig: InspectorProps['onConfig']): PinControl | undefined {
  const source = previewSourceOf(graph, nodeId);
  if (!source) return undefined;
  return {
    pinned: pinnedRowOf(source.config)?.rowNumber ?? null,
    onPin: (row) => {
      const { pinnedSample: _old, ...rest } = source.config;
      onConfig(source.id, row ? { ...rest, pinnedSample: { rowNumber: row.rowNumber, values: row.source } } : rest);
    },
  };
}

function Overview({ graph, diagnostics, onFocusNode, onValueMaps, onSettings, onParameters }: InspectorProps) {
  const has = (cat: string) => graph.nodes.some((n) => getKind(n.kind)?.category === cat);
  const steps: [string, boolean][] = [
    ['Add a source', has('source')],
    ['Shape the fields with a Map', graph.nodes.some((n) => n.kind === 'map')],
    ['Add a target', has('target')],
    ['Connect the steps left to right', graph.edges.length > 0 && !diagnostics.some((d) => d.code.startsWith('unconnected'))],
    ['Fix every problem, then Publish', graph.nodes.length > 0 && diagnostics.length === 0],
  ];
  const graphLevel = diagnostics.filter((d) => !d.nodeId && !d.path?.startsWith('valueMaps.') && !d.path?.startsWith('parameters.'));
  return (
    <div className="inspector__content">
      <header className="inspector__head">
        <div className="inspector__titles">
          <h3 className="inspector__heading">Integration</h3>
          <div className="muted small">
            {graph.nodes.length} {graph.nodes.length === 1 ? 'step' : 'steps'} · {graph.edges.length} {graph.edges.length === 1 ? 'link' : 'links'}
          </div>
        </div>
      </header>
      <p className="inspector__desc">Select a step on the canvas to configure it.</p>
      <ol className="checklist">
        {steps.map(([label, done]) => (
          <li key={label} className={done ? 'is-done' : ''}>
            <span className="checklist__mark">{done ? <IconCheck size={12} strokeWidth={3} /> : null}</span>
            {label}
          </li>
        ))}
      </ol>
      {graphLevel.length > 0 ? (
        <section className="inspector__section">
          <h4 className="inspector__subtitle">Needs attention</h4>
          <FieldErrors diagnostics={graphLevel} path="" />
        </section>
      ) : null}
      {diagnostics.some((d) => d.nodeId) ? (
        <section className="inspector__section">
          <h4 className="inspector__subtitle">Steps with problems</h4>
          <ul className="plain-list">
            {[...new Set(diagnostics.filter((d) => d.nodeId).map((d) => d.nodeId as string))].map((id) => {
              const n = graph.nodes.find((x) => x.id === id);
              const count = diagnostics.filter((d) => d.nodeId === id).length;
              return (
                <li key={id}>
                  <button type="button" className="link-btn" onClick={() => onFocusNode(id)}>
                    {n ? n.label?.trim() || getKind(n.kind)?.label || n.kind : id}
                  </button>
                  <span className="count-pill count-pill--error">{count}</span>
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}
      <ValueMapsPanel maps={graph.valueMaps ?? []} diagnostics={diagnostics.filter((d) => !d.nodeId)} onChange={onValueMaps} />
      <ParametersPanel parameters={graph.parameters ?? []} diagnostics={diagnostics.filter((d) => !d.nodeId)} onChange={onParameters} />
      <RunSettingsPanel settings={graph.settings} onChange={onSettings} />
      <p className="hint inspector__keys">
        <kbd>Delete</kbd> removes the selection · <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo · <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>Z</kbd> redo · <kbd>Ctrl</kbd>+<kbd>S</kbd> save
      </p>
    </div>
  );
}

/** "2 problems to fix" when any stops publishing, else "1 thing to check": what the step's diagnostics ask of a person. */
function problemsTitle(diagnostics: readonly { severity: string }[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (errors === 0) return diagnostics.length === 1 ? '1 thing to check' : `${diagnostics.length} things to check`;
  const rest = diagnostics.length - errors;
  return `${errors === 1 ? '1 problem' : `${errors} problems`} to fix${rest > 0 ? `, ${rest} to check` : ''}`;
}
