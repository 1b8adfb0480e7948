// The SQLite store's statements, prepared from the SQL compiled ahead into sqlite-sql.generated.ts
// (see sqlite-sql.ts), so opening a store neither loads kysely nor compiles anything. Each query
// runs as a prepared statement, its values bound in the positions its slots name: kysely would
// compile it again on every execution (~13 µs), more than the SQLite statement costs.
import type { Compilable } from 'kysely';
import type { SubscriptionFilter, SubscriptionPageQuery } from '../store.js';
import { storeError } from '../store-errors.js';
import type { CompiledStatement, ParamNames, Slot } from './sqlite-compiled.js';
import { migrations, schemaMigrations, statements } from './sqlite-sql.generated.js';
import type { ShapedSources, SqliteStatementSources } from './sqlite-sql.js';

/** The prepared statement of a better-sqlite3-compatible driver, declared by what the store uses. */
export interface SqliteStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** A better-sqlite3-compatible connection, declared by what the store uses so nothing depends on its types. */
export interface SqliteDatabase {
  /** The file the connection opened. */
  readonly name: string;
  readonly inTransaction: boolean;
  prepare(sql: string): SqliteStatement;
  /** better-sqlite3's switch between numbers and BigInts for integers. */
  defaultSafeIntegers?(toggle: boolean): unknown;
  exec(sql: string): unknown;
  close(): unknown;
}

/** The values of `params` in the order the statement's `?` take them. */
function bind(slots: readonly Slot[], params: unknown): unknown[] {
  const values = params as Record<string, unknown>;
  return slots.map((slot) => {
    if (typeof slot === 'string') return values[slot];
    if ('value' in slot) return slot.value;
    return (values[slot[0]] as readonly unknown[])[slot[1]];
  });
}

/** A query compiled once; every run binds new values and wraps driver failures as STORE_ERROR. */
export interface PreparedQuery<P, R> {
  get(params: P): R | undefined;
  all(params: P): R[];
  /** Runs it; returns how many rows it changed. */
  run(params: P): number;
}

/**
 * A compiled statement on `native`, prepared on first use: a process that only checks runs a few
 * of the store's statements, so preparing them all at open would be wasted. `operation` names it in errors.
 */
function prepareQuery<P, R>(
  native: SqliteDatabase,
  store: string,
  operation: string,
  { sql, slots }: CompiledStatement,
): PreparedQuery<P, R> {
  let prepared: SqliteStatement | undefined;
  const statement = () => (prepared ??= native.prepare(sql));
  const failed = (e: unknown) => storeError(store, operation, e);
  return {
    get(params) {
      try {
        return statement().get(...bind(slots, params)) as R | undefined;
      } catch (e) {
        throw failed(e);
      }
    },
    all(params) {
      try {
        return statement().all(...bind(slots, params)) as R[];
      } catch (e) {
        throw failed(e);
      }
    },
    run(params) {
      try {
        return (statement().run(...bind(slots, params)) as { changes: number }).changes;
      } catch (e) {
        throw failed(e);
      }
    },
  };
}

/** A query prepared per parameter shape; async because the first use of a shape loads the compiler. */
export interface ShapedQuery<P, R> {
  get(params: P): Promise<R | undefined>;
  all(params: P): Promise<R[]>;
}

type ShapedParams<K extends keyof ShapedSources> = Parameters<ShapedSources[K]>[1];
type ShapedRow<K extends keyof ShapedSources> = ReturnType<ShapedSources[K]> extends Compilable<infer R> ? R : never;

/**
 * A query whose statement depends on its parameters' shape (which optional ones are given, how
 * long its lists are): one statement per shape, compiled (loading kysely, once) and prepared on
 * first use. The most recently used `capacity` are kept, so callers varying list lengths cannot
 * grow the cache without bound.
 */
function prepareShapes<K extends keyof ShapedSources>(
  native: SqliteDatabase,
  store: string,
  name: K,
  shapeOf: (params: ShapedParams<K>) => ParamNames<ShapedParams<K>>,
  capacity = 64,
): ShapedQuery<ShapedParams<K>, ShapedRow<K>> {
  type Query = PreparedQuery<ShapedParams<K>, ShapedRow<K>>;
  const prepared = new Map<string, Query>();
  const statement = async (params: ShapedParams<K>): Promise<Query> => {
    const shape = shapeOf(params);
    const key = JSON.stringify(shape);
    let query = prepared.get(key);
    if (query === undefined) {
      try {
        const { compileShaped } = await import('./sqlite-sql.js');
        query = prepareQuery(native, store, name, compileShaped(name, shape));
      } catch (e) {
        // Compiled while serving a read, not at open: a failure to load the compiler is the read's.
        throw storeError(store, name, e);
      }
      if (prepared.size >= capacity) prepared.delete(prepared.keys().next().value as string);
    } else {
      prepared.delete(key);
    }
    prepared.set(key, query);
    return query;
  };
  return {
    get: async (params) => (await statement(params)).get(params),
    all: async (params) => (await statement(params)).all(params),
  };
}

