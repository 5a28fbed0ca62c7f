/**
 * The bench's figures for hostile input that once grew memory without bound (docs/limits.md): a flat file whose
 * 7 MB header names 1,000,000 unknown columns (once a 335 MB report and 2.3 GB RSS; now rejected with 97032) and
 * a 160 MB envelope whose one message holds 40 million `<x/>` (once a V8 heap exhaustion; now rejected with
 * 97030 after the first 100,000 elements). Both files are generated into the bench's data folder; each run is
 * `feedproc validate` in its own process, and the figure is its peak RSS.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchPaths } from './data.js';
import { limitFigure, type Figure } from './figures.js';
import { rejectionProbe, type Probe, type ProbeOutcome } from './probes.js';

/** Peak RSS either rejection may reach: about what validating any small file costs. */
const RSS_LIMIT_MIB = 150;
const WIDE_COLUMNS = 1_000_000;
/** 40,000,000 `<x/>` of 4 bytes: the 160 MB one-message file. */
const HUGE_ELEMENTS = 40_000_000;

export function boundedProbes(paths: BenchPaths, dataDir: string): Probe[] {
  return [
    rejectionProbe(paths, 'wide-flat', writeWideFlat(dataDir)),
    rejectionProbe(paths, 'huge-message', writeHugeMessage(dataDir)),
  ];
}

export function boundedFigures(get: (id: string) => ProbeOutcome): Figure[] {
  const figure = (id: string, label: string): Figure => {
    const outcome = get(id);
    const error = outcome.error ?? (outcome.peakRssMiB === null ? 'no peak RSS measured' : null);
    return limitFigure(`${id}-rss`, label, outcome.peakRssMiB, 'MiB', RSS_LIMIT_MIB, error);
  };
  return [
    figure('wide-flat', 'flat, 1,000,000 unknown columns: peak RSS'),
    figure('huge-message', 'XML, one 160 MB message: peak RSS'),
  ];
}

function writeWideFlat(dir: string): string {
  const headings = ['sku', 'quantity'];
  for (let i = 0; i < WIDE_COLUMNS; i += 1) headings.push(`x${i}`);
  const file = join(dir, 'wide-columns.txt');
  writeFileSync(file, `${headings.join('\t')}\nSKU-1\t4\n`);
  return file;
}

function writeHugeMessage(dir: string): string {
  const file = join(dir, 'huge-message.xml');
  const fd = openSync(file, 'w');
  try {
    writeSync(
      fd,
      '<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">\n' +
        '<Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A1BENCH</MerchantIdentifier></Header>\n' +
        '<MessageType>OrderAdjustment</MessageType>\n<Message><MessageID>1</MessageID><OrderAdjustment>',
    );
    const piece = '<x/>'.repeat(1_000_000);
    for (let i = 0; i < HUGE_ELEMENTS / 1_000_000; i += 1) writeSync(fd, piece);
    writeSync(fd, '</OrderAdjustment></Message>\n</AmazonEnvelope>\n');
  } finally {
    closeSync(fd);
  }
  return file;
}
