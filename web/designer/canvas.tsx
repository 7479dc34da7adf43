// The React Flow canvas: UI state (selection, measurement, drag frames) local; graph edits out as ops.
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
} from '@xyflow/react';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { Diagnostic, Graph, GraphOp } from '../../shared';
import { edgeId, getKind } from '../../shared';
import { IconArrowRight } from '../components/icons';
import { connectionProblem, connectionToOp, edgeChangesToOps, nodeChangesToOps, toFlowEdges, toFlowNodes, type WeftFlowNode } from './flow-ops';
import { LinkActionsContext, linkChoices, type LinkActions } from './link-menu';
import { DRAG_MIME } from './palette';
import { nodeTypes } from './weft-node';

export const NODE_WIDTH = 216;
export const NODE_HEIGHT = 76;
/** Fit the drawing into view, but never below a zoom where a step's name is still readable (14 px at 1 → 9 px). */
export const FIT_OPTIONS = { maxZoom: 1, minZoom: 0.65, padding: 0.06 } as const;

export interface Selection {
  nodeIds: string[];
  edgeIds: string[];
}

const CATEGORY_COLOR: Record<string, string> = { source: '#0ea5e9', transform: '#8b5cf6', target: '#f97316' };

export function Canvas({
  graph,
  diagnostics,
  onOps,
  onDropKind,
  onSelection,
  focus,
}: {
  graph: Graph;
  diagnostics: Diagnostic[];
  onOps: (ops: GraphOp[]) => void;
  onDropKind: (kind: string, position: { x: number; y: number }) => void;
  onSelection: (s: Selection) => void;
  /** Select (and bring into view) this node; the nonce makes repeated requests count. */
  focus: { nodeId: string; nonce: number; center?: boolean } | null;
}) {
  const rf = useReactFlow();
  const graphRef = useRef(graph);
  graphRef.current = graph;
  const [nodes, setNodes] = useState<WeftFlowNode[]>(() => toFlowNodes(graph, [], diagnostics));
  const [edges, setEdges] = useState<Edge[]>(() => toFlowEdges(graph, [], diagnostics));

  useLayoutEffect(() => {
    setNodes((prev) => toFlowNodes(graph, prev, diagnostics));
    setEdges((prev) => toFlowEdges(graph, prev, diagnostics));
  }, [graph, diagnostics]);

  useEffect(() => {
    if (!focus) return;
    setNodes((prev) => prev.map((n) => (n.selected === (n.id === focus.nodeId) ? n : { ...n, selected: n.id === focus.nodeId })));
    setEdges((prev) => prev.map((e) => (e.selected ? { ...e, selected: false } : e)));
    if (focus.center) {
      const node = graphRef.current.nodes.find((n) => n.id === focus.nodeId);
      if (node) void rf.setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + NODE_HEIGHT / 2, { zoom: Math.max(rf.getZoom(), 0.9), duration: 300 });
    }
  }, [focus, rf]);

  // Report selection changes upward (the inspector and the Delete key follow it).
  const lastSel = useRef('');
  useEffect(() => {
    const sel: Selection = { nodeIds: nodes.filter((n) => n.selected).map((n) => n.id), edgeIds: edges.filter((e) => e.selected).map((e) => e.id) };
    const key = `${sel.nodeIds.join(',')}|${sel.edgeIds.join(',')}`;
    if (key !== lastSel.current) {
      lastSel.current = key;
      onSelection(sel);
    }
  }, [nodes, edges, onSelection]);

  const onNodesChange = useCallback(
    (changes: NodeChange<WeftFlowNode>[]) => {
      // UI changes apply locally; removals only through ops, so the graph stays the one source of truth.
      setNodes((nds) => applyNodeChanges(changes.filter((c) => c.type !== 'remove'), nds));
      const ops = nodeChangesToOps(changes, graphRef.current);
      if (ops.length > 0) onOps(ops);
    },
    [onOps],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      setEdges((eds) => applyEdgeChanges(changes.filter((c) => c.type !== 'remove'), eds));
      const ops = edgeChangesToOps(changes, graphRef.current);
      if (ops.length > 0) onOps(ops);
    },
    [onOps],
  );
  const onConnect = useCallback(
    (conn: Connection) => {
      const op = connectionToOp(conn, graphRef.current);
      if (op) onOps([op]);
    },
    [onOps],
  );
  const isValidConnection: IsValidConnection = useCallback(
    (c) => connectionProblem({ source: c.source, target: c.target }, graphRef.current) === null,
    [],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(DRAG_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(DRAG_MIME);
      if (!kind || !getKind(kind)) return;
      e.preventDefault();
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      onDropKind(kind, { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 });
    },
    [rf, onDropKind],
  );

  const linkActions = useMemo<LinkActions>(
    () => ({
      choices: (nodeId) => linkChoices(graphRef.current, nodeId),
      choose: (nodeId, c) => {
        if (c.kind === 'connect') onOps([{ type: 'connect', edge: { id: edgeId(nodeId, c.nodeId), source: nodeId, target: c.nodeId, sourceHandle: null, targetHandle: null } }]);
        else if (c.edgeId) onOps([{ type: 'removeEdges', ids: [c.edgeId] }]);
        // Focus stays on the step the link was made from.
        requestAnimationFrame(() => document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(nodeId)}"]`)?.focus());
      },
    }),
    [onOps],
  );

  // Escape on a step unselects it and React Flow blurs it: keep focus on the step, not the page body.
  const onKeyDownCapture = useCallback((e: KeyboardEvent) => {
    const node = (e.target as HTMLElement).closest?.('.react-flow__node');
    if (e.key !== 'Escape' || !(node instanceof HTMLElement) || e.target !== node) return;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        if (node.isConnected && (document.activeElement === document.body || !document.activeElement)) node.focus();
      }),
    );
  }, []);

  // Fit an existing design into view once; an empty canvas keeps its viewport so drops land where they are dropped.
  const fitOnOpen = useRef(graph.nodes.length > 0).current;

  return (
    <div className="canvas" data-testid="canvas" onKeyDownCapture={onKeyDownCapture}>
      <LinkActionsContext.Provider value={linkActions}>
      <ReactFlow<WeftFlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onDragOver={onDragOver}
        onDrop={onDrop}
        deleteKeyCode={null}
        edgesFocusable={false}
        fitView={fitOnOpen}
        fitViewOptions={FIT_OPTIONS}
        minZoom={0.25}
        maxZoom={2}
        snapToGrid
        snapGrid={[8, 8]}
        defaultEdgeOptions={{ type: 'smoothstep' }}
        connectionRadius={28}
        proOptions={{ hideAttribution: false }}
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1.2} color="#cfd4dc" />
        <Controls showInteractive={false} position="bottom-left" />
        {graph.nodes.length > 5 ? (
          <MiniMap pannable zoomable position="bottom-right" nodeColor={(n) => CATEGORY_COLOR[getKind((n as WeftFlowNode).data.node.kind)?.category ?? ''] ?? '#94a3b8'} nodeBorderRadius={6} />
        ) : null}
      </ReactFlow>
      </LinkActionsContext.Provider>
      {graph.nodes.length === 0 ? (
        <div className="canvas__empty">
          <div className="canvas__empty-card">
            <div className="canvas__empty-flow">
              <span className="kind-chip kind-chip--source">1</span>
              <IconArrowRight size={14} />
              <span className="kind-chip kind-chip--transform">2</span>
              <IconArrowRight size={14} />
              <span className="kind-chip kind-chip--target">3</span>
            </div>
            <strong>Start with a source</strong>
            <span className="muted">Drag “File” from the left onto the canvas, then add a Map and a target. Connect them left to right.</span>
          </div>
        </div>
      ) : null}
    </div>
  );
}
