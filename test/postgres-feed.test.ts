import { describe, expect, it } from 'vitest';
import { postgresUrl, skipWithoutPostgres } from './helpers/postgres.js';
import { customer, postgresTestFile } from './helpers/postgres-stores.js';

const url = postgresUrl() ?? '';
const { admin, perTest } = postgresTestFile(url);

/** Resolves once `ready()` holds, polling; rejects after `ms`. */
async function eventually(ready: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(skipWithoutPostgres)('postgres store feed', () => {
  const { schema, open } = perTest();

  it('never skips a change committed after one with a higher sequence number', async () => {
    const s = schema();
    const reader = await open({ schema: s });
    const feed = (cursor: number) => reader.read(async (r) => r.changesSince?.(cursor));
    const start = await feed(0);
    expect(start?.customerIds).toEqual([]);
    // Two other writers: `early` draws the lower seq but commits last.
    const early = await admin.connect();
    const late = await admin.connect();
    try {
      const insert = `insert into "${s}".changes (origin, customer_id) values ('other', $1) returning seq`;
      await early.query('begin');
      const earlySeq = (await early.query(insert, ['early'])).rows[0].seq;
      await late.query('begin');
      const lateSeq = (await late.query(insert, ['late'])).rows[0].seq;
      expect(Number(earlySeq)).toBeLessThan(Number(lateSeq));
      await late.query('commit');
      const first = await feed(start?.seq ?? 0);
      expect(first?.customerIds).toEqual(['late']);
      await early.query('commit');
      const second = await feed(first?.seq ?? 0);
      // Read again from the oldest transaction still running at the first read: `early` is there.
      expect(second?.customerIds).toContain('early');
      const third = await feed(second?.seq ?? 0);
      expect(third?.customerIds).toEqual([]);
    } finally {
      early.release();
      late.release();
    }
  });

  it('reports other instances’ customers, never its own, and moves the token on their NOTIFY', async () => {
    const s = schema();
    const ours = await open({ schema: s });
    const theirs = await open({ schema: s });
    const mark = await ours.read(async (r) => r.changesSince?.(0));
    const token = ours.changeToken?.();
    // Its own commits (and their NOTIFY) are not news.
    await ours.transaction(['customer:mine'], (tx) => tx.putCustomer(customer('mine')));
    await ours.transaction([], (tx) => tx.putCustomer(customer('mine')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ours.changeToken?.()).toBe(token);
    await theirs.transaction(['customer:c1'], async (tx) => {
      await tx.putCustomer(customer('c1'));
      await tx.appendUsage([
        {
          customerId: 'c2',
          resourceId: null,
          featureId: 'f',
          window: 'w',
          periodStart: null,
          periodEnd: null,
          op: 'add',
          amount: 1,
          at: 1,
          dimensions: null,
        },
      ]);
    });
    await theirs.transaction([], (tx) => tx.putIdempotencyResult('scope', 'k', 1, 1));
    await eventually(() => ours.changeToken?.() !== token);
    const changed = await ours.read(async (r) => r.changesSince?.(mark?.seq ?? 0));
    expect([...(changed?.customerIds ?? [])].sort()).toEqual(['c1', 'c2']);
    // Readable inside a write too, after its lock.
    const inside = await ours.transaction(['customer:c1'], async (tx) => tx.changesSince?.(mark?.seq ?? 0));
    expect([...(inside?.customerIds ?? [])].sort()).toEqual(['c1', 'c2']);
  });

  it('a cursor below the pruned floor answers null (everything is stale)', async () => {
    const s = schema();
    const store = await open({ schema: s });
    // A row from long ago: the first write's prune deletes it and raises the floor past it.
    await admin.query(`insert into "${s}".changes (origin, customer_id, created_at) values ('other', 'old', 0)`);
    await store.transaction(['customer:a'], (tx) => tx.putCustomer(customer('a')));
    await eventually(
      async () => (await admin.query(`select 1 from "${s}".store_state where name = 'changes_floor'`)).rowCount === 1,
    );
    expect((await store.read(async (r) => r.changesSince?.(0)))?.customerIds).toBeNull();
    expect((await store.read(async (r) => r.changesSince?.(1)))?.customerIds).toBeNull();
    const now = await store.read(async (r) => r.changesSince?.(0));
    expect((await store.read(async (r) => r.changesSince?.(now?.seq ?? 0)))?.customerIds).toEqual([]);
  });

  it('re-listens when its LISTEN connection is killed, and moves the token then', async () => {
    const s = schema();
    const ours = await open({ schema: s });
    const theirs = await open({ schema: s });
    const token = ours.changeToken?.();
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
      `allot-feed:${s}`,
    ]);
    // Both instances' listeners went; each comes back and moves its token (notifications may be lost).
    await eventually(() => ours.changeToken?.() !== token);
    await eventually(
      async () =>
        (await admin.query('select 1 from pg_stat_activity where application_name = $1', [`allot-feed:${s}`]))
          .rowCount === 2,
    );
    const after = ours.changeToken?.();
    await theirs.transaction(['customer:c1'], (tx) => tx.putCustomer(customer('c1')));
    await eventually(() => ours.changeToken?.() !== after);
  });

  it('polls as a safety net: a commit whose NOTIFY never came moves the token; an idle feed never does', async () => {
    const s = schema();
    const store = await open({ schema: s, feedPollMs: 50 });
    const token = store.changeToken?.();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(store.changeToken?.()).toBe(token);
    // A commit of another origin, with no NOTIFY.
    await admin.query(`insert into "${s}".changes (origin, customer_id) values ('other', 'c1')`);
    await eventually(() => store.changeToken?.() !== token, 2_000);
  });
});
