import { AllotError } from '../../errors.js';
import { type BatchOutcome, GroupCommit } from '../group-commit.js';
import { createMutex } from '../mutex.js';
import { newOrigin } from '../origin.js';
import type { Store, StoreCapabilities, StoreReader, StoreTransaction } from '../store.js';
import { notOpenError, storeError } from '../store-errors.js';
import { type JournalPositions, maintainJournal } from './sqlite-journal.js';
import {
  migrate,
  prepareStatements,
  type SqliteDatabase,
  type SqliteStatement,
  type SqliteStatements,
} from './sqlite-statements.js';
import { SqliteReader, SqliteTransaction } from './sqlite-transaction.js';

/** Where the SQLite store keeps its data, and how hard it tries to keep it. */
export type SqliteStoreOptions = (
  | {
      /** The database file, created when missing. better-sqlite3 is loaded only to open it. */
      readonly filename: string;
      readonly database?: undefined;
    }
  | {
      /** An open better-sqlite3 connection. The store configures it but leaves closing it to you. */
      readonly database: SqliteDatabase;
      readonly filename?: undefined;
    }
) & {
  /** How long a write waits for another process's lock before failing, in milliseconds. Default 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * `'NORMAL'` (default): in WAL mode a committed transaction survives a process crash, but the
   * last commits can be lost to a power cut or OS crash. `'FULL'` syncs the log on every commit,
   * so commits survive those too, at a cost in write throughput.
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /**
   * Usage reports journaled between folds into the counters, rollups and history index. Default
   * 8192. A fold rewrites a page for about every customer in it, so larger folds spread that over
   * more writes; but a customer's load or a history read scans up to this many journal rows, and
   * the commit that folds takes longer.
   */
  readonly foldEvery?: number;
};

/**
 * A durable store in one SQLite file, safe to share between processes. Requires the optional peer
 * dependency better-sqlite3. Open one store per file per process: better-sqlite3 is synchronous,
 * so a second connection in the same process waiting for the first one's write lock would block
 * the event loop for up to `busyTimeoutMs`.
 *
 * @example
 * const store = sqliteStore({ filename: './allot.db' });
 * await store.open();
 */
export function sqliteStore(options: SqliteStoreOptions): Store {
  return new SqliteStore(options);
}

/**
 * `foldEvery`'s default. Against 2,048, it makes the bench's writes over 1,000 customers 35-70%
 * faster; past it the gains flatten, while reads scan more.
 */
const FOLD_EVERY = 8192;
/** Bytes per page of a new database file; SQLite's default is 4096. */
const PAGE_SIZE = 2048;
/** The most writes one commit carries: enough to amortise it, few enough to keep each wait short. */
const MAX_BATCH = 256;

interface Connection {
  readonly native: SqliteDatabase;
  readonly statements: SqliteStatements;
  readonly begin: SqliteStatement;
  readonly beginImmediate: SqliteStatement;
  readonly commit: SqliteStatement;
  readonly rollback: SqliteStatement;
  readonly dataVersion: SqliteStatement;
}

