/** The command tree of `feedproc` (src/cli/program.ts), as the tests that must reach every command walk it. */
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';

export interface Leaf {
  /** The words that name it, e.g. ['destinations', 'add']. */
  words: string[];
  command: Command;
  /** The values its --format lists (none when it has no --format). */
  formats: readonly string[];
}

/** Every command a user can run: the leaves of the tree (a group such as `keys` only holds subcommands). */
export function leafCommands(): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (command: Command, words: string[]): void => {
    for (const sub of command.commands) {
      const path = [...words, sub.name()];
      if (sub.commands.length > 0) walk(sub, path);
      else
        leaves.push({
          words: path,
          command: sub,
          formats: sub.options.find((option) => option.long === '--format')?.argChoices ?? [],
        });
    }
  };
  // The actions are never called: the tree is only read.
  walk(
    buildProgram(async () => undefined),
    [],
  );
  return leaves;
}

/**
 * The words that get a leaf past commander's own checks: its required arguments (`file` for an argument that
 * names a file, else `value`) and its required options (the value `optionValues` gives, else `value`).
 */
export function placeholderArgs(
  leaf: Leaf,
  file: string,
  optionValues: Readonly<Record<string, string>> = {},
  value = 'X',
): string[] {
  const args = leaf.command.registeredArguments
    .filter((argument) => argument.required)
    .map((argument) => (argument.name() === 'file' ? file : value));
  const options = leaf.command.options
    .filter((option) => option.mandatory)
    .flatMap((option) => [option.long ?? '', optionValues[option.long ?? ''] ?? value]);
  return [...leaf.words, ...args, ...options];
}
