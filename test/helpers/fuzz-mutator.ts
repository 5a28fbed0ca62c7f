/**
 * The fuzzer's mutator: a mutated feed file from a sample feed and a file seed. A file is a sample (XML or flat,
 * any feed type) with 0–3 structural mutations (fuzz-text-ops.ts), then maybe re-encoded (UTF-16, windows-1252,
 * BOMs, a declared encoding that lies), then maybe damaged byte by byte (bit flips, truncation, invalid UTF-8);
 * or plain junk. A few files are giant (a multi-MB value, comment or line, thousands of messages): the caller
 * says which, since they are slow. The same seed and samples always give the same bytes.
 */
import iconv from 'iconv-lite';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, type Rng } from './fuzz-rng.js';
import { ANY_TEXT_OPS, FLAT_OPS, XML_OPS, type TextOp } from './fuzz-text-ops.js';

export interface FuzzBase {
  name: string;
  format: 'xml' | 'flat';
  text: string;
}

export interface Mutant {
  fileSeed: number;
  /** The sample it came from (or `junk`) and what was done to it, in order. */
  recipe: string;
  ext: 'xml' | 'txt';
  bytes: Buffer;
}

/** The sample feeds (every feed type, XML and flat, valid, invalid and rejected) and the other files of samples/. */
export function loadFuzzBases(samplesDir: string): { feeds: FuzzBase[]; others: Buffer[] } {
  const names = readdirSync(samplesDir).sort();
  const feeds = names
    .filter((n) => /\.(xml|txt)$/.test(n) && !/\.report\./.test(n) && n !== 'order-report.txt')
    .map((name): FuzzBase => ({
      name,
      format: name.endsWith('.xml') ? 'xml' : 'flat',
      text: readFileSync(join(samplesDir, name), 'utf8'),
    }));
  const others = names
    .filter((n) => /\.report\.|order-report|README/.test(n))
    .map((n) => readFileSync(join(samplesDir, n)));
  return { feeds, others };
}

const MiB = 1024 * 1024;

export function mutate(
  bases: { feeds: readonly FuzzBase[]; others: readonly Buffer[] },
  fileSeed: number,
  giant?: number,
): Mutant {
  const rng = createRng(fileSeed);
  if (giant === undefined && rng.chance(0.04)) return junk(bases, rng, fileSeed);
  const base = rng.pick(bases.feeds);
  const recipe = [base.name];
  const formatOps = base.format === 'xml' ? XML_OPS : FLAT_OPS;
  let text = base.text;
  const textOps = rng.weighted([
    [15, 0],
    [45, 1],
    [28, 2],
    [12, 3],
  ] as const);
  for (let i = 0; i < textOps; i += 1) {
    const [name, op] = rng.chance(0.8) ? pickOp(formatOps, rng) : pickOp(ANY_TEXT_OPS, rng);
    text = op(text, rng);
    recipe.push(name);
  }
  if (giant !== undefined) {
    const ops = Object.entries(base.format === 'xml' ? GIANT_XML : GIANT_FLAT);
    const [name, op] = ops[giant % ops.length] as [string, TextOp];
    text = op(text, rng);
    recipe.push(name);
  }
  let bytes: Buffer = Buffer.from(text, 'utf8');
  if (rng.chance(0.22)) {
    const [name, op] = pickOp(ENCODINGS, rng);
    bytes = op(text, rng, base.format);
    recipe.push(name);
  }
  const damage = recipe.length === 1 ? 1 : rng.chance(0.3) ? rng.between(1, 2) : 0;
  for (let i = 0; i < damage; i += 1) {
    const [name, op] = pickOp(BYTE_OPS, rng);
    bytes = op(bytes, rng);
    recipe.push(name);
  }
  return { fileSeed, recipe: recipe.join(' + '), ext: base.format === 'xml' ? 'xml' : 'txt', bytes };
}

function pickOp<T>(ops: Record<string, T>, rng: Rng): [string, T] {
  return rng.pick(Object.entries(ops));
}

// ---- encodings ----

type EncodeOp = (text: string, rng: Rng, format: 'xml' | 'flat') => Buffer;

const BOM = {
  utf8: Buffer.from([0xef, 0xbb, 0xbf]),
  le: Buffer.from([0xff, 0xfe]),
  be: Buffer.from([0xfe, 0xff]),
  utf32: Buffer.from([0xff, 0xfe, 0, 0]),
};

