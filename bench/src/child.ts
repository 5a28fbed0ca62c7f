/**
 * Runs one measurement in its own child process, so that no run inherits another's heap, JIT state or page
 * faults. Peak RSS is taken from outside with GNU time when it is installed (`time -v`, as the baseline
 * measurements were); otherwise from the child's own `maxRssMiB` (feedproc children print it; the baseline probes
 * do not, so their RSS is then unknown).
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseResult, type ResultFields } from './result-line.js';

export interface ChildSpec {
  /** Shown in progress lines and errors. */
  label: string;
  script: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  timeoutMs: number;
}

export interface ChildRun {
  result: ResultFields;
  /** Peak resident set size of the node process in MiB, or null when it could not be measured. */
  peakRssMiB: number | null;
  wallS: number;
}

export class ChildFailure extends Error {}

let gnuTime: string | null | undefined;

/** Path of a GNU `time` that supports -v, looked up on PATH once (BusyBox and shell builtins do not). */
export function findGnuTime(): string | null {
  if (gnuTime !== undefined) return gnuTime;
  gnuTime = null;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'time');
    if (!isExecutable(candidate)) continue;
    const probe = spawnSync(candidate, ['-v', 'true'], { encoding: 'utf8' });
    if (probe.status === 0 && probe.stderr.includes('Maximum resident set size')) {
      gnuTime = candidate;
      break;
    }
  }
  return gnuTime;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function runChild(spec: ChildSpec): Promise<ChildRun> {
  const time = findGnuTime();
  const nodeArgs = [spec.script, ...spec.args];
  const [command, args] = time ? [time, ['-v', process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const start = performance.now();
  const { code, signal, timedOut, stdout, stderr } = await collect(command, args, spec);
  const wallS = Math.round(performance.now() - start) / 1000;
  const result = parseResult(stdout);
  if (code !== 0 || result === null) {
    const why = failureReason(code, signal, timedOut, spec);
    throw new ChildFailure(`${spec.label}: ${why}, ${result ? 'with' : 'no'} RESULT line\n${tail(stderr)}`);
  }
  return { result, peakRssMiB: time ? timeRssMiB(stderr) : childRssMiB(result), wallS };
}

/** Runs a helper script (e.g. the data generator) that is not measured; only success matters. */
export async function runTool(spec: ChildSpec): Promise<void> {
  const { code, signal, timedOut, stderr } = await collect(process.execPath, [spec.script, ...spec.args], spec);
  if (code !== 0)
    throw new ChildFailure(`${spec.label}: ${failureReason(code, signal, timedOut, spec)}\n${tail(stderr)}`);
}

function failureReason(code: number | null, signal: NodeJS.Signals | null, timedOut: boolean, spec: ChildSpec): string {
  if (timedOut) return `timed out after ${spec.timeoutMs / 1000} s`;
  return signal ? `killed by ${signal}` : `exit code ${String(code)}`;
}

interface Collected {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Process-group ids of the children still running, so that an interrupted bench can stop them. */
const running = new Set<number>();

/** Kills every child this module started and that is still running (node and, if used, its `time` wrapper). */
export function stopAllChildren(): void {
  for (const group of running) killGroup(group);
  running.clear();
}

function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // already gone
  }
}

function collect(command: string, args: readonly string[], spec: ChildSpec): Promise<Collected> {
  return new Promise((resolve, reject) => {
    // Own process group: killing `time` alone would leave the node process it waits for running.
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const group = child.pid;
    if (group !== undefined) running.add(group);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    // A hung child must not hold the whole bench; SIGKILL because a stuck event loop may ignore SIGTERM.
    const timer = setTimeout(() => {
      timedOut = true;
      if (group !== undefined) killGroup(group);
    }, spec.timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      if (group !== undefined) running.delete(group);
    };
    child.on('error', (err) => {
      done();
      reject(err);
    });
    child.on('close', (code, signal) => {
      done();
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}

function timeRssMiB(stderr: string): number | null {
  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return match ? Math.round(Number(match[1]) / 1024) : null;
}

function childRssMiB(result: ResultFields): number | null {
  const value = result['maxRssMiB'];
  return typeof value === 'number' ? Math.round(value) : null;
}

function tail(text: string): string {
  return text.split('\n').slice(-15).join('\n');
}
