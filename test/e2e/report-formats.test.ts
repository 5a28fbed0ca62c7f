/**
 * The reports themselves: every XML report validates against ProcessingReport.xsd (orders-subset envelope),
 * the JSON report against the contract's report.schema.json, the flat report keeps Amazon's layout, and a
 * value full of markup or control characters cannot break any of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Report } from '../../src/core/types.js';
import { renderReport } from '../../src/report/index.js';
import { createSchemaRegistry, validateFeedFile } from '../../src/validate/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import {
  FLAT_ADJUSTMENT_HEADER,
  adjustmentFeed,
  adjustmentMessage,
  flatAdjustmentRow,
  xmlFeed,
} from '../helpers/feeds.js';
import { itWithXsds, prepareXsdDir, xmllint } from '../helpers/xmllint.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir();
const schemas = createSchemaRegistry();
afterAll(() => tmp.cleanup());

const render = (report: Report, format: 'xml' | 'flat' | 'json' | 'text'): string =>
  [...renderReport(report, format, 'feed')].join('');

async function reportsOfEveryKind(): Promise<Report[]> {
  const nasty =
    '<Message><MessageID>2</MessageID><Inventory><SKU>&lt;b&gt; &amp; "q" ]]&gt;</SKU><Quantity>-1</Quantity></Inventory></Message>\n';
  const inputs: Array<[string, string]> = [
    ['clean.xml', adjustmentFeed(3)],
    [
      'errors.xml',
      xmlFeed(
        'OrderAdjustment',
        adjustmentMessage(1, '<Bogus/>') + adjustmentMessage(2) + adjustmentMessage(30, '<Quantity>0</Quantity>'),
      ),
    ],
    ['nasty.xml', xmlFeed('Inventory', nasty)],
    ['rejected.xml', '<AmazonEnvelope><Header>'],
    ['flat.txt', `${FLAT_ADJUSTMENT_HEADER}\textra\n${flatAdjustmentRow(1, 'Bad\u0001<&>')}\t1\tX\n`],
  ];
  return Promise.all(inputs.map(([name, content]) => validateFeedFile(schemas, tmp.file(name, content))));
}

describe('report formats', () => {
  itWithXsds('writes XML reports that validate against ProcessingReport.xsd', async () => {
    const xsdDir = prepareXsdDir(join(tmp.dir, 'xsd'), { extend: false });
    const reports = await reportsOfEveryKind();
    const files = reports.map((report, i) => tmp.file(`report-${i}.xml`, render(report, 'xml')));
    const verdicts = await xmllint(xsdDir, files);
    expect(files.map((f) => [f, verdicts.get(f)?.valid])).toEqual(files.map((f) => [f, true]));
  });

  it("writes the XML report's summary, results and additional info in ProcessingReport order", async () => {
    const reports = await reportsOfEveryKind();
    const errors = render(reports[1] as Report, 'xml');
    expect(errors).toContain('<MessageType>ProcessingReport</MessageType>');
    expect(errors).toMatch(
      /<MessagesProcessed>3<\/MessagesProcessed>\s*<MessagesSuccessful>1<\/MessagesSuccessful>\s*<MessagesWithError>2<\/MessagesWithError>/,
    );
    expect(errors).toMatch(
      /<MessageID>30<\/MessageID>\s*<ResultCode>Error<\/ResultCode>\s*<ResultMessageCode>5000<\/ResultMessageCode>/,
    );
    expect(errors).toMatch(
      /<AdditionalInfo>\s*<AmazonOrderID>402-1234567-0000030<\/AmazonOrderID>\s*<AmazonOrderItemCode>10000000000030<\/AmazonOrderItemCode>/,
    );
  });

  it('writes JSON reports that satisfy report.schema.json', async () => {
    const ajv = new Ajv2020({ strict: false });
    const check = ajv.compile(
      JSON.parse(readFileSync(join(REPO_ROOT, 'schemas/report.schema.json'), 'utf8')) as object,
    );
    for (const report of await reportsOfEveryKind()) {
      const json = JSON.parse(render(report, 'json')) as unknown;
      expect([check(json), check.errors]).toEqual([true, null]);
    }
  });

  it('keeps message ids beyond 2^53 exact in JSON', () => {
    const report: Report = {
      feedSubmissionId: null,
      feedType: null,
      format: 'xml',
      encoding: 'UTF-8',
      merchantId: null,
      statusCode: 'Complete',
      summary: { messagesProcessed: 1, messagesSuccessful: 0, messagesWithError: 1, messagesWithWarning: 0 },
      results: [
        {
          messageId: '99999999999999999999',
          resultCode: 'Error',
          resultMessageCode: 5000,
          code: 'VALIDATE_SCHEMA',
          description: 'x',
        },
      ],
    };
    expect(render(report, 'json')).toContain('"messageId":99999999999999999999,');
  });

  it('writes the flat Feed Processing Summary layout, one row per result, separators removed from cells', async () => {
    const flat = (await reportsOfEveryKind())[4] as Report;
    const lines = render(flat, 'flat').split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'Feed Processing Summary:',
      '\tNumber of records processed\t\t1',
      '\tNumber of records successful\t\t0',
      '',
      'original-record-number\torder-id\torder-item-id\terror-code\terror-type\terror-message',
    ]);
    expect(lines[5]).toMatch(/^0\t\t\t90061\tWarning\tThe extra field heading is invalid/);
    const invalidRow =
      "1\t402-1234567-0000001\t10000000000001\t5000\tError\tRow 1, column adjustment-reason-code: the value 'Bad\u0001<&>' is not one of";
    expect(lines[6]?.slice(0, invalidRow.length)).toBe(invalidRow);
    expect(lines[7]).toMatch(
      /^1\t402-1234567-0000001\t10000000000001\t97005\tWarning\tRow 1 has 9 cells but the header has 8/,
    );
    expect(lines).toHaveLength(9);
  });

  it('marks a rejection Fatal in the flat report', async () => {
    const report = await validateFeedFile(
      schemas,
      tmp.file('no-order-id.txt', 'order-item-id\tadjustment-reason-code\tcurrency\n1\tx\tPLN\n'),
    );
    expect(render(report, 'flat')).toContain(
      '\n0\t\t\t90012\tFatal\tThe required order-id field is missing from the file.',
    );
  });

  it('writes a text report with a summary line and file:line:column per problem', async () => {
    const text = render((await reportsOfEveryKind())[1] as Report, 'text').split('\n');
    expect(text[0]).toBe(
      'feed: _POST_PAYMENT_ADJUSTMENT_DATA_ (xml, UTF-8): Complete: 3 messages: 1 successful, 2 with errors, 0 with warnings',
    );
    expect(text[1]).toMatch(/^feed:5:\d+: Error 5000 \(message 1\): .*Element 'Bogus': This element is not expected\./);
    expect(text[2]).toMatch(/^feed:7:\d+: Error 5000 \(message 30\): .*Element 'Quantity': '0' is not a valid value/);
  });
});
