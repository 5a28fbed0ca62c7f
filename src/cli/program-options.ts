/** The option parsers and option shapes the command definitions share. */
import { Command, CommanderError, Option } from 'commander';
import type { Config } from '../core/config.js';
import type { SchemaRegistry } from '../validate/index.js';

/** Runs one command's action with the loaded configuration; what the action returns is the exit code. */
export type Run = (
  action: (schemas: SchemaRegistry, config: Config) => Promise<number>,
  extraFlags?: Partial<Record<keyof Config, unknown>>,
) => Promise<void>;
export type Format = 'xml' | 'flat' | 'json' | 'text' | 'listings';

export const REPORT_FORMATS = ['xml', 'flat', 'json', 'text', 'listings'];
/** A processing report's formats (the feed's own by default). */
export const formatOption = (): Option =>
  new Option('--format <format>', "report format (default: the feed's own)").choices(REPORT_FORMATS);
/** Commands that show records rather than reports: text for people, JSON for scripts. */
export const shownAs = (): Option =>
  new Option('--format <format>', 'output format (default: text)').choices(['text', 'json']);

export const portNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CommanderError(2, 'feedproc.usage', `not a port number: ${value}`);
  return n;
};
export const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CommanderError(2, 'feedproc.usage', `not a positive whole number: ${value}`);
  return n;
};

/**
 * Marks a command that acts for one merchant (its action calls requireMerchant): its --help says so, because
 * commander lists the global --merchant apart from the command's own options. Declared where the command is
 * defined, so a new command cannot be left out of a list kept elsewhere.
 */
export function forMerchant(command: Command): Command {
  return command.addHelpText(
    'after',
    () => `\nRequired: --merchant ID (or FEEDPROC_MERCHANT), e.g. feedproc ${commandPath(command)} … --merchant ID`,
  );
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}
