/**
 * Where things are and the generated test data. The bench's own naive baselines (baselines/, compiled beside
 * this module to bench/dist/baselines) include the data generator; the data is generated into a fresh temp dir,
 * so feedproc and the baselines read byte-identical files.
 */
import { existsSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from './child.js';

export interface BenchPaths {
  repoRoot: string;
  /** bench/dist/baselines: the naive baseline probes and the data generator (or --baselines DIR). */
  baselines: string;
  /** bench/dist: the compiled feedproc children. */
  children: string;
}

export function locatePaths(baselinesOverride: string | undefined): BenchPaths {
  const here = dirname(fileURLToPath(import.meta.url));
  const repoRoot = findRepoRoot(here);
  const baselines = baselinesOverride ? resolve(baselinesOverride) : join(here, 'baselines');
  if (!existsSync(join(baselines, 'gen-data.js'))) {
    throw new Error(`no baseline probes in ${baselines} (npm run build:bench compiles them; see --baselines)`);
  }
  return { repoRoot, baselines, children: here };
}

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

/**
 * Environment for every child: NODE_PATH points probes kept outside the repository (--baselines) at our
 * node_modules (fast-xml-parser, saxes, ioredis); PERF_DIR tells them and the generator where the data is;
 * REDIS_PORT is the bench's own redis-server for the end-to-end probes.
 */
export function childEnv(paths: BenchPaths, dataDir: string, redisPort?: number): NodeJS.ProcessEnv {
  const redis = redisPort === undefined ? {} : { REDIS_PORT: String(redisPort) };
  return { ...process.env, NODE_PATH: join(paths.repoRoot, 'node_modules'), PERF_DIR: dataDir, ...redis };
}

export function makeDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'feedproc-bench-'));
}

/** Removes a file or a whole folder; a missing one is fine. */
export function removePath(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

export interface Feeds {
  xml: string;
  txt: string;
  messages: number;
}

/**
 * Runs gen-data.js for `messages` messages in `dir`. It always names its output feed-100k.xml / .txt whatever
 * the count, and also reads them from there, so a bigger file is generated in a subfolder and renamed.
 */
export async function generateFeeds(paths: BenchPaths, dir: string, messages: number): Promise<Feeds> {
  const timeoutMs = Math.max(60_000, messages * 0.2); // about 10 s per million on the bench machine
  await runGenerator(paths, dir, messages, timeoutMs);
  const xml = join(dir, 'feed-100k.xml');
  const txt = join(dir, 'feed-100k.txt');
  if (!existsSync(xml) || statSync(xml).size === 0) throw new Error(`gen-data.js wrote no ${xml}`);
  return { xml, txt, messages };
}

/** The big XML (1,000,000 messages are about 500 MB) for the memory figure; the flat twin is deleted at once. */
export async function generateBigXml(paths: BenchPaths, dataDir: string, messages: number): Promise<string> {
  const dir = join(dataDir, 'big');
  const feeds = await generateFeeds(paths, dir, messages);
  rmSync(feeds.txt, { force: true });
  const xml = join(dataDir, `feed-big-${messages}.xml`);
  renameSync(feeds.xml, xml);
  rmSync(dir, { recursive: true, force: true });
  return xml;
}

async function runGenerator(paths: BenchPaths, dir: string, messages: number, timeoutMs: number): Promise<void> {
  const script = join(paths.baselines, 'gen-data.js');
  const env = childEnv(paths, dir);
  await runTool({
    label: `gen-data.js ${messages}`,
    script,
    args: [String(messages)],
    env,
    cwd: paths.repoRoot,
    timeoutMs,
  });
}

/**
 * The classic billion-laughs document: ten nested entities that would expand to 10^9 "lol"s (3 GB). feedproc
 * must refuse it at the DOCTYPE, before any expansion.
 */
export function writeBillionLaughs(dir: string): string {
  const entities = ['<!ENTITY lol "lol">'];
  for (let level = 1; level <= 9; level += 1) {
    const previous = level === 1 ? 'lol' : `lol${level - 1}`;
    entities.push(`<!ENTITY lol${level} "${`&${previous};`.repeat(10)}">`);
  }
  const file = join(dir, 'billion-laughs.xml');
  writeFileSync(file, `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${entities.join('\n')}\n]>\n<lolz>&lol9;</lolz>\n`);
  return file;
}
