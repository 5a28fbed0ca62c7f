/** The JSON API described for clients and code generators (OpenAPI 3.1), served at /openapi.json. */
const feedInfo = {
  type: 'object',
  properties: {
    feedSubmissionId: { type: 'string' },
    feedType: { type: ['string', 'null'] },
    merchantId: { type: 'string' },
    submittedDate: { type: 'string', format: 'date-time' },
    feedProcessingStatus: { enum: ['_SUBMITTED_', '_IN_PROGRESS_', '_DONE_', '_CANCELLED_'] },
    startedProcessingDate: { type: ['string', 'null'], format: 'date-time' },
    completedProcessingDate: { type: ['string', 'null'], format: 'date-time' },
    messages: { type: 'integer' },
    duplicateOf: { type: ['string', 'null'] },
  },
};
const error = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, feedprocCode: { type: 'string' }, message: { type: 'string' } },
    },
  },
};
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const errors = {
  '401': { description: 'no key or an unknown key', ...json(error) },
  '403': { description: 'revoked key', ...json(error) },
  '503': {
    description: 'RequestThrottled / QuotaExceeded, or ServiceUnavailable (QUEUE_REDIS_FULL: Redis refuses writes)',
    ...json(error),
  },
};
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const filterParams = ['id', 'feedType', 'status', 'from', 'to'].map((name) => ({
  name,
  in: 'query',
  required: false,
  schema: { type: 'string' },
}));

export const OPENAPI = Object.freeze({
  openapi: '3.1.0',
  info: {
    title: 'feedproc JSON API',
    version: '1',
    description: 'MWS Feeds API operations as JSON; every call acts for the merchant of the Bearer key.',
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'the secret key of `feedproc keys create`' },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/feeds': {
      post: {
        summary: 'SubmitFeed: the body is the feed file',
        parameters: [
          { name: 'feedType', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'Content-MD5', in: 'header', required: false, schema: { type: 'string' } },
        ],
        requestBody: { required: true, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
        responses: {
          '201': { description: 'FeedSubmissionInfo, _SUBMITTED_', ...json(feedInfo) },
          '400': { description: 'ContentMD5DoesNotMatch, InvalidFeedType', ...json(error) },
          '413': { description: 'larger than the limit', ...json(error) },
          ...errors,
        },
      },
      get: {
        summary: 'GetFeedSubmissionList / ByNextToken',
        parameters: [
          ...filterParams,
          { name: 'maxCount', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
          { name: 'nextToken', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'a page',
            ...json({
              type: 'object',
              properties: {
                feeds: { type: 'array', items: feedInfo },
                hasNext: { type: 'boolean' },
                nextToken: { type: ['string', 'null'] },
              },
            }),
          },
          ...errors,
        },
      },
    },
    '/feeds/count': {
      get: {
        summary: 'GetFeedSubmissionCount',
        parameters: filterParams,
        responses: {
          '200': { description: 'count', ...json({ type: 'object', properties: { count: { type: 'integer' } } }) },
          ...errors,
        },
      },
    },
    '/feeds/cancel': {
      post: {
        summary: 'CancelFeedSubmissions: every matching feed not yet started',
        parameters: filterParams,
        responses: {
          '200': {
            description: 'the matching feeds after cancelling',
            ...json({
              type: 'object',
              properties: { count: { type: 'integer' }, feeds: { type: 'array', items: feedInfo } },
            }),
          },
          ...errors,
        },
      },
    },
    '/feeds/{id}': {
      get: {
        summary: 'one FeedSubmissionInfo',
        parameters: [idParam],
        responses: {
          '200': { description: 'FeedSubmissionInfo', ...json(feedInfo) },
          '404': { description: "InvalidFeedSubmissionId (also another merchant's)", ...json(error) },
          ...errors,
        },
      },
    },
    '/feeds/{id}/cancel': {
      post: {
        summary: 'cancel one feed not yet started',
        parameters: [idParam],
        responses: {
          '200': { description: 'cancelled', ...json(feedInfo) },
          '409': { description: 'it has begun processing', ...json(error) },
          ...errors,
        },
      },
    },
    '/feeds/{id}/result': {
      get: {
        summary: 'GetFeedSubmissionResult: the processing report, with Content-MD5',
        parameters: [idParam],
        responses: {
          '200': {
            description: 'XML or tab-delimited report',
            content: { 'text/xml': {}, 'text/tab-separated-values': {} },
          },
          '404': { description: 'FeedProcessingResultNotReady, FeedCanceled, InvalidFeedSubmissionId', ...json(error) },
          ...errors,
        },
      },
    },
    '/orders/{id}': {
      get: {
        summary: 'an order of the ledger (shape: docs/reports.md#order)',
        parameters: [idParam],
        responses: {
          '200': { description: 'the order', ...json({ type: 'object' }) },
          '404': { description: 'no such order for this merchant', ...json(error) },
          ...errors,
        },
      },
    },
    '/orders/{id}/cancel': {
      post: {
        summary: "the seller's Cancel order: whole order, or listed items and quantities",
        parameters: [idParam, { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } }],
        requestBody: {
          required: true,
          ...json({
            type: 'object',
            required: ['reason'],
            properties: {
              reason: { type: 'string' },
              note: { type: 'string' },
              items: {
                type: 'array',
                items: { type: 'object', properties: { code: { type: 'string' }, quantity: { type: 'integer' } } },
              },
            },
          }),
        },
        responses: {
          '200': { description: 'Cancelled', ...json({ type: 'object' }) },
          '409': { description: 'Refused, with the reason', ...json({ type: 'object' }) },
          '422': { description: 'the Idempotency-Key was used for a different request', ...json(error) },
          ...errors,
        },
      },
    },
    '/destinations': {
      post: {
        summary: 'a FEED_PROCESSING_FINISHED destination (docs/sp-api.md); the answer carries its signing secret, once',
        requestBody: {
          required: true,
          ...json({ type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri' } } }),
        },
        responses: {
          '201': { description: 'destinationId, url, createdAt, secret', ...json({ type: 'object' }) },
          ...errors,
        },
      },
      get: {
        summary: "the merchant's destinations",
        responses: { '200': { description: '{ destinations }', ...json({ type: 'object' }) }, ...errors },
      },
    },
    '/destinations/{id}': {
      delete: {
        summary: 'stop sending to a destination',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '204': { description: 'removed' }, ...errors },
      },
    },
    '/metrics': {
      get: {
        summary: 'the pre-fulfillment cancel rate',
        parameters: [{ name: 'days', in: 'query', schema: { type: 'integer', default: 7 } }],
        responses: {
          '200': { description: 'the cancel rate (shape: docs/reports.md#cancel-rate)', ...json({ type: 'object' }) },
          ...errors,
        },
      },
    },
    '/health': {
      get: {
        summary: 'liveness: Redis answers and accepts writes',
        security: [],
        responses: {
          '200': { description: 'ok', ...json({ type: 'object' }) },
          '503': { description: 'Redis full (refuses writes) or down, with a reason', ...json({ type: 'object' }) },
        },
      },
    },
  },
});
