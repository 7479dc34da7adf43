import { describe, expect, it } from 'vitest';
import { FIT_OPTIONS, MINIMAP_BOX, NODE_HEIGHT, NODE_WIDTH, OVERVIEW_MIN_ZOOM, OVERVIEW_STEPS, fitViewport } from './canvas';

/** `n` steps in rows of ten, 280 × 140 apart (the canvas benchmark's shape). */
const grid = (n: number) => Array.from({ length: n }, (_, i) => ({ position: { x: (i % 10) * 280, y: Math.floor(i / 10) * 140 } }));

/** The fitted steps' box on screen. */
function onScreen(nodes: ReturnType<typeof grid>, vp: { x: number; y: number; zoom: number }) {
  const xs = nodes.map((n) => n.position.x);
  const ys = nodes.map((n) => n.position.y);
  return {
    left: vp.x + Math.min(...xs) * vp.zoom,
    top: vp.y + Math.min(...ys) * vp.zoom,
    right: vp.x + (Math.max(...xs) + NODE_WIDTH) * vp.zoom,
    bottom: vp.y + (Math.max(...ys) + NODE_HEIGHT) * vp.zoom,
  };
}

describe('fitViewport', () => {
  it('shows a 500-step flow whole (an overview) at 1440×900 and 1024×700, clear of the minimap', () => {
    for (const [w, h] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      const nodes = grid(500);
      const vp = fitViewport(nodes, w, h, MINIMAP_BOX)!;
      expect(vp.whole).toBe(true);
      expect(vp.readable).toBe(false);
      expect(vp.zoom).toBeGreaterThanOrEqual(OVERVIEW_MIN_ZOOM);
      const box = onScreen(nodes, vp);
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.top).toBeGreaterThanOrEqual(0);
      expect(box.bottom).toBeLessThanOrEqual(h);
      // Nothing under the minimap in the bottom-right corner.
      expect(box.right <= w - MINIMAP_BOX.width || box.bottom <= h - MINIMAP_BOX.height).toBe(true);
    }
  });

  it('keeps a readable zoom and the start in view for a flow of up to OVERVIEW_STEPS steps', () => {
    const nodes = Array.from({ length: OVERVIEW_STEPS }, (_, i) => ({ position: { x: i * 280, y: 0 } }));
    const vp = fitViewport(nodes, 1024, 700)!;
    expect(vp.zoom).toBe(FIT_OPTIONS.minZoom);
    expect(vp.whole).toBe(false);
    expect(onScreen(nodes as ReturnType<typeof grid>, vp).left).toBeGreaterThan(0);
  });

  it('moves a flow that would lie under the minimap beside or above it, and leaves one that does not alone', () => {
    // Two rows of five fill a 1440×900 canvas's width: fitted in the whole canvas, the bottom row runs under the minimap.
    const nodes = grid(10).map((n, i) => ({ position: { x: (i % 5) * 280, y: Math.floor(i / 5) * 600 } }));
    const plain = fitViewport(nodes, 1440, 900)!;
    const clear = fitViewport(nodes, 1440, 900, MINIMAP_BOX)!;
    const a = onScreen(nodes, plain);
    expect(a.right > 1440 - MINIMAP_BOX.width && a.bottom > 900 - MINIMAP_BOX.height).toBe(true);
    const b = onScreen(nodes, clear);
    expect(b.right <= 1440 - MINIMAP_BOX.width || b.bottom <= 900 - MINIMAP_BOX.height).toBe(true);
    expect(clear.zoom).toBeLessThanOrEqual(plain.zoom);
    // One short row sits in the middle, nowhere near the corner: the same fit with or without the minimap.
    const row = grid(3);
    expect(fitViewport(row, 1440, 900, MINIMAP_BOX)).toEqual(fitViewport(row, 1440, 900));
  });

  it('returns null for nothing to fit or no room', () => {
    expect(fitViewport([], 1000, 800)).toBeNull();
    expect(fitViewport(grid(3), 0, 800)).toBeNull();
  });
});
