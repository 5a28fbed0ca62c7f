/** Runs the built CLI (`dist/cli/main.js`) as a real process and captures its output and exit code. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = `${REPO_ROOT}dist/cli/main.js`;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

type CliOptions = { cwd?: string; env?: NodeJS.ProcessEnv };

/** The built CLI started in the repository (or `cwd`) with the test's environment (or `env`). */
function spawnBuiltCli(args: readonly string[], options: CliOptions): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? process.env });
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawnBuiltCli(args, options);
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
export function firstCliOutput(args: readonly string[], options: CliOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnBuiltCli(args, options);
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
