// The overview of a big flow (below FAR_ZOOM) drawn as one picture: every step a tinted block, a red dot on a step
// with problems, a few SVG paths in all. The steps' own elements stay on the canvas for clicks, drags, focus and
// screen readers but paint nothing there (CSS `.canvas--far`), except the selected ones, which may move.
//
// Why: each step's element is transformed into place, and Chromium re-layers every painted one whenever a step moves:
// at 500 steps that was half of each drag frame (`PaintArtifactCompositor::Update`, docs/benchmarks.md), and hit
// testing 500 painted cards the other big part. With the cards unpainted it fell to a third.
import { ViewportPortal } from '@xyflow/react';
import { memo, useMemo } from 'react';
import { getKind } from '../../shared';

export interface OverviewStep {
  position: { x: number; y: number };
  measured?: { width?: number; height?: number };
  selected?: boolean;
  data: { node: { kind: string }; errors: readonly unknown[] };
}

export type OverviewPaths = Record<'source' | 'transform' | 'target' | 'problems', string>;

/** Corner radius of a card (--r-lg), and the problem badge's radius and centre relative to the card's top-right. */
const RADIUS = 12;
const BADGE = { r: 10, dx: -2, dy: 2 } as const;
const n1 = (v: number) => Math.round(v * 10) / 10;

/**
 * The paths of the overview: one per category of the unselected steps' blocks, one of problem dots. `size` is a
 * step's size until React Flow has measured it.
 */
export function overviewPaths(steps: readonly OverviewStep[], size: { width: number; height: number }): OverviewPaths {
  const out = { source: [] as string[], transform: [] as string[], target: [] as string[], problems: [] as string[] };
  for (const s of steps) {
    if (s.selected) continue;
    const w = s.measured?.width ?? size.width;
    const h = s.measured?.height ?? size.height;
    const { x, y } = s.position;
    const r = Math.min(RADIUS, w / 2, h / 2);
    const category = getKind(s.data.node.kind)?.category ?? 'transform';
    (out[category] ?? out.transform).push(
      `M${n1(x + r)} ${n1(y)}h${n1(w - 2 * r)}a${r} ${r} 0 0 1 ${r} ${r}v${n1(h - 2 * r)}a${r} ${r} 0 0 1 ${-r} ${r}h${n1(2 * r - w)}a${r} ${r} 0 0 1 ${-r} ${-r}v${n1(2 * r - h)}a${r} ${r} 0 0 1 ${r} ${-r}z`,
    );
    if (s.data.errors.length > 0) {
      const cx = n1(x + w + BADGE.dx);
      const cy = n1(y + BADGE.dy);
      out.problems.push(`M${n1(cx - BADGE.r)} ${cy}a${BADGE.r} ${BADGE.r} 0 1 0 ${2 * BADGE.r} 0a${BADGE.r} ${BADGE.r} 0 1 0 ${-2 * BADGE.r} 0z`);
    }
  }
  return { source: out.source.join(''), transform: out.transform.join(''), target: out.target.join(''), problems: out.problems.join('') };
}

/**
 * The picture, in flow coordinates under the steps and lines. While a selected step is dragged its paths do not
 * change (selected steps are drawn by their own element), so React leaves the SVG alone.
 */
export const OverviewPicture = memo(function OverviewPicture({ steps, size }: { steps: readonly OverviewStep[]; size: { width: number; height: number } }) {
  const paths = useMemo(() => overviewPaths(steps, size), [steps, size]);
  return (
    <ViewportPortal>
      <svg className="canvas__overview" aria-hidden data-testid="canvas-overview">
        <path className="canvas__overview-source" d={paths.source} />
        <path className="canvas__overview-transform" d={paths.transform} />
        <path className="canvas__overview-target" d={paths.target} />
        <path className="canvas__overview-problems" d={paths.problems} />
      </svg>
    </ViewportPortal>
  );
});
