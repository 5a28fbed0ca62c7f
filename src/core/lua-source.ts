/**
 * Lua sources for Redis, which has no `require`: a script names what it needs with `--- @include "lib/name"`
 * lines (paths relative to its own folder, `.lua` implied), and each directive is replaced by that file's text,
 * recursively, every file at most once per script (a second include of it is dropped). So a script carries only
 * the helpers it names: `claim-content-1.lua` stays 15 lines while `apply-messages-3+n.lua` gets every rule.
 *
 * `npm run build` writes the bundled scripts beside the compiled loaders (dist/<stage>/lua/, see
 * scripts/bundle-lua.mjs), so the package runs without its sources. The loaders read their script through
 * `loadLuaScript` from the folder beside their own module: in dist that is the bundled file (nothing left to
 * resolve); when the TypeScript sources run directly (the tests), it is the source file, resolved here.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const INCLUDE = /^--- @include "([^"]+)"[ \t]*$/gm;

/** The script at `file` with every `--- @include` replaced by the included text. */
export function loadLuaScript(file: string): string {
  return expand(file, new Set<string>(), dirname(file));
}

function expand(file: string, seen: Set<string>, root: string): string {
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  return source.replace(INCLUDE, (_line, name: string) => {
    const included = join(dirname(file), name.endsWith('.lua') ? name : `${name}.lua`);
    if (seen.has(included)) return `-- (${relative(root, included)} is already included above)`;
    const text = expand(included, seen, root);
    return `-- ---- ${relative(root, included)} ----\n${text.trimEnd()}\n-- ---- end of ${relative(root, included)} ----`;
  });
}
