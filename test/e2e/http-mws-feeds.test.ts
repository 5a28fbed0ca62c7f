/** SubmitFeed's checks, listing with paging, counting and reports at the MWS endpoint, over real sockets. */
import { adjustmentFeed, FLAT_ADJUSTMENT_HEADER, flatAdjustmentRow } from '../helpers/feeds.js';
import { errorOf, md5Base64, MwsTestClient, resultOf } from '../helpers/mws-client.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';

let serve: ServeProcess;
let mws: MwsTestClient;

const XML_TYPE = '_POST_PAYMENT_ADJUSTMENT_DATA_';
const FLAT_TYPE = '_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_';

beforeAll(async () => {
  // Restores throttling tokens within milliseconds: these tests make bursts of calls; throttling has its own test.
  serve = await startServe({ FEEDPROC_THROTTLE_SCALE: '0.0001' });
  mws = new MwsTestClient(serve.port, await serve.createKey('A1MERCHANT')); // the merchant test/helpers/feeds.ts names
});

afterAll(async () => {
  await serve.stop();
});

describe('SubmitFeed', () => {
  const feed = adjustmentFeed(1);

  it('needs the MD5 of the body as the signed ContentMD5Value (an unsigned Content-MD5 header binds nothing), and it must match', async () => {
    const missing = await mws.call('SubmitFeed', { FeedType: XML_TYPE }, { body: feed });
    expect([missing.status, errorOf(missing).Code]).toEqual([400, 'ContentMD5Missing']);
    const wrong = await mws.call(
      'SubmitFeed',
      { FeedType: XML_TYPE, ContentMD5Value: md5Base64(`${feed} `) },
      { body: feed },
    );
    expect([wrong.status, errorOf(wrong).Code]).toEqual([400, 'ContentMD5DoesNotMatch']);
    expect(errorOf(wrong).Message).toContain(md5Base64(feed));
    const header = await mws.call(
      'SubmitFeed',
      { FeedType: XML_TYPE },
      { body: feed, headers: { 'content-md5': md5Base64(feed) } },
    );
    expect([header.status, errorOf(header).Code]).toEqual([400, 'ContentMD5Missing']);
  });

  it('needs a FeedType feedproc processes, and POST', async () => {
    const params = { ContentMD5Value: md5Base64(feed) };
    const invalid = await mws.call('SubmitFeed', { ...params, FeedType: '_POST_PRODUCT_DATA_' }, { body: feed });
    expect([invalid.status, errorOf(invalid).Code]).toEqual([400, 'InvalidFeedType']);
    const none = await mws.call('SubmitFeed', params, { body: feed });
    expect([none.status, errorOf(none).Code, errorOf(none).Message]).toEqual([
      400,
      'MissingParameter',
      'The request must contain the parameter FeedType.',
    ]);
    const get = await mws.call('SubmitFeed', { ...params, FeedType: XML_TYPE }, { method: 'GET' });
    expect([get.status, errorOf(get).Code]).toEqual([400, 'InvalidRequest']);
  });

  it('accepts the body with any Content-Type or none, and MarketplaceIdList and PurgeAndReplace', async () => {
    const extra = {
      'MarketplaceIdList.Id.1': 'A1C3SOZRARQ6R3',
      'MarketplaceIdList.Id.2': 'A1PA6795UKMFR9',
      PurgeAndReplace: 'false',
    };
    for (const contentType of [
      undefined,
      'application/x-www-form-urlencoded',
      'text/tab-separated-values; charset=iso-8859-1',
    ]) {
      const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
      const answer = await mws.call(
        'SubmitFeed',
        { FeedType: XML_TYPE, ContentMD5Value: md5Base64(feed), ...extra },
        { body: feed, headers },
      );
      expect([contentType, answer.status, resultOf(answer, 'SubmitFeed').FeedSubmissionInfo?.[0]?.FeedType]).toEqual([
        contentType,
        200,
        XML_TYPE,
      ]);
    }
  });
});

