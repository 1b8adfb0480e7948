import type { Kysely } from 'kysely';
import { AllotError } from '../../errors.js';
import { type BatchOutcome, GroupCommit } from '../group-commit.js';
import { newOrigin } from '../origin.js';
import type { Database } from '../sql/schema.js';
import type { Store, StoreCapabilities, StoreReader, StoreTransaction } from '../store.js';
import { notOpenError, storeError } from '../store-errors.js';
import {
  MAINTENANCE_MS,
  numberParsers,
  type PgConnection,
  PgDriver,
  type PgPool,
  type PgTypeParsers,
  postgresKysely,
} from './postgres-driver.js';
import { postgresError } from './postgres-errors.js';
import {
  FeedListener,
  FeedPoller,
  type FeedQueries,
  feedQueries,
  type PgListenClient,
  PrefetchedChanges,
  prefetchChanges,
  recordChanges,
} from './postgres-feed.js';
import { HeldUsage } from './postgres-held-usage.js';
import { beginLocked } from './postgres-locks.js';
import { migrate } from './postgres-migrations.js';
import { Notifier } from './postgres-notify.js';
import { PostgresReader, type PostgresScope } from './postgres-reader.js';
import { PostgresTransaction } from './postgres-transaction.js';
import { appendUsage, usageStatements } from './postgres-usage.js';

/** Where the PostgreSQL store keeps its data. */
export type PostgresStoreOptions = (
  | {
      /** e.g. `postgresql://user:pass@host/db`; the store opens (and on close ends) a pool of its own. */
      readonly connectionString: string;
      /** Connections in the store's pool. Default 10. */
      readonly poolSize?: number;
      readonly pool?: undefined;
    }
  | {
      /** A node-postgres `Pool` of yours: the store uses it and leaves ending it to you. */
      readonly pool: PgPool;
      readonly connectionString?: undefined;
      readonly poolSize?: undefined;
    }
) & {
  /** The schema holding allot's tables, created when missing. Default `allot`. */
  readonly schema?: string;
  /**
   * How long, in ms, a call waits for a connection, or for the server to answer a statement
   * (waiting for another instance to release a key included), before rejecting with
   * STORE_UNAVAILABLE; nothing is written then. Default 5000, or the `connectionTimeoutMillis` of
   * a pool you give.
   */
  readonly connectionTimeoutMs?: number;
  /** The change token moves at least this often, in ms, even if a notification is lost. Default 1000. */
  readonly feedPollMs?: number;
};

/**
 * A durable store in a PostgreSQL schema, shared by every app instance connected to it: writes
 * lock only the keys they name, and each instance learns of the others' commits through a change
 * feed woken by LISTEN/NOTIFY. Requires the optional peer dependency `pg`.
 *
 * @example
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL, schema: 'allot' });
 * await store.open();
 */
export function postgresStore(options: PostgresStoreOptions): Store {
  return new PostgresStore(options);
}

/** How long the feed keeps rows, and how often an instance prunes them (after a write). */
const CHANGES_RETENTION_MS = 10 * 60_000;
const PRUNE_EVERY_MS = 60_000;
/** At most one NOTIFY per this many ms from an instance (see postgres-notify.ts). */
const NOTIFY_GAP_MS = 50;

/** Unquoted-safe names only, short enough for the NOTIFY channel named after the schema. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** What `pg` exports that the store uses, declared structurally. */
interface PgModule {
  readonly Pool: new (config: object) => PgPool;
  readonly Client: new (config: object) => PgListenClient;
  readonly types: PgTypeParsers;
}

interface Live {
  readonly pool: PgPool;
  readonly driver: PgDriver;
  readonly listener: FeedListener;
  readonly notifier: Notifier;
  readonly scope: Omit<PostgresScope, 'connection'>;
}

const DEFAULT_POOL_SIZE = 10;
/** The most writes one transaction carries; its locks are held until all of them ran. */
const MAX_BATCH = 64;
/**
 * While a write transaction runs, another starts only for at least this many waiting writes: each
 * costs three round trips on its connection (lock, usage, commit) whatever it carries, and Node's
 * CPU, not the server, is what runs out first. So under load transactions are few and full (64 in
 * flight: about 15 times the one-at-a-time rate on 2 cores, where a transaction per free
 * connection gave 2).
 */
