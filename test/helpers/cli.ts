/** Runs the built CLI (`dist/cli/main.js`) as a real process and captures its output and exit code. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = `${REPO_ROOT}dist/cli/main.js`;
/**
 * `../shared/` beside the checkout (how CI lays it out); for a clone made elsewhere (e.g. a temp folder), the
 * `../shared/` beside the local repository it was cloned from.
 */
export const SHARED = locateShared();

function locateShared(): string {
  const beside = `${REPO_ROOT}../shared/`;
  if (existsSync(beside)) return beside;
  const origin = spawnSync('git', ['config', '--get', 'remote.origin.url'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  }).stdout.trim();
  const besideOrigin =
    origin && !/^[a-z+]+:\/\//i.test(origin) && !origin.includes('@')
      ? join(resolve(REPO_ROOT, origin), '..', 'shared') + sep
      : '';
  return besideOrigin && existsSync(besideOrigin) ? besideOrigin : beside;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