class SqliteStore implements Store {
  readonly name: string;
  readonly capabilities: StoreCapabilities;
  readonly #options: SqliteStoreOptions;
  // One connection runs one transaction at a time, and a transaction spans the awaits inside it.
  readonly #mutex = createMutex();
  // SQLite has one writer: one transaction at a time, carrying every write that waited for it.
  readonly #writes = new GroupCommit<SqliteTransaction>((_keys, bodies) => this.#batch(bodies), {
    concurrency: 1,
    maxBatch: MAX_BATCH,
  });
  #live: Connection | undefined;
  /** The change token while a write batch holds the lock: nobody else can commit meanwhile. */
  #batchToken: number | undefined;
  /** Where the journal stood after this connection's last commit, and the token it was valid for. */
  #journal: { readonly token: number; readonly at: JournalPositions } | undefined;
  #opening: Promise<void> | undefined;
  #closed = false;
  readonly #foldEvery: number;
  /** Names this instance's rows in the journal, so its own commits are not news to it. */
  readonly #origin = newOrigin();

  constructor(options: SqliteStoreOptions) {
    this.#options = options;
    this.name = `sqlite(${options.filename ?? options.database.name})`;
    // An in-memory database lives and dies with its connection: nothing survives, nobody shares it.
    const onDisk = !isInMemory(options.filename ?? options.database.name);
    this.capabilities = { durable: onDisk, sharedAcrossProcesses: onDisk, exactChangeToken: true };
    const { busyTimeoutMs = 5000, synchronous = 'NORMAL', foldEvery = FOLD_EVERY } = options;
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new AllotError('INVALID_INPUT', `${this.name}: busyTimeoutMs must be a non-negative integer`);
    }
    if (!Number.isInteger(foldEvery) || foldEvery < 1 || foldEvery > 1_000_000) {
      throw new AllotError('INVALID_INPUT', `${this.name}: foldEvery must be an integer from 1 to 1,000,000`);
    }
    this.#foldEvery = foldEvery;
    if (synchronous !== 'NORMAL' && synchronous !== 'FULL') {
      throw new AllotError('INVALID_INPUT', `${this.name}: synchronous must be 'NORMAL' or 'FULL'`);
    }
  }

  open(): Promise<void> {
    if (this.#closed) return Promise.reject(notOpenError(this.name, true));
    this.#opening ??= this.#open().catch((e: unknown) => {
      this.#opening = undefined;
      throw e;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    const { filename, database, busyTimeoutMs = 5000, synchronous = 'NORMAL' } = this.#options;
    let native: SqliteDatabase;
    try {
      native = database ?? (await openFile(filename));
    } catch (e) {
      throw storeError(this.name, 'open', e);
    }
    try {
      // busy_timeout first, so switching to WAL waits for another process instead of failing.
      // The records hold epoch milliseconds as numbers; a connection set to return BigInts would break them.
      native.defaultSafeIntegers?.(false);
      native.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      // Only takes effect while the file is empty. A commit copies every page it dirtied, whole, into
      // the WAL, and the hot commit (one journal row) dirties one or two: half-size pages make
      // it faster. A connection the caller opened keeps the page size they chose.
      if (database === undefined) native.exec(`PRAGMA page_size = ${PAGE_SIZE}`);
      native.exec('PRAGMA journal_mode = WAL');
      native.exec(`PRAGMA synchronous = ${synchronous}`);
      native.exec('PRAGMA wal_autocheckpoint = 8192');
      native.exec('PRAGMA cache_size = -65536');
      native.exec('PRAGMA foreign_keys = ON');
      migrate(native, Date.now());
      this.#live = {
        native,
        statements: prepareStatements(native, this.name),
        begin: native.prepare('BEGIN'),
        // Take the write lock up front: two processes that both upgrade a read lock would deadlock.
        beginImmediate: native.prepare('BEGIN IMMEDIATE'),
        commit: native.prepare('COMMIT'),
        rollback: native.prepare('ROLLBACK'),
        dataVersion: native.prepare('PRAGMA data_version'),
      };
    } catch (e) {
      if (database === undefined) native.close();
      throw storeError(this.name, 'open', e);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#opening?.catch(() => undefined);
    // Queued behind the mutex, so transactions already started finish first.
    await this.#mutex.run(async () => {
      const connection = this.#live;
      this.#live = undefined;
      if (connection !== undefined && this.#options.database === undefined) {
        try {
          connection.native.close();
        } catch (e) {
          throw storeError(this.name, 'close', e);
        }
      }
    });
  }

  /** One writer at a time whatever the keys; writes waiting meanwhile share the next commit. */
  transaction<T>(keys: readonly string[], fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.#writes.submit(keys, fn);
  }

  /** One BEGIN IMMEDIATE … COMMIT over the bodies, in order; the first that throws rolls it all back. */
  #batch(bodies: readonly ((tx: SqliteTransaction) => Promise<unknown>)[]): Promise<BatchOutcome> {
    return this.#mutex.run(async () => {
      const connection = this.#connected();
      const { native } = connection;
      // A rollback that failed earlier left a transaction open; end it rather than fail every BEGIN.
      if (native.inTransaction) this.#exec(connection.rollback, 'rollback');
      this.#exec(connection.beginImmediate, 'begin');
      const committed: unknown[] = [];
      const touched = new Set<string>();
      let appended = 0;
      let rewroteJournal = false;
      try {
        // Holding the write lock, nobody else can commit until this transaction ends: one probe
        // answers every body's catch-up, and says whether the journal is where we left it.
        const token = this.#probe(connection);
        this.#batchToken = token;
        const journal = this.#journal?.token === token ? this.#journal.at : undefined;
        this.#journal = undefined;
        for (const [i, body] of bodies.entries()) {
          const tx = new SqliteTransaction(connection.statements, native, this.name, this.#origin);
          try {
            committed.push(await body(tx));
            // SQLite may have aborted the transaction itself on an error the body swallowed:
            // committing now would keep only the statements that ran before it. Refuse instead.
            if (!native.inTransaction)
              throw storeError(
                this.name,
                'commit',
                new Error('SQLite aborted the transaction after a failed statement'),
              );
          } catch (error) {
            this.#rollback(connection);
            return { failed: i, error };
          } finally {
            tx.finish();
          }
          for (const id of tx.touched) touched.add(id);
          appended += tx.appended;
          rewroteJournal ||= tx.rewroteJournal;
        }
        const q = connection.statements;
        for (const customerId of touched) q.insertJournalChange.run({ origin: this.#origin, customerId });
        const wrote = appended > 0 || touched.size > 0;
        const at = wrote
          ? maintainJournal(q, rewroteJournal ? undefined : journal, appended + touched.size, this.#foldEvery)
          : journal;
        this.#exec(connection.commit, 'commit');
        // Our own commit leaves data_version as it was: the next batch finds the same token.
        if (at !== undefined && !rewroteJournal) this.#journal = { token, at };
        return { committed };
      } catch (e) {
        this.#rollback(connection);
        throw e;
      } finally {
        this.#batchToken = undefined;
      }
    });
  }

  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    return this.#mutex.run(() => {
      const connection = this.#connected();
      return this.#within(
        connection,
        connection.begin,
        new SqliteReader(connection.statements, connection.native, this.name, this.#origin),
        fn,
      );
    });
  }

  /** PRAGMA data_version: it changes only when another connection commits. Costs ~3 µs (a shared-memory read lock). */
  changeToken(): number {
    return this.#batchToken ?? this.#probe(this.#connected());
  }

  #probe(connection: Connection): number {
    try {
      return (connection.dataVersion.get() as { data_version: number }).data_version;
    } catch (e) {
      throw storeError(this.name, 'changeToken', e);
    }
  }

  async #within<S extends SqliteReader, T>(
    connection: Connection,
    begin: SqliteStatement,
    scope: S,
    fn: (scope: S) => Promise<T>,
  ): Promise<T> {
    // A rollback that failed earlier left a transaction open; end it rather than fail every BEGIN.
    if (connection.native.inTransaction) this.#exec(connection.rollback, 'rollback');
    this.#exec(begin, 'begin');
    try {
      const result = await fn(scope);
      // SQLite may have aborted the transaction itself on an error the callback swallowed:
      // committing now would keep only the statements that ran before it. Refuse instead.
      if (!connection.native.inTransaction)
        throw storeError(this.name, 'commit', new Error('SQLite aborted the transaction after a failed statement'));
      this.#exec(connection.commit, 'commit');
      return result;
    } catch (e) {
      this.#rollback(connection);
      throw e;
    } finally {
      scope.finish();
    }
  }

  #rollback(connection: Connection): void {
    if (!connection.native.inTransaction) return;
    try {
      connection.rollback.run();
    } catch {
      // The caller needs the original error; a connection left broken fails the next BEGIN loudly.
    }
  }

  #exec(statement: SqliteStatement, operation: string): void {
    try {
      statement.run();
    } catch (e) {
      throw storeError(this.name, operation, e);
    }
  }

  #connected(): Connection {
    if (this.#live !== undefined) return this.#live;
    throw notOpenError(this.name, this.#closed);
  }
}

function isInMemory(filename: string): boolean {
  return filename === '' || filename === ':memory:' || filename.startsWith('file::memory:');
}

async function openFile(filename: string): Promise<SqliteDatabase> {
  // Loaded here, not imported at the top, so importing allot never loads the native addon.
  const { default: Database } = await import('better-sqlite3');
  return new Database(filename);
}
