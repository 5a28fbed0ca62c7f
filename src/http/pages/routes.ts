/** The web pages under /web/ (being built: issue 6). */
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.js';

export async function registerPages(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  void ctx;
  app.get('/web/', async (_request, reply) => reply.type('text/html; charset=utf-8').send('<!doctype html><title>feedproc</title><p>feedproc</p>'));
}
