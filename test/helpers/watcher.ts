/** A real `feedproc watch` process on a temp drop folder, with its pino lines collected. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './cli.js';
import { waitUntil } from './wait.js';

export interface WatchProcess {
  child: ChildProcess;
  events(): Array<Record<string, unknown>>;
  /** Resolves with the first logged event that matches; rejects after timeoutMs. */
  waitFor(match: (event: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export function startWatch(env: NodeJS.ProcessEnv, args: readonly string[] = []): WatchProcess {
  return startLongRunning(['watch', ...args], env);
}

/** Any long-running feedproc command that logs pino JSON lines (watch, notify). */
export function startLongRunning(args: readonly string[], env: NodeJS.ProcessEnv): WatchProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Array<Record<string, unknown>> = [];
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    const lines = stdout.split('\n');
    stdout = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    events: () => events,
    async waitFor(match, timeoutMs = 30_000) {
      const found = waitUntil(
        'a matching event',
        () => {
          const event = events.find(match);
          if (event) return event;
          if (child.exitCode !== null) throw new Error(`watch exited with ${child.exitCode}; stderr: ${stderr}`);
          return undefined;
        },
        timeoutMs,
        25,
      );
      return found.catch((err: Error) => {
        throw new Error(`${err.message}; events: ${JSON.stringify(events.slice(-5))}; stderr: ${stderr}`);
      });
    },
    exited,
    stderr: () => stderr,
  };
}

/** incoming/<merchant>/ under a feeds folder, created. */
export function merchantInbox(feedsDir: string, merchant: string): string {
  const dir = join(feedsDir, 'incoming', merchant);
  mkdirSync(dir, { recursive: true });
  return dir;
}
