// The overview of a big flow (below FAR_ZOOM) drawn as one picture: every step a tinted block, a red dot on a step
// with problems, every line one segment of a path; a handful of SVG paths in all. The steps' own elements stay on the
// canvas for clicks, drags, focus and screen readers but paint nothing there (CSS `.canvas--far`), except selected
// ones (they may be dragged); React Flow gets no lines at that zoom (nobody clicks a line 0.2 px wide).
//
// Why (docs/benchmarks.md, fifth session): each step's element is transformed into place, and Chromium re-layers
// every painted one whenever a step moves; at 500 steps that and hit-testing 500 painted cards were most of a drag
// frame. Each of React Flow's lines keeps three store subscriptions, run on every drag frame: 1,350 at 500 steps.
import { Panel, useStore, useStoreApi, ViewportPortal, type ReactFlowState } from '@xyflow/react';
import { XYMinimap } from '@xyflow/system';
import { memo, useEffect, useMemo, useRef } from 'react';
import { getKind } from '../../shared';

export interface OverviewStep {
  id: string;
  position: { x: number; y: number };
  measured?: { width?: number; height?: number };
  selected?: boolean;
  data: { node: { kind: string }; errors: readonly unknown[] };
}
export interface OverviewLine {
  source: string;
  target: string;
  selected?: boolean;
  className?: string;
}

const CATEGORIES = ['source', 'transform', 'target'] as const;
type Category = (typeof CATEGORIES)[number];
/** Lines: plain, with a problem (`weft-edge--error`), or selected; `moving` when an end is a selected step. */
const LINE_STYLES = ['plain', 'error', 'selected'] as const;
type LineStyle = (typeof LINE_STYLES)[number];
export type OverviewPaths = Record<Category | `${Category}-strip` | 'problems' | `line-${LineStyle}` | `line-${LineStyle}-moving`, string>;

/** A card's corner radius (--r-lg); the problem badge's radius and centre from the card's top-right corner. */
const RADIUS = 12;
const BADGE = { r: 10, dx: -2, dy: 2 } as const;
const n1 = (v: number) => Math.round(v * 10) / 10;

/** A rounded rectangle as path data. */
export function roundedRect(x: number, y: number, w: number, h: number, radius: number): string {
  const r = Math.min(radius, w / 2, h / 2);
  return `M${n1(x + r)} ${n1(y)}h${n1(w - 2 * r)}a${r} ${r} 0 0 1 ${r} ${r}v${n1(h - 2 * r)}a${r} ${r} 0 0 1 ${-r} ${r}h${n1(2 * r - w)}a${r} ${r} 0 0 1 ${-r} ${-r}v${n1(2 * r - h)}a${r} ${r} 0 0 1 ${r} ${-r}z`;
}

export const categoryOf = (kind: string): Category => getKind(kind)?.category ?? 'transform';

/**
 * The overview's path data: the unselected steps' blocks (one path per category), their problem dots, and the lines
 * by style, those touching a selected step apart (only they change while it is dragged). `size` is a step's size
 * until React Flow has measured it.
 */
