/** `feedproc check-folder` (what `npm start` runs until the watcher exists): every waiting file gets its report. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('applies the drop folder trust rules: links, pipes and invalid folders are refused with a report, never read', async () => {
    const dir = join(tmp.dir, 'hostile');
    const incoming = join(dir, 'incoming');
    mkdirSync(join(incoming, 'A1GOOD'), { recursive: true });
    mkdirSync(join(incoming, 'BAD NAME'), { recursive: true });
    writeFileSync(join(tmp.dir, 'outside.xml'), adjustmentFeed(1));
    symlinkSync(join(tmp.dir, 'outside.xml'), join(incoming, 'link.xml'));
    // Five pipes: more than libuv's four threads, which opening them for reading would each block for ever.
    for (const name of ['pipe.txt', 'pipe-1.txt', 'pipe-2.txt', 'pipe-3.txt', 'pipe-4.xml'])
      execFileSync('mkfifo', [join(incoming, 'A1GOOD', name)]);
    // A merchant folder that is a link to a folder outside, holding a feed: never looked into.
    mkdirSync(join(tmp.dir, 'elsewhere'));
    writeFileSync(join(tmp.dir, 'elsewhere', 'theirs.xml'), adjustmentFeed(3));
    symlinkSync(join(tmp.dir, 'elsewhere'), join(incoming, 'A2LINKED'));
    writeFileSync(join(incoming, 'BAD NAME', 'feed.xml'), adjustmentFeed(1));
    writeFileSync(join(incoming, 'A1GOOD', 'good.xml'), adjustmentFeed(2));
    const run = await runCli(['check-folder', '--feeds-dir', dir]);
    expect(run.code).toBe(4);
    const lines = run.stdout.trim().split('\n').sort();
    const pipe = (name: string) =>
      expect.stringMatching(new RegExp(`^"A1GOOD/${name.replace('.', '\\.')}": not checked: a named pipe \\(FIFO\\)`));
    expect(lines).toEqual([
      pipe('pipe-1.txt'),
      pipe('pipe-2.txt'),
      pipe('pipe-3.txt'),
      pipe('pipe-4.xml'),
      pipe('pipe.txt'),
      expect.stringMatching(/^"A2LINKED": not checked: a symbolic link, /),
      expect.stringMatching(/^"BAD NAME": not checked: the folder name "BAD NAME" is not a merchant id/),
      expect.stringMatching(/^"link\.xml": not checked: a symbolic link, not a regular file -> /),
      expect.stringMatching(
        /^A1GOOD\/good\.xml: Complete, 2 processed, 0 with errors -> .*good\.xml\.A1GOOD\.merchant-check\.report\.xml$/,
      ),
    ]);
    expect(readdirSync(join(dir, 'reports')).sort()).toEqual([
      'A1GOOD%2Fpipe-1.txt.refused.txt',
      'A1GOOD%2Fpipe-2.txt.refused.txt',
      'A1GOOD%2Fpipe-3.txt.refused.txt',
      'A1GOOD%2Fpipe-4.xml.refused.txt',
      'A1GOOD%2Fpipe.txt.refused.txt',
      'A2LINKED.refused.txt',
      'BAD%20NAME.refused.txt',
      'good.xml.A1GOOD.merchant-check.report.xml',
      'link.xml.refused.txt',
    ]);
    expect(readdirSync(join(tmp.dir, 'elsewhere'))).toEqual(['theirs.xml']); // nothing written or moved there
  });

  it('creates the folders and says so when nothing is waiting', async () => {
    const empty = join(tmp.dir, 'fresh');
    const run = await runCli(['check-folder'], { env: { ...process.env, FEEDPROC_FEEDS_DIR: empty } });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`no files in ${join(empty, 'incoming')}\n`);
  });
});
