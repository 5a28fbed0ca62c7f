/**
 * The fuzzer's structural mutations, on the decoded text of a sample feed: elements and messages of an XML feed
 * swapped, duplicated, deleted, renamed, given hostile values, CDATA, comments, entities, processing
 * instructions, a DOCTYPE; rows, columns and cells of a flat feed; exotic characters in both. Each operation
 * takes the text and a PRNG and returns the new text, and is named so a failing file says what was done to it.
 */
import type { Rng } from './fuzz-rng.js';

export type TextOp = (text: string, rng: Rng) => string;

interface Span {
  start: number;
  end: number;
}

/** Values that break parsers and rules: boundaries, wrong types, other scripts, injection attempts. */
export const HOSTILE_VALUES: readonly string[] = [
  '',
  ' ',
  '0',
  '-0',
  '-1',
  '1',
  '2',
  '3',
  '100',
  '9999999999',
  '18446744073709551616',
  '99999999999999999999999999',
  '1e3',
  '1.5',
  '0.001',
  '4.995',
  '-3.90',
  '+5',
  '39,99',
  '1 299.00',
  'NaN',
  'Infinity',
  '0x1F',
  '１２',
  'null',
  'true',
  'false',
  'x'.repeat(300),
  '2026-11-31',
  '2026-02-29T25:61:00Z',
  '9999-12-31T23:59:59Z',
  '0001-01-01T00:00:00Z',
  '2026-11-21T09:00:00.123456789+14:00',
  'PLN',
  'EUR',
  'USD',
  'XXX',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '{{7*7}}',
  '${jndi:x}',
  '%s%n%x',
  '\\u0000',
  'ąęłńóśźż',
  '🙂🙃',
  'Ü'.repeat(50),
  '__proto__',
  'constructor',
  'toString',
  'NoInventory',
  'CustomerReturn',
  'CustomerCancel',
  'BuyerCanceled',
  'GeneralAdjustment',
  'Success',
  'Failure',
  'Update',
  'Delete',
  'PartialUpdate',
  'Principal',
  'Tax',
  'Shipping',
  'DPD',
  'Other',
  'a',
  'd',
  'x',
  'delete',
  'DEFAULT',
  'AMAZON_EU',
  '405-3812004-6650731',
  '407-5531702-1189363',
  '50317462185203',
  '50317534426610',
  'KUBEK-350-NIEBIESKI',
  '\t',
  '\u00a0',
];

/** Characters that are trouble somewhere: controls, non-characters, lone surrogates, bidi, combining marks. */
const EXOTIC_CHARS: readonly string[] = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000b',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\u200b',
  '\u200d',
  '\u202e',
  '\ufeff',
  '\ufffd',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udfff',
  '\u0301',
  '\u{1f600}',
  '\u{10ffff}',
  'ﬀ',
  'İ',
  'ß',
  '€',
  '“',
  '<',
  '>',
  '&',
  '"',
  "'",
  ']]>',
  '\t',
  '\r',
  '\n',
];

