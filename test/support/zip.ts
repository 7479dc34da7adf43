// A small in-memory zip writer for tests: entries deflated (as most tools write them) or stored, no dependency.
// (test/support/xlsx-test-writer.ts streams large workbooks to disk instead.)
import { crc32, deflateRawSync } from 'node:zlib';

export function zipBuffer(entries: Record<string, string | Buffer>, opts: { method?: 'deflate' | 'store' } = {}): Buffer {
  return zipOf(Object.entries(entries).map(([name, content]) => ({ name, content })), opts);
}

/**
 * The same from a list, for what a Record cannot say: two entries of one name, or a forged size (`declaredSize`,
 * written as the uncompressed size in both headers instead of the real one).
 */
export function zipOf(entries: { name: string; content: string | Buffer; declaredSize?: number }[], opts: { method?: 'deflate' | 'store' } = {}): Buffer {
  const deflate = opts.method !== 'store';
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, content, declaredSize } of entries) {
    const raw = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const data = deflate ? deflateRawSync(raw) : raw;
    const nameBuf = Buffer.from(name);
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(declaredSize ?? raw.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(declaredSize ?? raw.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
