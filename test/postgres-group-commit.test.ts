// Group commit on the PostgreSQL store: calls that wait share a transaction, and their usage, held
// back, goes as one statement before any other and before COMMIT. Observed through the statements a
// pool of the test's own sees: not timing.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AllotError } from '../src/errors.js';
import { Allot, ManualClock } from '../src/index.js';
import { postgresStore } from '../src/stores/postgres/index.js';
import type { Store, StoreTransaction, UsageEntry, UsageWindowKey } from '../src/stores/store.js';
import { catalog, START } from './helpers/fixtures.js';
import { freshSchema, postgresUrl, skipWithoutPostgres } from './helpers/postgres.js';
import { postgresTestFile } from './helpers/postgres-stores.js';
import { usageEntry } from './store-conformance.js';

const url = postgresUrl() ?? '';
const { dropLater } = postgresTestFile(url);

/** What the statements of a write are, by their text or prepared name. */
type Kind = 'lock' | 'usage' | 'commit' | 'rollback' | 'other';

/** A pg Pool whose clients log the kind of every statement they send. */
function countingPool(schema: string) {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const kinds: Kind[] = [];
  const wrapped = new WeakSet<object>();
  const kindOf = (query: unknown): Kind => {
    const { text = '', name } = (typeof query === 'string' ? { text: query } : query) as {
      text?: string;
      name?: string;
    };
    if (name === `allot:${schema}:usage`) return 'usage';
    if (text.startsWith('begin isolation level read committed')) return 'lock';
    if (text.startsWith('rollback')) return 'rollback';
    if (/(^|; )commit$/.test(text.trim())) return 'commit';
    return 'other';
  };
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  (pool as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
    const client = await connect();
    if (!wrapped.has(client)) {
      wrapped.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        kinds.push(kindOf(args[0]));
        return query(...args);
      };
    }
    return client;
  };
  const count = (kind: Kind) => kinds.filter((k) => k === kind).length;
  return { pool, count, reset: () => kinds.splice(0) };
}

const window = (customerId: string, w = 'w1'): UsageWindowKey => ({
  customerId,
  resourceId: null,
  featureId: 'f1',
  window: w,
});

/** An entry PostgreSQL refuses (text cannot hold NUL): the statement carrying it fails. */
const guilty = (customerId: string) => usageEntry(customerId, 'f\u0000', 'w1', 1);

