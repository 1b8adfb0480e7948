// The command line's dispatch, in process: two-word commands (how `catalog validate` will plug
// in), help made from a spec, output as text or JSON, and the progress bar on a terminal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../src/cli/command.js';
import { commands } from '../../src/cli/commands/index.js';
import { run } from '../../src/cli/run.js';
import { Allot } from '../../src/index.js';
import { sqliteStore } from '../../src/stores/sqlite/index.js';
import { catalog } from '../helpers/fixtures.js';

/** An Io over in-memory streams, and what was written to them. */
function memoryIo(interactive = false) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d;
  });
  stderr.on('data', (d: Buffer) => {
    err += d;
  });
  return {
    io: { stdout, stderr, stdin: new PassThrough(), interactive },
    out: () => out,
    err: () => err,
  };
}

const greet: CommandSpec = {
  name: 'demo greet',
  summary: 'say hello',
  arguments: [{ name: 'who', description: 'whom to greet' }],
  options: { loud: { type: 'boolean', description: 'shout' } },
  examples: ['allot demo greet world'],
  async run({ args, options }) {
    const text = `hello ${args.who}`;
    return { json: { greeting: text }, text: `${options.loud ? text.toUpperCase() : text}\n` };
  },
};
const wave: CommandSpec = { name: 'demo wave', summary: 'wave', run: async () => ({ json: null, text: 'o/\n' }) };

describe('dispatch', () => {
  it('runs a two-word command with its arguments and options, as text or JSON', async () => {
    const text = memoryIo();
    expect(await run(['demo', 'greet', 'world', '--loud'], text.io, '1.2.3', [greet, wave])).toBe(0);
    expect(text.out()).toBe('HELLO WORLD\n');
    const json = memoryIo();
    expect(await run(['demo', 'greet', 'world', '--json'], json.io, '1.2.3', [greet, wave])).toBe(0);
    expect(JSON.parse(json.out())).toEqual({ greeting: 'hello world' });
  });

  it("lists a group's commands when only the group is named, and helps with each", async () => {
    const group = memoryIo();
    expect(await run(['demo'], group.io, '1.2.3', [greet, wave])).toBe(2);
    expect(group.err()).toMatch(/demo greet\s+say hello/);
    expect(group.err()).toMatch(/demo wave\s+wave/);
    const help = memoryIo();
    expect(await run(['demo', 'greet', '--help'], help.io, '1.2.3', [greet, wave])).toBe(0);
    expect(help.out()).toContain('Usage: allot demo greet <who> [options]');
    expect(help.out()).toMatch(/<who>\s+whom to greet/);
    expect(help.out()).toMatch(/--loud\s+shout/);
    expect(help.out()).toContain('allot demo greet world');
    // A command that opens no store takes no store option.
    const db = memoryIo();
    expect(await run(['demo', 'greet', 'x', '--db', 'a.db'], db.io, '1.2.3', [greet, wave])).toBe(2);
    expect(db.err()).toBe('allot demo greet: unknown option --db (allot demo greet --help)\n');
  });

  it('prints the version, and the overview with no command', async () => {
    const version = memoryIo();
    expect(await run(['--version'], version.io, '1.2.3', [greet])).toBe(0);
    expect(version.out()).toBe('1.2.3\n');
    const none = memoryIo();
    expect(await run([], none.io, '1.2.3', [greet])).toBe(2);
    expect(none.err()).toContain('Usage: allot <command>');
  });

  it('every command of the command line has a help of its own', async () => {
    for (const spec of commands) {
      const help = memoryIo();
      expect(await run([...spec.name.split(' '), '--help'], help.io, '0')).toBe(0);
      expect(help.out()).toContain(`Usage: allot ${spec.name}`);
      expect(help.out()).toContain(spec.summary);
    }
  });
});

describe('the progress bar', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'allot-run-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is drawn on stderr on a terminal, then cleared, and never elsewhere', async () => {
    const db = join(dir, 'allot.db');
    const writer = Allot.initialize({ catalog, store: sqliteStore({ filename: db }) });
    await writer.waitForInitialization();
    for (let i = 0; i < 5; i++) await writer.provisionCustomer({ customerId: `c${i}` });
    await writer.close();
    const terminal = memoryIo(true);
    expect(await run(['export', '--db', db, '--out', join(dir, 'out.jsonl')], terminal.io, '0')).toBe(0);
    // Drawn once (the export is quicker than a redraw), for 8 catalog versions and 5 customers.
    const clearLine = '\u001b[K';
    expect(terminal.err()).toBe(`\rexporting 13 records${clearLine}\r${clearLine}`);
    const pipe = memoryIo(false);
    expect(await run(['export', '--db', db, '--out', join(dir, 'out2.jsonl')], pipe.io, '0')).toBe(0);
    expect(pipe.err()).toBe('');
  });
});
