// The change feed other instances read to drop stale cached customers. Each write transaction
// that touched customers adds one `changes` row per customer before it commits; NOTIFY (delivered
// at commit, at most one per instance every 50 ms) only wakes the readers. Sequence numbers are handed out before commit, so a row
// with a lower seq can become visible after one with a higher seq: paging by seq would skip it.
// The feed pages by transaction id instead. A reader's snapshot xmin is the oldest transaction
// still running when it looked; everything below it has ended (committed rows were visible to
// that read). So the next read asks again from that xmin: a transaction running at the first
// read is read once it commits. Rows may be read twice, which only drops a customer twice.
import type { ChangeSet } from '../store.js';
import type { PgConnection, PgStatements } from './postgres-driver.js';
import { quoteIdent, quoteLiteral } from './postgres-sql.js';

/** The `store_state` row holding the feed's floor: rows of transactions below it may have been pruned. */
const FLOOR = 'changes_floor';

/** The feed's statements over one schema. */
export interface FeedQueries {
  readonly changesSince: string;
  readonly poll: string;
  readonly prune: string;
  readonly channel: string;
}

/** The NOTIFY channel of a schema's feed. */
const channelOf = (schema: string) => `${schema}_changes`;

/** Builds the feed's statements for `schema`; the NOTIFY channel is named after it. */
export function feedQueries(schema: string): FeedQueries {
  const s = quoteIdent(schema);
  const now = '(extract(epoch from clock_timestamp()) * 1000)::bigint';
  return {
    channel: channelOf(schema),
    // One statement, so the xmin, the floor and the rows come from one snapshot.
    changesSince: `select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as next,
        coalesce((select value from ${s}.store_state where name = '${FLOOR}'), 0) as floor,
        array(select distinct customer_id from ${s}.changes where xid >= $1::text::xid8 and origin <> $2) as customers`,
    poll: `select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as next,
        array(select seq::text from ${s}.changes where xid >= $1::text::xid8 and origin <> $2) as seqs`,
    // Deletes rows older than the retention and raises the floor past them, atomically.
    prune: `with gone as (delete from ${s}.changes where created_at < ${now} - $1 returning xid)
        insert into ${s}.store_state (name, value)
        select '${FLOOR}', max(xid::text::bigint) + 1 from gone having count(*) > 0
        on conflict (name) do update set value = greatest(${s}.store_state.value, excluded.value)`,
  };
}

/**
 * The statements that end a write that changed `customers`: their feed rows, the NOTIFY if it
 * carries one (delivered at commit; see postgres-notify.ts), and COMMIT, as one script, so one
 * round trip. A data-modifying CTE always runs, so the rows and the notification are one statement.
 */
export function recordChanges(schema: string, origin: string, customers: readonly string[], notify: boolean): string {
  const o = quoteLiteral(origin);
  const rows = customers.map((c) => `(${o}, ${quoteLiteral(c)})`).join(', ');
  const insert = `insert into ${quoteIdent(schema)}.changes (origin, customer_id) values ${rows}`;
  const notification = `select pg_notify(${quoteLiteral(channelOf(schema))}, ${o})`;
  return notify ? `with added as (${insert}) ${notification}; commit` : `${insert}; commit`;
}

interface ChangesRow {
  readonly next: number;
  readonly floor: number;
  readonly customers: string[];
}

/**
 * The feed from `cursor` on, as one statement with its values inlined, to ride along in the
 * script that begins a write: the rows come with their transaction ids, so `PrefetchedChanges`
 * answers any cursor from `cursor` on.
 */
export function prefetchChanges(schema: string, cursor: number, origin: string): string {
  const s = quoteIdent(schema);
  return `select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as next,
      coalesce((select value from ${s}.store_state where name = '${FLOOR}'), 0) as floor, f.customers, f.xids
    from (select coalesce(array_agg(customer_id), '{}') as customers, coalesce(array_agg(xid::text), '{}') as xids
      from ${s}.changes where xid >= '${cursor}'::xid8 and origin <> ${quoteLiteral(origin)}) f`;
}

/**
 * The feed as read by `prefetchChanges` from `cursor` on, under a write's locks: what
 * `readChanges` would read there, for any cursor from `cursor` to the read's own next one.
 */
export class PrefetchedChanges {
  readonly #cursor: number;
  readonly #row: ChangesRow & { xids: string[] };

  constructor(cursor: number, row: unknown) {
    this.#cursor = cursor;
    this.#row = row as ChangesRow & { xids: string[] };
  }

