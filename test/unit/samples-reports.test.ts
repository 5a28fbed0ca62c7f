/**
 * Every sample feed judged in process (validate + report modules, no CLI): its report, rendered in the feed's own
 * format, equals the expected report beside it byte for byte. test/e2e/samples.test.ts replays the same files
 * through the built CLI (stdout and exit codes) and checks the reports against libxml2.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { nativeReportFormat, renderReport } from '../../src/report/index.js';
import { createSchemaRegistry, validateFeedFile } from '../../src/validate/index.js';
import { REPO_ROOT } from '../helpers/cli.js';

const SAMPLES = join(REPO_ROOT, 'samples');
const FEED_EXTENSION = /\.(xml|txt|json)$/;
const FEED = /^(?!order-report\.txt$).*(?<!\.report)\.(xml|txt|json)$/;

describe('samples/ in process', () => {
  const schemas = createSchemaRegistry();
  const names = readdirSync(SAMPLES).sort();
  const feeds = names.filter((name) => FEED.test(name));

  it('finds a sample of every kind', () => {
    expect(feeds.length).toBeGreaterThanOrEqual(20);
  });

  it.each(feeds)('%s: the report equals its expected report', async (feed) => {
    const expectedName = names.find((name) => name.startsWith(feed.replace(FEED_EXTENSION, '.report.')));
    expect(expectedName).toBeDefined();
    const report = await validateFeedFile(schemas, join(SAMPLES, feed));
    const rendered = [...renderReport(report, nativeReportFormat(report), feed)].join('');
    expect(rendered).toBe(readFileSync(join(SAMPLES, expectedName as string), 'utf8'));
  });
});
