/** The MWS-compatible Feeds API 2009-01-01 endpoint at `/` and `/Feeds/2009-01-01` (being built: issue 6). */
import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../context.js';

export async function registerMwsEndpoint(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  void ctx;
  app.get('/', async (_request, reply) => reply.redirect('/web/'));
}