  /** The changes since `cursor`, or undefined when the prefetch does not cover it (read them then). */
  since(cursor: number): ChangeSet | undefined {
    const { next, floor, customers, xids } = this.#row;
    if (!Number.isSafeInteger(cursor) || cursor < this.#cursor || cursor > next) return undefined;
    if (cursor === 0 ? floor > 0 : cursor < floor) return { seq: next, customerIds: null };
    const changed = new Set<string>();
    customers.forEach((customer, i) => {
      if (Number(xids[i]) >= cursor) changed.add(customer);
    });
    return { seq: next, customerIds: [...changed] };
  }
}

/**
 * Customers other store instances changed in transactions from id `cursor` on (0: from the
 * beginning), and the next cursor. Unknown (null) when the cursor is below the floor (its rows
 * may be pruned) or ahead of this server's transactions (a cursor from elsewhere).
 */
export async function readChanges(
  connection: PgStatements,
  queries: FeedQueries,
  cursor: number,
  origin: string,
): Promise<ChangeSet> {
  const safe = Number.isSafeInteger(cursor) && cursor >= 0 ? cursor : 0;
  const { rows } = await connection.query('changesSince', queries.changesSince, [String(safe), origin]);
  const row = rows[0] as ChangesRow;
  if (safe > row.next || (safe === 0 ? row.floor > 0 : safe < row.floor)) return { seq: row.next, customerIds: null };
  return { seq: row.next, customerIds: row.customers };
}

/**
 * The safety net under LISTEN: whether another instance committed since the last poll. Exact, so
 * an idle store (or one whose server is down) never moves its token for nothing: it reads the
 * rows from the last poll's xmin on, and there is news when one of them was not read last time.
 */
export class FeedPoller {
  readonly #queries: FeedQueries;
  readonly #origin: string;
  #cursor = 0;
  #seen = new Set<string>();

  constructor(queries: FeedQueries, origin: string) {
    this.#queries = queries;
    this.#origin = origin;
  }

  async news(connection: PgConnection): Promise<boolean> {
    const { rows } = await connection.query('pollChanges', this.#queries.poll, [String(this.#cursor), this.#origin]);
    const row = rows[0] as { next: number; seqs: string[] };
    const news = row.seqs.some((seq) => !this.#seen.has(seq));
    this.#seen = new Set(row.seqs);
    this.#cursor = row.next;
    return news;
  }
}

/** A pg `Client` for LISTEN, declared by what the feed uses. */
export interface PgListenClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string | undefined }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  /** Lets the process exit while only the LISTEN connection is open. */
  unref?(): void;
  /** Undoes `unref`, so ending the connection is awaited before the process may exit. */
  ref?(): void;
}

export interface FeedListenerOptions {
  readonly channel: string;
  readonly origin: string;
  /** A new, unconnected LISTEN client; without one (a pool whose settings are unknown) polls alone move the token. */
  readonly createClient?: () => PgListenClient;
  /** How often to poll, in ms: a lost notification is noticed within this. */
  readonly pollMs: number;
  /** Whether another instance committed since the last poll; a failure (server down) moves nothing. */
  readonly poll: () => Promise<boolean>;
}

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 2_000;

/**
 * The change token: a counter bumped when another instance's NOTIFY arrives on a dedicated
 * LISTEN connection, on every reconnect of that connection (notifications may have been missed
 * while it was down), and when a poll every `pollMs` finds a commit the notifications missed.
 * Reading it costs a property load.
 */
export class FeedListener {
  token = 1;
  readonly #options: FeedListenerOptions;
  #client: PgListenClient | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #polling: Promise<void> | undefined;
  #backoffMs = BACKOFF_MIN_MS;
  #stopped = false;

  constructor(options: FeedListenerOptions) {
    this.#options = options;
  }

  /** Connects and listens; rejects when the first connection fails. */
  async start(): Promise<void> {
    if (this.#options.createClient !== undefined) await this.#listen(this.#options.createClient);
    this.#timer = setInterval(() => this.#poll(), this.#options.pollMs);
    this.#timer.unref?.();
  }

  /** Moves the token: readers of the feed look at it at their next chance. */
  bump(): void {
    this.token += 1;
  }

  #poll(): void {
    if (this.#polling !== undefined || this.#stopped) return;
    this.#polling = this.#options
      .poll()
      .then(
        (news) => {
          if (news) this.bump();
        },
        () => undefined,
      )
      .finally(() => {
        this.#polling = undefined;
      });
  }

  async #listen(createClient: () => PgListenClient): Promise<void> {
    const client = createClient();
    const lost = () => this.#lost(client);
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel === this.#options.channel && message.payload !== this.#options.origin) this.bump();
    });
    try {
      await client.connect();
      await client.query(`listen ${quoteIdent(this.#options.channel)}`);
      // Only once idle: a process awaiting the LISTEN itself must not exit under it.
      client.unref?.();
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    if (this.#stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#backoffMs = BACKOFF_MIN_MS;
  }

  #lost(client: PgListenClient): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    client.ref?.();
    client.end().catch(() => undefined);
    this.#reconnect();
  }

  #reconnect(): void {
    const { createClient } = this.#options;
    if (this.#stopped || this.#retry !== undefined || createClient === undefined) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(BACKOFF_MAX_MS, delay * 2);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#listen(createClient).then(
        // Notifications sent while it was down are lost: have every reader look at the feed.
        () => this.bump(),
        () => this.#reconnect(),
      );
    }, delay);
    this.#retry.unref?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    clearTimeout(this.#retry);
    await this.#polling;
    const client = this.#client;
    this.#client = undefined;
    client?.ref?.();
    await client?.end().catch(() => undefined);
  }
}