export function overviewPaths(steps: readonly OverviewStep[], lines: readonly OverviewLine[], size: { width: number; height: number }): OverviewPaths {
  const parts = {} as Record<keyof OverviewPaths, string[]>;
  const add = (k: keyof OverviewPaths, d: string) => (parts[k] ??= []).push(d);
  const boxes = new Map<string, { x: number; y: number; w: number; h: number; selected: boolean }>();
  for (const s of steps) {
    const w = s.measured?.width ?? size.width;
    const h = s.measured?.height ?? size.height;
    const { x, y } = s.position;
    boxes.set(s.id, { x, y, w, h, selected: !!s.selected });
    if (s.selected) continue;
    const c = categoryOf(s.data.node.kind);
    add(c, roundedRect(x, y, w, h, RADIUS));
    // The card's coloured strip along its left edge (`.wnode::before`, 5 px).
    add(`${c}-strip`, `M${n1(x)} ${n1(y)}h5v${n1(h)}h-5z`);
    if (s.data.errors.length > 0) {
      const cx = x + w + BADGE.dx;
      const cy = n1(y + BADGE.dy);
      add('problems', `M${n1(cx - BADGE.r)} ${cy}a${BADGE.r} ${BADGE.r} 0 1 0 ${2 * BADGE.r} 0a${BADGE.r} ${BADGE.r} 0 1 0 ${-2 * BADGE.r} 0z`);
    }
  }
  for (const l of lines) {
    const a = boxes.get(l.source);
    const b = boxes.get(l.target);
    if (!a || !b) continue;
    // From the source's right handle to the target's left one, in three straight runs (React Flow's smooth step,
    // without the rounded corners nobody sees at this zoom).
    const sx = a.x + a.w;
    const sy = a.y + a.h / 2;
    const tx = b.x;
    const ty = b.y + b.h / 2;
    const mx = (sx + tx) / 2;
    const style: LineStyle = l.selected ? 'selected' : l.className?.includes('weft-edge--error') ? 'error' : 'plain';
    add(a.selected || b.selected ? `line-${style}-moving` : `line-${style}`, sy === ty ? `M${n1(sx)} ${n1(sy)}H${n1(tx)}` : `M${n1(sx)} ${n1(sy)}H${n1(mx)}V${n1(ty)}H${n1(tx)}`);
  }
  const out = {} as OverviewPaths;
  for (const k of [...CATEGORIES, ...CATEGORIES.map((c) => `${c}-strip`), 'problems', ...LINE_STYLES.flatMap((s) => [`line-${s}`, `line-${s}-moving`])] as (keyof OverviewPaths)[]) out[k] = parts[k]?.join('') ?? '';
  return out;
}

/**
 * The picture, in flow coordinates under the steps' elements. While a selected step is dragged only the paths of its
 * lines change, so React leaves the rest of the SVG alone.
 */
export const OverviewPicture = memo(function OverviewPicture({
  steps,
  lines,
  size,
}: {
  steps: readonly OverviewStep[];
  lines: readonly OverviewLine[];
  size: { width: number; height: number };
}) {
  const paths = useMemo(() => overviewPaths(steps, lines, size), [steps, lines, size]);
  return (
    <ViewportPortal>
      <svg className="canvas__overview" aria-hidden data-testid="canvas-overview">
        {LINE_STYLES.flatMap((s) => [
          <path key={s} className={`canvas__overview-line canvas__overview-line--${s}`} d={paths[`line-${s}`]} />,
          <path key={`${s}-moving`} className={`canvas__overview-line canvas__overview-line--${s}`} d={paths[`line-${s}-moving`]} />,
        ])}
        {CATEGORIES.flatMap((c) => [
          <path key={c} className={`canvas__overview-${c}`} d={paths[c]} />,
          <path key={`${c}-strip`} className={`canvas__overview-${c}-strip`} d={paths[`${c}-strip`]} />,
        ])}
        <path className="canvas__overview-problems" d={paths.problems} />
      </svg>
    </ViewportPortal>
  );
});

/** Each category's minimap colour (as the minimap had them). */
const MINIMAP_COLOR: Record<Category, string> = { source: '#0ea5e9', transform: '#8b5cf6', target: '#f97316' };
const MINIMAP_SIZE = { width: 200, height: 150 } as const;
/** Room around the flow inside the minimap, in minimap px (React Flow's `offsetScale`). */
const MINIMAP_OFFSET = 5;

/** The steps' bounds in flow coordinates (a step not measured yet counts as `size`), or null without steps. */
export function stepsBounds(steps: readonly Pick<OverviewStep, 'position' | 'measured'>[], size: { width: number; height: number }) {
  if (steps.length === 0) return null;
  let x = Infinity;
  let y = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const s of steps) {
    x = Math.min(x, s.position.x);
    y = Math.min(y, s.position.y);
    x2 = Math.max(x2, s.position.x + (s.measured?.width ?? size.width));
    y2 = Math.max(y2, s.position.y + (s.measured?.height ?? size.height));
  }
  return { x, y, x2, y2 };
}

/** Every step as a block of its category's colour, one path per category. */
export function minimapPaths(steps: readonly OverviewStep[], size: { width: number; height: number }): Record<Category, string> {
  const parts: Record<Category, string[]> = { source: [], transform: [], target: [] };
  for (const s of steps) parts[categoryOf(s.data.node.kind)].push(roundedRect(s.position.x, s.position.y, s.measured?.width ?? size.width, s.measured?.height ?? size.height, 6));
  return { source: parts.source.join(''), transform: parts.transform.join(''), target: parts.target.join('') };
}

