// The React Flow canvas: UI state (selection, measurement, drag frames) local; graph edits out as ops.
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  BackgroundVariant,
  ControlButton,
  Controls,
  Panel,
  ReactFlow,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
  type ReactFlowState,
} from '@xyflow/react';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import type { Diagnostic, Graph, GraphOp } from '../../shared';
import { applyOps, edgeId, getKind } from '../../shared';
import { tidyLayoutOps } from './auto-layout';
import { IconArrowRight } from '../components/icons';
import { connectionProblem, connectionToOp, edgeChangesToOps, nodeChangesToOps, toFlowEdges, toFlowNodes, type WeftFlowNode } from './flow-ops';
import { LinkActionsContext, linkChoices, type LinkActions } from './link-menu';
import { DRAG_MIME } from './palette';
import { OverviewMinimap, OverviewPicture, stepsBounds } from './overview';
import { nodeTypes } from './weft-node';

export const NODE_WIDTH = 216;
export const NODE_HEIGHT = 76;
/** Fit the drawing into view, but never below a zoom where a step's name is still readable (14 px at 1 → 8.4 px). */
export const FIT_OPTIONS = { maxZoom: 1, minZoom: 0.6, padding: 0.04 } as const;

/**
 * A flow of more steps than this that cannot be shown whole at a readable zoom opens whole anyway, as an overview
 * (names too small to read, the shape of the flow and the minimap to navigate by); a smaller one keeps the
 * readable zoom and its start in view.
 */
export const OVERVIEW_STEPS = 40;
/** The smallest zoom of an overview (and of the zoom buttons): 500 steps in rows of ten fit a 1024×700 window. */
export const OVERVIEW_MIN_ZOOM = 0.05;
/** Below this zoom the cards are drawn as flat tinted blocks (CSS `.canvas--far`): nobody can read their text, and every
 * card painted costs a frame at 500 steps. */
export const FAR_ZOOM = 0.45;
/** Above this many steps React Flow draws only the steps and lines inside the view (`onlyRenderVisibleElements`). */
export const VISIBLE_ONLY_STEPS = 100;
/** The minimap (React Flow's 200×150 plus its 15 px margin) in the canvas' bottom-right corner, which a fit keeps clear. */
export const MINIMAP_BOX = { width: 232, height: 182 } as const;
const NO_EDGES: Edge[] = [];
const CARD_SIZE = { width: NODE_WIDTH, height: NODE_HEIGHT } as const;
/** The minimap shows from this many steps. */
const MINIMAP_STEPS = 6;

/**
 * The viewport that shows the whole graph in a canvas of `width`×`height`, zoomed between FIT_OPTIONS' bounds (down
 * to OVERVIEW_MIN_ZOOM for a flow of more than OVERVIEW_STEPS steps). When even the minimum zoom cannot show it all,
 * the flow's start (left, top) stays in view rather than its middle, so the first step is never the one cut off.
 * `avoid`: a box in the bottom-right corner (the minimap) that the fitted steps must not lie under; the flow then fits
 * beside it or above it, whichever is larger. Node sizes are the card's, so it works before React Flow measures them.
 * `readable`: the zoom is at least FIT_OPTIONS.minZoom.
 */
