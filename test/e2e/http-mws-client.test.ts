/**
 * A real MWS client library, unchanged, against `feedproc serve`: the npm package amazon-mws signs with
 * Signature Version 2 (the bare host name while its requests carry `host:port`), sends SubmitFeed bodies labelled
 * `x-www-form-urlencoded`, and finds results by Amazon's element names.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { REPO_ROOT } from '../helpers/cli.js';
import { md5Base64 } from '../helpers/mws-client.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { sleep } from '../helpers/wait.js';

interface AmazonMwsError {
  Code: string;
  StatusCode: number;
  OriginalError?: { Type: string; Code: string; Message: string };
}
interface FeedSubmissionInfo {
  FeedSubmissionId: string;
  FeedType: string;
  FeedProcessingStatus: string;
  SubmittedDate: string;
  CompletedProcessingDate?: string;
}
interface AmazonMwsClient {
  setHost(host: string, port: string, protocol: string): void;
  feeds: {
    submit(
      params: Record<string, unknown>,
    ): Promise<{ FeedSubmissionInfo: FeedSubmissionInfo; Headers: Record<string, string> }>;
    search(params: Record<string, unknown>): Promise<Record<string, unknown>>;
  };
}
type AmazonMwsFactory = (accessKey: string, secret: string) => AmazonMwsClient;

const amazonMws = createRequire(import.meta.url)('amazon-mws') as AmazonMwsFactory;

const MERCHANT = 'A1KW3PLX9Q7ZT2'; // the samples' seller (samples/README.md)
const FLAT_MERCHANT = 'A1FLATSELLER';
const sample = (name: string): string => readFileSync(`${REPO_ROOT}samples/${name}`, 'utf8');

let serve: ServeProcess;
let client: AmazonMwsClient;

function clientFor(key: { accessKeyId: string; secretKey: string }): AmazonMwsClient {
  const mws = amazonMws(key.accessKeyId, key.secretKey);
  mws.setHost('127.0.0.1', String(serve.port), 'http');
  return mws;
}

async function submitAndWait(
  feedType: string,
  feed: string,
  mws = client,
  merchant = MERCHANT,
): Promise<FeedSubmissionInfo> {
  const submitted = await mws.feeds.submit({
    Version: '2009-01-01',
    Action: 'SubmitFeed',
    SellerId: merchant,
    FeedType: feedType,
    FeedContent: feed,
    'MarketplaceIdList.Id.1': 'A1C3SOZRARQ6R3',
    PurgeAndReplace: 'false',
  });
  expect(submitted.FeedSubmissionInfo.FeedProcessingStatus).toBe('_SUBMITTED_');
  expect(submitted.FeedSubmissionInfo.FeedType).toBe(feedType);
  const id = submitted.FeedSubmissionInfo.FeedSubmissionId;
  for (;;) {
    const list = await mws.feeds.search({
      Version: '2009-01-01',
      Action: 'GetFeedSubmissionList',
      SellerId: merchant,
      'FeedSubmissionIdList.Id.1': id,
    });
    expect(list['HasNext']).toBe('false');
    const info = list['FeedSubmissionInfo'] as FeedSubmissionInfo;
    expect(info.FeedSubmissionId).toBe(id);
    if (info.FeedProcessingStatus === '_DONE_') return info;
    await sleep(300);
  }
}

beforeAll(async () => {
  serve = await startServe({ FEEDPROC_THROTTLE_SCALE: '0.01' });
  await serve.importOrders(MERCHANT, `${REPO_ROOT}samples/order-report.txt`);
  await serve.importOrders(FLAT_MERCHANT, `${REPO_ROOT}samples/order-report.txt`);
  client = clientFor(await serve.createKey(MERCHANT));
});

afterAll(async () => {
  await serve.stop();
});

describe('amazon-mws against feedproc serve', () => {
  it('submits an XML adjustment feed, polls until _DONE_ and reads its processing report', async () => {
    const info = await submitAndWait('_POST_PAYMENT_ADJUSTMENT_DATA_', sample('xml-order-adjustment-valid.xml'));
    expect(info.CompletedProcessingDate).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const report = (await client.feeds.search({
      Version: '2009-01-01',
      Action: 'GetFeedSubmissionResult',
      SellerId: MERCHANT,
      FeedSubmissionId: info.FeedSubmissionId,
    })) as {
      AmazonEnvelope: { MessageType: string; Message: { ProcessingReport: Record<string, unknown> } };
    };
    expect(report.AmazonEnvelope.MessageType).toBe('ProcessingReport');
    const processing = report.AmazonEnvelope.Message.ProcessingReport;
    expect(processing['DocumentTransactionID']).toBe(info.FeedSubmissionId);
    expect(processing['StatusCode']).toBe('Complete');
    // Applied to the ledger (not just validated): message 6 names its order by a MerchantOrderID that no
    // acknowledgement has mapped to an Amazon order yet, so the ledger cannot find it.
    expect(processing['ProcessingSummary']).toEqual({
      MessagesProcessed: '7',
      MessagesSuccessful: '6',
      MessagesWithError: '1',
      MessagesWithWarning: '0',
    });
    expect(processing['Result']).toEqual({
      MessageID: '6',
      ResultCode: 'Error',
      ResultMessageCode: '18028',
      ResultDescription:
        'Your order cannot be found using Merchant ID A1KW3PLX9Q7ZT2 and MerchantOrderID ZAM/2026/11/0457. Enter the correct order ID and then resubmit your feed.',
    });
  });

  it('submits a flat adjustment feed with errors and reads the tab-separated report, its Content-MD5 matching', async () => {
    // A seller of its own with the same orders: the XML feed above already refunded some of these items.
    const flatClient = clientFor(await serve.createKey(FLAT_MERCHANT));
    const info = await submitAndWait(
      '_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_',
      sample('flat-adjustment-invalid.txt'),
      flatClient,
      FLAT_MERCHANT,
    );
    const params = {
      Version: '2009-01-01',
      Action: 'GetFeedSubmissionResult',
      SellerId: FLAT_MERCHANT,
      FeedSubmissionId: info.FeedSubmissionId,
      __RAW__: true,
    };
    const raw = (await flatClient.feeds.search(params)) as { data: Buffer; Headers: Record<string, string> };
    expect(raw.Headers['content-type']).toBe('text/tab-separated-values');
    expect(raw.Headers['content-md5']).toBe(md5Base64(raw.data));
    // The rows that pass validation apply cleanly, so the report is the one `feedproc validate` gives.
    expect(raw.data.toString('utf8')).toBe(sample('flat-adjustment-invalid.report.txt'));
    expect(raw.data.toString('utf8')).toContain('Number of records successful\t\t5\n');
  });

  it('answers a wrong secret with SignatureDoesNotMatch', async () => {
    const key = await serve.createKey(MERCHANT);
    const wrong = clientFor({ accessKeyId: key.accessKeyId, secretKey: `${key.secretKey}x` });
    const refused = (await wrong.feeds
      .search({ Version: '2009-01-01', Action: 'GetFeedSubmissionCount', SellerId: MERCHANT })
      .catch((err: unknown) => err)) as AmazonMwsError;
    expect(refused.StatusCode).toBe(403);
    expect(refused.OriginalError).toEqual({
      Type: 'Sender',
      Code: 'SignatureDoesNotMatch',
      Message: expect.stringContaining('signature'),
    });
  });

  it("does not find another merchant's FeedSubmissionId", async () => {
    const feed = await submitAndWait(
      '_POST_PAYMENT_ADJUSTMENT_DATA_',
      sample('xml-order-adjustment-rejected-truncated.xml'),
    );
    const other = clientFor(await serve.createKey('A2OTHERSELLER'));
    const params = { Version: '2009-01-01', SellerId: 'A2OTHERSELLER', FeedSubmissionId: feed.FeedSubmissionId };
    const refused = (await other.feeds
      .search({ ...params, Action: 'GetFeedSubmissionResult' })
      .catch((err: unknown) => err)) as AmazonMwsError;
    expect(refused.StatusCode).toBe(404);
    expect(refused.OriginalError?.Code).toBe('InvalidFeedSubmissionId');
    const listed = await other.feeds.search({
      Version: '2009-01-01',
      Action: 'GetFeedSubmissionList',
      SellerId: 'A2OTHERSELLER',
      'FeedSubmissionIdList.Id.1': feed.FeedSubmissionId,
    });
    expect(listed['HasNext']).toBe('false');
    expect(listed['FeedSubmissionInfo']).toBeUndefined();
  });
});
