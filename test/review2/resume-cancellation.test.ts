// A scheduled cancellation shortens the plan's RECURRING grant (endWithSubscriptions) and the
// shortened expireAt is STORED; a later scheduled downgrade resumes the subscription (endDate
// null), but the grant still expires at the old cancellation date, and once that expiry is stored
// the grant is no longer "held", so the same period is granted a second time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, harness, stores } from '../helpers/fixtures.js';
import { credited } from './credit-catalog.js';

describe.each(stores)('resumed subscription keeps its credits ($name)', (fixture) => {
  let h: Harness;
  const pool = { customerId: 'acme', currencyId: 'ai-credits' };
  const balance = async () => (await h.allot.getCreditEntitlement(pool)).currentBalance;
  beforeEach(async () => {
    h = await harness(fixture, { catalog: credited });
    await h.allot.provisionCustomer({ customerId: 'acme' });
  });
  afterEach(() => h.close());

  it('a cancellation withdrawn by a scheduled downgrade keeps the period allowance, once', async () => {
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'enterprise',
      skipTrial: true,
    });
    await h.allot.consumeCredits({ ...pool, amount: 10, idempotencyKey: 'c1' });
    // Cancel 10 days from now, then change mind: downgrade to pro at the end of the billing period.
    await h.allot.cancelSubscription({
      subscriptionId: subscription.id,
      subscriptionCancellationTime: 'SPECIFIC_DATE',
      endDate: new Date(h.clock.now() + 10 * 86_400_000),
    });
    await h.allot.getCreditLedger({ ...pool }); // any read/write stores the shortened grant
    await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'pro',
      scheduleStrategy: 'END_OF_BILLING_PERIOD',
    });
    const sub = await h.allot.getSubscription({ subscriptionId: subscription.id });
    expect(sub.status).toBe('ACTIVE');
    expect(sub.endDate ?? null).toBeNull();
    expect(await balance()).toBe(990);

    h.clock.advance({ days: 15 }); // still enterprise (period ends Feb 28)
    expect((await h.allot.getSubscription({ subscriptionId: subscription.id })).status).toBe('ACTIVE');
    const warm = await balance();
    // a write stores the expiry
    await h.allot.grantCredits({ ...pool, amount: 1, displayName: 'x' });
    const afterWrite = (await balance()) - 1;
    const reopened = await h.reopen();
    const cold = (await reopened.getCreditEntitlement(pool)).currentBalance - 1;
    const ledger = (await h.allot.getCreditLedger({ ...pool, paging: { first: 1000 } })).data;
    expect({ warm, afterWrite, cold, ledger: ledger.map((e) => `${e.eventType}:${e.amount}`) }).toEqual({
      warm: 990,
      afterWrite: 990,
      cold: 990,
      ledger: expect.anything(),
    });
  });
});