export function fitViewport(
  nodes: readonly { position: { x: number; y: number } }[],
  width: number,
  height: number,
  avoid?: { width: number; height: number },
) {
  // Every step as a card of the standard size (not as measured): the fit allows room under each for its button.
  const bounds = width > 0 && height > 0 ? stepsBounds(nodes.map((n) => ({ position: n.position })), { width: NODE_WIDTH, height: NODE_HEIGHT }) : null;
  if (!bounds) return null;
  const { x: minX, y: minY } = bounds;
  const w = bounds.x2 - minX;
  // Room under each card for its "Connect to…" button.
  const h = bounds.y2 + 32 - minY;
  const minZoom = nodes.length > OVERVIEW_STEPS ? OVERVIEW_MIN_ZOOM : FIT_OPTIONS.minZoom;
  const pad = FIT_OPTIONS.padding;
  /** The fit inside the canvas' top-left `cw`×`ch` (padding from the whole canvas). */
  const place = (cw: number, ch: number) => {
    const zoom = Math.min(FIT_OPTIONS.maxZoom, Math.max(minZoom, Math.min((cw - 2 * pad * width) / w, (ch - 2 * pad * height) / h)));
    const x = w * zoom <= cw - 2 * pad * width ? (cw - w * zoom) / 2 : width * pad;
    const y = h * zoom <= ch - 2 * pad * height ? (ch - h * zoom) / 2 : height * pad;
    const whole = w * zoom <= cw - pad * width + 1 && h * zoom <= ch - pad * height + 1;
    return { x, y, zoom, whole };
  };
  let vp = place(width, height);
  const underMinimap = (v: typeof vp) => !!avoid && v.x + w * v.zoom > width - avoid.width && v.y + h * v.zoom > height - avoid.height;
  if (avoid && underMinimap(vp) && width > 2 * avoid.width && height > 2 * avoid.height) {
    const beside = place(width - avoid.width, height);
    const above = place(width, height - avoid.height);
    vp = above.zoom > beside.zoom ? above : beside;
  }
  return { x: vp.x - minX * vp.zoom, y: vp.y - minY * vp.zoom, zoom: vp.zoom, whole: vp.whole, readable: vp.zoom >= FIT_OPTIONS.minZoom - 1e-9 };
}

export interface Selection {
  nodeIds: string[];
  edgeIds: string[];
}

// React Flow copies these props into its store whenever they are new objects, and every store update runs every
// step's and line's selector: at 500 steps, props made afresh on each drag frame cost more than
// the drag. They are made once here.
const SNAP_GRID: [number, number] = [8, 8];
const DEFAULT_EDGE_OPTIONS = { type: 'smoothstep' } as const;
const PRO_OPTIONS = { hideAttribution: false } as const;
const isFar = (s: ReactFlowState) => s.transform[2] < FAR_ZOOM;

/** Memoized: the designer re-renders on every keystroke in the inspector, the canvas only when its props change. */
export const Canvas = memo(CanvasView);

