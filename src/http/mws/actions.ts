/**
 * The six Feeds API operations, each turning an authenticated request into its answer through the FeedService
 * (the same one the JSON door uses). Parameter names and limits are MWS's (docs/http.md#the-mws-compatible-endpoint).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { FeedError } from '../../core/errors.js';
import type { HttpContext } from '../context.js';
import type { FeedFilters, FeedResult } from '../feed-service.js';
import { filtersOf, parseMaxCount } from '../request-filters.js';
import type { FeedOperation } from '../throttle.js';
import type { MwsParameters } from './parameters.js';
import { writeFeedList, writeFeedSubmissionInfo, type ResultWriter } from './responses.js';

export interface ActionRequest {
  ctx: HttpContext;
  merchantId: string;
  params: MwsParameters;
  method: string;
  headers: IncomingHttpHeaders;
  /** The body, unread: the feed of a SubmitFeed. */
  body: IncomingMessage;
}

/** An XML `{Action}Result`, or (GetFeedSubmissionResult) the processing report itself. */
export type ActionAnswer = { kind: 'xml'; write: ResultWriter } | { kind: 'report'; result: FeedResult };

/** CancelFeedSubmissions describes at most this many of the feeds it matched (it counts them all). */
const CANCEL_INFO_LIMIT = 100;

export const ACTIONS: Readonly<Record<FeedOperation, (request: ActionRequest) => Promise<ActionAnswer>>> = {
  SubmitFeed: submitFeed,
  async GetFeedSubmissionList({ ctx, merchantId, params }) {
    const maxCount = parseMaxCount('MaxCount', params.get('MaxCount'));
    const page = await ctx.feeds.list(merchantId, feedFilters(params), maxCount);
    return xml((result) => writeFeedList(result, page));
  },
  async GetFeedSubmissionListByNextToken({ ctx, merchantId, params }) {
    const page = await ctx.feeds.next(merchantId, params.required('NextToken'));
    return xml((result) => writeFeedList(result, page));
  },
  async GetFeedSubmissionCount({ ctx, merchantId, params }) {
    const count = await ctx.feeds.count(merchantId, feedFilters(params));
    return xml((result) => void result.ele('Count').txt(String(count)));
  },
  async CancelFeedSubmissions({ ctx, merchantId, params }) {
    const feeds = await ctx.feeds.cancel(merchantId, feedFilters(params));
    return xml((result) => {
      result.ele('Count').txt(String(feeds.length));
      for (const record of feeds.slice(0, CANCEL_INFO_LIMIT)) writeFeedSubmissionInfo(result, record);
    });
  },
  async GetFeedSubmissionResult({ ctx, merchantId, params }) {
    return { kind: 'report', result: await ctx.feeds.result(merchantId, params.required('FeedSubmissionId')) };
  },
};

const xml = (write: ResultWriter): ActionAnswer => ({ kind: 'xml', write });

/**
 * The body is the feed, streamed to disk by the upload. MWS insists on an MD5 of it in the signed
 * `ContentMD5Value` parameter: that binds the body to the signature, so one signed URL cannot carry another
 * body. An unsigned `Content-MD5` header binds nothing and is not enough on its own.
 */
async function submitFeed({ ctx, merchantId, params, method, headers, body }: ActionRequest): Promise<ActionAnswer> {
  if (method !== 'POST')
    throw new FeedError('HTTP_BAD_REQUEST', { detail: 'SubmitFeed must be sent with POST, the feed as the body' });
  const feedType = params.required('FeedType');
  const md5 = params.get('ContentMD5Value');
  if (!md5) throw new FeedError('HTTP_CONTENT_MD5_MISSING');
  checkBoolean(params, 'PurgeAndReplace');
  // Accepted, and checked to be numbered right; it selects nothing, since feedproc keeps one ledger per merchant.
  params.list('MarketplaceIdList.Id');
  const record = await ctx.feeds.submit(merchantId, feedType, body, md5, Number(headers['content-length'] ?? 0));
  return xml((result) => writeFeedSubmissionInfo(result, record));
}

function checkBoolean(params: MwsParameters, name: string): void {
  const value = params.get(name);
  if (value !== undefined && value !== 'true' && value !== 'false')
    throw new FeedError('HTTP_PARAMETER_INVALID', { name, value, detail: 'true or false' });
}

/** The list filters of GetFeedSubmissionList, GetFeedSubmissionCount and CancelFeedSubmissions. */
function feedFilters(params: MwsParameters): FeedFilters {
  const parts = {
    ids: params.list('FeedSubmissionIdList.Id'),
    feedTypes: params.list('FeedTypeList.Type'),
    statuses: params.list('FeedProcessingStatusList.Status'),
    from: params.get('SubmittedFromDate'),
    to: params.get('SubmittedToDate'),
  };
  const names = {
    ids: 'FeedSubmissionIdList.Id',
    statuses: 'FeedProcessingStatusList.Status',
    from: 'SubmittedFromDate',
    to: 'SubmittedToDate',
  };
  return filtersOf(parts, names);
}
