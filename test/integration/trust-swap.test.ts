/**
 * The trust boundary's checks against swaps, on real files: a merchant folder replaced by a link to a folder
 * elsewhere after the file in it was checked, a file replaced by a link or a named pipe. Nothing outside is read
 * or moved, and a pipe never blocks an open.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotTheCheckedFile, openChecked, openInFolder, renameOutOf } from '../../src/ingest/trust.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('trust boundary against swaps', () => {
  const tmp = makeTempDir('feedproc-swap-');
  afterAll(() => tmp.cleanup());

  function world(name: string): { folder: string; file: string; outside: string; target: string } {
    const root = join(tmp.dir, name);
    const folder = join(root, 'incoming', 'A1');
    const outside = join(root, 'outside');
    mkdirSync(folder, { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(folder, 'feed.txt'), 'mine\n');
    writeFileSync(join(outside, 'feed.txt'), 'not yours\n');
    mkdirSync(join(root, 'processing'));
    return { folder, file: join(folder, 'feed.txt'), outside, target: join(root, 'processing', 'feed.txt') };
  }

  /** The merchant folder moved aside and a link to the outside folder put in its place. */
  function swapFolderForLink(w: { folder: string; outside: string }): void {
    renameSync(w.folder, `${w.folder}-moved`);
    symlinkSync(w.outside, w.folder);
  }

  it('does not read through a merchant folder swapped for a link after the check', async () => {
    const w = world('read');
    const checked = lstatSync(w.file);
    swapFolderForLink(w);
    await expect(openInFolder(w.file, checked, true)).rejects.toBeInstanceOf(NotTheCheckedFile);
  });

  it('does not move a file out of where a swapped-in folder link points', async () => {
    const w = world('move');
    swapFolderForLink(w);
    await expect(renameOutOf(w.folder, 'feed.txt', w.target)).rejects.toBeInstanceOf(NotTheCheckedFile);
    expect(readdirSync(w.outside)).toEqual(['feed.txt']);
  });

  it('moves nothing when the folder is swapped for a link between its check and its opening', async () => {
    const w = world('move-late');
    const checked = lstatSync(w.folder);
    swapFolderForLink(w);
    await expect(renameOutOf(w.folder, 'feed.txt', w.target, checked)).rejects.toBeInstanceOf(NotTheCheckedFile);
    expect(readdirSync(w.outside)).toEqual(['feed.txt']);
  });

  it('refuses a file swapped for another regular file after the check (another inode)', async () => {
    const w = world('other-file');
    const checked = lstatSync(w.file);
    writeFileSync(join(w.folder, 'other.txt'), 'someone else\n');
    renameSync(join(w.folder, 'other.txt'), w.file);
    await expect(openChecked(w.file, checked)).rejects.toThrow(/another file than the one claimed/);
    await expect(openInFolder(w.file, checked, true)).rejects.toBeInstanceOf(NotTheCheckedFile);
  });

  it('refuses a file swapped for a link or a pipe without following it or waiting for a writer', async () => {
    const w = world('entry');
    const checked = lstatSync(w.file);
    rmSync(w.file);
    symlinkSync(join(w.outside, 'feed.txt'), w.file);
    await expect(openChecked(w.file, checked)).rejects.toBeInstanceOf(NotTheCheckedFile);
    rmSync(w.file);
    execFileSync('mkfifo', [w.file]);
    await expect(openChecked(w.file, checked)).rejects.toThrow(/named pipe/);
    await expect(openInFolder(w.file, checked, true)).rejects.toThrow(/named pipe/);
  });

  it('opens the checked file itself, and renames it out through the folder it was checked in', async () => {
    const w = world('ok');
    const handle = await openInFolder(w.file, lstatSync(w.file), true);
    expect((await handle.readFile('utf8')).toString()).toBe('mine\n');
    await handle.close();
    await renameOutOf(w.folder, 'feed.txt', w.target);
    expect(readdirSync(w.folder)).toEqual([]);
    expect(lstatSync(w.target).isFile()).toBe(true);
  });
});
