// A thin kysely driver over node-postgres. kysely's own PostgresDriver calls
// `client.query(sql, params)`, which parses with pg's global type parsers: int8 would come back
// as strings unless the host app's `pg.types` were changed, which a library must never do. This
// one passes per-query parsers, so bigint columns (epoch ms, sequence numbers, counts) read as
// numbers and nothing global is touched. pg itself is declared here by what the store uses, so
// the store's types do not depend on @types/pg.
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { Database } from '../sql/schema.js';
import { isConnectionError, postgresError } from './postgres-errors.js';

/** What pg-types hands back for a column: a function from its text to a value. */
export type PgTypeParser = (text: string) => unknown;

/** pg's per-query type parsers (`CustomTypesConfig`). */
export interface PgTypeParsers {
  getTypeParser(oid: number, format?: 'text'): PgTypeParser;
}

/** A query as pg's `client.query(config)` takes it. */
export interface PgQueryConfig {
  /** Names a prepared statement: pg parses it once per connection and reuses the server's plan. */
  readonly name?: string;
  readonly text: string;
  readonly values?: readonly unknown[];
  readonly types?: PgTypeParsers;
  /** Client-side: fail the query ("Query read timeout") when the server has not answered within this many ms. */
  readonly query_timeout?: number;
}

/** A statement the store runs often: prepared once per connection under `name`, which must be unique to its text. */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

/** What pg's `client.query` resolves to, as far as the store reads it. */
export interface PgQueryResult {
  readonly command: string;
  readonly rowCount: number | null;
  readonly rows: unknown[];
}

/** A client checked out of a pg pool. */
export interface PgPoolClient {
  /** One result per statement: several for a parameterless text holding several statements. */
  query(config: PgQueryConfig): Promise<PgQueryResult | PgQueryResult[]>;
  /** Back to the pool; an error (or true) destroys the connection instead. */
  release(destroy?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** A node-postgres `Pool`, declared by what the store uses. */
export interface PgPool {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** The pool's connection settings (pg's `Pool#options`); the feed's LISTEN client connects with them. */
  readonly options?: object;
}

/**
 * The client-side timeout of maintenance, which may rightly take long over large tables
 * (migrations, pruning); every other statement has the store's timeout.
 */
export const MAINTENANCE_MS = 600_000;

/** PostgreSQL's type oid for int8 (bigint, bigserial, count(*)). */
const INT8_OID = 20;

/**
 * Parsers that read int8 as a JS number and defer to pg's defaults for everything else. Every
 * int8 the store keeps is an epoch-ms instant, a sequence number or a count: all far below 2^53.
 */
export function numberParsers(defaults: PgTypeParsers): PgTypeParsers {
  const toNumber: PgTypeParser = (text) => Number(text);
  return {
    getTypeParser: (oid, format) => (oid === INT8_OID ? toNumber : defaults.getTypeParser(oid, format)),
  };
}

/**
 * One pooled connection: runs queries one at a time (pg deprecates queueing them on a client),
 * with the store's parsers and a client-side timeout, and wraps every failure.
 */
export class PgConnection implements DatabaseConnection {
  readonly #client: PgPoolClient;
  readonly #parsers: PgTypeParsers;
  readonly #store: string;
  readonly #timeoutMs: number;
  /** Settles when the last query queued so far has. */
  #tail: Promise<unknown> = Promise.resolve();
  /** The connection-level error it died of, if it did: it is then destroyed, not pooled again. */
  #lost: Error | undefined;
  /** Whether a statement failed since the last `begin`, which aborts a PostgreSQL transaction. */
  failed = false;
  readonly #onError = (error: Error) => {
    // An idle checked-out client whose socket dies emits 'error'; unheard, it would crash the process.
    this.#lost ??= error;
  };

  constructor(client: PgPoolClient, parsers: PgTypeParsers, store: string, timeoutMs: number) {
    this.#client = client;
    this.#parsers = parsers;
    this.#store = store;
    this.#timeoutMs = timeoutMs;
    client.on('error', this.#onError);
  }

  /**
   * Runs `text` once the queries before it have settled; rejects with STORE_UNAVAILABLE or
   * STORE_ERROR naming `operation`. A server that does not answer within `timeoutMs` (default the
   * store's query timeout) is taken for gone: a hung server or a partition must not hang writes.
   */
  async query(
    operation: string,
    text: string,
    values: readonly unknown[] = [],
    timeoutMs = this.#timeoutMs,
  ): Promise<PgQueryResult> {
    const results = await this.script(operation, text, values, timeoutMs);
    return results[results.length - 1] as PgQueryResult;
  }

  /**
   * Runs several `;`-separated statements in one round trip (PostgreSQL's simple protocol, so
   * without parameters: values must be inlined with `quoteLiteral`); one result per statement.
   * The first failure skips the rest. In READ COMMITTED each statement takes a fresh snapshot.
   */
  script(
    operation: string,
    text: string,
    values: readonly unknown[] = [],
    timeoutMs = this.#timeoutMs,
  ): Promise<PgQueryResult[]> {
    return this.#send(operation, { text, values }, timeoutMs);
  }

  /** Runs a prepared statement: parsed and planned once per connection, not once per call. */
  async prepared(operation: string, statement: PreparedStatement, values: readonly unknown[]): Promise<PgQueryResult> {
    const results = await this.#send(
      operation,
      { name: statement.name, text: statement.text, values },
      this.#timeoutMs,
    );
    return results[0] as PgQueryResult;
  }