/** The XML declaration made to name `encoding` (often: the truth), left alone otherwise. */
function declare(text: string, format: 'xml' | 'flat', encoding: string, rng: Rng, p: number): string {
  return format === 'xml' && rng.chance(p) ? text.replace(/encoding="[^"]*"/, `encoding="${encoding}"`) : text;
}

const utf16be = (text: string): Buffer => {
  const le = Buffer.from(text, 'utf16le');
  return le.swap16();
};

const ENCODINGS: Record<string, EncodeOp> = {
  'utf-16le+bom': (text, rng, format) =>
    Buffer.concat([BOM.le, Buffer.from(declare(text, format, 'UTF-16', rng, 0.7), 'utf16le')]),
  'utf-16be+bom': (text, rng, format) => Buffer.concat([BOM.be, utf16be(declare(text, format, 'UTF-16', rng, 0.7))]),
  'utf-16le-no-bom': (text, rng, format) => Buffer.from(declare(text, format, 'UTF-16LE', rng, 0.5), 'utf16le'),
  'windows-1252': (text, rng, format) => iconv.encode(declare(text, format, 'windows-1252', rng, 0.6), 'win1252'),
  'iso-8859-2': (text, rng, format) => iconv.encode(declare(text, format, 'ISO-8859-2', rng, 0.8), 'iso88592'),
  'declared-lie': (text, rng, format) =>
    Buffer.from(
      declare(
        text,
        format,
        rng.pick(['ISO-8859-1', 'Shift_JIS', 'EUC-KR', 'KOI8-R', 'UTF-16', 'GB18030', 'Big5', 'US-ASCII']),
        rng,
        1,
      ),
      'utf8',
    ),
  'utf-8+bom': (text) => Buffer.concat([BOM.utf8, Buffer.from(text, 'utf8')]),
  'double-bom': (text) => Buffer.concat([BOM.utf8, BOM.utf8, Buffer.from(text, 'utf8')]),
  'bom-inside': (text, rng) => {
    const bytes = Buffer.from(text, 'utf8');
    const at = rng.int(bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, at), rng.pick([BOM.utf8, BOM.le, BOM.be]), bytes.subarray(at)]);
  },
  'utf-16-bom-on-utf-8': (text, rng) => Buffer.concat([rng.pick([BOM.le, BOM.be]), Buffer.from(text, 'utf8')]),
  'utf-32-bom': (text) => Buffer.concat([BOM.utf32, Buffer.from(text, 'utf8')]),
};

// ---- bytes ----

type ByteOp = (bytes: Buffer, rng: Rng) => Buffer;

const INVALID_UTF8: readonly number[][] = [
  [0x80],
  [0xbf],
  [0xc0, 0x80],
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xc3],
];

const splice = (bytes: Buffer, at: number, remove: number, insert: Buffer = Buffer.alloc(0)): Buffer =>
  Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(Math.min(bytes.length, at + remove))]);

const BYTE_OPS: Record<string, ByteOp> = {
  'bit-flips': (bytes, rng) => {
    const out = Buffer.from(bytes);
    for (let i = rng.between(1, 16); i > 0 && out.length > 0; i -= 1) {
      const at = rng.int(out.length);
      out[at] = (out[at] as number) ^ (1 << rng.int(8));
    }
    return out;
  },
  'byte-set': (bytes, rng) => {
    const out = Buffer.from(bytes);
    for (let i = rng.between(1, 8); i > 0 && out.length > 0; i -= 1)
      out[rng.int(out.length)] = rng.pick([0x00, 0xff, 0x80, 0x3c, 0x3e, 0x26, 0x09, 0x0a, 0x0d, 0x22, rng.int(256)]);
    return out;
  },
  'invalid-utf-8': (bytes, rng) => {
    let out = bytes;
    for (let i = rng.between(1, 3); i > 0; i -= 1)
      out = splice(out, rng.int(out.length + 1), 0, Buffer.from(rng.pick(INVALID_UTF8)));
    return out;
  },
  truncate: (bytes, rng) => bytes.subarray(0, rng.int(bytes.length + 1)),
  'delete-bytes': (bytes, rng) => splice(bytes, rng.int(bytes.length + 1), rng.between(1, 64)),
  'duplicate-bytes': (bytes, rng) => {
    const at = rng.int(bytes.length + 1);
    return splice(bytes, at, 0, Buffer.from(bytes.subarray(at, at + rng.between(1, 256))));
  },
  'random-bytes': (bytes, rng) => splice(bytes, rng.int(bytes.length + 1), 0, randomBytes(rng, rng.between(1, 64))),
  'nul-bytes': (bytes, rng) => splice(bytes, rng.int(bytes.length + 1), 0, Buffer.alloc(rng.between(1, 1000))),
};

