/**
 * Naive baseline: the XML feed read in 1 MiB chunks, each <Message> cut out by string search and parsed with
 * fast-xml-parser (values kept as strings, the currency attribute kept). Usage: node xml-fxp-stream.js
 */
import { createReadStream, statSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { MessageCutter, XML_FILE, now, perSecond, printResult } from './common.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === 'Message' || name === 'Component',
});
let messages = 0;
let quantity = 0;
const started = now();
const cutter = new MessageCutter((xml) => {
  const message = (parser.parse(xml) as { Message: Array<Record<string, Record<string, Record<string, string>>>> })
    .Message[0];
  quantity += Number(message?.['OrderAdjustment']?.['AdjustedItem']?.['QuantityCancelled']);
  messages += 1;
});
for await (const chunk of createReadStream(XML_FILE, { encoding: 'utf8', highWaterMark: 1 << 20 }))
  cutter.push(chunk as string);
const ms = now() - started;
printResult({
  bench: 'xml-fxp-stream',
  messages,
  quantity,
  ms: Math.round(ms),
  MBps: Math.round((statSync(XML_FILE).size / 1e6 / (ms / 1000)) * 10) / 10,
  msgsPerSec: perSecond(messages, ms),
});
