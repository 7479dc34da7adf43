// What a set of values holds on the heap: measured by releasing them between two full collections (for tests that
// values handed on keep no larger text alive, e.g. a V8 slice view on a whole read buffer).
import v8 from 'node:v8';
import vm from 'node:vm';

/** MB the heap shrinks by when `release` drops the values it holds (two full collections before and after). */
export function heapFreedMb(release: () => void): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  release();
  gc();
  gc();
  return (before - process.memoryUsage().heapUsed) / 1e6;
}
