/**
 * Per-merchant MWS throttling at the MWS endpoint. FEEDPROC_THROTTLE_SCALE shortens the restore interval (45 s for
 * GetFeedSubmissionCount) to 45 s × 0.05 = 2.25 s; the burst of 10 is Amazon's.
 */
import { errorOf, MwsTestClient, resultOf } from '../helpers/mws-client.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { sleep } from '../helpers/wait.js';

const RESTORE_MS = 45_000 * 0.05;

let serve: ServeProcess;

beforeAll(async () => {
  serve = await startServe({ FEEDPROC_THROTTLE_SCALE: '0.05' });
});

afterAll(async () => {
  await serve.stop();
});

describe('MWS throttling', () => {
  it('answers the 11th GetFeedSubmissionCount of a burst with 503 RequestThrottled and quota headers, and again after the restore interval', async () => {
    const mws = new MwsTestClient(serve.port, await serve.createKey('A1BUSY'));
    // All eleven at once, so no token is restored in between.
    const answers = await Promise.all(Array.from({ length: 11 }, () => mws.call('GetFeedSubmissionCount')));
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(
      answers
        .filter((answer) => answer.status === 200)
        .map((answer) => resultOf(answer, 'GetFeedSubmissionCount')['Count']),
    ).toEqual(Array(10).fill('0'));
    expect(refused).toHaveLength(1);
    const [throttled] = refused;
    expect([throttled?.status, throttled && errorOf(throttled).Code]).toEqual([503, 'RequestThrottled']);
    expect(throttled?.headers['x-mws-quota-max']).toBe('80');
    expect(throttled?.headers['x-mws-quota-remaining']).toBe('70');
    expect(Date.parse(String(throttled?.headers['x-mws-quota-resetson']))).toBeGreaterThan(Date.now());

    // Another merchant and another operation have buckets of their own.
    const other = new MwsTestClient(serve.port, await serve.createKey('A1QUIET'));
    expect((await other.call('GetFeedSubmissionCount')).status).toBe(200);
    expect((await mws.call('GetFeedSubmissionList')).status).toBe(200);

    await sleep(RESTORE_MS + 200);
    const restored = await mws.call('GetFeedSubmissionCount');
    expect([restored.status, restored.headers['x-mws-quota-remaining']]).toEqual([200, '69']);
  });
});