function randomBytes(rng: Rng, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += 1) out[i] = rng.int(256);
  return out;
}

// ---- junk ----

function junk(bases: { feeds: readonly FuzzBase[]; others: readonly Buffer[] }, rng: Rng, fileSeed: number): Mutant {
  const printable = (n: number): string =>
    Array.from({ length: n }, () => String.fromCharCode(rng.between(0x20, 0x7e))).join('');
  const kinds: Record<string, () => Buffer> = {
    empty: () => Buffer.alloc(0),
    blank: () => Buffer.from(rng.pick([' ', '\n', '\r\n\r\n', '\t \t', '\ufeff', '\ufeff\n'])),
    'random-bytes': () => randomBytes(rng, rng.between(1, 4096)),
    'random-text': () => Buffer.from(printable(rng.between(1, 4096))),
    'random-tsv': () =>
      Buffer.from(
        Array.from({ length: rng.between(1, 30) }, () =>
          Array.from({ length: rng.between(1, 12) }, () => printable(rng.between(0, 12))).join('\t'),
        ).join('\n'),
      ),
    'angle-junk': () => Buffer.from(`<${printable(rng.between(0, 2000))}`),
    'sample-head+junk': () => {
      const feed = Buffer.from(rng.pick(bases.feeds).text);
      return Buffer.concat([feed.subarray(0, rng.int(feed.length)), randomBytes(rng, rng.between(0, 512))]);
    },
    'not-a-feed': () => Buffer.from(rng.pick(bases.others)),
  };
  const [name, make] = pickOp(kinds, rng);
  return { fileSeed, recipe: `junk: ${name}`, ext: rng.chance(0.5) ? 'xml' : 'txt', bytes: make() };
}

// ---- giants ----

const giantSize = (rng: Rng): number => Math.floor(rng.pick([1.5, 4, 7.9, 8.5, 12]) * MiB);

const GIANT_XML: Record<string, TextOp> = {
  'giant-value': (text, rng) =>
    text.replace(/<SKU>[^<]*<\/SKU>|<AmazonOrderID>[^<]*<\/AmazonOrderID>|<MessageID>[^<]*<\/MessageID>/, (m) =>
      m.replace(/>[^<]*</, `>${'Z'.repeat(giantSize(rng))}<`),
    ),
  'giant-comment': (text, rng) => text.replace('<MessageType>', `<!--${'c'.repeat(giantSize(rng))}--><MessageType>`),
  'many-messages': (text, rng) => {
    const message = /<Message>[\s\S]*?<\/Message>/.exec(text)?.[0] ?? '';
    const copies = Array.from({ length: rng.between(2000, 4000) }, (_, i) =>
      message.replace(/<MessageID>[^<]*</, `<MessageID>${i + 1}<`),
    ).join('\n');
    return text.replace(/<Message>[\s\S]*<\/Message>/, copies);
  },
  'giant-whitespace': (text, rng) => text.replace('</Header>', `</Header>${' \n'.repeat(giantSize(rng) / 2)}`),
};

const GIANT_FLAT: Record<string, TextOp> = {
  'giant-cell': (text, rng) => {
    const lines = text.split('\n');
    const last = lines.length - 1 - [...lines].reverse().findIndex((l) => l.includes('\t'));
    lines[last] = (lines[last] ?? '').replace(/\t/, `${'Z'.repeat(giantSize(rng))}\t`);
    return lines.join('\n');
  },
  'giant-line': (text, rng) => `${text}\n${'q'.repeat(giantSize(rng))}`,
  'many-rows': (text, rng) => {
    const lines = text.split('\n');
    const row = lines[lines.length - 2] ?? lines[lines.length - 1] ?? '';
    return `${text}\n${`${row}\n`.repeat(rng.between(2000, 4000))}`;
  },
};
