/** Runs the built CLI (`dist/cli/main.js`) as a real process and captures its output and exit code. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = `${REPO_ROOT}dist/cli/main.js`;

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

/**
 * The first thing the CLI prints (stdout or stderr), after which the process is stopped: for commands that may
 * not end by themselves (`serve`, `watch` wait for Redis), when a test needs only their first word.
 */
export function firstCliOutput(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
    });
    let output = '';
    const first = (text: string): void => {
      output += text;
      child.kill('SIGTERM');
    };
    child.stdout.setEncoding('utf8').on('data', first);
    child.stderr.setEncoding('utf8').on('data', first);
    child.on('error', reject);
    child.on('close', () => resolve(output));
  });
}
