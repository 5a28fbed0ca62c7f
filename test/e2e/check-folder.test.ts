/** `feedproc check-folder` (what `npm start` runs until the watcher exists): every waiting file gets its report. */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { FLAT_ADJUSTMENT_HEADER, adjustmentFeed, flatAdjustmentRow } from '../helpers/feeds.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

describe('feedproc check-folder', () => {
  it('writes a report per waiting feed into reports/, ignores dotfiles and *.tmp, and leaves the feeds in place', async () => {
    const incoming = join(tmp.dir, 'incoming');
    mkdirSync(incoming, { recursive: true });
    writeFileSync(join(incoming, 'a-refunds.xml'), adjustmentFeed(3));
    writeFileSync(
      join(incoming, 'b-cancels.txt'),
      `${FLAT_ADJUSTMENT_HEADER}\n${flatAdjustmentRow(1)}\n${flatAdjustmentRow(2, 'Nope')}\n`,
    );
    writeFileSync(join(incoming, '.half-written.xml'), '<AmazonEnvelope>');
    writeFileSync(join(incoming, 'upload.xml.tmp'), '<AmazonEnvelope>');
    const run = await runCli(['check-folder', '--feeds-dir', tmp.dir]);
    expect(run.code).toBe(3);
    expect(run.stdout.split('\n')).toEqual([
      expect.stringMatching(
        /^a-refunds\.xml: Complete, 3 processed, 0 with errors -> .*reports\/a-refunds\.xml\.check\.report\.xml$/,
      ),
      expect.stringMatching(
        /^b-cancels\.txt: Complete, 2 processed, 1 with errors -> .*reports\/b-cancels\.txt\.check\.report\.txt$/,
      ),
      '',
    ]);
    expect(readdirSync(join(tmp.dir, 'reports')).sort()).toEqual([
      'a-refunds.xml.check.report.xml',
      'b-cancels.txt.check.report.txt',
    ]);
    expect(readFileSync(join(tmp.dir, 'reports', 'a-refunds.xml.check.report.xml'), 'utf8')).toContain(
      '<MessagesSuccessful>3</MessagesSuccessful>',
    );
    expect(readFileSync(join(tmp.dir, 'reports', 'b-cancels.txt.check.report.txt'), 'utf8')).toContain(
      "Row 2, column adjustment-reason-code: the value 'Nope'",
    );
    expect(readdirSync(incoming).sort()).toEqual([
      '.half-written.xml',
      'a-refunds.xml',
      'b-cancels.txt',
      'upload.xml.tmp',
    ]);
  });

  it('creates the folders and says so when nothing is waiting', async () => {
    const empty = join(tmp.dir, 'fresh');
    const run = await runCli(['check-folder'], { env: { ...process.env, FEEDPROC_FEEDS_DIR: empty } });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`no files in ${join(empty, 'incoming')}\n`);
  });
});
