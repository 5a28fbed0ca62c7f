/**
 * JSON built to break a reader: every case ends in a clear report — the feed rejected with where and why, or an
 * error on the one message at fault — never a crash, never unbounded memory. The large cases (10^6 messages, a
 * 100 MB string) are generated into temp files; memory is bounded through the heap of this process while the
 * reader streams, and through the peak RSS the kernel counts for a CLI process (test/helpers/peak-rss.mjs).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Redis } from 'ioredis';
import type { Report } from '../../src/core/types.js';
import { readJsonListingsFeed } from '../../src/parse/json-listings-reader.js';
import { decodeFile } from '../../src/parse/decode.js';
import { mergeRefusals } from '../../src/queue/finalize-feed.js';
import { renderListingsReport, toResult } from '../../src/report/index.js';
import { createSchemaRegistry, validateFeedFile } from '../../src/validate/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import {
  amazonReportSchema,
  availability,
  listingsFeed,
  update,
  type ListingsMessage,
  type ListingsReport,
} from '../helpers/listings.js';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { makeTempDir } from '../helpers/tmp.js';

const SELLER = 'A4HOSTILE';
const tmp = makeTempDir('feedproc-listings-hostile-');
const schemas = createSchemaRegistry();
const prefix = uniquePrefix();
afterAll(async () => {
  const redis = new Redis(testRedisUrl());
  await removePrefix(redis, prefix);
  await redis.quit();
  tmp.cleanup();
});

const validate = (name: string, content: string | Buffer): Promise<Report> =>
  validateFeedFile(schemas, tmp.file(name, content));
const header = `"header":{"sellerId":"${SELLER}","version":"2.0"}`;
const message = (id: number, sku = `SKU-${id}`): ListingsMessage =>
  update(id, sku, { fulfillment_availability: availability(id) });
const feed = (...messages: ListingsMessage[]): string => listingsFeed(SELLER, messages);

/** The one result of a rejected feed. */
function rejection(report: Report): { code: string; description: string; position?: unknown } {
  expect(report.statusCode).toBe('Rejected');
  expect(report.summary.messagesProcessed).toBe(0);
  const [first] = report.results;
  return { code: first?.code ?? '', description: first?.description ?? '', position: first?.position };
}

/** Writes `count` small messages (DELETEs of SKU-1 …) as one document, streamed to disk. */
async function manyMessages(name: string, count: number): Promise<string> {
  const path = tmp.file(name, '');
  const out = createWriteStream(path);
  out.write(`{${header},"messages":[\n`);
  for (let first = 1; first <= count; first += 10_000) {
    const lines: string[] = [];
    for (let id = first; id < first + 10_000 && id <= count; id += 1)
      lines.push(`{"messageId":${id},"sku":"SKU-${id}","operationType":"DELETE"}${id < count ? ',' : ''}`);
    if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
  }
  out.end(']}\n');
  await once(out, 'finish');
  return path;
}

/** A built CLI run with its peak RSS (KiB) as the kernel counts it. */
async function measuredCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; peakKib: number }> {
  const run = await runCli(args, {
    env: { ...process.env, ...env, NODE_OPTIONS: `--import ${REPO_ROOT}test/helpers/peak-rss.mjs` },
  });
  const peak = /peak-rss-kib=(\d+)/.exec(run.stderr);
  expect(peak).not.toBeNull();
  return { code: run.code, stdout: run.stdout, peakKib: Number(peak?.[1]) };
}

