/** Signature Version 2 at the MWS endpoint, with requests signed by the test's own signer (test/helpers/mws-client.ts). */
import {
  encodeParams,
  errorOf,
  MwsTestClient,
  parseAnswer,
  resultOf,
  send,
  sign,
  type MwsKey,
} from '../helpers/mws-client.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';

let serve: ServeProcess;
let key: MwsKey;
let mws: MwsTestClient;

const COUNT = { Action: 'GetFeedSubmissionCount', Version: '2009-01-01' };

beforeAll(async () => {
  // Restores throttling tokens within milliseconds: these tests make bursts of calls; throttling has its own test.
  serve = await startServe({ FEEDPROC_THROTTLE_SCALE: '0.0001' });
  key = await serve.createKey('A1SIGNER');
  mws = new MwsTestClient(serve.port, key);
});

afterAll(async () => {
  await serve.stop();
});

async function get(params: Record<string, string>, headers: Record<string, string> = {}, path = '/Feeds/2009-01-01') {
  return parseAnswer(await send(serve.port, { method: 'GET', path: `${path}?${encodeParams(params)}`, headers }));
}

describe('MWS Signature Version 2', () => {
  it('accepts HmacSHA256 and HmacSHA1, at / and at /Feeds/2009-01-01, with the MWS headers', async () => {
    for (const signatureMethod of ['HmacSHA256', 'HmacSHA1'] as const) {
      for (const path of ['/', '/Feeds/2009-01-01']) {
        const answer = await mws.call('GetFeedSubmissionCount', {}, { signatureMethod, path });
        expect([answer.status, resultOf(answer, 'GetFeedSubmissionCount')['Count']]).toEqual([200, '0']);
        expect(answer.headers['content-type']).toBe('text/xml');
        expect(answer.headers['x-mws-request-id']).toBe(
          (answer.xml['GetFeedSubmissionCountResponse'] as { ResponseMetadata: { RequestId: string } }).ResponseMetadata
            .RequestId,
        );
        expect(answer.headers['x-mws-timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T/);
        expect(answer.headers['x-mws-quota-max']).toBe('80');
      }
    }
  });

  it('accepts the Host signed with and without its port, and a Host header sent without one', async () => {
    const withPort = await mws.call('GetFeedSubmissionCount', {}, { signHost: `127.0.0.1:${serve.port}` });
    const bare = await mws.call('GetFeedSubmissionCount', {}, { signHost: '127.0.0.1' });
    const signed = sign(key, serve.port, { ...COUNT, SellerId: key.merchantId }, { signHost: 'feeds.example.com' });
    const otherHost = await get(signed, { host: 'feeds.example.com' });
    expect([withPort.status, bare.status, otherHost.status]).toEqual([200, 200, 200]);
    const wrongHost = await get(signed, { host: 'elsewhere.example.com' });
    expect([wrongHost.status, errorOf(wrongHost).Code]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('takes the parameters from a POST form body, which are part of what is signed', async () => {
    const params = sign(key, serve.port, { ...COUNT, SellerId: key.merchantId }, { method: 'POST' });
    const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    const answer = parseAnswer(
      await send(serve.port, { method: 'POST', path: '/Feeds/2009-01-01', headers: form, body: encodeParams(params) }),
    );
    expect([answer.status, resultOf(answer, 'GetFeedSubmissionCount')['Count']]).toEqual([200, '0']);
    const altered = encodeParams({ ...params, 'FeedTypeList.Type.1': '_POST_PAYMENT_ADJUSTMENT_DATA_' });
    const refused = parseAnswer(
      await send(serve.port, { method: 'POST', path: '/Feeds/2009-01-01', headers: form, body: altered }),
    );
    expect([refused.status, errorOf(refused).Code]).toEqual([403, 'SignatureDoesNotMatch']);
    // Signed for GET but sent as POST: the method is signed too.
    const asGet = sign(key, serve.port, { ...COUNT, SellerId: key.merchantId });
    const wrongMethod = parseAnswer(
      await send(serve.port, { method: 'POST', path: '/Feeds/2009-01-01', headers: form, body: encodeParams(asGet) }),
    );
    expect([wrongMethod.status, errorOf(wrongMethod).Code]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('signs names and values percent-encoded per RFC 3986 (spaces, reserved characters, UTF-8)', async () => {
    const answer = await mws.call('GetFeedSubmissionCount', { 'FeedTypeList.Type.1': "a b+c/d*e'(ł)~" });
    expect([answer.status, resultOf(answer, 'GetFeedSubmissionCount')['Count']]).toEqual([200, '0']);
  });

  it('refuses a stale Timestamp with RequestExpired, and a passed Expires', async () => {
    const stale = await mws.call('GetFeedSubmissionCount', {}, { timestamp: new Date(Date.now() - 16 * 60 * 1000) });
    expect([stale.status, errorOf(stale).Type, errorOf(stale).Code]).toEqual([400, 'Sender', 'RequestExpired']);
    const future = await mws.call('GetFeedSubmissionCount', {}, { timestamp: new Date(Date.now() + 16 * 60 * 1000) });
    expect(errorOf(future).Code).toBe('RequestExpired');
    const expired = await mws.call('GetFeedSubmissionCount', {}, { expires: new Date(Date.now() - 1000) });
    expect([expired.status, errorOf(expired).Code]).toEqual([400, 'RequestExpired']);
    const valid = await mws.call('GetFeedSubmissionCount', {}, { expires: new Date(Date.now() + 60 * 1000) });
    expect(valid.status).toBe(200);
  });

  it('refuses a replayed request with one parameter altered', async () => {
    const params = sign(key, serve.port, { ...COUNT, SellerId: key.merchantId });
    expect((await get(params)).status).toBe(200);
    const replayed = await get({ ...params, SubmittedFromDate: '2020-01-01T00:00:00Z' });
    expect([replayed.status, errorOf(replayed).Code]).toEqual([403, 'SignatureDoesNotMatch']);
    // The last character before '=' changed to another one (an 'A' there already would leave it unchanged).
    const signature = params['Signature'] ?? '';
    const other = signature.at(-2) === 'A' ? 'E' : 'A';
    const signatureChanged = await get({ ...params, Signature: `${signature.slice(0, -2)}${other}=` });
    expect(errorOf(signatureChanged).Code).toBe('SignatureDoesNotMatch');
  });

  it('refuses an unknown key, a revoked key and a key of another merchant', async () => {
    const unknown = await new MwsTestClient(serve.port, { ...key, accessKeyId: 'AKFPNOSUCHKEY0000000' }).call(
      'GetFeedSubmissionCount',
    );
    expect([unknown.status, errorOf(unknown).Code]).toEqual([401, 'InvalidAccessKeyId']);
    const revokedKey = await serve.createKey('A1SIGNER');
    expect((await new MwsTestClient(serve.port, revokedKey).call('GetFeedSubmissionCount')).status).toBe(200);
    await serve.revokeKey(revokedKey.accessKeyId);
    const revoked = await new MwsTestClient(serve.port, revokedKey).call('GetFeedSubmissionCount');
    expect([revoked.status, errorOf(revoked).Code]).toEqual([403, 'AccessDenied']);
    const mismatch = await new MwsTestClient(serve.port, { ...key, merchantId: 'A9SOMEONEELSE' }).call(
      'GetFeedSubmissionCount',
    );
    expect([mismatch.status, errorOf(mismatch).Code, errorOf(mismatch).Message]).toEqual([
      401,
      'AccessDenied',
      `Access key ${key.accessKeyId} does not belong to merchant A9SOMEONEELSE.`,
    ]);
    const oldName = await new MwsTestClient(serve.port, key).call('GetFeedSubmissionCount', {
      SellerId: '',
      Merchant: key.merchantId,
    });
    expect(oldName.status).toBe(200);
  });

  it('answers missing parameters, an unknown Action, a wrong Version and SignatureVersion 1 with MWS errors', async () => {
    const noSignature = sign(key, serve.port, { ...COUNT, SellerId: key.merchantId });
    delete noSignature['Signature'];
    const missing = await get(noSignature);
    expect([missing.status, errorOf(missing).Code, errorOf(missing).Message]).toEqual([
      400,
      'MissingParameter',
      'The request must contain the parameter Signature.',
    ]);
    const noSeller = await mws.call('GetFeedSubmissionCount', { SellerId: '' });
    expect([noSeller.status, errorOf(noSeller).Code]).toEqual([400, 'MissingParameter']);
    const action = await mws.call('GetReportList');
    expect([action.status, errorOf(action).Code]).toEqual([400, 'InvalidAction']);
    const version = await mws.call('GetFeedSubmissionCount', { Version: '2011-01-01' });
    expect([version.status, errorOf(version).Code]).toEqual([400, 'InvalidParameterValue']);
    const v1 = await get({ ...sign(key, serve.port, { ...COUNT, SellerId: key.merchantId }), SignatureVersion: '1' });
    expect([v1.status, errorOf(v1).Code]).toEqual([400, 'InvalidParameterValue']);
    const noAction = await get({ Version: '2009-01-01' }, {}, '/');
    expect([noAction.status, errorOf(noAction).Code, noAction.headers['x-mws-request-id']]).toEqual([
      400,
      'MissingParameter',
      (noAction.xml['ErrorResponse'] as { RequestID: string }).RequestID,
    ]);
  });

  it('sends a browser at / without parameters to the web pages', async () => {
    const answer = await send(serve.port, { method: 'GET', path: '/' });
    expect([answer.status, answer.headers['location']]).toEqual([302, '/web/']);
  });
});