describe.skipIf(skipWithoutPostgres)('group commit on PostgreSQL', { timeout: 60_000 }, () => {
  const opened: { store: Store; pool: pg.Pool; schema: string }[] = [];
  afterAll(async () => {
    for (const { store, pool, schema } of opened) {
      await store.close();
      await pool.end();
      dropLater(schema);
    }
  });
  const open = async (schema = freshSchema('t')) => {
    const counting = countingPool(schema);
    const store = postgresStore({ pool: counting.pool, schema });
    opened.push({ store, pool: counting.pool, schema });
    await store.open();
    // The lock rows exist from here on: a first write of a key takes extra statements to make its row.
    await store.transaction(
      Array.from({ length: 40 }, (_, i) => `customer:c${i}`),
      async () => {},
    );
    counting.reset();
    return { store, schema, ...counting };
  };
  const append = (store: Store, entries: UsageEntry[]) =>
    store.transaction([`customer:${entries[0]?.customerId}`], (tx) => tx.appendUsage(entries));
  const aggregate = (store: Store, key: UsageWindowKey) => store.read((r) => r.getUsage(key));

  it('runs calls submitted together as one transaction: one lock, one usage statement, one commit', async () => {
    const { store, count } = await open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => append(store, [usageEntry(`c${i}`, 'f1', 'w1', i + 1)])));
    expect([count('lock'), count('usage'), count('commit')]).toEqual([1, 1, 1]);
    for (let i = 0; i < 20; i++) expect(await aggregate(store, window(`c${i}`))).toEqual({ value: i + 1, count: 1 });
  });

  it('a failed usage statement of several calls runs each again alone: only the guilty one rejects', async () => {
    const { store, count } = await open();
    const calls = [0, 1, 2, 3, 4].map((i) =>
      append(store, [i === 2 ? guilty(`c${i}`) : usageEntry(`c${i}`, 'f1', 'w1', 10 + i)]),
    );
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const reason = (outcomes[2] as PromiseRejectedResult).reason;
    expect(AllotError.is(reason) && reason.code).toBe('STORE_ERROR');
    expect(String(reason.message)).toMatch(/appendUsage/);
    // Together once, then each in a transaction of its own.
    expect([count('lock'), count('usage'), count('commit')]).toEqual([6, 6, 4]);
    for (const i of [0, 1, 3, 4]) expect(await aggregate(store, window(`c${i}`))).toEqual({ value: 10 + i, count: 1 });
    expect(
      await store.read((r) => r.listUsageEntries({ ...window('c2'), ranges: [{ from: 0, before: 2 ** 50 }] })),
    ).toEqual([]);
  });

  it("blames a failed write of one call's held usage on that call, even when another call's read sent it", async () => {
    const { store, count } = await open();
    const first = append(store, [guilty('c0')]);
    const second = store.transaction(['customer:c1'], (tx) => tx.getUsage(window('c0')));
    await expect(first).rejects.toMatchObject({ code: 'STORE_ERROR' });
    await expect(second).resolves.toBeUndefined();
    // The held usage went once (and failed); the reader ran again in a transaction of its own.
    expect([count('lock'), count('usage'), count('commit')]).toEqual([2, 1, 1]);
  });

  it('lets every read of the transaction, in the call that held usage and in the calls after it, see it', async () => {
    const { store } = await open();
    const seen = await Promise.all([
      store.transaction(['customer:c1'], async (tx) => {
        await tx.appendUsage([usageEntry('c1', 'f1', 'w1', 5, { at: 1_000 })]);
        return {
          usage: await tx.getUsage(window('c1')),
          entries: (await tx.listUsageEntries({ ...window('c1'), ranges: [{ from: 0, before: 2_000 }] })).length,
          summary: await tx.summarizeUsage({
            customerId: 'c1',
            resourceId: null,
            featureId: 'f1',
            origin: 0,
            width: 3_600_000,
            from: 0,
            before: 3_600_000,
          }),
        };
      }),
      // Held by one call, read and added to by the next of the same transaction.
      store.transaction(['customer:c2'], (tx) => tx.appendUsage([usageEntry('c2', 'f1', 'w1', 3)])),
      store.transaction(['customer:c2'], async (tx) => {
        const before = await tx.getUsage(window('c2'));
        await tx.appendUsage([usageEntry('c2', 'f1', 'w1', 4), usageEntry('c2', 'f1', 'w1', 1, { op: 'set' })]);
        return before;
      }),
    ]);
    expect(seen[0]).toMatchObject({ usage: { value: 5, count: 1 }, entries: 1 });
    expect(seen[0].summary).toHaveLength(1);
    expect(seen[2]).toEqual({ value: 3, count: 1 });
    expect(await aggregate(store, window('c2'))).toEqual({ value: 1, count: 3 });
  });

  it('locks the keys of a batch in one order, so two instances batching them in opposite orders never deadlock', async () => {
    const { store: first, schema } = await open();
    const { store: second } = await open(schema);
    const customers = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const report = (store: Store, id: string) =>
      store.transaction([`customer:${id}`], (tx) => tx.appendUsage([usageEntry(id, 'f1', 'w1', 1)]));
    // A third party holds c5, so both batches lock what they can and wait there: had each locked its
    // keys in the order its calls came, each would then hold what the other waits for.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query(`begin; select key from "${schema}".locks where key = 'customer:c5' for update`);
      const calls = [
        ...customers.map((id) => report(first, id)),
        ...[...customers].reverse().map((id) => report(second, id)),
      ];
      await new Promise((resolve) => setTimeout(resolve, 200));
      await holder.query('commit');
      await Promise.all(calls);
    } finally {
      await holder.end();
    }
    for (const id of customers) expect(await aggregate(first, window(id))).toEqual({ value: 2, count: 2 });
  });

  it('under load, batches hold many reportUsage calls: 64 in flight share commits and usage statements', async () => {
    const schema = freshSchema('t');
    const { pool, count, reset } = countingPool(schema);
    const store = postgresStore({ pool, schema });
    opened.push({ store, pool, schema });
    const allot = Allot.initialize({ catalog, store, clock: new ManualClock(START) });
    const customers = Array.from({ length: 64 }, (_, i) => `c${i}`);
    for (const customerId of customers)
      await allot.provisionCustomer({ customerId, subscriptionParams: { planId: 'pro' } });
    reset();
    const rounds = 10;
    await Promise.all(
      customers.map(async (customerId) => {
        for (let n = 0; n < rounds; n++) await allot.reportUsage({ customerId, featureId: 'api-calls', value: 1 });
      }),
    );
    const calls = customers.length * rounds;
    // Each transaction's calls share one usage statement and one commit; with 64 in flight they are many.
    expect(count('usage')).toBe(count('commit'));
    expect(calls / count('commit')).toBeGreaterThanOrEqual(8);
    for (const customerId of customers)
      expect((await allot.getMeteredEntitlement({ customerId, featureId: 'api-calls' })).currentUsage).toBe(rounds);
  });

  it('property: batched calls with held usage read a serial history, and only the guilty calls are lost', async () => {
    const { store } = await open();
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            customer: fc.constantFrom('a', 'b', 'c'),
            entries: fc.array(
              fc.record({ window: fc.constantFrom('w1', 'w2'), amount: fc.integer({ min: 1, max: 9 }) }),
              {
                minLength: 1,
                maxLength: 3,
              },
            ),
            guilty: fc.nat(5).map((n) => n === 0),
            // A call that reads sends the usage held so far; one that does not leaves it to a later statement.
            reads: fc.boolean(),
            wave: fc.nat(2),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (calls) => {
          // Customers of this run only.
          const id = (c: string) => `r${round}${c}`;
          round++;
          const run = (call: (typeof calls)[number]) =>
            store.transaction([`customer:${id(call.customer)}`], async (tx: StoreTransaction) => {
              const entries = call.entries.map((e) => usageEntry(id(call.customer), 'f1', e.window, e.amount));
              await tx.appendUsage(call.guilty ? [...entries, guilty(id(call.customer))] : entries);
              const reads: Record<string, number | undefined> = {};
              if (call.reads)
                for (const w of new Set(call.entries.map((e) => e.window)))
                  reads[w] = (await tx.getUsage(window(id(call.customer), w)))?.value;
              return reads;
            });
          // Waves: calls of one tick share a transaction; later ones join running transactions or wait.
          const pending: Promise<Record<string, number | undefined>>[] = [];
          for (let wave = 0; wave < 3; wave++) {
            calls.forEach((call, i) => {
              if (call.wave === wave) pending[i] = run(call);
            });
            await new Promise((resolve) => setImmediate(resolve));
          }
          const outcomes = await Promise.allSettled(pending);
          /** Per window: what its committed calls added, and what those that read it saw. */
          const windows = new Map<string, { total: number; writers: number; reads: { read: number; own: number }[] }>();
          outcomes.forEach((outcome, i) => {
            const call = calls[i] as (typeof calls)[number];
            expect(outcome.status).toBe(call.guilty ? 'rejected' : 'fulfilled');
            if (outcome.status !== 'fulfilled') return;
            for (const w of new Set(call.entries.map((e) => e.window))) {
              const own = call.entries.filter((e) => e.window === w).reduce((s, e) => s + e.amount, 0);
              const key = `${call.customer}/${w}`;
              const seen = windows.get(key) ?? { total: 0, writers: 0, reads: [] };
              seen.total += own;
              seen.writers++;
              const read = outcome.value[w];
              if (call.reads) seen.reads.push({ read: read ?? Number.NaN, own });
              windows.set(key, seen);
            }
          });
          for (const [key, { total, writers, reads }] of windows) {
            // Each read saw an earlier read's total, its own entries, and nothing half-written.
            reads.sort((x, y) => x.read - y.read);
            let before = 0;
            for (const { read, own } of reads) {
              if (writers === reads.length) expect(read - own).toBe(before);
              else expect(read - own).toBeGreaterThanOrEqual(before);
              before = read;
            }
            const [customer, w] = key.split('/') as [string, string];
            expect((await aggregate(store, window(id(customer), w)))?.value).toBe(total);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
