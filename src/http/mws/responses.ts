/**
 * MWS response documents (Feeds API 2009-01-01): `<{Action}Response>` with its `<{Action}Result>` and
 * `ResponseMetadata/RequestId`, and `ErrorResponse` for refusals. Client libraries find the result by these
 * element names, so they follow Amazon's exactly.
 */
import { create } from 'xmlbuilder2';
import type { FeedRecord } from '../../queue/feed-store.js';
import type { HttpError } from '../http-errors.js';

type XMLBuilder = ReturnType<typeof create>;

export const MWS_NAMESPACE = 'http://mws.amazonaws.com/doc/2009-01-01/';
export const XML_CONTENT_TYPE = 'text/xml';

/** Fills an `{Action}Result` element. */
export type ResultWriter = (result: XMLBuilder) => void;

export function successDocument(action: string, requestId: string, write: ResultWriter): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(`${action}Response`, { xmlns: MWS_NAMESPACE });
  write(root.ele(`${action}Result`));
  root.ele('ResponseMetadata').ele('RequestId').txt(requestId);
  return root.end({ prettyPrint: false });
}

export function errorDocument(error: HttpError, requestId: string): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('ErrorResponse', { xmlns: MWS_NAMESPACE });
  const element = root.ele('Error');
  element.ele('Type').txt(error.type);
  element.ele('Code').txt(error.mwsCode);
  element.ele('Message').txt(error.message);
  root.ele('RequestID').txt(requestId);
  return root.end({ prettyPrint: false });
}

/** One `FeedSubmissionInfo`; the processing dates appear once the feed has them, as in Amazon's answers. */
export function writeFeedSubmissionInfo(parent: XMLBuilder, record: FeedRecord): void {
  const info = parent.ele('FeedSubmissionInfo');
  info.ele('FeedSubmissionId').txt(record.feedSubmissionId);
  if (record.feedType) info.ele('FeedType').txt(record.feedType);
  info.ele('SubmittedDate').txt(record.submittedDate);
  info.ele('FeedProcessingStatus').txt(record.status);
  if (record.startedProcessingDate) info.ele('StartedProcessingDate').txt(record.startedProcessingDate);
  if (record.completedProcessingDate) info.ele('CompletedProcessingDate').txt(record.completedProcessingDate);
}

export function writeFeedList(result: XMLBuilder, page: { feeds: FeedRecord[]; nextToken: string | null }): void {
  if (page.nextToken !== null) result.ele('NextToken').txt(page.nextToken);
  result.ele('HasNext').txt(String(page.nextToken !== null));
  for (const record of page.feeds) writeFeedSubmissionInfo(result, record);
}
