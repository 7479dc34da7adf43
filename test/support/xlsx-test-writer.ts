// Test support: writes .xlsx workbooks part by part (sheet XML given as <row> elements), streamed into a zip
// with data descriptors, so tests can make any cell type Excel writes and workbooks larger than memory.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createDeflateRaw, crc32 } from 'node:zlib';

export interface TestSheet {
  name: string;
  /** `<row>` elements, or anything else that belongs inside `<sheetData>`. */
  rows: Iterable<string> | AsyncIterable<string>;
  hidden?: boolean;
}

export interface TestWorkbook {
  sheets: TestSheet[];
  /** The inner XML of each `<si>` of the shared strings part (rich text runs welcome). */
  sharedStrings?: string[];
  /** Custom number formats by id (>= 164). */
  numFmts?: Record<number, string>;
  /** The number format id of each cell style, by style index (`s`); style 0 is General when absent. */
  cellXfs?: number[];
  date1904?: boolean;
  /** Write every element with this namespace prefix (`x:row`), as some .NET writers do. */
  prefix?: string;
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** Writes the workbook; sheets come before the shared strings in the zip, as nothing promises their order. */
export async function writeXlsx(path: string, wb: TestWorkbook): Promise<void> {
  const p = wb.prefix ? `${wb.prefix}:` : '';
  const xmlns = wb.prefix ? `xmlns:${wb.prefix}="${NS}"` : `xmlns="${NS}"`;
  const sheetRels = wb.sheets.map((s, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`);
  const parts: [string, Iterable<string> | AsyncIterable<string>][] = [
    ['[Content_Types].xml', [`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`]],
    ['_rels/.rels', [`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`]],
    [
      'xl/workbook.xml',
      [
        `<?xml version="1.0" encoding="UTF-8"?><${p}workbook ${xmlns} xmlns:r="${REL}">${wb.date1904 ? `<${p}workbookPr date1904="1"/>` : ''}<${p}sheets>`,
        ...wb.sheets.map((s, i) => `<${p}sheet name="${esc(s.name)}" sheetId="${i + 1}"${s.hidden ? ' state="hidden"' : ''} r:id="rId${i + 1}"/>`),
        `</${p}sheets></${p}workbook>`,
      ],
    ],
    [
      'xl/_rels/workbook.xml.rels',
      [
        `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`,
        ...sheetRels,
        `<Relationship Id="rIdS" Type="${REL}/styles" Target="styles.xml"/><Relationship Id="rIdT" Type="${REL}/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>`,
      ],
    ],
    [
      'xl/styles.xml',
      [
        `<?xml version="1.0" encoding="UTF-8"?><${p}styleSheet ${xmlns}><${p}numFmts>`,
        ...Object.entries(wb.numFmts ?? {}).map(([id, code]) => `<${p}numFmt numFmtId="${id}" formatCode="${esc(code)}"/>`),
        `</${p}numFmts><${p}cellStyleXfs><${p}xf numFmtId="14"/></${p}cellStyleXfs><${p}cellXfs>`,
        ...(wb.cellXfs ?? [0]).map((id) => `<${p}xf numFmtId="${id}" applyNumberFormat="1"/>`),
        `</${p}cellXfs></${p}styleSheet>`,
      ],
    ],
    ...wb.sheets.map((s, i): [string, AsyncIterable<string>] => [`xl/worksheets/sheet${i + 1}.xml`, sheetXml(s, p, xmlns)]),
    ['xl/sharedStrings.xml', [`<?xml version="1.0" encoding="UTF-8"?><${p}sst ${xmlns}>`, ...(wb.sharedStrings ?? []).map((si) => `<${p}si>${si}</${p}si>`), `</${p}sst>`]],
  ];
  await writeZip(path, parts);
}

async function* sheetXml(sheet: TestSheet, p: string, xmlns: string): AsyncGenerator<string> {
  yield `<?xml version="1.0" encoding="UTF-8"?><${p}worksheet ${xmlns}><${p}sheetData>`;
  let pending = '';
  for await (const row of sheet.rows) {
    pending += row;
    if (pending.length > 64 * 1024) {
      yield pending;
      pending = '';
    }
  }
  yield `${pending}</${p}sheetData></${p}worksheet>`;
}

/** A deflated zip whose entries' sizes and checksums follow their data (general purpose flag bit 3). */
async function writeZip(path: string, parts: [string, Iterable<string> | AsyncIterable<string>][]): Promise<void> {
  const out = createWriteStream(path);
  let position = 0;
  const write = async (b: Buffer) => {
    position += b.length;
    if (!out.write(b)) await once(out, 'drain');
  };
  const central: Buffer[] = [];
  for (const [name, chunks] of parts) {
    const nameBuf = Buffer.from(name);
    const offset = position;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x08, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(nameBuf.length, 26);
    await write(Buffer.concat([local, nameBuf]));
    const deflate = createDeflateRaw({ level: 1 });
    const compressed: Buffer[] = [];
    deflate.on('data', (c: Buffer) => compressed.push(c));
    let crc = 0;
    let size = 0;
    let csize = 0;
    const flush = async () => {
      for (const c of compressed.splice(0)) {
        csize += c.length;
        await write(c);
      }
    };
    for await (const s of chunks) {
      const b = Buffer.from(s);
      crc = crc32(b, crc);
      size += b.length;
      if (!deflate.write(b)) await once(deflate, 'drain');
      await flush();
    }
    const ended = once(deflate, 'end');
    deflate.end();
    await ended;
    await flush();
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(csize, 8);
    descriptor.writeUInt32LE(size, 12);
    await write(descriptor);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x08, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(csize, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(nameBuf.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBuf);
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(position, 16);
  await write(Buffer.concat([cd, end]));
  out.end();
  await once(out, 'finish');
}
