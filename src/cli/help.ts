// The help texts, made from the command specs.
import { type CommandSpec, optionsOf } from './command.js';

/** The list of commands. */
export function overview(list: readonly CommandSpec[]): string {
  const width = Math.max(...list.map((c) => c.name.length));
  return [
    'Usage: allot <command> [arguments] [options]',
    '',
    'Inspect and move the data of an allot store: a SQLite file (--db) or a PostgreSQL schema (--postgres).',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'allot <command> --help describes a command; --json prints JSON for scripts; --version prints the version.',
    '',
  ].join('\n');
}

/** A command's own help: usage, arguments, options, examples. */
export function helpOf(spec: CommandSpec): string {
  const args = (spec.arguments ?? []).map((a) => `<${a.name}>`);
  const options = Object.entries(optionsOf(spec)).map(([name, o]) => [
    `--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}${name === 'help' ? ', -h' : ''}`,
    o.description,
  ]);
  const rows = [...(spec.arguments ?? []).map((a) => [`<${a.name}>`, a.description]), ...options];
  const width = Math.max(...rows.map(([k]) => k?.length ?? 0));
  const list = (items: string[][]) => items.map(([k = '', v = '']) => `  ${k.padEnd(width)}  ${v}`);
  return [
    `Usage: allot ${[spec.name, ...args].join(' ')} [options]`,
    '',
    spec.summary,
    ...(spec.description ? ['', spec.description] : []),
    ...(spec.arguments?.length
      ? ['', 'Arguments:', ...list((spec.arguments ?? []).map((a) => [`<${a.name}>`, a.description]))]
      : []),
    '',
    'Options:',
    ...list(options),
    ...(spec.examples?.length ? ['', 'Examples:', ...spec.examples.map((e) => `  ${e}`)] : []),
    '',
  ].join('\n');
}
