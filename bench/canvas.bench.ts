// Big canvases in a real Chromium: frames per second while dragging a step and input-to-paint while typing a step's
// name, at 50, 200 and 500 steps. Prints a table (never asserts: figures go to docs/benchmarks.md).
// Run: npm run bench:canvas (a web build, then about 1.5 min on a quiet 2-core machine); BENCH_SIZES=500 for one size
// (about 1 min, of which 30 s start Weft), BENCH_TRACE=<dir> for Chrome traces of each drag.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import { getKind } from '../shared';
import type { Graph } from '../shared/graph/schema';
import { expect, test } from '../test/e2e/helpers';

const SIZES = (process.env.BENCH_SIZES ?? '50,200,500').split(',').map(Number);
const COLUMNS = 10;

/** `n` steps in rows of ten: a file source feeding nine filters in a chain. */
async function bigIntegration(request: APIRequestContext, n: number) {
  const nodes: Graph['nodes'] = [];
  const edges: Graph['edges'] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % COLUMNS === 0 ? 'csv-source' : 'filter';
    nodes.push({ id: `s${i}`, kind, position: { x: (i % COLUMNS) * 280, y: Math.floor(i / COLUMNS) * 140 }, config: getKind(kind)!.defaults() as Record<string, unknown> });
    if (i % COLUMNS !== 0) edges.push({ id: `e${i}`, source: `s${i - 1}`, target: `s${i}` });
  }
  const res = await request.post('/api/integrations', { data: { name: `Bench ${n} steps`, graph: { version: 1, nodes, edges } } });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Waits until the canvas stops moving: it re-fits (animated) when the side panel opens or closes after the page opens. */
async function settled(page: Page) {
  let last = '';
  for (let same = 0; same < 4; ) {
    await page.waitForTimeout(150);
    const now = (await page.locator('.react-flow__viewport').getAttribute('style')) ?? '';
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/**
 * Two drags of a step, each 60 mouse moves (about 240 px across with a ±40 px swing):
 * - `within`: a step in the middle of the flow, moved inside the canvas as a person moves a step (the second drag
 *   brings it back), the figure that counts;
 * - `edge`: step s1 in the flow's first row, the drag the figures before 2026-12-06's fifth session measured: its
 *   upward swing leaves the canvas' top edge, where React Flow used to pan the whole flow on every frame (auto-pan,
 *   now off in the overview).
 */
type Gesture = 'within' | 'edge';

/** Drags a step in 60 moves while counting animation frames; fps and the longest frame. `back`: leftwards. */
async function dragFps(page: Page, nodeId: string, back: boolean, trace?: string) {
  const node = page.locator(`.react-flow__node[data-id="${nodeId}"]`);
  // Each drag starts from the whole flow in view (the Fit button), grabbed once the canvas is still: it re-fits when
  // the side panel opens or closes, and a box taken during a re-fit lands beside the step.
  await page.getByRole('button', { name: 'Fit the whole flow in view' }).click();
  await settled(page);
  const box = await node.boundingBox({ timeout: 30_000 });
  if (!box) throw new Error(`step ${nodeId} is not drawn: ${await node.evaluate((e) => e.outerHTML.slice(0, 400)).catch(() => 'not in the page')}`);
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__frames = [];
    w.__stop = false;
    const tick = (t: number) => {
      w.__frames.push(t);
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const [before, zoom] = await node.evaluate((e) => [
    new DOMMatrixReadOnly(getComputedStyle(e).transform).e,
    new DOMMatrixReadOnly(getComputedStyle(e.closest('.react-flow__viewport')!).transform).a,
  ]);
  const x = box.x + box.width / 2;
  // Inside the card at any zoom (a 500-step overview draws it a few pixels high).
  const y = box.y + Math.min(20, box.height / 2);
  await page.mouse.move(x, y);
  const cdp = trace ? await page.context().newCDPSession(page) : null;
  const events: unknown[] = [];
  if (cdp) {
    cdp.on('Tracing.dataCollected', (e: { value: unknown[] }) => events.push(...e.value));
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,blink,cc,viz,disabled-by-default-v8.cpu_profiler', transferMode: 'ReportEvents' });
  }
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) await page.mouse.move(x + (back ? -i : i) * 4, y + Math.sin(i / 6) * 40);
  await page.mouse.up();
  if (cdp && trace) {
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.end');
    await done;
    writeFileSync(trace, JSON.stringify({ traceEvents: events }));
    await cdp.detach();
  }
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return w.__frames;
  });
  // A drag that did not move the step measured nothing. In flow px times the zoom the drag had: the canvas re-fits
  // when the side panel opens on the drop.
  // Read once the drop has settled: at 500 steps an unselected step's element is drawn anew just after the drop (it
  // leaves the overview picture to draw itself, selected), and the old one, already detached, reads as no transform.
  await page.waitForTimeout(400);
  const after = await node.evaluate((e) => new DOMMatrixReadOnly(getComputedStyle(e).transform).e);
  const moved = (after - before) * zoom * (back ? -1 : 1);
  if (moved < 120) throw new Error(`step ${nodeId} moved ${moved.toFixed(0)} px of the drag's 240 (flow x ${before} → ${after}, zoom ${zoom}, grabbed at ${x.toFixed(0)},${y.toFixed(0)})`);
  const gaps = frames.slice(1).map((t, i) => t - frames[i]!);
  const span = frames[frames.length - 1]! - frames[0]!;
  return { fps: ((frames.length - 1) * 1000) / span, longest: Math.max(...gaps) };
}

