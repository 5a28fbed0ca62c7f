/**
 * First build step: dist/ starts empty, so nothing a removed or renamed source once compiled to (or a script
 * the Lua bundler no longer writes) can linger there and ship in the package.
 */
import { rmSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';

rmSync(fileURLToPath(new URL('../dist', import.meta.url)), { recursive: true, force: true });
