/**
 * What the naive baselines share. They are the yardstick feedproc's figures are compared with: the plainest code
 * a team would write first for the same job, on the same generated files (PERF_DIR/feed-100k.xml and .txt, see
 * gen-data.ts), each printing one `RESULT {json}` line like feedproc's own bench children (result-line.ts).
 * They use the libraries directly (saxes, fast-xml-parser, ajv, ioredis) and none of feedproc's code.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export const DATA_DIR = process.env['PERF_DIR'] || join(tmpdir(), 'feedproc-bench');
export const XML_FILE = join(DATA_DIR, 'feed-100k.xml');
export const TXT_FILE = join(DATA_DIR, 'feed-100k.txt');
export const REDIS_PORT = Number(process.env['REDIS_PORT'] || 6379);

export const now = (): number => performance.now();

export function printResult(fields: Record<string, unknown>): void {
  const heapUsedMiB = Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10;
  console.log(`RESULT ${JSON.stringify({ ...fields, heapUsedMiB })}`);
}

export const perSecond = (count: number, ms: number): number => Math.round(count / (ms / 1000));

/** A parsed element: its text, or an object of its children (and `@_attr`, `#text`), as fast-xml-parser gives. */
export type Parsed = string | { [name: string]: Parsed | Parsed[] };
const REPEATED = new Set(['Message', 'Component']);

/**
 * Builds one plain object per <Message> from start/text/end events (the shape fast-xml-parser gives with
 * attributes kept and repeated elements as arrays), handing each to `onMessage` when it closes.
 */
export function messageBuilder(onMessage: (message: Record<string, Parsed | Parsed[]>) => void) {
  let stack: Array<Record<string, Parsed | Parsed[]>> | null = null;
  let text = '';
  return {
    open(name: string, attributes: Record<string, string>): void {
      if (name === 'Message') stack = [];
      if (!stack) return;
      const node: Record<string, Parsed | Parsed[]> = {};
      for (const key of Object.keys(attributes)) node[`@_${key}`] = attributes[key] as string;
      stack.push(node);
      text = '';
    },
    text(chunk: string): void {
      if (stack) text += chunk;
    },
    close(name: string): void {
      if (!stack) return;
      const node = stack.pop() as Record<string, Parsed | Parsed[]>;
      const trimmed = text.trim();
      text = '';
      let value: Parsed = node;
      if (Object.keys(node).length === 0) value = trimmed;
      else if (trimmed) node['#text'] = trimmed;
      const parent = stack[stack.length - 1];
      if (!parent) {
        stack = null;
        onMessage(node);
        return;
      }
      if (REPEATED.has(name)) ((parent[name] ??= []) as Parsed[]).push(value);
      else parent[name] = value;
    },
  };
}

/**
 * Cuts `<Message>…</Message>` out of a stream of chunks by plain string search (no comments or CDATA holding
 * `</Message>`, no attributes on <Message>: true of the generated files). `head` is what came before the first.
 */
export class MessageCutter {
  head: string | null = null;
  private rest = '';
  constructor(private readonly onMessage: (xml: string) => void) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    let at = 0;
    if (this.head === null) {
      const first = text.indexOf('<Message>');
      if (first < 0) {
        this.rest = text;
        return;
      }
      this.head = text.slice(0, first);
      at = first;
    }
    for (;;) {
      const start = text.indexOf('<Message>', at);
      if (start < 0) {
        at = Math.max(at, text.length - '<Message>'.length); // a start tag may be split across chunks
        break;
      }
      const end = text.indexOf('</Message>', start);
      if (end < 0) {
        at = start;
        break;
      }
      this.onMessage(text.slice(start, end + '</Message>'.length));
      at = end + '</Message>'.length;
    }
    this.rest = text.slice(at);
  }
}
