/**
 * The streaming JSON reader gives the same values, wherever the chunks of text happen to end, as JSON.parse of the
 * whole text, with the line and column each message starts at; and the drop folder's completeness guard knows a
 * JSON document is finished by its closing brace, not by a final newline.
 */
import { writeFileSync } from 'node:fs';
import { fileCompleteness } from '../../src/ingest/completeness.js';
import { readJsonListingsFeed, type JsonPart } from '../../src/parse/json-listings-reader.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const DOCUMENT = `{
  "ignored": {"deep": [1, {"x": "y"}]},
  "messages": [
    {"messageId": 1, "sku": "caf\\u00e9 \\"mug\\"\\n\\t\\\\\\/", "n": [-0.5, 1e3, 2E-2, 0, true, false, null]},
    {"messageId": 2, "sku": "\\ud83d\\ude00 𝄞 żółw", "attributes": {"a/b~c": [{}], "": []}}
  ],
  "header": {"sellerId": "A1", "version": "2.0"}
}`;

/** Line and column (UTF-16 code units from 1, as the reader counts) of the first occurrence of `text`. */
function positionOf(text: string): { line: number; column: number } {
  const before = DOCUMENT.slice(0, DOCUMENT.indexOf(text)).split('\n');
  return { line: before.length, column: (before.at(-1) ?? '').length + 1 };
}

async function read(chunkSize: number): Promise<{ header: JsonPart[]; messages: JsonPart[]; other: string[] }> {
  const found = { header: [] as JsonPart[], messages: [] as JsonPart[], other: [] as string[] };
  async function* chunks(): AsyncGenerator<string> {
    for (let i = 0; i < DOCUMENT.length; i += chunkSize) yield DOCUMENT.slice(i, i + chunkSize);
  }
  await readJsonListingsFeed(chunks(), {
    onHeader: (part) => found.header.push(part),
    onMessage: (part) => found.messages.push(part),
    onOtherMember: (name) => found.other.push(name),
  });
  return found;
}

describe('the streaming JSON listings reader', () => {
  it.each([1, 2, 3, 7, 64, DOCUMENT.length])('reads the same values in chunks of %i characters', async (size) => {
    const parsed = JSON.parse(DOCUMENT) as { messages: unknown[]; header: unknown };
    const { header, messages, other } = await read(size);
    expect(messages.map((m) => JSON.parse(JSON.stringify(m.value)) as unknown)).toEqual(parsed.messages);
    expect(header.map((h) => JSON.parse(JSON.stringify(h.value)) as unknown)).toEqual([parsed.header]);
    expect(other).toEqual(['ignored']);
    expect(messages.map((m) => ({ line: m.line, column: m.column }))).toEqual([
      positionOf('{"messageId": 1'),
      positionOf('{"messageId": 2'),
    ]);
    expect(messages[1]?.positions.get('/attributes/a~1b~0c')).toEqual(positionOf('[{}]'));
    expect(messages[0]?.numbers.get('/n/1')).toBe('1e3');
    expect(messages.every((m) => m.problem === null)).toBe(true);
  });
});

describe('the drop folder completeness guard', () => {
  // The tail is all it reads (files can be large): a document cut right after an inner `}` looks complete to it, and
  // the stability window and the open-for-writing check are the guards there (docs/json-listings-feed.md).
  it('takes a JSON document as complete at its closing brace, with or without a newline, and not before', async () => {
    const complete = tmp.file('a.json', '{"header": {}, "messages": []}');
    const trailing = tmp.file('b.json', '\uFEFF  {"messages": []}  \n\n');
    const cut = tmp.file('c.json', '{"header": {}, "messages": [{"messageId": 1');
    expect(await fileCompleteness(complete)).toBe('complete');
    expect(await fileCompleteness(trailing)).toBe('complete');
    expect(await fileCompleteness(cut)).toBe('incomplete');
    writeFileSync(cut, '{"header": {}, "messages": [{"messageId": 1}]}');
    expect(await fileCompleteness(cut)).toBe('complete');
  });
});
