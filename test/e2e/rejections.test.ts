/**
 * Files that are unusable as a whole are rejected — status Rejected, one result with MessageID 0, nothing
 * counted as processed or successful — even when the defect is at the very end. Problems of one message stay
 * that message's.
 */
import { randomBytes } from 'node:crypto';
import type { Report } from '../../src/core/types.js';
import { createSchemaRegistry, validateFeedFile } from '../../src/validate/index.js';
import { runCli } from '../helpers/cli.js';
import {
  FLAT_ADJUSTMENT_HEADER,
  adjustmentFeed,
  adjustmentMessage,
  flatAdjustmentRow,
  xmlFeed,
} from '../helpers/feeds.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir();
const schemas = createSchemaRegistry();
afterAll(() => tmp.cleanup());

const validate = (name: string, content: string | Buffer): Promise<Report> =>
  validateFeedFile(schemas, tmp.file(name, content));

function expectRejected(report: Report, code: number, text: RegExp): void {
  expect(report.statusCode).toBe('Rejected');
  expect(report.summary).toEqual({
    messagesProcessed: 0,
    messagesSuccessful: 0,
    messagesWithError: 0,
    messagesWithWarning: 0,
  });
  expect(report.results[0]).toMatchObject({ messageId: '0', resultCode: 'Error', resultMessageCode: code });
  expect(report.results[0]?.description).toMatch(text);
}

describe('whole-file rejection', () => {
  it('rejects a feed whose last message is not well-formed, and counts none of the good ones', async () => {
    const good = Array.from({ length: 200 }, (_, i) => adjustmentMessage(i + 1)).join('');
    const broken = '<Message><MessageID>201</MessageID><OrderAdjustment></Message>\n';
    const report = await validate('last-broken.xml', xmlFeed('OrderAdjustment', good + broken));
    expectRejected(report, 5001, /Line 205, Column \d+: .*close tag/);
    expect(report.results).toHaveLength(1);
  });

  it('rejects a truncated feed', async () => {
    const full = adjustmentFeed(50);
    const report = await validate('truncated.xml', full.slice(0, Math.floor(full.length * 0.7)));
    expectRejected(report, 5001, /unclosed tag|XML Parsing Fatal Error/);
  });

  it('rejects a DOCTYPE at once: a billion-laughs file is refused without expanding anything', async () => {
    const lol = [
      '<!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
    ];
    const file = tmp.file(
      'laughs.xml',
      `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${lol.join('\n')}\n]>\n<lolz>&lol9;</lolz>\n`,
    );
    // A heap cap far below what one expansion would need: the process would die instead of answering.
    const run = await runCli(['validate', '--format', 'json', file], {
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=48' },
    });
    expect(run.code).toBe(4);
    const report = JSON.parse(run.stdout) as {
      statusCode: string;
      results: Array<{ resultMessageCode: number; description: string }>;
    };
    expect(report.statusCode).toBe('Rejected');
    expect(report.results[0]?.resultMessageCode).toBe(5001);
    expect(report.results[0]?.description).toMatch(/DOCTYPE/);
  });

  it('rejects an unsupported MessageType', async () => {
    const report = await validate('product.xml', xmlFeed('Price', adjustmentMessage(1)));
    expectRejected(report, 5001, /MessageType 'Price' is not supported/);
  });

  it('rejects an empty file and a whitespace-only file', async () => {
    expectRejected(await validate('empty.xml', ''), 97001, /empty/);
    expectRejected(await validate('blank.txt', '\n \r\n\t\n'), 97001, /empty/);
  });

  it('rejects a binary file', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      randomBytes(2048),
    ]);
    expectRejected(await validate('image.png', png), 97002, /not a text feed/);
  });

  it('rejects a flat file without a required column (90012), listing every missing one', async () => {
    const header = FLAT_ADJUSTMENT_HEADER.replace('order-item-id\t', '').replace('currency\t', '');
    const row = flatAdjustmentRow(1)
      .split('\t')
      .filter((_, i) => i !== 1 && i !== 3)
      .join('\t');
    const report = await validate('missing-column.txt', `${header}\n${row}\n`);
    expectRejected(report, 90012, /The required order-item-id field is missing/);
    expect(report.results.map((r) => r.description)).toEqual([
      expect.stringMatching(/order-item-id/),
      expect.stringMatching(/The required currency field is missing/),
    ]);
  });

  it("reports a message whose body does not match the MessageType as that message's error only", async () => {
    const inventory =
      '<Message><MessageID>2</MessageID><Inventory><SKU>A-1</SKU><Quantity>3</Quantity></Inventory></Message>\n';
    const report = await validate(
      'mixed.xml',
      xmlFeed('OrderAdjustment', adjustmentMessage(1) + inventory + adjustmentMessage(3)),
    );
    expect(report.statusCode).toBe('Complete');
    expect(report.summary).toEqual({
      messagesProcessed: 3,
      messagesSuccessful: 2,
      messagesWithError: 1,
      messagesWithWarning: 0,
    });
    expect(report.results).toEqual([
      expect.objectContaining({
        messageId: '2',
        resultMessageCode: 5000,
        description: expect.stringMatching(/Element 'Inventory'.*does not match.*'OrderAdjustment'/),
      }),
    ]);
  });

  it('warns about an unknown flat column (90061) and ignores its values', async () => {
    const header = `${FLAT_ADJUSTMENT_HEADER}\tnotes`;
    const rows = [flatAdjustmentRow(1), flatAdjustmentRow(2)]
      .map((r) => `${r}\t<<not a value feedproc checks>>`)
      .join('\n');
    const report = await validate('unknown-column.txt', `${header}\n${rows}\n`);
    expect(report.statusCode).toBe('Complete');
    expect(report.summary).toEqual({
      messagesProcessed: 2,
      messagesSuccessful: 2,
      messagesWithError: 0,
      messagesWithWarning: 0,
    });
    expect(report.results).toEqual([
      expect.objectContaining({
        messageId: '0',
        resultCode: 'Warning',
        resultMessageCode: 90061,
        description: expect.stringMatching(/^The notes field heading is invalid/),
      }),
    ]);
  });
});

describe('exit codes of feedproc validate', () => {
  it('exits 0 clean, 3 with message errors, 4 rejected, 2 for usage errors', async () => {
    const clean = tmp.file('clean.xml', adjustmentFeed(2));
    const withErrors = tmp.file('errors.xml', xmlFeed('OrderAdjustment', adjustmentMessage(1, '<Bogus/>')));
    const rejected = tmp.file('rejected.xml', '<AmazonEnvelope>');
    expect((await runCli(['validate', clean])).code).toBe(0);
    expect((await runCli(['validate', withErrors])).code).toBe(3);
    expect((await runCli(['validate', rejected])).code).toBe(4);
    const missing = await runCli(['validate', `${tmp.dir}/no-such-file.xml`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^feedproc: CLI_FILE_UNREADABLE: cannot read .*no-such-file.xml: ENOENT\n$/);
    const badType = await runCli(['validate', '--type', '_POST_NOTHING_', clean]);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toMatch(/^feedproc: CLI_USAGE: unknown feed type _POST_NOTHING_/);
    expect((await runCli(['validate', '--type', '_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_', clean])).code).toBe(4);
  });
});
