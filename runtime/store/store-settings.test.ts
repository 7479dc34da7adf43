// The embedded store's settings from the environment: hostile values are refused with the setting's name, never passed
// on to PGlite's start as more than one setting, never read as something else.
import { describe, expect, it } from 'vitest';
import { pgliteSharedBuffers } from './engines';
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
});
