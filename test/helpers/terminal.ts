/**
 * Runs a shell command line on a pseudo-terminal, through util-linux `script`: stdout and stderr of the command
 * are the terminal unless the command line redirects them. Returns what the terminal showed.
 */
import { spawn } from 'node:child_process';
import { CLI, REPO_ROOT } from './cli.js';

export interface TerminalRun {
  code: number | null;
  /** Everything written to the terminal (the pty turns "\n" into "\r\n"). */
  screen: string;
}

/** `feedproc ARGS` as a shell word list, for command lines given to runOnTerminal. */
export function feedprocCommand(args: readonly string[]): string {
  return [process.execPath, CLI, ...args].map(shellQuote).join(' ');
}

export function runOnTerminal(commandLine: string, env: NodeJS.ProcessEnv = process.env): Promise<TerminalRun> {
  return new Promise((resolve, reject) => {
    // -q: no "Script started" lines; -e: the command's exit code; -c: the command; /dev/null: no typescript file.
    const child = spawn('script', ['-qec', commandLine, '/dev/null'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (screen += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