const MIN_BATCH = 8;

class PostgresStore implements Store {
  readonly name: string;
  // No `exactChangeToken`: the token follows notifications, which arrive after the commit.
  readonly capabilities: StoreCapabilities = { durable: true, sharedAcrossProcesses: true };
  readonly #options: PostgresStoreOptions;
  readonly #schema: string;
  readonly #feed: FeedQueries;
  /** Names this instance's rows in the change feed, so its own commits are not news to it. */
  readonly #origin = newOrigin();
  readonly #active = new Set<Promise<unknown>>();
  readonly #writes: GroupCommit<PostgresTransaction>;
  #live: Live | undefined;
  #opening: Promise<void> | undefined;
  #closed = false;
  #prunedAt = 0;
  /**
   * The cursor of the last change set handed out: a write's begin reads the feed from there, so
   * the catch-up the engine makes under the write's locks costs no round trip of its own.
   */
  #feedCursor: number | undefined;
  #pruning: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    this.#options = options;
    this.#schema = options.schema ?? 'allot';
    this.name = `postgres(${this.#schema})`;
    const invalid = (reason: string) => new AllotError('INVALID_INPUT', `${this.name}: ${reason}`);
    if (!SCHEMA_NAME.test(this.#schema))
      throw invalid('schema must be 1 to 48 letters, digits or underscores, not starting with a digit');
    const positive = (value: number | undefined) => value === undefined || (Number.isInteger(value) && value > 0);
    if (options.pool === undefined && typeof options.connectionString !== 'string')
      throw invalid('give a connectionString or a pg Pool');
    if (!positive(options.poolSize)) throw invalid('poolSize must be a positive integer');
    if (!positive(options.connectionTimeoutMs)) throw invalid('connectionTimeoutMs must be a positive integer');
    if (!positive(options.feedPollMs)) throw invalid('feedPollMs must be a positive integer');
    this.#feed = feedQueries(this.#schema);
    // One connection is left to reads and the feed; the writes waiting for the others share commits.
    const connections = options.poolSize ?? poolMax(options.pool) ?? DEFAULT_POOL_SIZE;
    this.#writes = new GroupCommit((keys, bodies) => this.#batch(keys, bodies), {
      concurrency: Math.max(1, connections - 1),
      maxBatch: MAX_BATCH,
      minBatch: MIN_BATCH,
    });
  }

  open(): Promise<void> {
    if (this.#closed) return Promise.reject(notOpenError(this.name, true));
    this.#opening ??= this.#open().catch((e: unknown) => {
      // Left re-openable: the engine retries initialization.
      this.#opening = undefined;
      throw e;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    let pg: PgModule;
    try {
      pg = await loadPg();
    } catch (e) {
      throw storeError(this.name, 'open (is the optional dependency pg installed?)', e);
    }
    const own = this.#options.pool === undefined;
    const timeoutMs = this.#options.connectionTimeoutMs ?? (poolTimeout(this.#options.pool) || 5_000);
    const connection = {
      connectionString: this.#options.connectionString,
      connectionTimeoutMillis: timeoutMs,
      keepAlive: true,
    };
    const pool =
      this.#options.pool ??
      new pg.Pool({
        ...connection,
        application_name: `allot:${this.#schema}`,
        max: this.#options.poolSize ?? DEFAULT_POOL_SIZE,
        // A library's idle connections must not keep the process alive.
        allowExitOnIdle: true,
      });
    // An idle pooled client whose server went away emits 'error' on the pool; unheard, it would
    // crash the process. The next checkout opens a fresh connection.
    if (own) pool.on('error', () => undefined);
    const driver = new PgDriver(pool, numberParsers(pg.types), this.name, timeoutMs);
    // The LISTEN client connects as the pool does (a caller's pool says how in its `options`).
    const listenBase = own ? connection : this.#options.pool?.options;
    const listenConfig = listenBase && { ...listenBase, application_name: `allot-feed:${this.#schema}` };
    const poller = new FeedPoller(this.#feed, this.#origin);
    const listener = new FeedListener({
      channel: this.#feed.channel,
      origin: this.#origin,
      pollMs: this.#options.feedPollMs ?? 1_000,
      poll: () => withConnection(driver, (c) => poller.news(c)),
      ...(listenConfig && { createClient: () => new pg.Client(listenConfig) }),
    });
    try {
      await withConnection(driver, async (connection) => {
        await migrate(connection, this.#schema, Date.now());
        await poller.news(connection); // the polls' starting point
      });
      await listener.start();
    } catch (e) {
      await listener.stop();
      if (own) await pool.end().catch(() => undefined);
      throw postgresError(this.name, 'open', e);
    }
    const db: Kysely<Database> = postgresKysely(driver, this.#schema);
    const statements = usageStatements(db, this.#schema);
    const sawChanges = (seq: number) => {
      this.#feedCursor = seq;
    };
    const scope = { db, feed: this.#feed, store: this.name, origin: this.#origin, statements, sawChanges };
    const notifier = new Notifier(NOTIFY_GAP_MS, () =>
      withConnection(driver, (c) => c.query('notify', 'select pg_notify($1, $2)', [this.#feed.channel, this.#origin])),
    );
    this.#live = { pool, driver, listener, notifier, scope };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#opening?.catch(() => undefined);
    const live = this.#live;
    this.#live = undefined;
    if (live === undefined) return;
    // Transactions already started finish first.
    await Promise.allSettled([...this.#active]);
    await this.#pruning;
    live.notifier.stop();
    await live.listener.stop();
    if (this.#options.pool === undefined) {
      try {
        await live.pool.end();
      } catch (e) {
        throw postgresError(this.name, 'close', e);
      }
    }
  }

  /**
   * READ COMMITTED, holding the row locks of `keys` from its first statement: it waits only for
   * transactions sharing a key, and every read after the lock sees the latest commit. Writes that
   * arrive while one runs wait and share the next transaction (group commit: one commit, one WAL
   * flush, one usage statement, for all of them); another starts beside it once `MIN_BATCH` wait,
   * while a connection the store may use for writes is free. An idle store starts a write at once.
   */
  transaction<T>(keys: readonly string[], fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.#track(() => this.#writes.submit(keys, fn)).then((result) => {
      this.#pruneChangesWhenDue();
      return result;
    });
  }

  /**
   * One transaction over the bodies, in order, holding the row locks of every key they name; the
   * first that throws (or swallows a failed statement, which aborts the transaction) rolls it back.
   * Their usage is held back and written as one statement before any other and before COMMIT
   * (`HeldUsage`): a batch is three round trips (lock, usage, commit) however many calls it carries.
   */
  async #batch(
    keys: readonly string[],
    bodies: readonly ((tx: PostgresTransaction) => Promise<unknown>)[],
  ): Promise<BatchOutcome> {
    const live = this.#connected();
    const { driver, scope } = live;
    const connection = await driver.acquireConnection();
    let pooled = true;
    const rollback = () =>
      // A connection that cannot even roll back goes, rather than back to the pool mid-transaction.
      driver.rollbackTransaction(connection).catch(() => {
        pooled = false;
      });
    try {
      const cursor = this.#feedCursor;
      const after = cursor === undefined ? undefined : prefetchChanges(this.#schema, cursor, this.#origin);
      const feed = await beginLocked(connection, this.#schema, keys, this.name, after);
      const prefetched = cursor === undefined ? undefined : new PrefetchedChanges(cursor, feed);
      const held = new HeldUsage(connection, (entries) =>
        appendUsage(connection, scope.db, scope.statements, scope.origin, entries),
      );
      const committed: unknown[] = [];
      const touched = new Set<string>();
      for (const [i, body] of bodies.entries()) {
        held.call = i;
        const tx = new PostgresTransaction({ ...scope, connection: held, prefetched });
        try {
          committed.push(await body(tx));
          if (connection.failed)
            throw storeError(this.name, 'commit', new Error('a statement failed, so the transaction was rolled back'));
        } catch (error) {
          await rollback();
          return held.outcome(i, error);
        } finally {
          tx.finish();
        }
        for (const id of tx.touched) touched.add(id);
      }
      try {
        await held.flush();
      } catch (error) {
        await rollback();
        // A failed write names the calls it carried: the outcome does not depend on the index given.
        return held.outcome(bodies.length - 1, error);
      }
      if (touched.size === 0) await driver.commitTransaction(connection);
      else {
        // The customers it changed, for other instances' feeds, and the commit: one round trip.
        const notify = live.notifier.claim();
        const script = recordChanges(this.#schema, this.#origin, [...touched], notify);
        const result = await connection.script('commit', script);
        if (result.at(-1)?.command !== 'COMMIT')
          throw storeError(this.name, 'commit', new Error('the transaction was rolled back'));
        if (!notify) live.notifier.owe();
      }
      return { committed };
    } catch (e) {
      await rollback();
      throw e;
    } finally {
      connection.release(!pooled);
    }
  }

  /** One REPEATABLE READ READ ONLY transaction: a consistent snapshot, taken at its first statement. */
  read<T>(fn: (reader: StoreReader) => Promise<T>): Promise<T> {
    return this.#track(async () => {
      const { driver, scope } = this.#connected();
      const connection = await driver.acquireConnection();
      let pooled = true;
      try {
        await driver.beginTransaction(connection, { isolationLevel: 'repeatable read', accessMode: 'read only' });
        const reader = new PostgresReader({ ...scope, connection });
        try {
          const result = await fn(reader);
          if (connection.failed)
            throw storeError(this.name, 'commit', new Error('a statement failed, so the transaction was rolled back'));
          await driver.commitTransaction(connection);
          return result;
        } finally {
          reader.finish();
        }
      } catch (e) {
        // A connection that cannot even roll back goes, rather than back to the pool mid-transaction.
        await driver.rollbackTransaction(connection).catch(() => {
          pooled = false;
        });
        throw e;
      } finally {
        connection.release(!pooled);
      }
    });
  }

  /**
   * Moves when another instance's NOTIFY arrives, when the LISTEN connection comes back, when a
   * poll (every `feedPollMs`) finds a commit no notification announced. A property read: the hot
   * path may call it on every check. Not exact (a NOTIFY is delivered after the commit), so
   * `exactChangeToken` stays unset and writes read the feed under their locks.
   */
  changeToken(): number {
    return this.#live?.listener.token ?? 0;
  }

  /** Runs `work`, remembered until it settles so close() can wait for it. */
  #track<T>(work: () => Promise<T>): Promise<T> {
    const running = work();
    this.#active.add(running);
    const forget = () => this.#active.delete(running);
    running.then(forget, forget);
    return running;
  }

  /** After a write, at most once a minute: forget feed rows older than the retention. Best effort. */
  #pruneChangesWhenDue(): void {
    const live = this.#live;
    const now = Date.now();
    if (live === undefined || this.#pruning !== undefined || now - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = now;
    this.#pruning = withConnection(live.driver, (connection) =>
      connection.query('pruneChanges', this.#feed.prune, [CHANGES_RETENTION_MS], MAINTENANCE_MS),
    )
      .then(() => undefined)
      // A failure is retried a minute later; readers only see more rows meanwhile.
      .catch(() => undefined)
      .finally(() => {
        this.#pruning = undefined;
      });
  }

  #connected(): Live {
    if (this.#live !== undefined && !this.#closed) return this.#live;
    throw notOpenError(this.name, this.#closed);
  }
}

/** Runs `work` on a pooled connection outside any transaction. */
async function withConnection<T>(driver: PgDriver, work: (connection: PgConnection) => Promise<T>): Promise<T> {
  const connection = await driver.acquireConnection();
  try {
    return await work(connection);
  } finally {
    connection.release();
  }
}

/** The connection timeout a caller's pool was configured with, if any. */
/** The size of a pool you give (pg's `max`), when it says. */
function poolMax(pool: PgPool | undefined): number | undefined {
  const max = (pool?.options as { max?: unknown } | undefined)?.max;
  return typeof max === 'number' && max > 0 ? max : undefined;
}

function poolTimeout(pool: PgPool | undefined): number | undefined {
  const timeout = (pool?.options as { connectionTimeoutMillis?: unknown } | undefined)?.connectionTimeoutMillis;
  return typeof timeout === 'number' && timeout > 0 ? timeout : undefined;
}

async function loadPg(): Promise<PgModule> {
  // Loaded here, not imported at the top, so importing allot (or another store) never loads pg.
  const loaded = await import('pg');
  return (loaded.default ?? loaded) as unknown as PgModule;
}
