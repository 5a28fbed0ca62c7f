/**
 * Build step after tsc: every Redis script of src/<stage>/lua/*.lua, its `--- @include`s resolved
 * (dist/core/lua-source.js, the same code the loaders use), written to dist/<stage>/lua/ beside the compiled
 * loader that reads it. The lib/ files are not copied: each script already carries what it includes.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';
import { loadLuaScript } from '../dist/core/lua-source.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let count = 0;
for (const stage of readdirSync(join(root, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory())) {
  const from = join(root, 'src', stage.name, 'lua');
  let scripts;
  try {
    scripts = readdirSync(from).filter((f) => f.endsWith('.lua'));
  } catch {
    continue;
  }
  const to = join(root, 'dist', stage.name, 'lua');
  mkdirSync(to, { recursive: true });
  for (const file of scripts) {
    writeFileSync(join(to, file), loadLuaScript(join(from, file)));
    count += 1;
  }
}
console.log(`bundle-lua: ${count} scripts written to dist/*/lua/`);