  #send(
    operation: string,
    query: { name?: string; text: string; values: readonly unknown[] },
    timeoutMs: number,
  ): Promise<PgQueryResult[]> {
    const run = async () => {
      try {
        const result = await this.#client.query({ ...query, types: this.#parsers, query_timeout: timeoutMs });
        return Array.isArray(result) ? result : [result];
      } catch (e) {
        this.failed = true;
        // A timed-out query may still run on the server: the connection is not reused.
        if (isConnectionError(e)) this.#lost ??= e instanceof Error ? e : new Error(String(e));
        throw postgresError(this.#store, operation, timedOut(e, timeoutMs));
      }
    };
    const result = this.#tail.then(run, run);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Runs a compiled kysely query; rows as kysely's builder typed them. */
  async run<R>(operation: string, compiled: CompiledQuery<R>): Promise<R[]> {
    return (await this.query(operation, compiled.sql, compiled.parameters)).rows as R[];
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const { command, rowCount, rows } = await this.query('query', compiled.sql, compiled.parameters);
    const changed = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
    return { rows: rows as R[], ...(changed ? { numAffectedRows: BigInt(rowCount ?? 0) } : {}) };
  }

  // biome-ignore lint/correctness/useYield: the store never streams; kysely's interface requires the method.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('allot: streaming is not supported by the postgres store driver');
  }

  /** Back to the pool, or destroyed when its connection broke (or `destroy` says so). */
  release(destroy = false): void {
    this.#client.removeListener('error', this.#onError);
    this.#client.release(this.#lost ?? destroy);
  }
}

/** pg's "Query read timeout", saying how long it waited (for the server, or for a key another instance held). */
function timedOut(e: unknown, timeoutMs: number): unknown {
  if (!(e instanceof Error) || e.message !== 'Query read timeout') return e;
  return Object.assign(new Error(`no answer within ${timeoutMs} ms (Query read timeout)`), { cause: e });
}

/** What runs a transaction's statements: its connection, or a write's view of it that holds usage back (`HeldUsage`). */
export type PgStatements = Pick<PgConnection, 'query' | 'script' | 'prepared' | 'run'>;

/** kysely's driver contract over a pg pool; the store drives transactions through it. */
export class PgDriver implements Driver {
  readonly #pool: PgPool;
  readonly #parsers: PgTypeParsers;
  readonly #store: string;
  readonly #timeoutMs: number;

  constructor(pool: PgPool, parsers: PgTypeParsers, store: string, timeoutMs: number) {
    this.#pool = pool;
    this.#parsers = parsers;
    this.#store = store;
    this.#timeoutMs = timeoutMs;
  }

  async init(): Promise<void> {}

  /** A pooled connection; STORE_UNAVAILABLE when none comes within the pool's connection timeout. */
  async acquireConnection(): Promise<PgConnection> {
    try {
      return new PgConnection(await this.#pool.connect(), this.#parsers, this.#store, this.#timeoutMs);
    } catch (e) {
      throw postgresError(this.#store, 'connect', e);
    }
  }

  async beginTransaction(connection: PgConnection, settings: TransactionSettings): Promise<void> {
    connection.failed = false;
    const isolation = settings.isolationLevel ?? 'read committed';
    await connection.query(
      'begin',
      `begin isolation level ${isolation}${settings.accessMode ? ` ${settings.accessMode}` : ''}`,
    );
  }

  async commitTransaction(connection: PgConnection): Promise<void> {
    // PostgreSQL answers COMMIT of a transaction a failed statement aborted with ROLLBACK, not an error.
    const { command } = await connection.query('commit', 'commit');
    if (command !== 'COMMIT') throw postgresError(this.#store, 'commit', new Error('the transaction was rolled back'));
  }

  async rollbackTransaction(connection: PgConnection): Promise<void> {
    await connection.query('rollback', 'rollback');
  }

  async releaseConnection(connection: PgConnection): Promise<void> {
    connection.release();
  }

  /** The store ends its own pool (never a caller's), so the driver has nothing to destroy. */
  async destroy(): Promise<void> {}
}

/** A Kysely over the driver whose every table lives in `schema`. */
export function postgresKysely(driver: Driver, schema: string): Kysely<Database> {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  }).withSchema(schema);
}