type ViewState = Pick<ReactFlowState, 'width' | 'height' | 'panZoom' | 'translateExtent'> & { tx: number; ty: number; zoom: number };
const viewState = (s: ReactFlowState): ViewState => ({
  tx: s.transform[0],
  ty: s.transform[1],
  zoom: s.transform[2],
  width: s.width,
  height: s.height,
  panZoom: s.panZoom,
  translateExtent: s.translateExtent,
});
const sameView = (a: ViewState, b: ViewState) =>
  a.tx === b.tx && a.ty === b.ty && a.zoom === b.zoom && a.width === b.width && a.height === b.height && a.panZoom === b.panZoom && a.translateExtent === b.translateExtent;

/**
 * React Flow's minimap (the same size, look, class names and pan/zoom, through its own XYMinimap), drawing the steps
 * as three paths from the canvas' steps: React Flow's keeps one store subscription per step, each run on every drag
 * frame (500 at 500 steps).
 */
export const OverviewMinimap = memo(function OverviewMinimap({ steps, size }: { steps: readonly OverviewStep[]; size: { width: number; height: number } }) {
  const store = useStoreApi();
  const view = useStore(viewState, sameView);
  const svg = useRef<SVGSVGElement>(null);
  const paths = useMemo(() => minimapPaths(steps, size), [steps, size]);
  const bounds = useMemo(() => stepsBounds(steps, size), [steps, size]);
  // As React Flow's MiniMap: the steps and the part of the flow in view, scaled into 200×150.
  const vb = { x: -view.tx / view.zoom, y: -view.ty / view.zoom, width: view.width / view.zoom, height: view.height / view.zoom };
  const x0 = Math.min(vb.x, bounds?.x ?? vb.x);
  const y0 = Math.min(vb.y, bounds?.y ?? vb.y);
  const bw = Math.max(vb.x + vb.width, bounds?.x2 ?? -Infinity) - x0;
  const bh = Math.max(vb.y + vb.height, bounds?.y2 ?? -Infinity) - y0;
  const viewScale = Math.max(bw / MINIMAP_SIZE.width, bh / MINIMAP_SIZE.height);
  const viewScaleRef = useRef(viewScale);
  viewScaleRef.current = viewScale;
  const offset = MINIMAP_OFFSET * viewScale;
  const w = viewScale * MINIMAP_SIZE.width + 2 * offset;
  const h = viewScale * MINIMAP_SIZE.height + 2 * offset;
  const x = x0 - (w - 2 * offset - bw) / 2 - offset;
  const y = y0 - (h - 2 * offset - bh) / 2 - offset;

  const minimap = useRef<ReturnType<typeof XYMinimap>>(null);
  useEffect(() => {
    const panZoom = store.getState().panZoom;
    if (!svg.current || !panZoom) return;
    minimap.current = XYMinimap({ domNode: svg.current, panZoom, getTransform: () => store.getState().transform, getViewScale: () => viewScaleRef.current });
    return () => minimap.current?.destroy();
  }, [store, view.panZoom]);
  useEffect(() => {
    minimap.current?.update({ translateExtent: view.translateExtent, width: view.width, height: view.height, pannable: true, zoomable: true });
  }, [view.translateExtent, view.width, view.height, view.panZoom]);

  return (
    <Panel position="bottom-right" className="react-flow__minimap" data-testid="rf__minimap">
      <svg
        ref={svg}
        width={MINIMAP_SIZE.width}
        height={MINIMAP_SIZE.height}
        viewBox={`${x} ${y} ${w} ${h}`}
        className="react-flow__minimap-svg"
        role="img"
        aria-label="Mini map of the whole flow; drag to move the view, scroll to zoom"
      >
        {CATEGORIES.map((c) => (
          <path key={c} d={paths[c]} fill={MINIMAP_COLOR[c]} shapeRendering="crispEdges" />
        ))}
        <path
          className="react-flow__minimap-mask"
          d={`M${x - offset},${y - offset}h${w + offset * 2}v${h + offset * 2}h${-w - offset * 2}z M${vb.x},${vb.y}h${vb.width}v${vb.height}h${-vb.width}z`}
          fillRule="evenodd"
          pointerEvents="none"
        />
      </svg>
    </Panel>
  );
});