describe('GetFeedSubmissionList, ByNextToken, Count and Result', () => {
  it('pages five feeds two at a time with NextToken, newest first, counts them and gives their reports', async () => {
    const other = new MwsTestClient(serve.port, await serve.createKey('A1PAGER'));
    const submitted: string[] = [];
    for (let i = 1; i <= 4; i += 1) submitted.push((await other.submit(XML_TYPE, adjustmentFeed(i))).FeedSubmissionId);
    const flat = `${FLAT_ADJUSTMENT_HEADER}\n${flatAdjustmentRow(1)}\n`;
    submitted.push((await other.submit(FLAT_TYPE, flat)).FeedSubmissionId);

    const first = resultOf(await other.call('GetFeedSubmissionList', { MaxCount: '2' }), 'GetFeedSubmissionList');
    expect([first['HasNext'], first.FeedSubmissionInfo?.length]).toEqual(['true', 2]);
    const second = resultOf(
      await other.call('GetFeedSubmissionListByNextToken', { NextToken: String(first['NextToken']) }),
      'GetFeedSubmissionListByNextToken',
    );
    expect([second['HasNext'], second.FeedSubmissionInfo?.length]).toEqual(['true', 2]);
    const third = resultOf(
      await other.call('GetFeedSubmissionListByNextToken', { NextToken: String(second['NextToken']) }),
      'GetFeedSubmissionListByNextToken',
    );
    expect([third['HasNext'], third['NextToken'], third.FeedSubmissionInfo?.length]).toEqual(['false', undefined, 1]);
    const paged = [first, second, third].flatMap((page) => page.FeedSubmissionInfo ?? []);
    expect(paged.map((info) => info.FeedSubmissionId)).toEqual([...submitted].reverse());
    expect(paged.map((info) => info.FeedType)).toEqual([FLAT_TYPE, XML_TYPE, XML_TYPE, XML_TYPE, XML_TYPE]);

    const stranger = await mws.call('GetFeedSubmissionListByNextToken', { NextToken: String(first['NextToken']) });
    expect([stranger.status, errorOf(stranger).Code]).toEqual([400, 'InvalidParameterValue']);

    const count = async (params: Record<string, string>): Promise<unknown> =>
      resultOf(await other.call('GetFeedSubmissionCount', params), 'GetFeedSubmissionCount')['Count'];
    expect(await count({})).toBe('5');
    expect(await count({ 'FeedTypeList.Type.1': FLAT_TYPE })).toBe('1');
    expect(await count({ SubmittedToDate: '2000-01-01T00:00:00Z' })).toBe('0');

    for (const id of submitted) await other.waitDone(id);
    expect(await count({ 'FeedProcessingStatusList.Status.1': '_DONE_' })).toBe('5');
    expect(
      await count({
        'FeedProcessingStatusList.Status.1': '_SUBMITTED_',
        'FeedProcessingStatusList.Status.2': '_IN_PROGRESS_',
      }),
    ).toBe('0');
    const listed = resultOf(
      await other.call('GetFeedSubmissionList', {
        'FeedSubmissionIdList.Id.1': submitted[0] as string,
        'FeedTypeList.Type.1': FLAT_TYPE,
      }),
      'GetFeedSubmissionList',
    );
    expect(listed.FeedSubmissionInfo?.map((info) => [info.FeedSubmissionId, info.FeedProcessingStatus])).toEqual([
      [submitted[0], '_DONE_'],
    ]); // ids override filters

    const report = await other.call('GetFeedSubmissionResult', { FeedSubmissionId: submitted[1] as string });
    expect([report.status, report.headers['content-md5']]).toEqual([200, md5Base64(report.body)]);
    expect(report.headers['x-mws-quota-max']).toBe('60');
    const processing = (report.xml['AmazonEnvelope'] as { Message: { ProcessingReport: Record<string, unknown> } })
      .Message.ProcessingReport;
    // The feeds name A1MERCHANT in their headers but came with A1PAGER's key: rejected whole (5005).
    expect([
      processing['DocumentTransactionID'],
      processing['StatusCode'],
      (processing['Result'] as Record<string, string>)['ResultMessageCode'],
    ]).toEqual([submitted[1], 'Rejected', '5005']);
    const flatReport = await other.call('GetFeedSubmissionResult', { FeedSubmissionId: submitted[4] as string });
    expect([flatReport.headers['content-type'], flatReport.headers['content-md5']]).toEqual([
      'text/tab-separated-values; charset=UTF-8',
      md5Base64(flatReport.body),
    ]);
    expect(flatReport.text).toContain('Number of records processed\t\t1\n');
  });

  it('rejects MaxCount 101, more than 100 ids, and a status MWS does not know', async () => {
    const maxCount = await mws.call('GetFeedSubmissionList', { MaxCount: '101' });
    expect([maxCount.status, errorOf(maxCount).Code]).toEqual([400, 'InvalidParameterValue']);
    expect(errorOf(maxCount).Message).toContain('MaxCount');
    expect((await mws.call('GetFeedSubmissionList', { MaxCount: '100' })).status).toBe(200);
    const ids = Object.fromEntries(
      Array.from({ length: 101 }, (_, i) => [`FeedSubmissionIdList.Id.${i + 1}`, String(50001 + i)]),
    );
    const tooMany = await mws.call('GetFeedSubmissionList', ids);
    expect([tooMany.status, errorOf(tooMany).Code]).toEqual([400, 'InvalidParameterValue']);
    const status = await mws.call('GetFeedSubmissionCount', { 'FeedProcessingStatusList.Status.1': '_FINISHED_' });
    expect([status.status, errorOf(status).Code]).toEqual([400, 'InvalidParameterValue']);
  });

  it('answers a FeedSubmissionId that does not exist with InvalidFeedSubmissionId', async () => {
    const none = await mws.call('GetFeedSubmissionResult', { FeedSubmissionId: '99999999' });
    expect([none.status, errorOf(none).Code]).toEqual([404, 'InvalidFeedSubmissionId']);
  });
});
