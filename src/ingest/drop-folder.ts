/**
 * The drop folder (docs/drop-folder.md) and the files waiting in it. Writers drop files into `incoming/`
 * (or `incoming/<MERCHANT_ID>/`), writing under a dotfile or `*.tmp` name and renaming when done; those names
 * are never picked up.
 */
import { lstat, mkdir, readdir } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { describeKind, folderRefusal, type Refusal } from './trust.js';

export interface DropFolder {
  incoming: string;
  processing: string;
  reports: string;
  done: string;
  failed: string;
}

/** A file waiting in incoming/ (or claimed into processing/): its merchant is its subfolder, if any. */
export interface DroppedFile {
  path: string;
  name: string;
  /** The subfolder's name; null for a file at the top (the default merchant's). */
  folder: string | null;
}

export function dropFolder(feedsDir: string): DropFolder {
  return {
    incoming: join(feedsDir, 'incoming'),
    processing: join(feedsDir, 'processing'),
    reports: join(feedsDir, 'reports'),
    done: join(feedsDir, 'done'),
    failed: join(feedsDir, 'failed'),
  };
}

export async function ensureDropFolder(folder: DropFolder): Promise<void> {
  for (const dir of Object.values(folder)) await mkdir(dir, { recursive: true });
}

/** Names writers use while a file is still being written. */
export function isWorkInProgressName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('.tmp');
}

/** The file at `path` under `root` (top level or one subfolder down), or null when it is not one to pick up. */
export function droppedFileAt(root: string, path: string): DroppedFile | null {
  const parts = relative(root, path).split(sep);
  const name = basename(path);
  if (parts.length > 2 || parts[0] === '..' || isWorkInProgressName(name)) return null;
  const folder = parts.length === 2 ? basename(dirname(path)) : null;
  if (folder !== null && isWorkInProgressName(folder)) return null;
  return { path, name, folder };
}

const byName = (a: Dirent, b: Dirent): number => a.name.localeCompare(b.name);

/**
 * Every regular file waiting in incoming/ (at the top, or directly inside a real merchant folder with a valid
 * name), in name order within each folder, and every entry refused (trust.ts): links, pipes, sockets, devices,
 * folders with invalid names, folders inside merchant folders. Nothing is opened or followed.
 */
export async function scanIncoming(root: string): Promise<{ files: DroppedFile[]; refused: Refusal[] }> {
  const files: DroppedFile[] = [];
  const refused: Refusal[] = [];
  const refuse = async (entry: string, path: string): Promise<void> => {
    const info = await lstat(path).catch(() => null);
    if (info)
      refused.push({ entry, reason: `${describeKind(info)}, not a regular file`, identity: `${info.dev}:${info.ino}` });
  };
  for (const entry of (await readdir(root, { withFileTypes: true })).sort(byName)) {
    if (isWorkInProgressName(entry.name)) continue;
    const path = join(root, entry.name);
    if (entry.isFile()) files.push({ path, name: entry.name, folder: null });
    else if (!entry.isDirectory())
      await refuse(entry.name, path); // a link (to a file or a folder) is never followed
    else {
      const folderRefused = await folderRefusal(root, entry.name);
      if (folderRefused) refused.push(folderRefused);
      else if (entry.isDirectory()) await scanMerchantFolder(root, entry.name, files, refuse);
    }
  }
  return { files, refused };
}

async function scanMerchantFolder(
  root: string,
  folder: string,
  files: DroppedFile[],
  refuse: (entry: string, path: string) => Promise<void>,
): Promise<void> {
  const dir = join(root, folder);
  const inner = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
  for (const entry of inner.sort(byName)) {
    if (isWorkInProgressName(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isFile()) files.push({ path, name: entry.name, folder });
    else await refuse(`${folder}/${entry.name}`, path);
  }
}

/**
 * The regular files waiting in one lane's folder (a merchant folder, or the top of incoming/ for null), in name
 * order. Refused entries are left to the full scan, which reports them.
 */
export async function listLane(root: string, folder: string | null): Promise<DroppedFile[]> {
  if (folder !== null && (await folderRefusal(root, folder))) return []; // a linked folder is never looked into
  const dir = folder === null ? root : join(root, folder);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
  return entries
    .filter((entry) => entry.isFile() && !isWorkInProgressName(entry.name))
    .sort(byName)
    .map((entry) => ({ path: join(dir, entry.name), name: entry.name, folder }));
}

/** Every file under `root` (processing/: the watcher's own folder), in name order within each folder. */
export async function listDropped(root: string): Promise<DroppedFile[]> {
  const files: DroppedFile[] = [];
  for (const entry of (await readdir(root, { withFileTypes: true })).sort(byName)) {
    const path = join(root, entry.name);
    if (entry.isFile()) {
      const file = droppedFileAt(root, path);
      if (file) files.push(file);
    } else if (entry.isDirectory() && !isWorkInProgressName(entry.name)) {
      for (const inner of (await readdir(path, { withFileTypes: true })).sort(byName)) {
        const file = inner.isFile() ? droppedFileAt(root, join(path, inner.name)) : null;
        if (file) files.push(file);
      }
    }
  }
  return files;
}
