// A pool with a long history, over every store: thousands of grants, each used up right after it is
// granted (the test-sized version of a pool of 100,000). The pool holds only its live grants, so a
// write costs by them (bench/credits-scaling.ts times it); the used-up grants stay readable as
// history and keep counting in the totals until they expire. The model-based properties show the
// same on random sequences (credit-properties.test.ts).
import { describe, expect, it } from 'vitest';
import { AI_CREDITS, creditCatalog } from '../helpers/credit-fixtures.js';
import { harness, START, stores } from '../helpers/fixtures.js';

const DAY = 86_400_000;
const start = Date.parse(START);

describe.each(stores)('a pool with a long history ($name)', (fixture) => {
  // A round trip per statement on PostgreSQL: fewer grants there, the same shape.
  const n = fixture.name === 'postgres' ? 600 : 3_000;

  it('holds only its live grants; history, totals and expiries of the used-up ones stay exact', async () => {
    const h = await harness(fixture, { catalog: creditCatalog() });
    try {
      const pool = { customerId: 'acme', currencyId: AI_CREDITS };
      const stored = () => h.store.read((r) => r.getCreditPool({ ...pool, resourceId: null }));
      const totals = async (allot = h.allot) => {
        const e = await allot.getCreditEntitlement(pool);
        return { balance: e.currentBalance, granted: e.totalGranted, consumed: e.totalConsumed, next: e.nextResetDate };
      };
      await h.allot.provisionCustomer({ customerId: 'acme' });
      // Every third grant expires, on one of five days: used up, it leaves the totals then.
      const expiry = (i: number) => (i % 3 === 0 ? start + ((i % 5) + 1) * DAY : undefined);
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        h.clock.advance(1_000);
        const expireAt = expiry(i);
        const { id } = await h.allot.grantCredits({
          ...pool,
          amount: 2,
          displayName: `g${i}`,
          ...(expireAt === undefined ? {} : { expireAt }),
        });
        ids.push(id);
        await h.allot.consumeCredits({ ...pool, amount: 2, idempotencyKey: `use-${i}` });
      }
      const live = await h.allot.grantCredits({ ...pool, amount: 10, displayName: 'live' });
      await h.allot.consumeCredits({ ...pool, amount: 3, idempotencyKey: 'use-live' });

      const expiring = Array.from({ length: n }, (_, i) => expiry(i)).filter((t) => t !== undefined);
      const byDay = [1, 2, 3, 4, 5].map((d) => ({
        at: start + d * DAY,
        amount: String(2 * expiring.filter((t) => t === start + d * DAY).length),
      }));
      expect(await stored()).toMatchObject({
        grants: [expect.objectContaining({ id: live.id, consumed: '3' })],
        debt: '0',
        spent: { total: String(2 * n), expiring: byDay },
      });
      const before = { balance: 7, granted: 2 * n + 10, consumed: 2 * n + 3, next: new Date(start + DAY) };
      expect(await totals()).toEqual(before);
      // A fresh engine loads the pool as stored, and sees the same.
      expect(await totals(await h.reopen())).toEqual(before);

      // History reads every grant and entry, the used-up ones included.
      const grants = await h.allot.getCreditGrants({ customerId: 'acme', paging: { first: 1000 } });
      expect(grants.totalCount).toBe(n + 1);
      expect(grants.data.slice(0, 3).map((g) => [g.id, g.status, g.consumedAmount])).toEqual(
        ids.slice(0, 3).map((id) => [id, 'ACTIVE', 2]),
      );
      let entries = 0;
      for (let after: string | undefined; ; ) {
        const page = await h.allot.getCreditLedger({
          customerId: 'acme',
          paging: { first: 1000, ...(after === undefined ? {} : { after }) },
        });
        entries += page.data.length;
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor ?? undefined;
      }
      expect(entries).toBe(2 * (n + 1));

      // Voiding a used-up grant takes it out of the totals and out of its expiry.
      const voided = await h.allot.voidCreditGrant({ id: ids[3] as string });
      expect([voided.status, voided.consumedAmount]).toEqual(['VOIDED', 2]);
      expect(await totals()).toEqual({ ...before, granted: before.granted - 2, consumed: before.consumed - 2 });
      expect((await stored()).spent.expiring[3]).toEqual({
        at: start + 4 * DAY,
        amount: String(Number(byDay[3]?.amount) - 2),
      });
      const { data: voids } = await h.allot.getCreditLedger({ customerId: 'acme', eventType: ['CREDITS_VOIDED'] });
      expect(voids.map((e) => [e.grantId, e.amount])).toEqual([[ids[3], 0]]);

      // Another engine (another process, on SQLite) changes the expiries: a write here reads them
      // again rather than reuse the ones it cached.
      await (await h.reopen()).voidCreditGrant({ id: ids[6] as string });
      await h.allot.grantCredits({ ...pool, amount: 2, displayName: 'again', expireAt: start + 2 * DAY });
      await h.allot.consumeCredits({ ...pool, amount: 2, idempotencyKey: 'use-again' });
      expect((await stored()).spent.expiring[1]).toEqual(byDay[1]);

      // Past the first expiry its used-up grants leave the totals and show as expired; the store follows.
      h.clock.set(start + DAY);
      const firstDay = Number(byDay[0]?.amount);
      expect(await totals()).toEqual({
        balance: 7,
        granted: before.granted - 2 - firstDay,
        consumed: before.consumed - 2 - firstDay,
        next: new Date(start + 2 * DAY),
      });
      const expired = (await h.allot.getCreditGrants({ customerId: 'acme', paging: { first: 1000 } })).data;
      expect(expired.find((g) => g.id === ids[0])?.status).toBe('EXPIRED');
      expect((await stored()).spent.expiring.map((e) => e.at)).toEqual(byDay.slice(1).map((e) => e.at));
      expect(await h.allot.voidCreditGrant({ id: ids[0] as string }).catch((e: { code: string }) => e.code)).toBe(
        'CREDIT_GRANT_EXPIRED',
      );
    } finally {
      await h.close();
    }
  });
});