function CanvasView({
  graph,
  diagnostics,
  onOps,
  onDropKind,
  onSelection,
  focus,
  onCannotFit,
  children,
}: {
  graph: Graph;
  diagnostics: Diagnostic[];
  onOps: (ops: GraphOp[]) => void;
  onDropKind: (kind: string, position: { x: number; y: number }) => void;
  onSelection: (s: Selection) => void;
  /** Select (and bring into view) this node; the nonce makes repeated requests count. */
  focus: { nodeId: string; nonce: number; center?: boolean } | null;
  /** The whole flow does not fit at a readable zoom (on open, Tidy up, Fit): the designer may make room. */
  onCannotFit?: () => void;
  /** Overlaid on the canvas (the side panel's toggle). */
  children?: ReactNode;
}) {
  const rf = useReactFlow();
  const far = useStore(isFar);
  const graphRef = useRef(graph);
  graphRef.current = graph;
  const [nodes, setNodes] = useState<WeftFlowNode[]>(() => toFlowNodes(graph, [], diagnostics));
  const [edges, setEdges] = useState<Edge[]>(() => toFlowEdges(graph, [], diagnostics));
  // While a step is dragged the canvas says so (CSS `.canvas--dragging`): lines are then no pointer targets, so the
  // browser does not hit-test 450 paths on every mouse move of a 500-step drag.
  const dragging = useMemo(() => nodes.some((n) => n.dragging), [nodes]);
  // Where the steps are drawn: a big graph reaches the canvas when edits pause (the designer's useSettledGraph), so
  // for 150 ms after a drop `graph` still has the step where it was picked up; a fit follows what is on the canvas.
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;

  useLayoutEffect(() => {
    setNodes((prev) => toFlowNodes(graph, prev, diagnostics));
    setEdges((prev) => toFlowEdges(graph, prev, diagnostics));
  }, [graph, diagnostics]);

  // The graph arrives a render after the focus request when the focused step was just added (the designer defers the
  // canvas' graph): a request waits until its step is on the canvas, and is applied once.
  const focusDone = useRef(0);
  useEffect(() => {
    if (!focus || focusDone.current === focus.nonce) return;
    const node = graph.nodes.find((n) => n.id === focus.nodeId);
    if (!node) return;
    focusDone.current = focus.nonce;
    setNodes((prev) => prev.map((n) => (n.selected === (n.id === focus.nodeId) ? n : { ...n, selected: n.id === focus.nodeId })));
    setEdges((prev) => prev.map((e) => (e.selected ? { ...e, selected: false } : e)));
    if (focus.center) void rf.setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + NODE_HEIGHT / 2, { zoom: Math.max(rf.getZoom(), 0.9), duration: 300 });
  }, [focus, rf, graph]);

  // Report selection changes upward (the inspector and the Delete key follow it).
  // While a step is held or dragged, wait: grabbing a step selects it, and mounting the inspector (and Monaco) then
  // stalls the drag that follows; the inspector opens when the pointer is let go.
  const [held, setHeld] = useState(false);
  const onPointerDownCapture = useCallback((e: PointerEvent<HTMLDivElement>) => {
    if (!(e.target as HTMLElement).closest?.('.react-flow__node')) return;
    setHeld(true);
    const release = () => {
      window.removeEventListener('pointerup', release, true);
      window.removeEventListener('pointercancel', release, true);
      setHeld(false);
    };
    window.addEventListener('pointerup', release, true);
    window.addEventListener('pointercancel', release, true);
  }, []);
  const lastSel = useRef('');
  useEffect(() => {
    if (held || dragging) return;
    const sel: Selection = { nodeIds: nodes.filter((n) => n.selected).map((n) => n.id), edgeIds: edges.filter((e) => e.selected).map((e) => e.id) };
    const key = `${sel.nodeIds.join(',')}|${sel.edgeIds.join(',')}`;
    if (key !== lastSel.current) {
      lastSel.current = key;
      onSelection(sel);
    }
  }, [nodes, edges, onSelection, held, dragging]);

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

  // Fit the design into view when it opens and whenever the canvas changes size (the side panel opening or closing,
  // the window resized), until the person pans or zooms themselves. An empty canvas keeps its viewport so drops
  // land where they are dropped.
  const wrapRef = useRef<HTMLDivElement>(null);
  // A canvas that opens empty is being built by dropping steps where they belong: it never re-fits by itself.
  const userMoved = useRef(graph.nodes.length === 0);
  const onCannotFitRef = useRef(onCannotFit);
  onCannotFitRef.current = onCannotFit;
  /** `ask`: when even the minimum zoom cannot show the whole flow, ask the designer for room (it hides the side panel). */
  const fit = useCallback(
    (duration = 0, ask = false, steps: readonly { position: { x: number; y: number } }[] = nodesRef.current) => {
      const el = wrapRef.current;
      const vp = el ? fitViewport(steps, el.clientWidth, el.clientHeight, steps.length >= MINIMAP_STEPS ? MINIMAP_BOX : undefined) : null;
      if (!vp) return;
      void rf.setViewport({ x: vp.x, y: vp.y, zoom: vp.zoom }, duration ? { duration } : undefined);
      if ((!vp.whole || !vp.readable) && ask) onCannotFitRef.current?.();
    },
    [rf],
  );
  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    let last = { w: el.clientWidth, h: el.clientHeight };
    let timer = 0;
    const ro = new ResizeObserver(() => {
      if (el.clientWidth === last.w && el.clientHeight === last.h) return;
      last = { w: el.clientWidth, h: el.clientHeight };
      window.clearTimeout(timer);
      timer = window.setTimeout(() => !userMoved.current && fit(200), 60);
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      window.clearTimeout(timer);
    };
  }, [fit]);

  const onInit = useCallback(() => fit(0, true), [fit]);
  // Only a person's pan or zoom (an event) stops the automatic fitting; our own viewport changes have none.
  const onMoveStart = useCallback((event: MouseEvent | TouchEvent | null) => {
    if (event) userMoved.current = true;
  }, []);

  const tidy = useCallback(() => {
    const ops = tidyLayoutOps(graphRef.current, { width: NODE_WIDTH, height: NODE_HEIGHT });
    if (ops.length > 0) onOps(ops);
    userMoved.current = false;
    // Fitted to where the steps go (the canvas may not have drawn them there yet).
    const tidied = applyOps(graphRef.current, ops).nodes;
    window.setTimeout(() => fit(250, true, tidied), 0);
  }, [fit, onOps]);

  return (
    <div className={`canvas${far ? ' canvas--far' : ''}${dragging ? ' canvas--dragging' : ''}`} data-testid="canvas" ref={wrapRef} onKeyDownCapture={onKeyDownCapture} onPointerDownCapture={onPointerDownCapture}>
      <LinkActionsContext.Provider value={linkActions}>
      <ReactFlow<WeftFlowNode>
        nodes={nodes}
        // In the overview the lines are part of its picture (OverviewPicture).
        edges={far ? NO_EDGES : edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onDragOver={onDragOver}
        onDrop={onDrop}
        deleteKeyCode={null}
        edgesFocusable={false}
        onInit={onInit}
        onMoveStart={onMoveStart}
        fitViewOptions={FIT_OPTIONS}
        minZoom={OVERVIEW_MIN_ZOOM}
        maxZoom={2}
        snapToGrid
        snapGrid={SNAP_GRID}
        defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
        connectionRadius={28}
        proOptions={PRO_OPTIONS}
        onlyRenderVisibleElements={graph.nodes.length > VISIBLE_ONLY_STEPS}
        // In the overview (below FAR_ZOOM) the whole flow is in view and a step is moved within it: a step grabbed
        // near the canvas' edge would otherwise pan the flow away under the pointer from the first move (React Flow
        // pans while the pointer is within 40 px of an edge). Zoomed in, dragging to an edge still scrolls.
        autoPanOnNodeDrag={!far}
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1.2} color="#cfd4dc" />
        {far ? <OverviewPicture steps={nodes} lines={edges} size={CARD_SIZE} /> : null}
        <Controls
          showInteractive={false}
          position="bottom-left"
          showFitView={false}
          // The zoom buttons move the viewport without a pointer event: they count as the person's own zoom too.
          onZoomIn={() => (userMoved.current = true)}
          onZoomOut={() => (userMoved.current = true)}
        >
          <ControlButton
            onClick={() => {
              userMoved.current = false;
              fit(200, true);
            }}
            title="Fit the whole flow in view"
            aria-label="Fit the whole flow in view"
          >
            <IconFit />
          </ControlButton>
        </Controls>
        {graph.nodes.length > 1 ? (
          <Panel position="top-left">
            <button type="button" className="btn btn--secondary btn--sm canvas__tidy" onClick={tidy} title="Lay the steps out left to right" data-testid="tidy-up">
              Tidy up
            </button>
          </Panel>
        ) : null}
        {graph.nodes.length >= MINIMAP_STEPS ? <OverviewMinimap steps={nodes} size={CARD_SIZE} /> : null}
      </ReactFlow>
      </LinkActionsContext.Provider>
      {children}
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

const IconFit = () => (
  <svg width="12" height="12" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2.4} strokeLinecap="round" strokeLinejoin="round" aria-hidden>
    <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />
  </svg>
);
