/**
 * The bounded drain of a refused body (src/http/refused-body.ts), over a real socket with small limits: a body
 * within the allowance is read to its end; an endless one, a stalled one and a declared one past the allowance
 * are left unread, and the client still gets the answer or a closed connection, never a hang.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { drainBody, keepOpen } from '../../src/http/refused-body.js';

const LIMITS = { bytes: 64 * 1024, ms: 400 };
let server: Server;
let port: number;
/** How each request's drain ended, in arrival order. */
const drained: boolean[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    void drainBody(request, 0, LIMITS).then((ended) => {
      drained.push(ended);
      response.writeHead(413, { 'content-type': 'text/plain', ...(ended ? {} : { connection: 'close' }) });
      response.end('too large');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** Writes `head`, then `body` chunks until the server answers or closes; resolves with what it answered. */
function exchange(head: string, body: { chunk: Buffer; count: number } | null): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (answer += d));
    socket.on('error', () => undefined); // a reset after the answer is what past-the-allowance clients get
    socket.on('close', () => resolve(answer));
    socket.write(head);
    const pump = (): void => {
      while (body && sent < body.count && !socket.destroyed) {
        sent += 1;
        if (!socket.write(body.chunk)) return void socket.once('drain', pump);
      }
    };
    pump();
    socket.setTimeout(5000, () => socket.destroy());
  });
}

const chunked = (size: number): Buffer =>
  Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), Buffer.alloc(size, 0x41), Buffer.from('\r\n')]);

describe('drainBody', () => {
  beforeEach(() => (drained.length = 0));

  it('reads a body within the allowance to its end, and the connection stays usable', async () => {
    const head = (extra: string): string => `PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: ${32 * 1024}\r\n${extra}\r\n`;
    const first = `${head('')}${'A'.repeat(32 * 1024)}`;
    const answer = await exchange(`${first}${head('Connection: close\r\n')}${'B'.repeat(32 * 1024)}`, null);
    expect(answer.match(/HTTP\/1\.1 413/g)).toHaveLength(2);
    expect(drained).toEqual([true, true]);
  });

  it('stops an endless chunked body past the allowance and answers with Connection: close', async () => {
    const started = Date.now();
    const answer = await exchange(`PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`, {
      chunk: chunked(16 * 1024),
      count: 100_000,
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 [^]*connection: close[^]*too large/i);
    expect(drained).toEqual([false]);
    expect(Date.now() - started).toBeLessThan(LIMITS.ms + 2000);
  });

  it('gives up on a stalled body after its time and answers with Connection: close', async () => {
    const started = Date.now();
    const answer = await exchange(`PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nAAAA`, null);
    expect(answer).toMatch(/^HTTP\/1\.1 413 [^]*connection: close/i);
    expect(drained).toEqual([false]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(LIMITS.ms - 50);
  });

  it('does not read a body declared past the allowance', async () => {
    const started = Date.now();
    const answer = await exchange(`PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: ${LIMITS.bytes + 1}\r\n\r\n`, null);
    expect(answer).toMatch(/^HTTP\/1\.1 413 [^]*connection: close/i);
    expect(drained).toEqual([false]);
    expect(Date.now() - started).toBeLessThan(LIMITS.ms);
  });
});

describe('keepOpen', () => {
  it('lets a pipeline fail without destroying the body, whose rest can still be read', async () => {
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < 64; i += 1) yield Buffer.alloc(64 * 1024, i === 63 ? 0x5a : 0x41);
      })(),
      { objectMode: false },
    );
    const refuse = new Writable({ write: (_chunk, _encoding, done) => done(new Error('refused')) });
    await expect(pipeline(keepOpen(body), refuse)).rejects.toThrow('refused');
    expect(body.destroyed).toBe(false);
    let last = 0;
    for await (const chunk of body) last = (chunk as Buffer).at(-1) ?? 0;
    expect(last).toBe(0x5a); // read on to the body's own end
  });

  it('still fails the pipeline when the body fails', async () => {
    const body = new Readable({ read() {} });
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    const piped = pipeline(keepOpen(body), sink);
    body.destroy(new Error('aborted'));
    await expect(piped).rejects.toThrow('aborted');
  });
});
