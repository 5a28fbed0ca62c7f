/**
 * The completeness guard of the drop folder (issue 4): real files as writers leave them — half written,
 * preallocated and not yet filled, finished — in the encodings feeds come in.
 */
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileCompleteness } from '../../src/ingest/completeness.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir('feedproc-complete-');
afterAll(() => tmp.cleanup());

const XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>M1</MerchantIdentifier></Header>' +
  '<MessageType>Inventory</MessageType><Message><MessageID>1</MessageID><Inventory><SKU>KUBEK-Ż</SKU><Quantity>3</Quantity></Inventory></Message></AmazonEnvelope>\n';
const FLAT = 'sku\tquantity\nKUBEK-Ż\t3\n';

let n = 0;
const file = async (content: string | Buffer): Promise<string> => {
  const path = join(tmp.dir, `f${(n += 1)}`);
  await writeFile(path, content);
  return path;
};

describe('fileCompleteness', () => {
  it('accepts a finished XML feed, with whitespace, a comment or a processing instruction after the envelope', async () => {
    expect(await fileCompleteness(await file(XML))).toBe('complete');
    expect(await fileCompleteness(await file(`${XML}<!-- exported 2026-11-26 -->\n<?done?>\n\n`))).toBe('complete');
    expect(await fileCompleteness(await file(`\uFEFF${XML}`))).toBe('complete');
  });

  it('waits for an XML feed cut anywhere before its closing envelope', async () => {
    for (const cut of [10, XML.indexOf('<Message>'), XML.length - 3, XML.indexOf('</AmazonEnvelope>')]) {
      expect([cut, await fileCompleteness(await file(XML.slice(0, cut)))]).toEqual([cut, 'incomplete']);
    }
  });

  it('accepts a flat file whose last line is ended (LF, CRLF or CR) and waits for one that is not', async () => {
    expect(await fileCompleteness(await file(FLAT))).toBe('complete');
    expect(await fileCompleteness(await file(FLAT.replace(/\n/g, '\r\n')))).toBe('complete');
    expect(await fileCompleteness(await file(FLAT.replace(/\n/g, '\r')))).toBe('complete');
    expect(await fileCompleteness(await file(FLAT.slice(0, -1)))).toBe('incomplete');
  });

  it('waits for a preallocated file (final size first, zero bytes then filled) until its last bytes are written', async () => {
    const content = Buffer.from(XML, 'utf8');
    const path = join(tmp.dir, 'preallocated.xml');
    const handle = await open(path, 'w');
    await handle.truncate(content.length); // the final size, all zeros
    expect(await fileCompleteness(path)).toBe('incomplete');
    await handle.write(content, 0, content.length - 40, 0);
    expect(await fileCompleteness(path)).toBe('incomplete');
    await handle.write(content, content.length - 40, 40, content.length - 40);
    await handle.close();
    expect(await fileCompleteness(path)).toBe('complete');
  });

  it('reads UTF-16 files by their byte-order mark, both byte orders, and sees their zero padding', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(XML, 'utf16le')]);
    const be = Buffer.from(le).swap16();
    expect(await fileCompleteness(await file(le))).toBe('complete');
    expect(await fileCompleteness(await file(be))).toBe('complete');
    expect(await fileCompleteness(await file(le.subarray(0, le.length - 20)))).toBe('incomplete');
    expect(await fileCompleteness(await file(Buffer.concat([le.subarray(0, 200), Buffer.alloc(400)])))).toBe(
      'incomplete',
    );
    const flat = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(FLAT, 'utf16le')]);
    expect(await fileCompleteness(await file(flat))).toBe('complete');
    expect(await fileCompleteness(await file(flat.subarray(0, flat.length - 2)))).toBe('incomplete');
  });

  it('calls an empty file empty', async () => {
    expect(await fileCompleteness(await file(''))).toBe('empty');
  });
});
