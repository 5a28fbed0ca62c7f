/** A real SMTP server (smtp-server) on a free loopback port that keeps every accepted message, parsed (mailparser). */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './redis-server.js';

export interface SmtpSink {
  url: string;
  accepted: ParsedMail[];
  /** Every DATA attempt, accepted or answered with an error. */
  attempts: number;
  close(): Promise<void>;
}

/**
 * `answer(attempt, raw)` decides each DATA: null accepts, a number answers with that SMTP code (451, 550, …).
 * The default accepts everything.
 */
export async function startSmtpSink(
  answer: (attempt: number, raw: string) => number | null = () => null,
): Promise<SmtpSink> {
  const port = await freePort();
  const sink: SmtpSink = { url: `smtp://127.0.0.1:${port}`, accepted: [], attempts: 0, close: async () => undefined };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        sink.attempts += 1;
        const raw = Buffer.concat(chunks).toString('utf8');
        const code = answer(sink.attempts, raw);
        if (code !== null) {
          const error = Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), {
            responseCode: code,
          });
          callback(error);
          return;
        }
        simpleParser(raw).then((parsed) => {
          sink.accepted.push(parsed);
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
