// Preloaded into a CLI process by tests (NODE_OPTIONS=--import): prints the process's peak resident set size on
// exit, as the kernel counts it (getrusage), so a test can bound a child's memory without timing anything.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\npeak-rss-kib=${process.resourceUsage().maxRSS}\n`);
});
