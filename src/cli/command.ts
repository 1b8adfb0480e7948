// A command of the `allot` command line, declared as data: its arguments and options (parsed by
// node:util's parseArgs) and what it does. `commands/index.ts` lists them; adding one is a spec
// there. The help of every command is made from its spec.
import type { Allot, Store } from '../index.js';
import type { Io } from './io.js';

/** A positional argument. */
export interface ArgumentSpec {
  readonly name: string;
  readonly description: string;
}

/** An option: `--name value` (string) or `--name` (boolean). */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  /** What the value stands for in the help, e.g. `n` in `--limit <n>`. */
  readonly value?: string;
}

/**
 * How a command uses the store named by `--db` or `--postgres`: `read` opens it read-only (a
 * SQLite file is never written), `write` opens it for writes, `create` may create it (import
 * only: should the command fail, what it created is removed); absent, the command needs no store.
 */
export type StoreAccess = 'read' | 'write' | 'create';

/** What a command hands back: data for `--json`, and how to show it to a person. */
export interface CommandOutput {
  readonly json: unknown;
  readonly text: string;
}

/** What a command runs with. */
export interface CommandContext {
  /** Positional arguments by name. */
  readonly args: Readonly<Record<string, string>>;
  /** Options by name, as given (absent when not given). */
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  readonly json: boolean;
  readonly io: Io;
  /** The store, opened as the spec's `store` says; closed after the command. */
  store(): Promise<Store>;
  /** An engine on the store, with the catalog it holds (`Allot.open`). */
  allot(): Promise<Allot>;
}

export interface CommandSpec {
  /** One word, or two for a command of a group (`catalog validate`). */
  readonly name: string;
  /** One line, for the list of commands. */
  readonly summary: string;
  /** More, for the command's own help. */
  readonly description?: string;
  readonly arguments?: readonly ArgumentSpec[];
  readonly options?: Readonly<Record<string, OptionSpec>>;
  readonly store?: StoreAccess;
  readonly examples?: readonly string[];
  /** Returns what to print; nothing when it wrote its output itself (`export`). */
  run(context: CommandContext): Promise<CommandOutput | undefined>;
}

/** A mistake in how the command was called: one line on stderr, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The options every command that opens a store takes. */
export const STORE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  db: { type: 'string', value: 'file', description: 'the SQLite database file' },
  postgres: { type: 'string', value: 'url', description: 'a PostgreSQL connection string' },
  schema: { type: 'string', value: 'name', description: "the PostgreSQL schema (default 'allot')" },
};

/** The options every command takes. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', description: 'print JSON for scripts instead of a table' },
  help: { type: 'boolean', description: 'show this help' },
};

/** Every option a command accepts: its own, the store's if it opens one, and the common ones. */
export function optionsOf(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, ...(spec.store ? STORE_OPTIONS : {}), ...COMMON_OPTIONS };
}

/** A positive integer option (`--limit`), or its default. */
export function positiveInteger(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < 1)
    throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

/** A non-negative number option (`--requested`), or undefined. */
export function nonNegativeNumber(value: string | boolean | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} must be a number, 0 or more`);
  return n;
}

/** A string option, or undefined. */
export const stringOption = (value: string | boolean | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;
