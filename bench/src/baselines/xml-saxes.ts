/**
 * Naive baseline: the XML feed streamed through saxes in 1 MiB chunks, one plain object built per <Message>
 * (the same shape fast-xml-parser gives). Usage: node xml-saxes.js
 */
import { createReadStream, statSync } from 'node:fs';
import { SaxesParser } from 'saxes';
import { XML_FILE, messageBuilder, now, perSecond, printResult } from './common.js';

let messages = 0;
let quantity = 0;
const started = now();
const builder = messageBuilder((message) => {
  const adjustment = message['OrderAdjustment'] as Record<string, Record<string, string>>;
  quantity += Number(adjustment['AdjustedItem']?.['QuantityCancelled']);
  messages += 1;
});
const parser = new SaxesParser();
parser.on('opentag', (tag) => builder.open(tag.name, tag.attributes as Record<string, string>));
parser.on('text', (text) => builder.text(text));
parser.on('closetag', (tag) => builder.close(tag.name));
parser.on('error', (error) => {
  throw error;
});
for await (const chunk of createReadStream(XML_FILE, { encoding: 'utf8', highWaterMark: 1 << 20 }))
  parser.write(chunk as string);
parser.close();
const ms = now() - started;
printResult({
  bench: 'xml-saxes',
  messages,
  quantity,
  ms: Math.round(ms),
  MBps: Math.round((statSync(XML_FILE).size / 1e6 / (ms / 1000)) * 10) / 10,
  msgsPerSec: perSecond(messages, ms),
});
