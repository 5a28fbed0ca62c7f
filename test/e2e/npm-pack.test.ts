/**
 * The package runs from what it ships: `npm pack` of the built tree, installed into an empty folder (its
 * dependencies from the registry or npm's cache), then its own `feedproc` validates and processes sample feeds
 * there, with no src/ anywhere in reach. The tarball is packed with --ignore-scripts from the dist/ the test run
 * built (`pretest`), so packing does not rebuild dist/ under the other tests' feet.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { REPO_ROOT, type CliRun } from '../helpers/cli.js';
import { removePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { makeTempDir } from '../helpers/tmp.js';

const run = promisify(execFile);
const MINUTE = 60_000;
const tmp = makeTempDir('feedproc-pack-');
const app = join(tmp.dir, 'app');
const prefix = uniquePrefix();
let packedFiles: string[] = [];

/** The installed package's own bin, run in the app folder. */
function feedproc(args: readonly string[]): Promise<CliRun> {
  const env = {
    ...process.env,
    FEEDPROC_REDIS_URL: testRedisUrl(),
    FEEDPROC_PREFIX: prefix,
    FEEDPROC_MERCHANT: 'A1KW3PLX9Q7ZT2',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(join(app, 'node_modules', '.bin', 'feedproc'), args, { cwd: app, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp.dir], {
    cwd: REPO_ROOT,
    maxBuffer: 64 << 20,
  });
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!info) throw new Error(`npm pack said nothing: ${packed.stderr}`);
  packedFiles = info.files.map((f) => f.path);
  const tarball = join(tmp.dir, info.filename);
  await run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'trying-feedproc', private: true }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
    cwd: app,
    maxBuffer: 64 << 20,
  });
  for (const sample of ['xml-inventory-valid.xml', 'xml-order-adjustment-invalid.xml', 'order-report.txt'])
    copyFileSync(join(REPO_ROOT, 'samples', sample), join(app, sample));
}, 20 * MINUTE);

afterAll(async () => {
  const redis = new Redis(testRedisUrl());
  await removePrefix(redis, prefix);
  await redis.quit();
  tmp.cleanup();
});

describe('the packed package', () => {
  it('ships dist/, schemas/, docs/, samples/, README and LICENSE, and no sources, tests or bench', () => {
    const tops = new Set(packedFiles.map((f) => (f.includes('/') ? `${f.split('/')[0]}/` : f)));
    expect([...tops].sort()).toEqual([
      'LICENSE',
      'README.md',
      'dist/',
      'docs/',
      'package.json',
      'samples/',
      'schemas/',
    ]);
    expect(packedFiles.filter((f) => /\.ts$|\.map$|^dist\/bench\//.test(f))).toEqual([]);
    // each ledger script is shipped bundled, with no include left to resolve
    for (const script of ['dist/apply/lua/apply-messages-3+n.lua', 'dist/http/lua/take-request-token-1.lua'])
      expect([script, packedFiles.includes(script)]).toEqual([script, true]);
    const installed = join(app, 'node_modules', 'feedproc');
    expect(existsSync(join(installed, 'src'))).toBe(false);
    const bundled = readFileSync(join(installed, 'dist/apply/lua/apply-messages-3+n.lua'), 'utf8');
    expect(bundled).not.toMatch(/^--- @include/m);
    expect(bundled).toContain('local function apply_inventory');
  });

  it('validates a sample feed with the installed feedproc: its report, exit 0; an invalid one exits 3', async () => {
    const valid = await feedproc(['validate', 'xml-inventory-valid.xml']);
    expect({ code: valid.code, stderr: valid.stderr }).toEqual({ code: 0, stderr: '' });
    expect(valid.stdout).toBe(readFileSync(join(REPO_ROOT, 'samples', 'xml-inventory-valid.report.xml'), 'utf8'));
    const invalid = await feedproc(['validate', 'xml-order-adjustment-invalid.xml']);
    expect(invalid.code).toBe(3);
    expect(invalid.stdout).toMatch(/<MessagesWithError>[1-9]\d*<\/MessagesWithError>/);
  });

  it(
    'processes sample feeds into Redis with the installed feedproc (the bundled Lua ledger scripts)',
    async () => {
      const imported = await feedproc(['orders', 'import', 'order-report.txt']);
      expect(imported).toMatchObject({ code: 0, stdout: expect.stringMatching(/: 12 orders .*12 created/) });
      const processed = await feedproc(['process', 'xml-inventory-valid.xml', '--format', 'json']);
      expect({ code: processed.code, stderr: processed.stderr }).toEqual({ code: 0, stderr: '' });
      const report = JSON.parse(processed.stdout) as { statusCode: string; summary: Record<string, number> };
      expect(report.statusCode).toBe('Complete');
      expect(report.summary).toEqual({
        messagesProcessed: 7,
        messagesSuccessful: 7,
        messagesWithError: 0,
        messagesWithWarning: 0,
      });
      // the ledger holds what the feed set: the stock levels under this test's prefix
      const redis = new Redis(testRedisUrl());
      const keys = await redis.keys(`${prefix}*`);
      await redis.quit();
      expect(keys.some((k) => /stock/.test(k))).toBe(true);
    },
    5 * MINUTE,
  );
});
