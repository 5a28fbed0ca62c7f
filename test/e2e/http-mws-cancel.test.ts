/**
 * CancelFeedSubmissions and the report's readiness at the MWS endpoint. The merchant's lane waits one stability
 * window before it takes its first file, so with a long window a feed just submitted is still `_SUBMITTED_`
 * when the next request arrives.
 */
import { adjustmentFeed } from '../helpers/feeds.js';
import { errorOf, md5Base64, MwsTestClient, resultOf } from '../helpers/mws-client.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';

const TYPE = '_POST_PAYMENT_ADJUSTMENT_DATA_';

let serve: ServeProcess;
let mws: MwsTestClient;

beforeAll(async () => {
  serve = await startServe({ FEEDPROC_THROTTLE_SCALE: '0.0001', FEEDPROC_WATCH_STABLE_MS: '8000' });
  mws = new MwsTestClient(serve.port, await serve.createKey('A1MERCHANT'));
});

afterAll(async () => {
  await serve.stop();
});

describe('CancelFeedSubmissions and GetFeedSubmissionResult', () => {
  it('reports FeedProcessingResultNotReady until _DONE_, then the report with its Content-MD5; cancels only what has not started', async () => {
    const done = await mws.submit(TYPE, adjustmentFeed(1));
    const early = await mws.call('GetFeedSubmissionResult', { FeedSubmissionId: done.FeedSubmissionId });
    expect([early.status, errorOf(early).Code]).toEqual([404, 'FeedProcessingResultNotReady']);
    expect(early.headers['x-mws-quota-max']).toBe('60');

    const finished = await mws.waitDone(done.FeedSubmissionId);
    expect(finished.FeedProcessingStatus).toBe('_DONE_');
    expect(finished.StartedProcessingDate).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const report = await mws.call('GetFeedSubmissionResult', { FeedSubmissionId: done.FeedSubmissionId });
    expect([report.status, report.headers['content-md5'], Number(report.headers['content-length'])]).toEqual([
      200,
      md5Base64(report.body),
      report.body.length,
    ]);
    expect(report.text).toContain(`<DocumentTransactionID>${done.FeedSubmissionId}</DocumentTransactionID>`);

    const waiting = await mws.submit(TYPE, adjustmentFeed(2));
    const cancel = await mws.call('CancelFeedSubmissions', {
      'FeedSubmissionIdList.Id.1': done.FeedSubmissionId,
      'FeedSubmissionIdList.Id.2': waiting.FeedSubmissionId,
    });
    const result = resultOf(cancel, 'CancelFeedSubmissions');
    expect(result['Count']).toBe('2');
    const statuses = Object.fromEntries(
      (result.FeedSubmissionInfo ?? []).map((info) => [info.FeedSubmissionId, info.FeedProcessingStatus]),
    );
    expect(statuses).toEqual({ [done.FeedSubmissionId]: '_DONE_', [waiting.FeedSubmissionId]: '_CANCELLED_' });
    const cancelledInfo = (result.FeedSubmissionInfo ?? []).find(
      (info) => info.FeedSubmissionId === waiting.FeedSubmissionId,
    );
    expect(cancelledInfo?.CompletedProcessingDate).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const canceled = await mws.call('GetFeedSubmissionResult', { FeedSubmissionId: waiting.FeedSubmissionId });
    expect([canceled.status, errorOf(canceled).Code]).toEqual([404, 'FeedCanceled']);
    expect((await mws.info(waiting.FeedSubmissionId)).FeedProcessingStatus).toBe('_CANCELLED_');
  });

  it('cancels every matching feed when no ids are given, counting them all', async () => {
    const other = new MwsTestClient(serve.port, await serve.createKey('A1FILTERS'));
    const a = await other.submit(TYPE, adjustmentFeed(3));
    const b = await other.submit(TYPE, adjustmentFeed(4));
    const cancel = resultOf(
      await other.call('CancelFeedSubmissions', { 'FeedTypeList.Type.1': TYPE }),
      'CancelFeedSubmissions',
    );
    expect(cancel['Count']).toBe('2');
    expect((cancel.FeedSubmissionInfo ?? []).map((info) => [info.FeedSubmissionId, info.FeedProcessingStatus])).toEqual(
      [
        [b.FeedSubmissionId, '_CANCELLED_'],
        [a.FeedSubmissionId, '_CANCELLED_'],
      ],
    );
    const none = resultOf(
      await other.call('CancelFeedSubmissions', { 'FeedTypeList.Type.1': '_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_' }),
      'CancelFeedSubmissions',
    );
    expect([none['Count'], none.FeedSubmissionInfo]).toEqual(['0', undefined]);
  });
});
