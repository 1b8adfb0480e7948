// The PostgreSQL server the tests may use: `ALLOT_TEST_POSTGRES_URL` names it (CI starts a throwaway
// cluster with scripts/postgres-server.sh; `npm run test:postgres` does the same on a laptop). Without
// it the PostgreSQL suites are skipped, with one line saying so per run; with `ALLOT_REQUIRE_POSTGRES=1`
// (CI) a missing URL fails every file that imports this module instead, so CI cannot pass them by skipping.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PostgresStoreOptions } from '../../src/stores/postgres/index.js';
import type { Store } from '../../src/stores/store.js';

const URL_VARIABLE = 'ALLOT_TEST_POSTGRES_URL';

/** The test server's connection string, or undefined when none is configured. */
export function postgresUrl(): string | undefined {
  return process.env[URL_VARIABLE] || undefined;
}

/** The test server's connection string; throws when none is configured (call it only inside a skipIf suite). */
export function requirePostgresUrl(): string {
  const url = postgresUrl();
  if (!url) throw new Error(`${URL_VARIABLE} is not set`);
  return url;
}

/** For `describe.skipIf(skipWithoutPostgres)`: true when no server is configured. */
export const skipWithoutPostgres: boolean = postgresUrl() === undefined;

if (skipWithoutPostgres) {
  if (process.env.ALLOT_REQUIRE_POSTGRES === '1')
    throw new Error(
      `ALLOT_REQUIRE_POSTGRES=1 but ${URL_VARIABLE} is not set: the PostgreSQL suites would be skipped. ` +
        'Start a server with scripts/postgres-server.sh and export its URL.',
    );
  announceSkipOnce();
}

/**
 * Says once per test run (not once per file: vitest runs every file in a worker of its own, all forked
 * by one runner process) that the PostgreSQL suites are skipped. The first worker to create a marker
 * named after the runner's pid prints the line; markers of runners that have exited are removed.
 * Processes the tests spawn themselves (no IPC channel, unlike a forked worker) stay quiet.
 */
function announceSkipOnce(): void {
  if (!process.env.VITEST || process.send === undefined) return;
  const prefix = 'allot-postgres-skipped-';
  try {
    writeFileSync(join(tmpdir(), `${prefix}${process.ppid}`), '', { flag: 'wx' });
  } catch {
    return; // another worker of this run has said it
  }
  console.warn(
    `PostgreSQL suites skipped: ${URL_VARIABLE} is not set (npm run test:postgres runs them on a throwaway server)`,
  );
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(prefix)) continue;
    try {
      process.kill(Number(entry.slice(prefix.length)), 0);
    } catch {
      rmSync(join(tmpdir(), entry), { force: true }); // its run is over
    }
  }
}

/** A schema name no other test uses: each harness gets an empty database of its own on the shared server. */
export function freshSchema(prefix = 'allot_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`refusing the schema name ${JSON.stringify(schema)}`);
}

/** Runs one statement on the test server over a short-lived connection of its own. */
export async function queryPostgres(sql: string, url = requirePostgresUrl()): Promise<unknown[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Drops a schema made by `freshSchema` with everything in it. */
export async function dropSchema(schema: string, url = requirePostgresUrl()): Promise<void> {
  checkSchemaName(schema);
  await queryPostgres(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`, url);
}

/**
 * Deletes every row of every table in the schema except the store's migration records, in one round trip:
 * a few ms, where creating a schema and migrating it takes a few hundred (and dropping it one hundred).
 */
async function emptySchema(schema: string, url: string): Promise<void> {
  checkSchemaName(schema);
  await queryPostgres(
    `DO $$ DECLARE t text; BEGIN
       FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = '${schema}' AND tablename NOT LIKE '%migration%' LOOP
         EXECUTE format('DELETE FROM %I.%I', '${schema}', t);
       END LOOP;
     END $$`,
    url,
  );
}

/** Schemas of this process that are migrated and empty, for the next harness. */
const idleSchemas: string[] = [];

/**
 * A schema for one harness: an emptied one this process used before, or a new name (the store creates
 * and migrates it on open). Give it back with `releaseSchema`; `dropIdleSchemas` drops them all at the end.
 */
export function leaseSchema(): string {
  return idleSchemas.pop() ?? freshSchema();
}

/** Empties a leased schema for reuse once every store on it is closed; drops it if that fails. */
export async function releaseSchema(schema: string, url = requirePostgresUrl()): Promise<void> {
  try {
    await emptySchema(schema, url);
    idleSchemas.push(schema);
  } catch {
    await dropSchema(schema, url);
  }
}

/** Drops the schemas waiting for reuse (at the end of a test file). */
export async function dropIdleSchemas(url = requirePostgresUrl()): Promise<void> {
  for (const schema of idleSchemas.splice(0)) await dropSchema(schema, url);
}

// Loaded only when a server is configured, so a run without one never loads the store or `pg`.
const loaded = skipWithoutPostgres ? undefined : await import('../../src/stores/postgres/index.js');

/** `postgresStore` from src/stores/postgres; throws when no server is configured. */
export function postgresTestStore(options: PostgresStoreOptions): Store {
  if (!loaded) throw new Error(`${URL_VARIABLE} is not set`);
  return loaded.postgresStore(options);
}

/** Sends a signal to a process that may have exited meanwhile. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

const SERVER_SCRIPT = join(import.meta.dirname, '../../scripts/postgres-server.sh');
const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own, in a fresh directory (scripts/postgres-server.sh): for tests
 * that stop, crash or freeze the server, which they may not do to the shared one.
 */
export class ThrowawayServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'allot-pg-'));
  readonly url = `postgresql://postgres@/postgres?host=${this.dir}`;

  /** Creates the cluster on the first call; starts it (again). Resolves once it accepts connections. */
  async start(): Promise<void> {
    await this.#script('start');
  }

  /** Stops it the way a crash would (`pg_ctl -m immediate`): no checkpoint, recovery at the next start. */
  async crash(): Promise<void> {
    await this.#script('crash');
  }

  /** Stops it and removes its directory. */
  async destroy(): Promise<void> {
    this.thaw();
    await this.#script('stop');
  }

  /**
   * Freezes every process of the cluster (SIGSTOP): connections stay open and new ones are accepted
   * by the kernel, but nothing answers, as with a hung server or a network partition.
   */
  freeze(): void {
    for (const pid of this.#pids()) signal(pid, 'SIGSTOP');
  }

  /** Undoes `freeze`. */
  thaw(): void {
    for (const pid of this.#pids()) signal(pid, 'SIGCONT');
  }

  /** The postmaster and its children, from postmaster.pid and /proc (Linux); none when it is not running. */
  #pids(): number[] {
    let postmaster: number;
    try {
      postmaster = Number(readFileSync(join(this.dir, 'data/postmaster.pid'), 'utf8').split('\n')[0]);
      // A crash leaves the file behind: the pid must still be a postgres process of this data directory.
      if (!readFileSync(`/proc/${postmaster}/cmdline`, 'utf8').includes(this.dir)) return [];
    } catch {
      return [];
    }
    const children = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((entry) => {
        try {
          // Field 4 of /proc/<pid>/stat is the parent; the command name (field 2) may hold spaces.
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
        } catch {
          return false; // exited meanwhile
        }
      })
      .map(Number);
    return [postmaster, ...children];
  }

  async #script(command: string): Promise<void> {
    await run('bash', [SERVER_SCRIPT, command, this.dir], { timeout: 120_000 });
  }
}
