// Graph -> Plan + diagnostics. Runs in the browser (live badges) and on the server (publish gate).
import type { RowSchema } from '../graph/field-types';
import { connectorKindLabel, getKind, isKindId, type CompileContext, type NodeKindDef } from '../graph/kinds';
import { valueMapTable, type Graph, type GraphNode } from '../graph/schema';
import { PARAMETER_NAME, parameterDeclarationIssues } from '../graph/parameters';
import type { Diagnostic, Report } from './diagnostics';
import { inferFor } from './infer';
import { hasErrors } from './diagnostics';
import { PLAN_VERSION, type Pipeline, type Plan, type PlanStep } from './plan';

export interface CompileResult {
  plan: Plan | null;
  diagnostics: Diagnostic[];
  /** The schema each node emits (or writes, for targets), for the inspector's field pickers. */
  schemas: Record<string, RowSchema | null>;
}

export function nodeLabel(node: GraphNode): string {
  return node.label?.trim() || connectorKindLabel(node) || getKind(node.kind)?.label || node.kind;
}

export function compile(graph: Graph, context: CompileContext = {}): CompileResult {
  const declared = (graph.parameters ?? []).filter((p) => PARAMETER_NAME.test(p.name)).map((p) => ({ name: p.name, type: p.type }));
  // A graph that declares no parameters keeps PARAM as it was before declarations (any name, Text): older designs still
  // publish. Once one is declared, PARAM("name") must name a declared one and takes its type.
  const params = context.params ?? (declared.length > 0 ? declared : undefined);
  const ctx: CompileContext = { ...context, ...(context.syncEnabled === undefined && graph.settings?.syncEnabled !== undefined && { syncEnabled: graph.settings.syncEnabled }), valueMaps: context.valueMaps ?? valueMapTable(graph.valueMaps), ...(params && { params }) };
  const diagnostics: Diagnostic[] = [];
  const schemas: Record<string, RowSchema | null> = Object.create(null) as Record<string, RowSchema | null>; // node ids are data: `constructor` is a node like any other
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const error = (d: Omit<Diagnostic, 'severity'>) => diagnostics.push({ severity: 'error', ...d });

  if (graph.nodes.length === 0) {
    error({ code: 'empty-graph', message: 'Drag a source, a transform and a target onto the canvas' });
    return { plan: null, diagnostics, schemas };
  }

  const mapNames = new Set<string>();
  for (const [i, m] of (graph.valueMaps ?? []).entries()) {
    if (m.name.trim() === '') error({ code: 'unnamed-value-map', message: `Value map ${i + 1} has no name`, path: `valueMaps.${i}.name` });
    if (m.entries.length > 5000) error({ code: 'value-map-too-large', message: `Value map "${m.name}" has ${m.entries.length} entries; the limit is 5,000`, path: `valueMaps.${i}.entries` });
    if (mapNames.has(m.name)) error({ code: 'duplicate-value-map', message: `Two value maps are named "${m.name}"`, path: `valueMaps.${i}.name` });
    mapNames.add(m.name);
  }

  for (const issue of parameterDeclarationIssues(graph.parameters)) {
    error({ code: 'bad-parameter', message: issue.message, path: `parameters.${issue.index}.${issue.field}` });
  }

  const kinds = new Map<string, NodeKindDef<unknown>>();
  const seenIds = new Set<string>();
  for (const node of graph.nodes) {
    if (seenIds.has(node.id)) error({ code: 'duplicate-node', message: `Two nodes share the id "${node.id}"`, nodeId: node.id });
    seenIds.add(node.id);
    const kind = getKind(node.kind);
    if (!kind) error({ code: 'unknown-kind', message: `Unknown node type "${node.kind}"`, nodeId: node.id });
    else kinds.set(node.id, kind);
  }

  const incoming = new Map<string, string[]>();
  const outgoing = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const s = nodes.get(edge.source);
    const t = nodes.get(edge.target);
    if (!s || !t) {
      error({ code: 'dangling-edge', message: 'A connection points to a node that no longer exists', edgeId: edge.id });
      continue;
    }
    if (kinds.get(s.id)?.outputs === 0) error({ code: 'no-output-port', message: `${nodeLabel(s)} is a target and has no output`, nodeId: s.id, edgeId: edge.id });
    if (kinds.get(t.id)?.inputs === 0) error({ code: 'no-input-port', message: `${nodeLabel(t)} is a source and takes no input`, nodeId: t.id, edgeId: edge.id });
    incoming.set(t.id, [...(incoming.get(t.id) ?? []), s.id]);
    outgoing.set(s.id, [...(outgoing.get(s.id) ?? []), t.id]);
  }

  // Ports: every input connected once, every output connected somewhere.
  for (const node of graph.nodes) {
    const kind = kinds.get(node.id);
    if (!kind) continue;
    const ins = incoming.get(node.id) ?? [];
    if (kind.inputs === 1 && ins.length === 0) error({ code: 'unconnected-input', message: `Connect an input to ${nodeLabel(node)}`, nodeId: node.id });
    if (kind.inputs === 1 && ins.length > 1) error({ code: 'too-many-inputs', message: `${nodeLabel(node)} takes one input but has ${ins.length}`, nodeId: node.id });
    if (kind.outputs === 1 && (outgoing.get(node.id) ?? []).length === 0) {
      error({ code: 'unconnected-output', message: `Connect the output of ${nodeLabel(node)} to a transform or a target`, nodeId: node.id });
    }
  }

  const order = topologicalOrder(graph, incoming, outgoing);
  if (order.cycle.length > 0) {
    for (const id of order.cycle) error({ code: 'cycle', message: 'This node is part of a loop; data must flow one way', nodeId: id });
  }

  // Config and schema propagation, in data-flow order.
  const configs = new Map<string, Record<string, unknown>>();
  for (const id of order.sorted) {
    const node = nodes.get(id);
    const kind = kinds.get(id);
    if (!node || !kind) continue;
    const parsed = kind.config.safeParse(node.config);
    const report: Report = (d) => diagnostics.push({ severity: 'error', nodeId: id, ...d });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        report({ code: 'invalid-config', message: issue.message, path: issue.path.join('.') });
      }
      schemas[id] = null;
      continue;
    }
    configs.set(id, parsed.data as Record<string, unknown>);
    const fileId = kind.readsUploadedFiles ? (parsed.data as { fileId?: unknown }).fileId : undefined;
    if (ctx.fileIds && typeof fileId === 'string' && fileId !== '' && !ctx.fileIds.has(fileId)) {
      report({ code: 'unknown-file', message: `The uploaded file "${fileId}" does not exist (deleted, or never uploaded here): upload the file again`, path: 'fileId' });
    }
    if (ctx.connectionIds) {
      for (const ref of kind.connectionRefs?.(parsed.data) ?? []) {
        if (!ctx.connectionIds.has(ref.id)) report({ code: 'unknown-connection', message: `The connection "${ref.id}" does not exist (deleted, or never saved here): choose a saved connection`, path: ref.path });
      }
    }
    const upstream = (incoming.get(id) ?? [])[0];
    const input = upstream !== undefined ? (schemas[upstream] ?? null) : null;
    schemas[id] = isKindId(node.kind) ? inferFor(node.kind)(parsed.data, input, report, ctx) : null;
  }

  const targets = graph.nodes.filter((n) => kinds.get(n.id)?.category === 'target');
  if (targets.length === 0) error({ code: 'no-target', message: 'Add a target: where should the data go?' });
  // A target with no input (a two-way sync) reads its own sides: only targets that take rows need a source.
  const needsSource = targets.length === 0 || targets.some((n) => kinds.get(n.id)?.inputs === 1);
  if (needsSource && !graph.nodes.some((n) => kinds.get(n.id)?.category === 'source')) error({ code: 'no-source', message: 'Add a source: where does the data come from?' });

  if (hasErrors(diagnostics)) return { plan: null, diagnostics, schemas };

  const steps: PlanStep[] = order.sorted.map((id) => {
    const node = nodes.get(id) as GraphNode;
    const upstream = (incoming.get(id) ?? [])[0];
    return {
      nodeId: id,
      kind: node.kind,
      label: nodeLabel(node),
      config: configs.get(id) ?? {},
      input: upstream !== undefined ? (schemas[upstream] ?? null) : null,
      output: schemas[id] ?? null,
    };
  });
  const pipelines: Pipeline[] = targets.map((t) => {
    const chain = [t.id];
    let cur = (incoming.get(t.id) ?? [])[0];
    while (cur !== undefined) {
      chain.unshift(cur);
      cur = (incoming.get(cur) ?? [])[0];
    }
    return { id: `p-${t.id}`, nodeIds: chain };
  });
  const plan: Plan = { version: PLAN_VERSION, steps, pipelines, valueMaps: ctx.valueMaps ?? {}, ...(graph.settings && { settings: graph.settings }), ...(declared.length > 0 && { parameters: declared }) };
  return { plan, diagnostics, schemas };
}

function topologicalOrder(graph: Graph, incoming: Map<string, string[]>, outgoing: Map<string, string[]>) {
  const indegree = new Map(graph.nodes.map((n) => [n.id, (incoming.get(n.id) ?? []).length]));
  const queue = graph.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const sorted: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    sorted.push(id);
    for (const next of outgoing.get(id) ?? []) {
      const d = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, d);
      if (d === 0) queue.push(next);
    }
  }
  // Of the nodes left, peel off those downstream of a loop (no successor left) so only the loop remains.
  const left = new Set(graph.nodes.map((n) => n.id).filter((id) => !sorted.includes(id)));
  let peeled = true;
  while (peeled) {
    peeled = false;
    for (const id of left) {
      if (!(outgoing.get(id) ?? []).some((next) => left.has(next))) {
        left.delete(id);
        peeled = true;
      }
    }
  }
  return { sorted, cycle: [...left] };
}
