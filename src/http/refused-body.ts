/**
 * What happens to the body of a refused request. A client that sends its whole body before reading the answer
 * (fetch, most SDKs) sees a reset connection instead of the refusal when the server answers and closes while it is
 * still sending. So, before a refusal is answered, what is left of the body is read and dropped — never stored,
 * never held — up to a bounded remainder (DRAIN_BYTES more, within DRAIN_MS); past that the refusal is answered with
 * `Connection: close` and the connection ends after a short linger (LINGER_MS), so an endless upload cannot hold
 * the socket or the server's memory.
 *
 * A body declared (`Content-Length`) larger than the limit plus that remainder is refused without reading it, and a
 * client waiting for `100 Continue` with such a body is never sent the 100: it gets the 413 before it sends anything.
 */
import type { IncomingMessage, Server } from 'node:http';
import { finished, PassThrough, type Readable } from 'node:stream';

/** The most read and dropped of a refused body, beyond what the upload had already read. */
export const DRAIN_BYTES = 16 * 1024 * 1024;
/** The longest a refusal waits for the rest of the body. */
export const DRAIN_MS = 10_000;
/** How long a connection whose refused body was left unread stays open after the answer, dropping what comes. */
export const LINGER_MS = 2_000;

export interface DrainLimits {
  bytes: number;
  ms: number;
}

/** Requests whose client waits for `100 Continue` and was not sent it. */
const notContinued = new WeakSet<IncomingMessage>();

/**
 * `Expect: 100-continue`: the 100 is sent, as Node does by itself, unless the declared body is larger than
 * `maxBodyBytes`, which every door refuses; that request is routed without it, so it is refused before its body
 * is sent.
 */
export function continueWithinLimit(server: Server, maxBodyBytes: number): void {
  server.on('checkContinue', (request: IncomingMessage, response) => {
    if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes) notContinued.add(request);
    else response.writeContinue();
    server.emit('request', request, response);
  });
}

/**
 * Reads and drops the rest of a refused request's body within the limits; true when the body was read to its end
 * (the connection can serve another request), false when it was left unread (answer with `Connection: close`).
 * `maxBodyBytes`: the door's limit; a body declared larger than it plus `limits.bytes` is not read at all.
 */
export function drainBody(
  request: IncomingMessage,
  maxBodyBytes: number,
  limits: DrainLimits = { bytes: DRAIN_BYTES, ms: DRAIN_MS },
): Promise<boolean> {
  if (request.complete) return Promise.resolve(true);
  if (request.destroyed || notContinued.has(request)) return Promise.resolve(false);
  if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes + limits.bytes) return Promise.resolve(false);
  return new Promise((resolve) => {
    let bytes = 0;
    let settled = false;
    const settle = (ended: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (!ended) request.pause(); // the socket stops reading: nothing more is buffered
      resolve(ended);
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > limits.bytes) settle(false);
    };
    const onEnd = (): void => settle(true);
    const onError = (): void => settle(false);
    const onClose = (): void => settle(request.complete);
    const timer = setTimeout(() => settle(false), limits.ms);
    request.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
    request.resume();
  });
}

/**
 * What every door's error handler does before it answers: the rest of the body is drained (drainBody), and when
 * it was left unread the answer asks for the connection to close.
 */
export async function settleRefusedBody(
  request: IncomingMessage,
  reply: { header(name: string, value: string): unknown },
  maxBodyBytes: number,
): Promise<void> {
  if (await drainBody(request, maxBodyBytes)) return;
  reply.header('connection', 'close');
  lingerAfterAnswer(request);
}

/**
 * Closing a socket that still has unread data makes the kernel send a reset, which can overtake the answer on its
 * way to the client's reader. So once the answer is sent (Node then calls `destroySoon`), the connection only ends
 * its own side, drops whatever else arrives, and is destroyed when the client closes its side or after
 * `LINGER_MS`, whichever is first: the answer is read before any reset comes.
 */
function lingerAfterAnswer(request: IncomingMessage): void {
  const socket = request.socket;
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref(); // never what keeps a stopping process alive
    socket.once('close', () => clearTimeout(timer));
    socket.once('end', () => socket.destroy());
    request.resume(); // flowing with nobody reading: what arrives is dropped, never held
  };
}

/**
 * `body` as a stream that a failed pipeline may destroy without destroying `body` itself — for a request, that
 * would destroy its socket, and the refusal could not be answered. What the upload did not read stays unread, for
 * drainBody. An error or a premature end of `body` still fails the pipeline.
 */
export function keepOpen(body: Readable): Readable {
  const out: PassThrough = new PassThrough({
    destroy(err, done) {
      body.unpipe(out); // at once: not a chunk more is taken from the body
      done(err);
    },
  });
  // Left in place: a body failing after the upload gave up must still have an 'error' listener.
  finished(body, { writable: false }, (err) => {
    if (err) out.destroy(err);
  });
  return body.pipe(out);
}
