/**
 * Sending one e-mail: over SMTP (nodemailer) to the configured server, or — with none configured — as an .eml
 * file in <feedsDir>/outbox/ (written whole: temporary name, then rename). SMTP failures are sorted the way
 * mail servers mean them: 4xx and connection trouble are temporary (try again later), 5xx permanent.
 */
import { rename, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Mail } from './cancellation-mail.js';

export type DeliveryResult =
  { kind: 'sent'; detail: string } | { kind: 'temporary'; detail: string } | { kind: 'permanent'; detail: string };

export interface Delivery {
  send(mail: Mail, from: string): Promise<DeliveryResult>;
  close(): void;
}

/** SMTP timeouts stay well inside the notifier's lease, so a slow server cannot outlast it (and get a mail twice). */
export function smtpDelivery(url: string, leaseMs: number): Delivery {
  const limit = Math.max(1000, Math.floor(leaseMs / 3));
  const transport = nodemailer.createTransport(url, {
    connectionTimeout: limit,
    greetingTimeout: limit,
    socketTimeout: limit,
  });
  return {
    async send(mail, from) {
      try {
        const info = await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId: mail.messageId,
        });
        return { kind: 'sent', detail: String(info.response ?? 'accepted') };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        const detail = err instanceof Error ? err.message : String(err);
        return code !== undefined && code >= 500 ? { kind: 'permanent', detail } : { kind: 'temporary', detail };
      }
    },
    close: () => transport.close(),
  };
}

export function outboxDelivery(outbox: string): Delivery {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail, from) {
      const info = await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
      });
      await mkdir(outbox, { recursive: true });
      const name = `${mail.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9.@-]/g, '_')}.eml`;
      const temporary = join(outbox, `.${name}.tmp`);
      await writeFile(temporary, info.message as Buffer);
      await rename(temporary, join(outbox, name));
      return { kind: 'sent', detail: `written to ${join(outbox, name)}` };
    },
    close: () => transport.close(),
  };
}
