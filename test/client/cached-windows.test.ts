// A warm customer's cache holds one window per metered feature it was checked on: the first
// alone, the rest beside it once a second feature is checked. Writes reach whichever window shows
// their counter, and a window that ends gives way to the next, for each feature on its own.
import { describe, expect, it } from 'vitest';
import { harness, stores } from '../helpers/fixtures.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(stores)('cached usage windows ($name)', (fixture) => {
  it('keep each metered feature apart, through writes and resets, from one window to several', async () => {
    const h = await harness(fixture);
    try {
      const { allot } = h;
      await allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'pro' } });
      const usage = async (featureId: string) =>
        (await allot.getMeteredEntitlement({ customerId: 'acme', featureId })).currentUsage;
      const report = (featureId: string, value: number) => allot.reportUsage({ customerId: 'acme', featureId, value });

      // One feature checked: its window alone, and a write reaches it.
      expect(await usage('api-calls')).toBe(0);
      await report('api-calls', 4);
      expect(await usage('api-calls')).toBe(4);

      // A second and a third feature, each with its own reset period.
      expect(await usage('daily-exports')).toBe(0);
      await report('daily-exports', 2);
      await report('seats', 3);
      expect(await usage('seats')).toBe(3);
      await report('api-calls', 1);
      expect([await usage('api-calls'), await usage('daily-exports'), await usage('seats')]).toEqual([5, 2, 3]);

      // A day later the daily window is a new one; the monthly and never-resetting ones are not.
      h.clock.advance(DAY);
      expect(await usage('daily-exports')).toBe(0);
      await report('daily-exports', 1);
      expect([await usage('api-calls'), await usage('daily-exports'), await usage('seats')]).toEqual([5, 1, 3]);

      // A write on a feature whose window was never checked lands where a later check finds it.
      await allot.provisionCustomer({ customerId: 'beta', subscriptionParams: { planId: 'pro' } });
      expect((await allot.getMeteredEntitlement({ customerId: 'beta', featureId: 'api-calls' })).currentUsage).toBe(0);
      await allot.reportUsage({ customerId: 'beta', featureId: 'daily-exports', value: 2 });
      expect((await allot.getMeteredEntitlement({ customerId: 'beta', featureId: 'daily-exports' })).currentUsage).toBe(
        2,
      );
    } finally {
      await h.close();
    }
  });
});
