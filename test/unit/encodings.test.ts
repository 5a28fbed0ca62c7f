/**
 * Encodings: every byte decodes to the right character, and the report names the encoding it found.
 * Each file carries the special characters in a value that the report quotes back, so a wrong decoding shows.
 */
import iconv from 'iconv-lite';
import { createSchemaRegistry, validateFeedFile } from '../../src/validate/index.js';
import { FLAT_ADJUSTMENT_HEADER, flatAdjustmentRow, xmlFeed } from '../helpers/feeds.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir();
const schemas = createSchemaRegistry();
afterAll(() => tmp.cleanup());

const POLISH = 'Zażółć gęślą jaźń ĄĘŁŃÓŚŹŻ ąęłńóśźż';
const WESTERN = 'Rückgabe 5 € – “Grüße” é';
const BOM_UTF8 = Buffer.from([0xef, 0xbb, 0xbf]);
const BOM_UTF16LE = Buffer.from([0xff, 0xfe]);

/** An inventory message whose SKU is too long, so the report quotes the value... */
function inventoryWithSku(sku: string): string {
  return xmlFeed(
    'Inventory',
    `<Message><MessageID>1</MessageID><Inventory><SKU>${sku}</SKU><Quantity>1</Quantity></Inventory></Message>\n`,
  );
}

/** ...and a flat adjustment row whose reason code is not a reason, so the report quotes it too. */
function flatWithReason(reason: string): string {
  return `${FLAT_ADJUSTMENT_HEADER}\r\n${flatAdjustmentRow(1)}\r\n${flatAdjustmentRow(2, reason)}\r\n`;
}

describe('encodings', () => {
  it('reads a windows-1252 flat file with €, curly quotes and é exactly', async () => {
    const bytes = iconv.encode(flatWithReason(WESTERN), 'win1252');
    expect(bytes.includes(0x80)).toBe(true); // € is 0x80 in windows-1252, where ISO-8859-1 and TextDecoder go wrong
    const report = await validateFeedFile(schemas, tmp.file('cp1252.txt', bytes));
    expect(report.encoding).toBe('windows-1252');
    expect(report.summary.messagesWithError).toBe(1);
    expect(report.results[0]?.description).toContain(`the value '${WESTERN}' is not one of`);
  });

  it('reads UTF-8 with a BOM holding Polish letters', async () => {
    const sku = `${POLISH} ${POLISH}`.slice(0, 45);
    const report = await validateFeedFile(
      schemas,
      tmp.file('bom.xml', Buffer.concat([BOM_UTF8, Buffer.from(inventoryWithSku(sku))])),
    );
    expect(report.encoding).toBe('UTF-8');
    expect(report.results[0]?.description).toContain(`The value '${sku}' has a length of '45'`);
    expect(report.results[0]?.position).toEqual({ line: 5, column: 45, element: 'SKU' });
    const flat = await validateFeedFile(
      schemas,
      tmp.file('bom.txt', Buffer.concat([BOM_UTF8, Buffer.from(flatWithReason(POLISH))])),
    );
    expect(flat.encoding).toBe('UTF-8');
    expect(flat.results[0]?.description).toContain(`the value '${POLISH}' is not one of`);
  });

  it('reads UTF-16LE with a BOM, XML and flat', async () => {
    const xml = inventoryWithSku(`${POLISH}${POLISH}`).replace('encoding="UTF-8"', 'encoding="UTF-16"');
    const report = await validateFeedFile(
      schemas,
      tmp.file('utf16.xml', Buffer.concat([BOM_UTF16LE, iconv.encode(xml, 'utf16le')])),
    );
    expect(report.encoding).toBe('UTF-16LE');
    expect(report.statusCode).toBe('Complete');
    expect(report.results[0]?.description).toContain(POLISH);
    const flat = await validateFeedFile(
      schemas,
      tmp.file('utf16.txt', Buffer.concat([BOM_UTF16LE, iconv.encode(flatWithReason(POLISH), 'utf16le')])),
    );
    expect(flat.encoding).toBe('UTF-16LE');
    expect(flat.results[0]?.description).toContain(POLISH);
  });

  it('reads UTF-16BE with a BOM', async () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(flatWithReason(POLISH), 'utf16be')]);
    const flat = await validateFeedFile(schemas, tmp.file('utf16be.txt', bytes));
    expect(flat.encoding).toBe('UTF-16BE');
    expect(flat.results[0]?.description).toContain(`the value '${POLISH}' is not one of`);
  });

  it('honours the encoding an XML declaration names', async () => {
    const xml = inventoryWithSku(`Café crème brûlée à la carte, très épicé!!`).replace(
      'encoding="UTF-8"',
      'encoding="ISO-8859-1"',
    );
    const report = await validateFeedFile(schemas, tmp.file('latin1.xml', iconv.encode(xml, 'latin1')));
    expect(report.encoding).toBe('ISO-8859-1');
    expect(report.results[0]?.description).toContain('Café crème brûlée à la carte, très épicé!!');
  });

  it('rejects XML whose bytes are not the UTF-8 it declares', async () => {
    const report = await validateFeedFile(
      schemas,
      tmp.file('liar.xml', iconv.encode(inventoryWithSku('Grüße'), 'latin1')),
    );
    expect(report.statusCode).toBe('Rejected');
    expect(report.results[0]).toMatchObject({
      resultMessageCode: 5001,
      description: expect.stringMatching(/could not be decoded as UTF-8/),
    });
  });

  it('treats CRLF and LF alike', async () => {
    const crlf = await validateFeedFile(schemas, tmp.file('crlf.txt', flatWithReason('Nope')));
    const lf = await validateFeedFile(schemas, tmp.file('lf.txt', flatWithReason('Nope').replace(/\r\n/g, '\n')));
    expect(crlf.results).toEqual(lf.results);
    expect(crlf.results[0]?.description).toContain("the value 'Nope' is not one of");
  });
});
