// A transfer to another resource moves what is left of a subscription's period with it: a voided
// or exhausted period travels as a voided marker of 0, so no destination ever refills a period the
// subscription already had, and the next period carries what is left wherever it moved, however often.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AI_CREDITS, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { type Harness, harness, stores } from '../helpers/fixtures.js';

// 50 credits a month, up to 20 of them rolling over.
const credited = creditCatalog({
  plans: [{ id: 'ai-pro', productId: 'ai', entitlements: [], creditEntitlements: monthlyCredits('50', '20') }],
});

describe.each(stores)('credits across transfers ($name)', (fixture) => {
  let h: Harness;
  let subscriptionId: string;
  const key = (resourceId: string | null) => ({ customerId: 'acme', currencyId: AI_CREDITS, resourceId });
  const balance = async (resourceId: string | null) =>
    (await h.allot.getCreditEntitlement(key(resourceId))).currentBalance;
  const transfer = (destinationResourceId: string | null) =>
    h.allot.transferSubscriptionToResource({ subscriptionId, destinationResourceId });

  beforeEach(async () => {
    h = await harness(fixture, { catalog: credited });
    await h.allot.provisionCustomer({ customerId: 'acme' });
    ({
      subscription: { id: subscriptionId },
    } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'ai-pro' }));
  });
  afterEach(() => h.close());

  it('a voided period stays voided after the subscription moves to a resource', async () => {
    const [grant] = (await h.allot.getCreditGrants({ customerId: 'acme' })).data;
    await h.allot.voidCreditGrant({ id: grant?.id ?? '' });
    expect(await balance(null)).toBe(0);
    await transfer('site-1');
    expect([await balance(null), await balance('site-1')]).toEqual([0, 0]);
  });

  it('an exhausted period moves as a voided marker, once and again', async () => {
    await h.allot.consumeCredits({ ...key(null), amount: 50, idempotencyKey: 'k' });
    await transfer('site-1');
    expect([await balance(null), await balance('site-1')]).toEqual([0, 0]);
    await transfer('site-2');
    expect([await balance(null), await balance('site-1'), await balance('site-2')]).toEqual([0, 0, 0]);
  });

  it('the unused part rolls over after one transfer, there and back, or there, back and there again', async () => {
    const afterAMonth = async (destinations: (string | null)[]) => {
      for (const to of destinations) await transfer(to);
      h.clock.advance({ months: 1 });
      return balance(destinations.at(-1) ?? null);
    };
    expect(await afterAMonth(['site-1'])).toBe(70);
    // Each month from here: the 50 refill plus the 20 cap of what the last month left.
    expect(await afterAMonth(['site-2', 'site-1'])).toBe(70);
    expect(await afterAMonth([null, 'site-1', null])).toBe(70);
  });
});
