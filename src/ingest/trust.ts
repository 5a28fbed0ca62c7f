/**
 * The drop folder's trust boundary. Anyone who can write into incoming/ can leave more than regular files there:
 * symbolic links to files or folders outside the feeds folder, named pipes (whose open blocks a thread-pool
 * thread until a writer comes), sockets, devices, folders whose names are no merchant id. Only regular files
 * directly inside incoming/ or inside a real (not symlinked) folder named by a valid merchant id are taken;
 * everything else is refused without being opened or moved, and reported once.
 *
 * Every check is made with lstat (never following a link), and repeated where it matters: the claim renames
 * through a descriptor of the merchant folder (so a folder swapped for a link after the check cannot redirect
 * it), and a claimed file is opened with O_NOFOLLOW | O_NONBLOCK and its descriptor checked to be the regular
 * file that was claimed (same device and inode), so a swap between check and open is caught, not followed.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, rename, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isMerchantId } from '../core/merchant-id.js';
import type { DroppedFile } from './drop-folder.js';

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** An entry of incoming/ the drop folder does not take, and why. */
export interface Refusal {
  /** Its path under incoming/ (`<folder>` or `<folder>/<name>` or `<name>`). */
  entry: string;
  reason: string;
  /** Device and inode, so the same entry is reported once, and a new one at the same path again. */
  identity: string;
}

/** What an entry that is not a regular file is, in words for the report. */
export function describeKind(info: Stats): string {
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isBlockDevice() || info.isCharacterDevice()) return 'a device';
  if (info.isDirectory()) return 'a folder';
  return 'not a regular file';
}

const identityOf = (info: Stats): string => `${info.dev}:${info.ino}`;

/** Why a merchant folder is not one to take files from; null when it is (a real folder with a valid name). */
export async function folderRefusal(incoming: string, folder: string): Promise<Refusal | null> {
  const info = await lstat(join(incoming, folder)).catch(() => null);
  if (!info) return null; // gone: nothing to take or report
  if (!isMerchantId(folder))
    return {
      entry: folder,
      reason: `the folder name ${JSON.stringify(folder)} is not a merchant id (letters, digits, '-' and '_', 1–50 characters)`,
      identity: identityOf(info),
    };
  if (!info.isDirectory())
    return { entry: folder, reason: `${describeKind(info)}, not a merchant folder`, identity: identityOf(info) };
  return null;
}

/** Why a dropped file is not taken (its folder, or the entry itself); null when it is a regular file to take. */
export async function entryRefusal(incoming: string, file: DroppedFile): Promise<Refusal | 'gone' | null> {
  if (file.folder !== null) {
    const refused = await folderRefusal(incoming, file.folder);
    if (refused) return refused;
  }
  const info = await lstat(file.path).catch(() => null);
  if (!info) return 'gone';
  if (info.isFile()) return null;
  const entry = file.folder === null ? file.name : `${file.folder}/${file.name}`;
  return { entry, reason: `${describeKind(info)}, not a regular file`, identity: identityOf(info) };
}

/** A regular file's lstat, or null when the path is gone or is anything else. */
export async function regularFileInfo(path: string): Promise<Stats | null> {
  const info = await lstat(path).catch(() => null);
  return info?.isFile() ? info : null;
}

/** Thrown when a path no longer is the regular file it was checked to be. */
export class NotTheCheckedFile extends Error {
  override readonly name = 'NotTheCheckedFile';
}

/**
 * Opens a file for reading without following a link and without blocking (a FIFO opens at once), and checks the
 * descriptor: a regular file, and when `expected` is given the same device and inode.
 */
export async function openChecked(path: string, expected?: Stats): Promise<FileHandle> {
  const handle = await open(path, READ_FLAGS).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ELOOP') throw new NotTheCheckedFile(`${path} is a symbolic link`);
    throw err;
  });
  const info = await handle.stat().catch(async (err: unknown) => {
    await handle.close();
    throw err;
  });
  const same = !expected || (info.dev === expected.dev && info.ino === expected.ino);
  if (!info.isFile() || !same) {
    await handle.close();
    throw new NotTheCheckedFile(
      `${path} is ${info.isFile() ? 'another file than the one claimed' : describeKind(info)}`,
    );
  }
  return handle;
}

/**
 * For a failed open of a folder that lstat saw as one: a link or a file now (swapped meanwhile) is refused; any
 * other failure (a system without O_DIRECTORY, say) leaves the caller to its plain path, still checked.
 */
function refuseSwappedFolder(dir: string): (err: NodeJS.ErrnoException) => null {
  return (err) => {
    if (err.code === 'ELOOP' || err.code === 'ENOTDIR')
      throw new NotTheCheckedFile(`${dir} changed while it was opened`);
    return null;
  };
}

/**
 * Opens a file still in incoming/ for reading through a descriptor of its folder (Linux: /proc/self/fd/N/name),
 * checked to be the real folder lstat sees: a merchant folder swapped for a link to a folder elsewhere cannot make
 * feedproc read what is there (O_NOFOLLOW guards only the last component of a path). incoming/ itself may be a
 * link an administrator made, so for a file at the top its folder is opened following links.
 */
export async function openInFolder(path: string, expected: Stats, merchantFolder: boolean): Promise<FileHandle> {
  const dir = dirname(path);
  const seen = merchantFolder ? await lstat(dir) : null;
  if (seen && !seen.isDirectory()) throw new NotTheCheckedFile(`${dir} is ${describeKind(seen)}, not a folder`);
  const folder = await open(dir, merchantFolder ? DIR_FLAGS : DIR_FLAGS & ~constants.O_NOFOLLOW).catch(
    refuseSwappedFolder(dir),
  );
  if (!folder) return openChecked(path, expected);
  try {
    const info = await folder.stat();
    if (seen && (info.dev !== seen.dev || info.ino !== seen.ino))
      throw new NotTheCheckedFile(`${dir} changed while a file in it was opened`);
    const viaDescriptor = join(`/proc/self/fd/${folder.fd}`, basename(path));
    const procWorks = (await lstat(`/proc/self/fd/${folder.fd}`).catch(() => null)) !== null;
    return await openChecked(procWorks ? viaDescriptor : path, expected);
  } finally {
    await folder.close();
  }
}

/**
 * Renames `name` out of `dir` (a merchant folder under incoming/, or incoming/ itself) to `target`. On Linux the
 * merchant folder is opened first (O_NOFOLLOW | O_DIRECTORY) and checked to be the folder lstat saw, and the
 * rename goes through that descriptor (/proc/self/fd/N/name), so a folder swapped for a link meanwhile moves
 * nothing out of where the link points. Elsewhere the lstat check just before the rename is what guards it.
 */
export async function renameOutOf(dir: string, name: string, target: string, checked?: Stats): Promise<void> {
  const seen = checked ?? (await lstat(dir));
  if (!seen.isDirectory()) throw new NotTheCheckedFile(`${dir} is ${describeKind(seen)}, not a folder`);
  const handle = await open(dir, DIR_FLAGS).catch(refuseSwappedFolder(dir));
  if (!handle) return rename(join(dir, name), target);
  try {
    const info = await handle.stat();
    if (!info.isDirectory() || info.dev !== seen.dev || info.ino !== seen.ino)
      throw new NotTheCheckedFile(`${dir} changed while it was claimed from`);
    const viaDescriptor = `/proc/self/fd/${handle.fd}`;
    const procWorks = (await lstat(viaDescriptor).catch(() => null)) !== null;
    await rename(procWorks ? join(viaDescriptor, name) : join(dir, name), target);
  } finally {
    await handle.close();
  }
}
