// The embedded store's settings from the environment: hostile values are refused with the setting's name, never passed
// on to PGlite's start as more than one setting, never read as something else.
import { describe, expect, it } from 'vitest';
import { pgliteSharedBuffers } from './engines';
import { mallocMmapThreshold } from './pglite-process';
import { vacuumIdle } from './pglite-server';

const HOSTILE = ['', ' ', '8MB -c fsync=off', '8MB\n', '8\u0000MB', '__proto__', 'constructor', '0MB', '08MB', '-8MB', '8.5MB', '9007199254740993MB', '8mb', '8 MB'];

describe('store settings from the environment', () => {
  it('WEFT_PGLITE_SHARED_BUFFERS: a size, 8MB when unset; anything else refused by name', () => {
    expect(pgliteSharedBuffers(undefined)).toBe('8MB');
    for (const ok of ['16MB', '512kB', '1GB']) expect(pgliteSharedBuffers(ok)).toBe(ok);
    for (const bad of HOSTILE) expect(() => pgliteSharedBuffers(bad), JSON.stringify(bad)).toThrow(/WEFT_PGLITE_SHARED_BUFFERS must be a size/);
  });

  it('WEFT_PGLITE_VACUUM_IDLE_MS: whole milliseconds, 5000 when unset, 0 for never; anything else refused by name', () => {
    expect(vacuumIdle(undefined)).toBe(5_000);
    expect(vacuumIdle('0')).toBe(0);
    expect(vacuumIdle('250')).toBe(250);
    for (const bad of [...HOSTILE, '007', '1e3', 'NaN', 'Infinity', '-1', '5000.5', '9007199254740993']) expect(() => vacuumIdle(bad), JSON.stringify(bad)).toThrow(/WEFT_PGLITE_VACUUM_IDLE_MS must be whole milliseconds/);
  });

  it('MALLOC_MMAP_THRESHOLD_ for the store process: whole bytes up to 32 MB, 16384 when unset or empty; anything else refused by name', () => {
    expect(mallocMmapThreshold(undefined)).toBe('16384');
    expect(mallocMmapThreshold('')).toBe('16384');
    for (const ok of ['0', '16384', '131072', '33554432']) expect(mallocMmapThreshold(ok)).toBe(ok);
    for (const bad of [...HOSTILE.filter((h) => h !== ''), '${MALLOC_MMAP_THRESHOLD_:-16384}', '016384', '0x4000', '16384 ', '16k', '33554433', '9007199254740993', '-1', '1e4']) {
      expect(() => mallocMmapThreshold(bad), JSON.stringify(bad)).toThrow(/MALLOC_MMAP_THRESHOLD_ must be whole bytes from 0 to 33554432/);
    }
  });
});