describe('hostile JSON listings documents', () => {
  it('streams 10^6 messages one at a time: the heap stays flat while the reader hands them over', async () => {
    const path = await manyMessages('million.json', 1_000_000);
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let count = 0;
    let lastId = 0;
    await readJsonListingsFeed(decodeFile(path, 'UTF-8', 0), {
      onHeader: () => undefined,
      onOtherMember: () => undefined,
      onMessage: (part) => {
        count += 1;
        lastId = (part.value as { messageId: number }).messageId;
        if (count % 50_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
    });
    expect([count, lastId]).toEqual([1_000_000, 1_000_000]);
    // The file is about 55 MB; holding its messages would take several hundred MB of heap.
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  }, 300_000);

  it('rejects 10^6 messages through `process` (Amazon allows 25,000), applying nothing, in bounded memory', async () => {
    const path = await manyMessages('million-process.json', 1_000_000);
    const env = { FEEDPROC_REDIS_URL: testRedisUrl(), FEEDPROC_PREFIX: prefix, FEEDPROC_MERCHANT: SELLER };
    const run = await measuredCli(['process', path], env);
    expect(run.code).toBe(4);
    const report = JSON.parse(run.stdout) as ListingsReport;
    expect(amazonReportSchema()(report)).toBe(true);
    expect(report.issues).toEqual([
      {
        code: '5001',
        severity: 'ERROR',
        message:
          'JSON Feed Error at Line 25002, Column 1: messages holds more than 25,000 messages, the most one JSON_LISTINGS_FEED may have; split the feed.',
      },
    ]);
    expect(run.peakKib).toBeLessThan(250 * 1024);
    const redis = new Redis(testRedisUrl());
    const stock = await redis.keys(`${prefix}:*stock*`);
    await redis.quit();
    expect(stock).toEqual([]); // nothing of the rejected feed reached the ledger
  }, 300_000);

  it('refuses 200 levels of nesting where the 33rd level opens, without recursing', async () => {
    const deep = `{${header},"messages":[{"messageId":1,"sku":"A","operationType":"UPDATE","productType":"X","attributes":{"x":${'['.repeat(200)}${']'.repeat(200)}}}]}`;
    expect(rejection(await validate('deep.json', deep))).toEqual({
      code: 'PARSE_MALFORMED_JSON',
      description:
        'JSON Parsing Fatal Error at Line 1, Column 178: objects and arrays are nested deeper than 32 levels',
      position: { line: 1, column: 178 },
    });
  });

  it('makes a 100 MB string an error on its message, reading on, in bounded memory', async () => {
    const path = tmp.file('huge.json', '');
    const out = createWriteStream(path);
    out.write(
      `{${header},"messages":[{"messageId":1,"sku":"BIG","operationType":"UPDATE","productType":"X","attributes":{"item_name":[{"value":"`,
    );
    const block = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 100; i += 1) if (!out.write(block)) await once(out, 'drain');
    out.end(`"}]}},\n${JSON.stringify(message(2))}]}\n`);
    await once(out, 'finish');
    const run = await measuredCli(['validate', '--format', 'json', path], {});
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.summary).toEqual({
      messagesProcessed: 2,
      messagesSuccessful: 1,
      messagesWithError: 1,
      messagesWithWarning: 0,
    });
    expect(report.results).toEqual([
      expect.objectContaining({
        messageId: 1,
        resultMessageCode: 5000,
        description:
          'JSON Validation Error at Line 1, Column 170: a string of 104857600 characters; at most 65536 are read',
        attributeName: 'item_name',
      }),
    ]);
    expect(run.peakKib).toBeLessThan(200 * 1024); // the string alone would be 100 MB, and more as it is built
  }, 120_000);

  it('makes a duplicate key an error on its message, and rejects one in the header or at the top', async () => {
    const twice = feed(message(1), message(2)).replace('"quantity": 2', '"quantity": 2, "quantity": 3');
    const report = await validate('dup-message.json', twice);
    expect(report.summary).toMatchObject({ messagesProcessed: 2, messagesWithError: 1 });
    expect(report.results[0]?.description).toMatch(/Line \d+, Column \d+: the member "quantity" is given twice/);
    expect(report.results[0]?.attributeName).toBe('fulfillment_availability');
    const headerTwice = feed(message(1)).replace('"version": "2.0"', '"version": "2.0", "version": "2.0"');
    expect(rejection(await validate('dup-header.json', headerTwice)).description).toMatch(
      /^JSON Feed Error at Line 4, Column 23: the member "version" is given twice/,
    );
    const messagesTwice = `{${header},"messages":[${JSON.stringify(message(1))}],"messages":[]}`;
    expect(rejection(await validate('dup-top.json', messagesTwice)).description).toMatch(
      /the document has a second member "messages"/,
    );
  });

  it('rejects bytes that are not UTF-8 and a UTF-16 document, and warns about (and skips) a UTF-8 byte order mark', async () => {
    const bad = Buffer.concat([
      Buffer.from(feed(message(1)).slice(0, 60)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(feed(message(1)).slice(60)),
    ]);
    expect(rejection(await validate('latin.json', bad))).toMatchObject({ code: 'PARSE_BAD_ENCODING' });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(feed(message(1)), 'utf16le')]);
    expect(rejection(await validate('utf16.json', utf16)).description).toBe(
      'The file could not be decoded as UTF-16LE: a JSON listings document must be UTF-8 (RFC 8259)',
    );
    const bom = await validate('bom.json', `\uFEFF${feed(message(1))}`);
    expect(bom.statusCode).toBe('Complete');
    expect(bom.summary).toMatchObject({ messagesProcessed: 1, messagesSuccessful: 1 });
    expect(bom.results).toEqual([expect.objectContaining({ messageId: '0', resultMessageCode: 97007 })]);
  });

  it.each([
    [
      'trailing garbage',
      `${feed(message(1))}]`,
      /Line 24, Column 1: unexpected '\]': expected nothing after the end of the document$/,
    ],
    ['a second document', `${feed(message(1))}{}`, /unexpected '\{': expected nothing after the end of the document/],
    [
      'a missing comma',
      feed(message(1), message(2)).replace('},\n    {', '}\n    {'),
      /Line 22, Column 5: unexpected '\{': expected ',' or the end/,
    ],
    [
      'a cut-off document',
      feed(message(1)).slice(0, 200),
      /the document ends inside a string|the document ends before its/,
    ],
    ['a lone surrogate', feed(message(1)).replace('"SKU-1"', '"SKU-\\ud800"'), /half a surrogate pair/],
    [
      'a raw control character',
      feed(message(1)).replace('SKU-1', 'SKU\u00011'),
      /a control character \(U\+0001\) inside a string must be escaped/,
    ],
    ['single quotes', feed(message(1)).replace('"SKU-1"', "'SKU-1'"), /unexpected '''/],
    [
      'a huge number',
      feed(message(1)).replace('"quantity": 1', `"quantity": ${'9'.repeat(100)}`),
      /a number of more than 64 characters/,
    ],
  ])('rejects %s with where and why', async (_name, content, detail) => {
    const { code, description } = rejection(await validate('malformed.json', content));
    expect(code).toBe('PARSE_MALFORMED_JSON');
    expect(description).toMatch(/^JSON Parsing Fatal Error at Line \d+, Column \d+: /);
    expect(description).toMatch(detail);
  });

  it.each([
    ['messages that are not an array', `{${header},"messages":{"1":{}}}`, 'messages must be an array of messages'],
    ['no messages', `{${header},"messages":[]}`, 'messages holds no message; at least one is required.'],
    ['no header', `{"messages":[${JSON.stringify(message(1))}]}`, 'the document has no header.'],
    ['a wrong version', feed(message(1)).replace('"2.0"', '"1.0"'), 'header.version must be "2.0".'],
  ])('rejects %s as an envelope error', async (_name, content, detail) => {
    const { code, description } = rejection(await validate('envelope.json', content));
    expect(code).toBe('PARSE_BAD_JSON_ENVELOPE');
    expect(description).toMatch(new RegExp(`: ${detail.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  it('reads member names like __proto__ and constructor as plain data: named in warnings, nothing else', async () => {
    const report = await validate(
      'proto.json',
      feed(update(1, 'PROTO', { fulfillment_availability: availability(1) })).replace(
        '"fulfillment_availability"',
        '"__proto__": [{"value": 1}], "constructor": [{"value": 2}], "fulfillment_availability"',
      ),
    );
    expect(report.summary).toMatchObject({ messagesProcessed: 1, messagesSuccessful: 1, messagesWithWarning: 1 });
    expect(report.results.map((r) => r.attributeName)).toEqual(['__proto__', 'constructor']);
  });

  it('caps the report at 10,000 issues with a last one saying how many were left out, also after merging refusals', async () => {
    const noisy = Array.from({ length: 2000 }, (_, i) =>
      update(
        i + 1,
        `N-${i + 1}`,
        Object.fromEntries(Array.from({ length: 6 }, (_, a) => [`extra_${a}`, [{ value: a }]])),
      ),
    );
    const report = await validate('noisy.json', feed(...noisy));
    expect(report.results).toHaveLength(10_001);
    expect(report.results.at(-1)).toMatchObject({
      messageId: '0',
      resultMessageCode: 97012,
      description: 'This report lists the first 10000 results; 2000 more (0 errors, 2000 warnings) were left out.',
    });
    const listings = JSON.parse(
      [...renderListingsReport({ ...report, feedSubmissionId: '50001', merchantId: SELLER })].join(''),
    ) as ListingsReport;
    expect(amazonReportSchema()(listings)).toBe(true);
    expect(listings.summary).toEqual({
      errors: 0,
      warnings: 12_001,
      messagesProcessed: 2000,
      messagesAccepted: 2000,
      messagesInvalid: 0,
    });
    const refused = toResult('7', { code: 'LEDGER_MESSAGE_FAILED', context: { orderId: 'N-7', detail: 'damaged' } });
    const merged = mergeRefusals(report, [refused], 10_000);
    expect(merged.results).toHaveLength(10_001);
    expect(merged.results.filter((r) => r.code === 'LEDGER_MESSAGE_FAILED')).toHaveLength(1);
    expect(merged.results.at(-1)?.description).toBe(
      'This report lists the first 10000 results; 2001 more (0 errors, 2001 warnings) were left out.',
    );
    expect(merged.summary).toMatchObject({ messagesSuccessful: 1999, messagesWithError: 1 });
  });
});
