/**
 * The watcher's logger: pino JSON lines for machines, and on a terminal the same records as short readable
 * lines (time, level, message), so `npm start` is pleasant to watch without an extra prettifier package.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

export function createLogger(out: NodeJS.WriteStream = process.stdout): Logger {
  const options = { base: { pid: process.pid } };
  return out.isTTY ? pino(options, readableLines(out)) : pino(options, out);
}

function readableLines(out: NodeJS.WriteStream): DestinationStream {
  return {
    write(line: string) {
      const record = JSON.parse(line) as { time: number; level: number; msg?: string };
      const time = new Date(record.time).toISOString().slice(11, 23);
      out.write(`${time} ${LEVELS[record.level] ?? record.level} ${record.msg ?? ''}\n`);
    },
  };
}
