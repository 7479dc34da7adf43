import { describe, expect, it } from 'vitest';
import { createPartGate, defaultPartsInFlight, MAX_DEFAULT_PARTS_IN_FLIGHT } from './part-gate';

const cancelled = () => new Error('cancelled');
const MB = 1024 * 1024;

describe('the worker-wide gate on parts read at once', () => {
  it('lets the cap in, queues the rest in order, and hands each freed place to the next waiter', async () => {
    const gate = createPartGate(2);
    const signal = new AbortController().signal;
    const a = await gate.enter(signal, cancelled);
    const b = await gate.enter(signal, cancelled);
    const order: string[] = [];
    const c = gate.enter(signal, cancelled).then((release) => (order.push('c'), release));
    const d = gate.enter(signal, cancelled).then((release) => (order.push('d'), release));
    await Promise.resolve();
    expect([gate.inFlight, gate.waiting, order]).toEqual([2, 2, []]);
    a();
    a(); // a second release of the same place frees nothing more
    const releaseC = await c;
    expect([gate.inFlight, gate.waiting, order]).toEqual([2, 1, ['c']]);
    // A newcomer waits behind d, though a place is about to free.
    const e = gate.enter(signal, cancelled).then((release) => (order.push('e'), release));
    b();
    const releaseD = await d;
    releaseC();
    const releaseE = await e;
    expect(order).toEqual(['c', 'd', 'e']);
    releaseD();
    releaseE();
    expect([gate.inFlight, gate.waiting]).toEqual([0, 0]);
  });

  it('a part cancelled while it waits leaves the queue without taking a place', async () => {
    const gate = createPartGate(1);
    const release = await gate.enter(new AbortController().signal, cancelled);
    const stop = new AbortController();
    const waiting = gate.enter(stop.signal, cancelled);
    const next = gate.enter(new AbortController().signal, cancelled);
    expect(gate.waiting).toBe(2);
    stop.abort();
    await expect(waiting).rejects.toThrow('cancelled');
    expect(gate.waiting).toBe(1);
    release();
    const releaseNext = await next;
    expect([gate.inFlight, gate.waiting]).toEqual([1, 0]);
    releaseNext();
    expect(gate.inFlight).toBe(0);
    const aborted = new AbortController();
    aborted.abort();
    await expect(gate.enter(aborted.signal, cancelled)).rejects.toThrow('cancelled');
    expect(gate.inFlight).toBe(0);
  });

  it('refuses a cap that is not a whole number from 1', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => createPartGate(bad)).toThrow(/whole number/);
  });

  it('defaults from the heap: a quarter of it over a part budget that grows with the batch size, 1 to 8', () => {
    expect(defaultPartsInFlight(5_000, 172 * MB)).toBe(1); // `npm run worker`: a 160 MB heap cap
    expect(defaultPartsInFlight(5_000, 512 * MB)).toBe(2);
    expect(defaultPartsInFlight(5_000, 2060 * MB)).toBe(MAX_DEFAULT_PARTS_IN_FLIGHT);
    expect(defaultPartsInFlight(5_000, 64 * 1024 * MB)).toBe(MAX_DEFAULT_PARTS_IN_FLIGHT);
    expect(defaultPartsInFlight(20_000, 2060 * MB)).toBe(2);
    expect(defaultPartsInFlight(100, 512 * MB)).toBe(2); // smaller batches are not budgeted below one 5,000-row window
    expect(defaultPartsInFlight(5_000, 16 * MB)).toBe(1);
  });
});
