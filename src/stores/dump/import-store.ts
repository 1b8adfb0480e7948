import { AllotError } from '../../errors.js';
import type { Store, StoreReader, StoreTransaction } from '../store.js';
import {
  type DumpHeader,
  type DumpLine,
  type DumpRecord,
  dumpLineError,
  IMPORT_SCOPE,
  parseDumpLine,
} from './dump-format.js';
import {
  checkDumpArguments,
  chunkMarker,
  type DumpProgress,
  FINISHED,
  type ImportStarted,
  importState,
  STARTED,
  unfinishedImportError,
} from './import-markers.js';

/** Options of `importStore`. */
export interface ImportStoreOptions {
  /** Called after each committed chunk, with the records written so far (those of a resumed import's earlier runs too). */
  readonly onProgress?: (progress: DumpProgress) => void;
  /** Records per transaction (default 1,000); a resumed import keeps the size it started with. */
  readonly chunkSize?: number;
}

/** What `importStore` wrote. */
export interface ImportStoreResult {
  /** The dump's records, all of them in the store now. */
  readonly records: number;
  /** How many of them an earlier, unfinished run of the same import had written. */
  readonly resumed: number;
}

const DEFAULT_CHUNK = 1_000;

/**
 * Rebuilds a store from a dump `exportStore` wrote (from any kind of store), given as its lines
 * (as `readline` yields them, or `exportStore` itself). The store must be empty (`STORE_NOT_EMPTY`
 * otherwise, nothing written). Records go in by chunks, one transaction each; a line that is not
 * what the dump needs there is `INVALID_INPUT` naming it. Should the import stop after a chunk
 * committed (a bad or truncated line, the store failing), it rejects with `IMPORT_INCOMPLETE`: the
 * store is marked, `Allot` refuses to open it, and importing the same dump again resumes after the
 * last chunk that committed.
 *
 * @example
 * import { createReadStream } from 'node:fs';
 * import { createInterface } from 'node:readline';
 * const lines = createInterface({ input: createReadStream('allot.jsonl'), crlfDelay: Infinity });
 * await importStore(sqliteStore({ filename: 'copy.db' }), lines);
 */
export async function importStore(
  store: Store,
  lines: AsyncIterable<string> | Iterable<string>,
  options: ImportStoreOptions = {},
): Promise<ImportStoreResult> {
  const { chunkSize = DEFAULT_CHUNK, onProgress } = options ?? {};
  checkDumpArguments('importStore', store, onProgress);
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new AllotError('INVALID_INPUT', 'importStore: chunkSize must be a positive integer');
  if (typeof lines !== 'object' || lines === null || !(Symbol.asyncIterator in lines || Symbol.iterator in lines))
    throw new AllotError('INVALID_INPUT', "importStore: give the dump's lines, as an iterable of strings");
  await store.open();
  const run = new ImportRun(store, chunkSize, onProgress);
  try {
    return await run.import(lines);
  } catch (error) {
    if (run.committed === 0 || (AllotError.is(error) && error.code === 'IMPORT_INCOMPLETE')) throw error;
    const reason = error instanceof Error ? error.message.replace(/^\[allot\] /, '') : String(error);
    throw new AllotError(
      'IMPORT_INCOMPLETE',
      `${store.name}: the import stopped after ${run.committed} records (${reason}); import the same dump again to resume it`,
      { cause: error, details: { committed: run.committed } },
    );
  }
}

/** One import: where it stands, and the chunk it gathers. */
class ImportRun {
  /** Records in the store, written by this run or an earlier one of the same import. */
  committed = 0;
  #started: ImportStarted | undefined;
  /** Whether `started` is stored yet: the first transaction writes it. */
  #marked = false;
  #chunk: DumpRecord[] = [];
  /** Records of the dump seen so far. */
  #seen = 0;
  #resumed = 0;