/** An unselected step grabbed and dragged (the inspector opens on drop), then the same step, selected. */
async function drags(page: Page, n: number, gesture: Gesture) {
  // `within`: the middle row's fifth step; `edge`: the first row's second.
  const nodeId = gesture === 'within' ? `s${Math.floor(n / COLUMNS / 2) * COLUMNS + 4}` : 's1';
  // BENCH_TRACE=<dir>: a Chrome trace of each drag (open in DevTools' Performance panel); it slows the drag.
  const trace = process.env.BENCH_TRACE;
  const unselected = await dragFps(page, nodeId, false, trace && `${trace}/drag-${n}-${gesture}-unselected.json`);
  const selected = await dragFps(page, nodeId, gesture === 'within', trace && `${trace}/drag-${n}-${gesture}-selected.json`);
  const cell = (d: { fps: number; longest: number }) => `${d.fps.toFixed(0)} fps (${d.longest.toFixed(0)} ms)`;
  return `${cell(unselected)} / ${cell(selected)}`;
}

/** Types 20 characters into the selected step's name; time from each keydown to the frame after it. */
async function inputToPaint(page: Page) {
  const input = page.getByTestId('node-label-input');
  await input.click();
  await page.evaluate(() => {
    const w = window as unknown as { __lat: number[] };
    w.__lat = [];
    document.addEventListener(
      'keydown',
      () => {
        const t0 = performance.now();
        requestAnimationFrame(() => setTimeout(() => w.__lat.push(performance.now() - t0), 0));
      },
      true,
    );
  });
  for (const ch of 'Orders from the shop') {
    await page.keyboard.type(ch);
    await page.waitForTimeout(30);
  }
  await page.waitForTimeout(200);
  const lat = (await page.evaluate(() => (window as unknown as { __lat: number[] }).__lat)).sort((a, b) => a - b);
  return { p50: lat[Math.floor(lat.length / 2)]!, max: lat[lat.length - 1]! };
}

test('drag fps and input-to-paint at 50, 200 and 500 steps', async ({ page, request }) => {
  test.setTimeout(600_000);
  const rows: string[] = [];
  for (const n of SIZES) {
    const id = await bigIntegration(request, n);
    const opened = Date.now();
    await page.goto('/#/');
    await page.goto(`/#/integrations/${id}`);
    await expect(page.locator('.react-flow__node')).toHaveCount(n, { timeout: 120_000 });
    const openMs = Date.now() - opened;
    const load = loadavg()[0]!;
    const within = await drags(page, n, 'within');
    const edge = await drags(page, n, 'edge');
    const typing = await inputToPaint(page);
    rows.push(`| ${n} | ${load.toFixed(1)} | ${openMs} ms | ${within} | ${edge} | ${typing.p50.toFixed(0)} ms (max ${typing.max.toFixed(0)} ms) |`);
  }
  console.log(
    [
      '',
      'Drags: frames per second (longest frame), unselected step / selected step.',
      '| steps | load (1 min) | open to all drawn | drag within the canvas | drag over the top edge (s1) | input-to-paint, typing a name (p50) |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
  // The largest flow as it opens, at both window sizes (docs/screenshots), after the figures are taken.
  const n = Math.max(...SIZES);
  if (n >= 500) {
    const id = await bigIntegration(request, n);
    for (const size of [
      { width: 1440, height: 900 },
      { width: 1024, height: 700 },
    ]) {
      await page.setViewportSize(size);
      await page.goto('/#/');
      await page.goto(`/#/integrations/${id}`);
      await expect(page.locator('.react-flow__node')).toHaveCount(n, { timeout: 120_000 });
      await settled(page);
      await page.screenshot({ path: resolve(import.meta.dirname, `../docs/screenshots/designer-${n}-steps-${size.width}x${size.height}.png`) });
    }
  }
});