function spans(text: string, pattern: RegExp): Span[] {
  return [...text.matchAll(pattern)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

const replaceSpan = (text: string, span: Span, by: string): string =>
  text.slice(0, span.start) + by + text.slice(span.end);
const insertAt = (text: string, at: number, what: string): string => text.slice(0, at) + what + text.slice(at);

/** Swaps two non-overlapping spans. */
function swapSpans(text: string, a: Span, b: Span): string {
  const [first, second] = a.start < b.start ? [a, b] : [b, a];
  if (first.end > second.start) return text;
  return (
    text.slice(0, first.start) +
    text.slice(second.start, second.end) +
    text.slice(first.end, second.start) +
    text.slice(first.start, first.end) +
    text.slice(second.end)
  );
}

// ---- XML ----

const LEAF = /<([A-Za-z][\w.:-]*)(\s[^<>]*)?>([^<>]*)<\/\1>/g;
const MESSAGE = /<Message>[\s\S]*?<\/Message>/g;
const START_TAG = /<[A-Za-z][\w.:-]*(\s[^<>]*)?>/g;
/** Places between two tags (after a `>`), where markup can be inserted without splitting a name. */
const BOUNDARY = />/g;

const leaves = (text: string): Array<Span & { name: string; attrs: string; value: string; valueAt: number }> =>
  [...text.matchAll(LEAF)].map((m) => {
    const open = m[0].indexOf('>') + 1;
    return {
      start: m.index,
      end: m.index + m[0].length,
      name: m[1] as string,
      attrs: m[2] ?? '',
      value: m[3] as string,
      valueAt: m.index + open,
    };
  });

function withLeaf(text: string, rng: Rng, change: (leaf: ReturnType<typeof leaves>[number]) => string): string {
  const all = leaves(text);
  return all.length === 0 ? text : change(rng.pick(all));
}

function atBoundary(text: string, rng: Rng, what: string): string {
  const places = spans(text, BOUNDARY);
  return places.length === 0 ? what + text : insertAt(text, rng.pick(places).end, what);
}

function hostileEntity(rng: Rng): string {
  return rng.pick([
    '&#0;',
    '&#x1;',
    '&#xD800;',
    '&#x110000;',
    '&#xFFFE;',
    '&bogus;',
    '&amp',
    '&#;',
    '&#x;',
    '&lt;',
    '&amp;amp;',
    '&#65;',
    '&#x20AC;',
    '&quot;',
    '&nbsp;',
    '&#99999999999;',
  ]);
}

export const XML_OPS: Record<string, TextOp> = {
  'swap-elements': (text, rng) => {
    const all = leaves(text);
    return all.length < 2 ? text : swapSpans(text, rng.pick(all), rng.pick(all));
  },
  'duplicate-element': (text, rng) =>
    withLeaf(text, rng, (l) => insertAt(text, l.end, text.slice(l.start, l.end).repeat(rng.between(1, 3)))),
  'delete-element': (text, rng) => withLeaf(text, rng, (l) => replaceSpan(text, l, '')),
  'rename-element': (text, rng) =>
    withLeaf(text, rng, (l) => {
      const name = rng.pick([
        l.name.toLowerCase(),
        l.name.toUpperCase(),
        `${l.name}x`,
        'Unknown',
        'constructor',
        '__proto__',
        'xsi:nil',
      ]);
      const closing = rng.chance(0.7) ? name : l.name; // sometimes only the start tag: not well-formed
      return replaceSpan(text, l, `<${name}${l.attrs}>${l.value}</${closing}>`);
    }),
  'hostile-value': (text, rng) =>
    withLeaf(text, rng, (l) =>
      replaceSpan(
        text,
        { start: l.valueAt, end: l.valueAt + l.value.length },
        rng.pick(HOSTILE_VALUES).replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;')),
      ),
    ),
  'raw-value': (text, rng) =>
    withLeaf(text, rng, (l) =>
      replaceSpan(text, { start: l.valueAt, end: l.valueAt + l.value.length }, rng.pick(HOSTILE_VALUES)),
    ),
  'borrow-value': (text, rng) => {
    // A value moved to another element of the same name: usually still schema-valid, so it reaches the ledger.
    const all = leaves(text);
    const target = all.length > 0 ? rng.pick(all) : undefined;
    const donors = all.filter((l) => l.name === target?.name && l.value !== target.value);
    if (!target || donors.length === 0) return text;
    return replaceSpan(
      text,
      { start: target.valueAt, end: target.valueAt + target.value.length },
      rng.pick(donors).value,
    );
  },
  'swap-messages': (text, rng) => {
    const all = spans(text, MESSAGE);
    return all.length < 2 ? text : swapSpans(text, rng.pick(all), rng.pick(all));
  },
  'duplicate-message': (text, rng) => {
    const all = spans(text, MESSAGE);
    if (all.length === 0) return text;
    const m = rng.pick(all);
    return insertAt(text, m.end, `\n${text.slice(m.start, m.end)}`.repeat(rng.between(1, 20)));
  },
  'delete-message': (text, rng) => {
    const all = spans(text, MESSAGE);
    return all.length === 0 ? text : replaceSpan(text, rng.pick(all), '');
  },
  'message-outside-envelope': (text, rng) => {
    const all = spans(text, MESSAGE);
    if (all.length === 0) return text;
    const m = rng.pick(all);
    return `${replaceSpan(text, m, '')}\n${text.slice(m.start, m.end)}\n`;
  },
  'message-id': (text, rng) => {
    const ids = spans(text, /<MessageID>[^<]*<\/MessageID>/g);
    if (ids.length === 0) return text;
    const id = rng.pick([
      '0',
      '-1',
      '007',
      ' 1 ',
      '1.0',
      '18446744073709551616',
      '99999999999999999999',
      '9007199254740993',
      'a',
      '',
      String(rng.between(1, 14)),
    ]);
    return replaceSpan(text, rng.pick(ids), `<MessageID>${id}</MessageID>`);
  },
  cdata: (text, rng) => {
    if (rng.chance(0.5))
      return withLeaf(text, rng, (l) =>
        replaceSpan(
          text,
          { start: l.valueAt, end: l.valueAt + l.value.length },
          `<![CDATA[${l.value.replace(/&lt;/g, '<')}]]>`,
        ),
      );
    return atBoundary(
      text,
      rng,
      rng.pick([
        '<![CDATA[ ]]>',
        '<![CDATA[<Message>]]>',
        '<![CDATA[x]]>',
        '<![CDATA[',
        ']]>',
        '<![CDATA[]]]]><![CDATA[>]]>',
      ]),
    );
  },
  comment: (text, rng) => {
    const comment = rng.pick([
      '<!-- note -->',
      '<!---->',
      '<!-- a -- b -->',
      '<!--',
      '-->',
      '<!-- <Message> -->',
      '<!-- ąę € -->',
      '<!--->',
    ]);
    return rng.chance(0.8) ? atBoundary(text, rng, comment) : insertAt(text, rng.int(text.length + 1), comment);
  },
  entity: (text, rng) => {
    if (rng.chance(0.4)) {
      // A character of a value written as a character reference: the same value, another spelling.
      return withLeaf(text, rng, (l) => {
        if (l.value.length === 0) return text;
        const at = l.valueAt + rng.int(l.value.length);
        const code = text.codePointAt(at) ?? 32;
        return replaceSpan(
          text,
          { start: at, end: at + String.fromCodePoint(code).length },
          rng.chance(0.5) ? `&#${code};` : `&#x${code.toString(16)};`,
        );
      });
    }
    return withLeaf(text, rng, (l) => insertAt(text, l.valueAt + rng.int(l.value.length + 1), hostileEntity(rng)));
  },
  'processing-instruction': (text, rng) =>
    atBoundary(
      text,
      rng,
      rng.pick([
        '<?php echo 1; ?>',
        '<?xml version="1.0"?>',
        '<?xml-stylesheet href="x"?>',
        '<?x',
        '<??>',
        '<?pi \u0000?>',
      ]),
    ),
  doctype: (text, rng) => {
    const doctype = rng.pick([
      '<!DOCTYPE AmazonEnvelope>',
      '<!DOCTYPE AmazonEnvelope SYSTEM "file:///etc/passwd">',
      `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 6 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]>`,
      '<!DOCTYPE x [<!ENTITY xxe SYSTEM "http://127.0.0.1:1/">]>',
      '<!doctype html>',
    ]);
    const decl = /^\uFEFF?<\?xml[^>]*\?>/.exec(text);
    const withDoctype = decl ? insertAt(text, decl[0].length, `\n${doctype}`) : doctype + text;
    return rng.chance(0.3)
      ? withDoctype.replace(/<SKU>[^<]*<\/SKU>|<AmazonOrderID>[^<]*<\/AmazonOrderID>/, (m) =>
          m.replace(/>[^<]*</, '>&lol6;<'),
        )
      : withDoctype;
  },
  attribute: (text, rng) => {
    const tags = spans(text, START_TAG);
    if (tags.length === 0) return text;
    const tag = rng.pick(tags);
    const attr = rng.pick([
      ' currency="XXX"',
      ' currency="EUR"',
      ' currency=""',
      ' xmlns="urn:x"',
      ' xsi:type="Foo"',
      ' xsi:nil="true"',
      ' a="1" a="2"',
      " a='<'",
      ' b',
      ' xmlns:p="urn:p" p:q="1"',
      ' c="&bogus;"',
    ]);
    return insertAt(text, tag.end - 1, attr);
  },
  declaration: (text, rng) => {
    const decl = rng.pick([
      '',
      '<?xml version="1.1"?>',
      '<?xml version="2.0" encoding="UTF-8"?>',
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
      '<?xml version="1.0" encoding="ISO-8859-2"?>',
      '<?xml version="1.0" encoding="Shift_JIS"?>',
      '<?xml version="1.0" encoding="utf-16"?>',
      '<?xml version="1.0" encoding="binary"?>',
      '<?xml version="1.0" encoding="UTF-7"?>',
      '<?xml version="1.0" encoding="no-such-charset"?>',
      '<?xml encoding="UTF-8"?>',
      '<?xml version="1.0" encoding="UTF-8"',
      '\n\n  <?xml version="1.0" encoding="UTF-8"?>',
      '<?XML version="1.0"?>',
    ]);
    return /^<\?xml[^>]*\?>/.test(text) ? text.replace(/^<\?xml[^>]*\?>/, decl) : decl + text;
  },
  'deep-nesting': (text, rng) => {
    const depth = rng.pick([10, 100, 255, 257, 400, 2000]);
    return withLeaf(text, rng, (l) => insertAt(text, l.valueAt, `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`));
  },
  'stray-markup': (text, rng) =>
    insertAt(
      text,
      rng.int(text.length + 1),
      rng.pick([
        '<',
        '>',
        '&',
        '</Message>',
        '<Message>',
        '</AmazonEnvelope>',
        '<AmazonEnvelope>',
        '</',
        '<>',
        '< Message>',
      ]),
    ),
};

// ---- flat ----

interface FlatText {
  lines: string[];
  eol: string;
  header: number;
}

function splitFlat(text: string): FlatText {
  const eol = text.includes('\r\n') ? '\r\n' : text.includes('\n') ? '\n' : '\r';
  const lines = text.split(/\r\n|\n|\r/);
  const header = lines.findIndex((l) => /(^|\t)(order-id|sku|item_sku)(\t|$)/i.test(l));
  return { lines, eol, header };
}

const joinFlat = (flat: FlatText): string => flat.lines.join(flat.eol);
/** Data rows: below the header, not blank. */
const dataRows = (flat: FlatText): number[] =>
  flat.lines.flatMap((l, i) => (i > flat.header && l.trim() !== '' ? [i] : []));

function withFlat(text: string, rng: Rng, change: (flat: FlatText) => void): string {
  const flat = splitFlat(text);
  change(flat);
  return joinFlat(flat);
}

function withRow(
  text: string,
  rng: Rng,
  change: (cells: string[], flat: FlatText, row: number) => string[] | null,
): string {
  return withFlat(text, rng, (flat) => {
    const rows = dataRows(flat);
    if (rows.length === 0) return;
    const row = rng.pick(rows);
    const cells = change((flat.lines[row] as string).split('\t'), flat, row);
    if (cells) flat.lines[row] = cells.join('\t');
  });
}

/** The same permutation of columns on the header and every row below it. */
function permuteColumns(flat: FlatText, order: readonly number[]): void {
  for (let i = Math.max(flat.header, 0); i < flat.lines.length; i += 1) {
    const cells = (flat.lines[i] as string).split('\t');
    if (cells.length > 1) flat.lines[i] = order.map((c) => cells[c] ?? '').join('\t');
  }
}

export const FLAT_OPS: Record<string, TextOp> = {
  'swap-columns': (text, rng) =>
    withFlat(text, rng, (flat) => {
      const width = (flat.lines[flat.header] ?? '').split('\t').length;
      const order = Array.from({ length: width }, (_, i) => i);
      const [a, b] = [rng.int(width), rng.int(width)];
      [order[a], order[b]] = [order[b] as number, order[a] as number];
      permuteColumns(flat, order);
    }),
  'delete-column': (text, rng) =>
    withFlat(text, rng, (flat) => {
      const width = (flat.lines[flat.header] ?? '').split('\t').length;
      const gone = rng.int(width);
      if (rng.chance(0.3) && flat.header >= 0) {
        // Only the heading goes: every value below shifts one column to the left of its name.
        flat.lines[flat.header] = (flat.lines[flat.header] as string)
          .split('\t')
          .filter((_, i) => i !== gone)
          .join('\t');
      } else
        permuteColumns(
          flat,
          Array.from({ length: width }, (_, i) => i).filter((i) => i !== gone),
        );
    }),
  'swap-cells': (text, rng) =>
    withRow(text, rng, (cells) => {
      const [a, b] = [rng.int(cells.length), rng.int(cells.length)];
      [cells[a], cells[b]] = [cells[b] as string, cells[a] as string];
      return cells;
    }),
  'hostile-cell': (text, rng) =>
    withRow(text, rng, (cells) => {
      cells[rng.int(cells.length)] = rng.pick(HOSTILE_VALUES);
      return cells;
    }),
  'borrow-cell': (text, rng) =>
    withFlat(text, rng, (flat) => {
      const rows = dataRows(flat);
      if (rows.length < 2) return;
      const [to, from] = [rng.pick(rows), rng.pick(rows)];
      const target = (flat.lines[to] as string).split('\t');
      const column = rng.int(target.length);
      target[column] = (flat.lines[from] as string).split('\t')[column] ?? '';
      flat.lines[to] = target.join('\t');
    }),
  'extra-cells': (text, rng) =>
    withRow(text, rng, (cells) => [
      ...cells,
      ...Array.from({ length: rng.between(1, 5) }, () => rng.pick(HOSTILE_VALUES)),
    ]),
  'missing-cells': (text, rng) => withRow(text, rng, (cells) => cells.slice(0, rng.int(cells.length))),
  'duplicate-row': (text, rng) =>
    withFlat(text, rng, (flat) => {
      const rows = dataRows(flat);
      if (rows.length === 0) return;
      const row = rng.pick(rows);
      flat.lines.splice(row, 0, ...Array.from({ length: rng.between(1, 20) }, () => flat.lines[row] as string));
    }),
  'delete-row': (text, rng) =>
    withFlat(text, rng, (flat) => {
      const rows = rng.chance(0.2) ? [flat.header] : dataRows(flat);
      if (rows.length > 0) flat.lines.splice(rng.pick(rows), 1);
    }),
  'swap-rows': (text, rng) =>
    withFlat(text, rng, (flat) => {
      const [a, b] = [rng.int(flat.lines.length), rng.int(flat.lines.length)];
      [flat.lines[a], flat.lines[b]] = [flat.lines[b] as string, flat.lines[a] as string];
    }),
  header: (text, rng) =>
    withFlat(text, rng, (flat) => {
      if (flat.header < 0) return;
      const line = flat.lines[flat.header] as string;
      flat.lines[flat.header] = rng.pick([
        line.toUpperCase(),
        line.replace(/-/g, '_'),
        `${line}\tuwagi`,
        `${line}\t${line.split('\t')[0]}`,
        line.replace(/\t/g, '  '),
        ` ${line.replace(/\t/g, ' \t ')} `,
        `"${line.replace(/\t/g, '"\t"')}"`,
        line.split('\t').reverse().join('\t'),
      ]);
      if (rng.chance(0.2)) flat.lines.splice(flat.header, 0, line);
    }),
  'line-ends': (text, rng) =>
    withFlat(text, rng, (flat) => {
      flat.eol = rng.pick(['\n', '\r\n', '\r', '\n\n', '\r\r\n']);
      if (rng.chance(0.3)) flat.lines.push('', '', '');
      if (rng.chance(0.3))
        flat.lines.splice(rng.int(flat.lines.length + 1), 0, rng.pick(['', '   ', '\t\t', '#', '\u000c']));
    }),
  'template-row': (text, rng) =>
    withFlat(text, rng, (flat) => {
      const row = rng.pick([
        'TemplateType=PriceInventory\tVersion=2019.0001',
        'TemplateType=OrderCancellation',
        'TemplateType=OrderFulfillment',
        'TemplateType=InventoryLoader\tVersion=2014.0415',
        'TemplateType=Bogus',
        'SKU\tPrice\tQuantity',
        'Numer zamówienia\tKod',
      ]);
      flat.lines.splice(Math.max(flat.header, 0), 0, row);
    }),
  quoting: (text, rng) =>
    withRow(text, rng, (cells) => cells.map((c) => (rng.chance(0.5) ? `"${c}"` : rng.chance(0.1) ? `"${c}` : c))),
};

// ---- both ----

export const ANY_TEXT_OPS: Record<string, TextOp> = {
  'exotic-char': (text, rng) =>
    insertAt(text, rng.int(text.length + 1), rng.pick(EXOTIC_CHARS).repeat(rng.pick([1, 1, 2, 50]))),
  'whitespace-flood': (text, rng) =>
    insertAt(
      text,
      rng.int(text.length + 1),
      rng.pick([' ', '\t', '\n', '\r\n', '\u3000']).repeat(rng.between(10, 5000)),
    ),
  'duplicate-chunk': (text, rng) => {
    const start = rng.int(text.length + 1);
    const end = Math.min(text.length, start + rng.between(1, 400));
    return insertAt(text, end, text.slice(start, end));
  },
  'delete-chunk': (text, rng) => {
    const start = rng.int(text.length + 1);
    return text.slice(0, start) + text.slice(Math.min(text.length, start + rng.between(1, 400)));
  },
  'case-flip': (text, rng) => {
    const start = rng.int(text.length + 1);
    const end = Math.min(text.length, start + rng.between(1, 60));
    return (
      text.slice(0, start) +
      text.slice(start, end).replace(/[a-z]/gi, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())) +
      text.slice(end)
    );
  },
};