  constructor(
    readonly store: Store,
    readonly chunkSize: number,
    readonly onProgress: ((progress: DumpProgress) => void) | undefined,
  ) {}

  async import(lines: AsyncIterable<string> | Iterable<string>): Promise<ImportStoreResult> {
    let lineNumber = 0;
    let end: number | undefined;
    for await (const raw of lines) {
      lineNumber += 1;
      if (typeof raw !== 'string') throw dumpLineError(lineNumber, 'not text');
      const text = raw.trim();
      if (text === '' && lineNumber > 1) continue;
      if (end !== undefined) throw dumpLineError(lineNumber, 'a line after the end line');
      const line: DumpLine = parseDumpLine(text, lineNumber);
      if (line.type === 'header') await this.#begin(line);
      else if (line.type === 'end') {
        if (line.records !== this.#seen)
          throw dumpLineError(lineNumber, `the end line counts ${line.records} records, the dump has ${this.#seen}`);
        end = line.records;
      } else await this.#add(line);
    }
    if (lineNumber === 0) throw dumpLineError(1, 'empty: not an allot dump');
    if (end === undefined) throw dumpLineError(lineNumber + 1, 'the dump ends without its end line (truncated?)');
    await this.#flush(true);
    return { records: this.#seen, resumed: this.#resumed };
  }

  /** Decides from the store's markers whether this is a new import or the resumption of an earlier run. */
  async #begin(header: DumpHeader): Promise<void> {
    const state = await this.store.read(importState);
    if (state.kind === 'finished') throw notEmpty(this.store.name, 'it holds an earlier import');
    if (state.kind === 'unfinished') {
      if (state.started.exportId !== header.exportId) throw unfinishedImportError(this.store.name);
      this.#started = state.started;
      this.#marked = true;
      const done = await this.store.read(async (r) => {
        let chunks = 0;
        while ((await r.getIdempotencyResult(IMPORT_SCOPE, chunkMarker(chunks))) !== undefined) chunks += 1;
        return chunks;
      });
      this.#resumed = done * state.started.chunkSize;
    } else {
      // Refused at once; the first chunk's transaction checks again, under its lock.
      await this.store.read((r) => assertEmpty(r, this.store.name));
      this.#started = { exportId: header.exportId, chunkSize: this.chunkSize };
    }
  }

  async #add(line: DumpRecord): Promise<void> {
    this.#seen += 1;
    // A resumed import skips what earlier runs committed; those lines were checked all the same.
    if (this.#seen <= this.#resumed) {
      this.committed = this.#seen;
      return;
    }
    this.#chunk.push(line);
    if (this.#chunk.length === this.#started?.chunkSize) await this.#flush(false);
  }

  /** Writes the gathered chunk (and, at the end, the `finished` marker) in one transaction. */
  async #flush(last: boolean): Promise<void> {
    const started = this.#started as ImportStarted;
    const chunk = this.#chunk;
    const index = Math.floor(this.committed / started.chunkSize);
    const store = this.store;
    const now = Date.now();
    await store.transaction(lockKeys(chunk), async (tx) => {
      if (!this.#marked) {
        await assertEmpty(tx, store.name);
        await tx.putIdempotencyResult(IMPORT_SCOPE, STARTED, started, now);
      }
      if (chunk.length > 0) {
        if ((await tx.getIdempotencyResult(IMPORT_SCOPE, chunkMarker(index))) !== undefined)
          throw new AllotError('INVALID_OPERATION', `${store.name}: another import of the same dump is writing to it`);
        await writeRecords(tx, chunk);
        await tx.putIdempotencyResult(IMPORT_SCOPE, chunkMarker(index), { records: chunk.length }, now);
      }
      if (last) await tx.putIdempotencyResult(IMPORT_SCOPE, FINISHED, { records: this.#seen }, now);
    });
    this.#marked = true;
    this.committed += chunk.length;
    this.#chunk = [];
    this.onProgress?.({ operation: 'import', done: this.committed });
  }
}

function notEmpty(store: string, why: string): AllotError {
  return new AllotError('STORE_NOT_EMPTY', `${store}: import only into an empty store; ${why}`);
}

/** An empty store has no customer, no catalog version and no import, finished or not. */
async function assertEmpty(reader: StoreReader, store: string): Promise<void> {
  if ((await reader.listCustomers({ limit: 1 })).length > 0) throw notEmpty(store, 'it holds customers');
  if ((await reader.listPackageVersions()).length > 0) throw notEmpty(store, 'it holds a catalog');
  if ((await importState(reader)).kind !== 'none') throw notEmpty(store, 'it holds an import');
}

/** The keys a chunk's transaction locks: its customers (and governance owners), and the catalog. */
function lockKeys(chunk: readonly DumpRecord[]): string[] {
  const keys = new Set<string>();
  for (const { type, record } of chunk)
    if (type === 'packageVersion') keys.add('catalog');
    else if ('customerId' in record) keys.add(`customer:${record.customerId}`);
    else if ('ownerId' in record) keys.add(`customer:${record.ownerId}`);
  return [...keys].sort();
}

/** Writes records in order, each run of one type through one call where the contract takes a list. */
async function writeRecords(tx: StoreTransaction, records: readonly DumpRecord[]): Promise<void> {
  for (let i = 0; i < records.length; ) {
    const type = records[i]?.type;
    let j = i;
    while (j < records.length && records[j]?.type === type) j += 1;
    await writeRun(tx, records.slice(i, j));
    i = j;
  }
}

/** Records of one type. */
async function writeRun(tx: StoreTransaction, run: readonly DumpRecord[]): Promise<void> {
  const list = <K extends DumpRecord['type']>(_type: K) =>
    run.map((r) => r.record) as Extract<DumpRecord, { type: K }>['record'][];
  switch (run[0]?.type) {
    case 'usageCounter':
      return tx.putUsageCounters(list('usageCounter'));
    case 'usageEntry':
      return tx.appendUsageHistory(list('usageEntry'));
    case 'eventKey':
      await tx.putEvents(list('eventKey'));
      return;
    case 'creditGrant':
      return tx.putCreditGrants(list('creditGrant'));
    case 'creditLedger':
      return tx.appendCreditLedger(list('creditLedger'));
    case 'governanceEntity':
      return tx.putGovernanceEntities(list('governanceEntity'));
    case 'governanceBudget':
      return tx.putGovernanceBudgets(list('governanceBudget'));
    case 'governanceUsage':
      return tx.putGovernanceUsage(list('governanceUsage'));
    default:
      for (const record of run) await writeOne(tx, record);
  }
}

/** A record of a type the contract writes one at a time (`writeRun` takes the others). */
async function writeOne(tx: StoreTransaction, { type, record }: DumpRecord): Promise<void> {
  switch (type) {
    case 'packageVersion':
      return tx.putPackageVersion(record);
    case 'customer':
      return tx.putCustomer(record);
    case 'subscription':
      return tx.putSubscription(record);
    case 'promotion':
      return tx.putPromotion(record);
    case 'uniqueMember': {
      const { member, ...key } = record;
      await tx.addUniqueMember(key, member);
      return;
    }
    case 'creditTotals': {
      const { customerId, currencyId, resourceId, ...totals } = record;
      return tx.putCreditTotals({ customerId, currencyId, resourceId }, totals);
    }
    case 'creditExpiry': {
      const { customerId, currencyId, resourceId, at, amount } = record;
      return tx.putCreditExpiries({ customerId, currencyId, resourceId }, [{ at, amount }]);
    }
    case 'autoRecharge':
      return tx.putAutoRecharge(record.customerId, record.currencyId, record.config);
    case 'idempotency':
      return tx.putIdempotencyResult(record.scope, record.key, record.result, record.createdAt);
  }
}
