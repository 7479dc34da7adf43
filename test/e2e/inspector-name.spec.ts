// The designer's inspector: a step name longer than its box ends in "…" and can be read whole (its title on hover;
// focused, the box scrolls through it). ui15 saw it cut without a mark at 1024 px (tidy16).
import { resolve } from 'node:path';
import { getKind } from '../../shared';
import type { Graph } from '../../shared/graph/schema';
import { expect, SHOTS, test } from './helpers';

const LONG = 'Customers from the November shop export, cleaned of test accounts and merged with the CRM owners list';

for (const [width, height] of [
  [1024, 700],
  [1440, 900],
] as const) {
  test(`a long step name ends in "…" and is shown whole on hover, at ${width}×${height}`, async ({ page, request }) => {
    await page.setViewportSize({ width, height });
    const nodes = ['csv-source', 'map'].map((kind, i) => ({ id: `n${i + 1}`, kind, label: i === 1 ? LONG : '', position: { x: i * 280, y: 0 }, config: getKind(kind)!.defaults() as Record<string, unknown> }));
    const graph: Graph = { version: 1, nodes, edges: [{ id: 'e1-2', source: 'n1', target: 'n2' }] };
    const res = await request.post('/api/integrations', { data: { name: `Inspector name ${width}`, graph } });
    expect(res.status(), await res.text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await page.goto(`/#/integrations/${id}`);
    await page.locator('.react-flow__node[data-id="n2"]').click();
    const input = page.getByTestId('node-label-input');
    await expect(input).toHaveValue(LONG);
    await expect(input).toHaveAttribute('title', LONG);
    const style = await input.evaluate((el: HTMLInputElement) => ({ overflow: getComputedStyle(el).textOverflow, cut: el.scrollWidth > el.clientWidth }));
    // The name is longer than the box at both sizes, so the mark shows.
    expect(style).toEqual({ overflow: 'ellipsis', cut: true });
    await page.screenshot({ path: resolve(SHOTS, `tidy16-inspector-name-${width}x${height}.png`) });
    await input.hover();
    // A short name, or none (the kind's name shows), carries its own title too.
    await input.fill('Map');
    await expect(input).toHaveAttribute('title', 'Map');
    await input.fill('');
    await expect(input).toHaveAttribute('title', 'Map fields');
  });
}
