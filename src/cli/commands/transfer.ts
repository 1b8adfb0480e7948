// export and import: a store's dump as JSON Lines, to a file or stdout and back.

import { once } from 'node:events';
import { closeSync, createReadStream, createWriteStream, fstatSync, openSync, renameSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type DumpProgress, exportStore, importStore, type Store } from '../../index.js';
import { type CommandSpec, stringOption, UsageError } from '../command.js';
import { type Io, write } from '../io.js';
import { CliError } from '../open-store.js';
import { progressBar } from '../progress.js';

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'write everything the store holds as JSON Lines, to stdout or a file',
  description: [
    'A header line, one record per line, and an end line counting the records: what allot import (or',
    'importStore) needs to rebuild the store, into any kind of store. Reads one snapshot of the store.',
  ].join('\n'),
  options: { out: { type: 'string', value: 'file', description: 'write to this file instead of stdout' } },
  store: 'read',
  examples: ['allot export --db allot.db --out allot.jsonl', 'allot export --db allot.db | gzip > allot.jsonl.gz'],
  async run({ options, io, store }) {
    const out = stringOption(options.out);
    const source = await store();
    if (out === undefined) {
      await dump(source, io, io.stdout);
      return undefined;
    }
    // Written aside and renamed once whole: a failed export leaves no half file behind.
    const partial = `${out}.partial-${process.pid}`;
    let fd: number;
    try {
      fd = openSync(partial, 'w');
    } catch (e) {
      throw new CliError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const file = createWriteStream(partial, { fd });
    let failed: Error | undefined;
    file.on('error', (e) => {
      failed ??= e;
    });
    try {
      const records = await dump(source, io, file);
      file.end();
      await once(file, 'close');
      if (failed) throw failed;
      renameSync(partial, out);
      return { json: { store: source.name, out, records }, text: `exported ${records} records to ${out}\n` };
    } catch (e) {
      file.destroy();
      rmSync(partial, { force: true });
      throw e;
    }
  },
};

/** Writes the store's dump to `stream`, with a progress bar on a terminal; resolves to the records written. */
async function dump(source: Store, io: Io, stream: NodeJS.WritableStream): Promise<number> {
  const bar = progressBar(io, 'exporting', 'records');
  let records = 0;
  try {
    const onProgress = (p: DumpProgress) => {
      records = p.done;
      bar.update(p.done);
    };
    for await (const line of exportStore(source, { onProgress })) await write(stream, line);
    return records;
  } finally {
    bar.end();
  }
}

export const importCommand: CommandSpec = {
  name: 'import',
  summary: 'rebuild a store from an export, into an empty store (a new SQLite file is created)',
  description: [
    'The store must be empty; a SQLite file that does not exist is created (and removed again should',
    'the import fail). Records go in by chunks, one transaction each: should the import stop half-way',
    'in a store that existed, allot refuses to open that store until the same import is run again,',
    'which resumes where it stopped.',
  ].join('\n'),
  options: { in: { type: 'string', value: 'file', description: 'the export to read (required; - for stdin)' } },
  store: 'create',
  examples: [
    'allot import --in allot.jsonl --db copy.db',
    'allot export --db a.db | allot import --in - --postgres "$URL"',
  ],
  async run({ options, io, store }) {
    const file = stringOption(options.in);
    if (file === undefined) throw new UsageError('--in is required: the export file, or - for stdin');
    const fd = file === '-' ? undefined : openInput(file);
    const target = await store();
    const size = fd === undefined ? undefined : fstatSync(fd).size;
    const input = fd === undefined ? undefined : createReadStream('', { fd });
    const bar = progressBar(io, 'importing', 'bytes');
    const lines = linesOf(input ?? io.stdin);
    try {
      const { records, resumed } = await importStore(target, lines, {
        onProgress: () => bar.update(input?.bytesRead ?? 0, size),
      });
      const again = resumed > 0 ? ` (resumed after ${resumed} records written before)` : '';
      return {
        json: { store: target.name, records, resumed },
        text: `imported ${records} records into ${target.name}${again}\n`,
      };
    } finally {
      bar.end();
      input?.destroy();
    }
  },
};

/** A file to read, opened: a missing or unreadable one is one line. */
function openInput(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}`);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new CliError(`${file}: not a file`);
  }
  return fd;
}

/**
 * The lines of a stream, taken from the moment of the call: readline hands lines to an iterator
 * only once one exists, and the stream flows as soon as readline listens.
 */
function linesOf(input: NodeJS.ReadableStream): AsyncIterable<string> {
  const iterator = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })[Symbol.asyncIterator]();
  return { [Symbol.asyncIterator]: () => iterator };
}