/**
 * The parameters a subscription filter's statement reads: the filters given, each list by its
 * length (so lists are deduplicated first, for statements to be shared).
 */
function subscriptionFilterShape(p: SubscriptionFilter): ParamNames<SubscriptionFilter> {
  return {
    ...(p.customerId === undefined ? {} : { customerId: true }),
    ...(p.resourceIds === undefined ? {} : { resourceIds: p.resourceIds.length }),
    ...(p.productIds === undefined ? {} : { productIds: p.productIds.length }),
    ...(p.statuses === undefined ? {} : { statuses: p.statuses.length, now: true }),
  };
}

/** The filter's parameters, the cursor given and the limit. */
function subscriptionPageShape(p: SubscriptionPageQuery): ParamNames<SubscriptionPageQuery> {
  return {
    ...subscriptionFilterShape(p),
    ...(p.afterId === undefined ? {} : { afterId: true }),
    ...(p.beforeId === undefined ? {} : { beforeId: true }),
    limit: true,
  };
}

/** A rollup read's parameters: its point buckets, stretches and whether it skips a span, each list by its length. */
function rollupCellsShape(p: ShapedParams<'selectRollupCells'>): ParamNames<ShapedParams<'selectRollupCells'>> {
  return {
    customerId: true,
    resourceId: true,
    featureId: true,
    origin: true,
    width: true,
    spans: p.spans.length,
    froms: p.froms.length,
    befores: p.befores.length,
    ...(p.skipFrom === undefined ? {} : { skipFrom: true }),
  };
}

type Prepared<S> = S extends { build: (db: never, params: infer P) => Compilable<infer R> }
  ? PreparedQuery<P, R>
  : never;

/** Every data statement of the SQLite store, prepared on one connection. */
export type SqliteStatements = {
  readonly [K in keyof SqliteStatementSources]: Prepared<SqliteStatementSources[K]>;
} & {
  readonly [K in keyof ShapedSources]: ShapedQuery<ShapedParams<K>, ShapedRow<K>>;
};

/** Every statement of the store on one connection, each prepared once, when first run. */
export function prepareStatements(native: SqliteDatabase, store: string): SqliteStatements {
  const fixed = Object.fromEntries(
    Object.entries(statements).map(([name, compiled]) => [name, prepareQuery(native, store, name, compiled)]),
  );
  return {
    ...fixed,
    selectSubscriptionPage: prepareShapes(native, store, 'selectSubscriptionPage', subscriptionPageShape),
    countSubscriptions: prepareShapes(native, store, 'countSubscriptions', subscriptionFilterShape),
    selectRollupCells: prepareShapes(native, store, 'selectRollupCells', rollupCellsShape),
  } as SqliteStatements;
}

/**
 * Applies the pending migrations, each in its own transaction. Safe when several processes open
 * the same file at once: `BEGIN IMMEDIATE` queues them, and each re-checks the version inside.
 */
export function migrate(native: SqliteDatabase, now: number): void {
  native.exec(schemaMigrations.create);
  const appliedVersions = () =>
    new Set(
      native
        .prepare(schemaMigrations.select.sql)
        .all()
        .map((row) => (row as { version: number }).version),
    );
  const appliedAtStart = appliedVersions();
  const known = Math.max(...migrations.map((m) => m.version));
  const newest = Math.max(0, ...appliedAtStart);
  // A newer release migrated this file; its schema may not be what these queries expect.
  if (newest > known)
    throw new Error(`the database is at schema version ${newest}, newer than this version of allot knows (${known})`);
  for (const migration of migrations) {
    if (appliedAtStart.has(migration.version)) continue;
    native.exec('BEGIN IMMEDIATE');
    try {
      if (!appliedVersions().has(migration.version)) {
        for (const statement of migration.statements) native.exec(statement);
        const { sql, slots } = schemaMigrations.insert;
        native.prepare(sql).run(...bind(slots, { version: migration.version, applied_at: now }));
      }
      native.exec('COMMIT');
    } catch (e) {
      if (native.inTransaction) native.exec('ROLLBACK');
      throw e;
    }
  }
}
