/** Finding the header row and the feed kind of flat files, and message ids that cannot be trusted. */
import { createSchemaRegistry, validateFeedFile } from '../../src/validate/index.js';
import { adjustmentMessage, xmlFeed } from '../helpers/feeds.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir();
const schemas = createSchemaRegistry();
afterAll(() => tmp.cleanup());

describe('flat layout', () => {
  it('skips a template row and a label row that happens to contain column names in another case', async () => {
    const file =
      'TemplateType=PriceInventory\tVersion=2018.0924\tx\nSKU\tPrice\tHandling Time\nsku\tprice\thandling-time\nA1\t9.99\t2\nA2\t10\t3\n';
    const report = await validateFeedFile(schemas, tmp.file('labels.txt', file));
    expect(report.feedType).toBe('_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_');
    expect(report.summary).toEqual({
      messagesProcessed: 2,
      messagesSuccessful: 2,
      messagesWithError: 0,
      messagesWithWarning: 0,
    });
    expect(report.results).toEqual([]);
  });

  it('still accepts a hand-made header written in capitals', async () => {
    const report = await validateFeedFile(schemas, tmp.file('caps.txt', 'SKU\tQUANTITY\nA1\t4\n'));
    expect(report.feedType).toBe('_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_');
    expect(report.summary.messagesSuccessful).toBe(1);
  });

  it('does not let a misspelled heading turn a price & quantity file into an inventory loader', async () => {
    const report = await validateFeedFile(
      schemas,
      tmp.file('typo.txt', 'sku\tprice\tfulfillment-channel\tnote\nA1\t9.99\tDEFAULT\tx\n'),
    );
    expect(report.feedType).toBe('_POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA_');
    expect(report.results.map((r) => [r.messageId, r.resultMessageCode])).toEqual([['0', 90061]]);
  });

  it('rejects impossible calendar dates in flat date columns', async () => {
    const file =
      'order-id\tship-date\n405-3812004-6650731\t2026-02-29\n405-3812004-6650732\t2024-02-29T10:00:00+01:00\n';
    const report = await validateFeedFile(schemas, tmp.file('dates.txt', file));
    expect(report.results.map((r) => r.messageId)).toEqual(['1']);
    expect(report.results[0]?.description).toBe(
      "Row 1, column ship-date: the value '2026-02-29' is not a date as yyyy-mm-dd, or a date and time such as 2026-06-20T15:30:00+02:00.",
    );
  });
});

describe('message ids', () => {
  it("reports a message with an unusable MessageID under id 0, never under another message's id", async () => {
    const bad = (id: string) =>
      adjustmentMessage(7)
        .replace('<MessageID>7</MessageID>', `<MessageID>${id}</MessageID>`)
        .replace('<QuantityCancelled>1', '<QuantityCancelled>0');
    const report = await validateFeedFile(
      schemas,
      tmp.file('ids.xml', xmlFeed('OrderAdjustment', bad('5') + bad('0') + bad('2'))),
    );
    expect(report.results.map((r) => r.messageId)).toEqual(['0', '2', '5']);
    expect(report.results[0]?.description).toMatch(
      /^XML Parsing Error at Line 6, Column \d+: Element 'MessageID': '0' is not a valid value/,
    );
  });
});
