// An import marks its progress as idempotent writes of its own scope: `started` (the export it
// imports, and its chunk size) with its first chunk, `chunk:<n>` with each chunk, `finished` last.
// A store with `started` and no `finished` holds a partial import: the engine refuses to open it,
// and importing the same dump again resumes after the last chunk that committed.
import { AllotError } from '../../errors.js';
import type { Store, StoreReader } from '../store.js';
import { IMPORT_SCOPE } from './dump-format.js';

/** How far a long operation has come: `done` of `total` (when known) units of work. */
export interface DumpProgress {
  readonly operation: 'export' | 'import';
  /** Records written (import) or read (export) so far. */
  readonly done: number;
  readonly total?: number;
}

/** What `started` holds. */
export interface ImportStarted {
  readonly exportId: string;
  readonly chunkSize: number;
}

export const STARTED = 'started';
export const FINISHED = 'finished';
export const chunkMarker = (index: number): string => `chunk:${index}`;

/** The import a store holds: none, one under way (or stopped), or one finished. */
export type ImportState =
  | { readonly kind: 'none' }
  | { readonly kind: 'unfinished'; readonly started: ImportStarted }
  | { readonly kind: 'finished' };

export async function importState(reader: StoreReader): Promise<ImportState> {
  const started = (await reader.getIdempotencyResult(IMPORT_SCOPE, STARTED)) as ImportStarted | undefined;
  if (started === undefined) return { kind: 'none' };
  if ((await reader.getIdempotencyResult(IMPORT_SCOPE, FINISHED)) !== undefined) return { kind: 'finished' };
  return { kind: 'unfinished', started };
}

export function unfinishedImportError(store: string): AllotError {
  return new AllotError(
    'IMPORT_INCOMPLETE',
    `${store} holds an import that did not finish: import the same dump again to resume it, or start over with an empty store`,
  );
}

/** INVALID_INPUT unless `store` looks like a Store and `onProgress`, if given, is a function. */
export function checkDumpArguments(call: string, store: unknown, onProgress: unknown): asserts store is Store {
  const methods = ['open', 'read', 'transaction'] as const;
  if (typeof store !== 'object' || store === null || methods.some((m) => typeof (store as Store)[m] !== 'function'))
    throw new AllotError('INVALID_INPUT', `${call}: the first argument must be a Store`);
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new AllotError('INVALID_INPUT', `${call}: onProgress must be a function`);
}

/** Rejects with IMPORT_INCOMPLETE when the store holds an import that did not finish. */
export async function assertNoUnfinishedImport(reader: StoreReader, store: string): Promise<void> {
  if ((await importState(reader)).kind === 'unfinished') throw unfinishedImportError(store);
}
