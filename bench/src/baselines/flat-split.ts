/**
 * Naive baseline: the flat file read in 1 MiB chunks, split on newlines and tabs by hand, one object per row
 * keyed by the header row. Usage: node flat-split.js
 */
import { createReadStream, statSync } from 'node:fs';
import { TXT_FILE, now, perSecond, printResult } from './common.js';

/** Calls `onRow` with every data row as an object keyed by the header row, and `afterChunk` after each chunk. */
export async function eachRow(
  file: string,
  onRow: (row: Record<string, string>) => void,
  afterChunk?: () => Promise<void>,
): Promise<void> {
  let header: string[] | null = null;
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') continue;
      const cells = line.split('\t');
      if (!header) {
        header = cells;
        continue;
      }
      const row: Record<string, string> = {};
      for (let i = 0; i < header.length; i += 1) row[header[i] as string] = cells[i] as string;
      onRow(row);
    }
    if (afterChunk) await afterChunk();
  }
}

async function main(): Promise<void> {
  let rows = 0;
  let quantity = 0;
  const started = now();
  await eachRow(TXT_FILE, (row) => {
    quantity += Number(row['quantity-cancelled']);
    rows += 1;
  });
  const ms = now() - started;
  printResult({
    bench: 'flat-split',
    rows,
    quantity,
    ms: Math.round(ms),
    MBps: Math.round((statSync(TXT_FILE).size / 1e6 / (ms / 1000)) * 10) / 10,
    rowsPerSec: perSecond(rows, ms),
  });
}

if (process.argv[1]?.endsWith('flat-split.js')) await main();
