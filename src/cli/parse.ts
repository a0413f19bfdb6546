import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FlagError } from './kcp-flags.js';

/**
 * node:util parseArgs with errors that name the flag and list the accepted
 * ones, and --help. Returns null when help was printed.
 */
export function parseFlags(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  help: string,
): Record<string, string | boolean | undefined> | null {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
  } catch (e) {
    const accepted = Object.keys(options).map((k) => `--${k}`).join(' ');
    throw new FlagError(`${(e as Error).message.replace(/\. To specify.*$/s, '')}\naccepted flags: ${accepted} --help`);
  }
  if (parsed.values.help) {
    console.log(help);
    return null;
  }
  return parsed.values as Record<string, string | boolean | undefined>;
}
