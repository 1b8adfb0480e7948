// The command line's dispatch: finds the command, parses its arguments with node:util's
// parseArgs, opens the store it names, runs it, prints its output, and turns every failure into
// one line on stderr and an exit code (2 for a mistake in the call, 1 for anything else).
import { parseArgs } from 'node:util';
import { Allot } from '../index.js';
import { type CommandContext, type CommandSpec, optionsOf, UsageError } from './command.js';
import { commands } from './commands/index.js';
import { helpOf, overview } from './help.js';
import { type Io, write } from './io.js';
import { type OpenedStore, openStore } from './open-store.js';
import { json } from './output.js';

/** Runs the command `argv` names (the arguments after `allot`) among `list`; resolves to the exit code. */
export async function run(
  argv: readonly string[],
  io: Io,
  version: string,
  list: readonly CommandSpec[] = commands,
): Promise<number> {
  const [first, second] = argv;
  if (first === undefined) {
    await write(io.stderr, overview(list));
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    await write(io.stdout, overview(list));
    return 0;
  }
  if (first === '--version' || first === '-v') {
    await write(io.stdout, `${version}\n`);
    return 0;
  }
  const spec = list.find((c) => c.name === `${first} ${second}`) ?? list.find((c) => c.name === first);
  if (spec === undefined) {
    const group = list.filter((c) => c.name.startsWith(`${first} `));
    if (group.length > 0) {
      await write(io.stderr, overview(group));
      return 2;
    }
    return fail(io, new UsageError(`unknown command '${first}' (allot --help lists them)`));
  }
  const words = spec.name.split(' ').length;
  let opened: OpenedStore | undefined;
  let allot: Allot | undefined;
  let failure: unknown;
  try {
    const parsed = parse(spec, argv.slice(words));
    if (parsed.options.help === true) {
      await write(io.stdout, helpOf(spec));
      return 0;
    }
    const context: CommandContext = {
      ...parsed,
      json: parsed.options.json === true,
      io,
      store: async () => {
        if (spec.store === undefined) throw new Error(`${spec.name} opens no store`);
        opened ??= await openStore(parsed.options, spec.store);
        return opened.store;
      },
      allot: async () => {
        allot ??= await Allot.open({ store: await context.store() });
        return allot;
      },
    };
    // Reading or changing a store that is not there is reported before any work; a command that
    // creates its store opens it once it checked the rest of its call.
    if (spec.store === 'read' || spec.store === 'write') await context.store();
    const output = await spec.run(context);
    if (output !== undefined) await write(io.stdout, context.json ? json(output.json) : output.text);
  } catch (error) {
    failure = error;
  }
  await allot?.close().catch(() => undefined);
  // A failed command leaves nothing it created behind.
  const discard = failure !== undefined && opened?.created === true;
  await opened?.close(discard).catch(() => undefined);
  return failure === undefined ? 0 : fail(io, failure, spec, discard ? opened?.label : undefined);
}

/** The command's arguments and options, or a UsageError naming what is wrong. */
function parse(spec: CommandSpec, argv: readonly string[]): Pick<CommandContext, 'args' | 'options'> {
  const accepted = optionsOf(spec);
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(accepted).map(([name, o]) => [
          name,
          name === 'help' ? { type: o.type, short: 'h' } : { type: o.type },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
  } catch (e) {
    throw new UsageError(parseArgsMessage(e));
  }
  if (values.help === true) return { args: {}, options: values };
  const expected = spec.arguments ?? [];
  const missing = expected[positionals.length];
  if (missing !== undefined) throw new UsageError(`missing <${missing.name}>`);
  const extra = positionals[expected.length];
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  return { args: Object.fromEntries(expected.map((a, i) => [a.name, positionals[i] as string])), options: values };
}

/** parseArgs' error, said briefly. */
function parseArgsMessage(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const option = /'(-[^' ]+)/.exec(message ?? '')?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (message?.includes('argument missing')) return `${option} needs a value`;
    if (message?.includes('ambiguous'))
      return `${option} needs a value (one starting with - goes as ${option}=<value>)`;
    return `${option} takes no value`;
  }
  return message ?? String(error);
}

/**
 * One line on stderr (saying so when the store the command created was removed); the exit code:
 * 2 for a mistake in the call, 1 otherwise.
 */
async function fail(io: Io, error: unknown, spec?: CommandSpec, removed?: string): Promise<number> {
  const where = spec ? `allot ${spec.name}` : 'allot';
  if (error instanceof UsageError) {
    const hint = spec ? ` (allot ${spec.name} --help)` : '';
    await write(io.stderr, `${where}: ${error.message}${hint}\n`);
    return 2;
  }
  const message = (error instanceof Error ? error.message : String(error)).replace(/^\[allot\] /, '');
  const cleanup = removed === undefined ? '' : ` (nothing kept: removed ${removed}, which this command created)`;
  await write(io.stderr, `${where}: ${message}${cleanup}\n`);
  return 1;
}
