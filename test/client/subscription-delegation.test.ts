// delegateSubscriptionToCustomer: a subscription's entitlements go to another customer while the
// customer who pays for it stays its payer; its recurring credits go along.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AI_CREDITS, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

const catalog = creditCatalog({ planChanges: { pro: { creditEntitlements: monthlyCredits(100) } } });

describe.each(stores)('subscription delegation ($name)', (fixture) => {
  let h: Harness;
  let pro: string;
  beforeEach(async () => {
    h = await harness(fixture, { catalog });
    const acme = await h.allot.provisionCustomer({
      customerId: 'acme',
      email: 'billing@acme.test',
      subscriptionParams: { planId: 'pro', skipTrial: true },
    });
    pro = acme.subscription?.id ?? '';
    await h.allot.provisionCustomer({ customerId: 'beta' });
  });
  afterEach(() => h.close());

  const sso = async (customerId: string) => (await h.allot.getEntitlement({ customerId, featureId: 'sso' })).hasAccess;
  const credits = async (customerId: string) =>
    (await h.allot.getCreditEntitlement({ customerId, currencyId: AI_CREDITS })).currentBalance;

  it('gives the entitlements to the delegate; the payer keeps paying', async () => {
    const delegated = await h.allot.delegateSubscriptionToCustomer({
      subscriptionId: pro,
      destinationCustomerId: 'beta',
    });
    expect(delegated).toMatchObject({ id: pro, customerId: 'beta', payingCustomer: { id: 'acme' }, status: 'ACTIVE' });
    expect([await sso('acme'), await sso('beta')]).toEqual([false, true]);
    expect(await h.allot.getActiveSubscriptions({ customerId: 'acme' })).toEqual([]);
    const [slim] = await h.allot.getActiveSubscriptionsList({ customerId: 'beta' });
    expect(slim).toMatchObject({ customer: { customerId: 'beta' }, payingCustomer: { customerId: 'acme' } });
    expect((await h.allot.getSubscription({ subscriptionId: pro })).payingCustomer).toEqual({ id: 'acme' });
  });

  it('moves what is left of the period’s recurring credits, without granting the period twice', async () => {
    await h.allot.consumeCredits({ customerId: 'acme', currencyId: AI_CREDITS, amount: 30, idempotencyKey: 'c1' });
    await h.allot.delegateSubscriptionToCustomer({ subscriptionId: pro, destinationCustomerId: 'beta' });
    expect([await credits('acme'), await credits('beta')]).toEqual([0, 70]);
    h.clock.advance({ months: 1 });
    expect([await credits('acme'), await credits('beta')]).toEqual([0, 100]);
  });

  it('without a destination it goes back to its payer, who then holds and pays for it alone', async () => {
    await h.allot.delegateSubscriptionToCustomer({ subscriptionId: pro, destinationCustomerId: 'beta' });
    const back = await h.allot.delegateSubscriptionToCustomer({ subscriptionId: pro });
    expect(back).toMatchObject({ customerId: 'acme', payingCustomer: { id: 'acme' } });
    expect([await sso('acme'), await sso('beta')]).toEqual([true, false]);
    // Delegating to the holder itself changes nothing.
    expect(
      await h.allot.delegateSubscriptionToCustomer({ subscriptionId: pro, destinationCustomerId: 'acme' }),
    ).toEqual(back);
  });

  it('refuses a delegate that already has such a subscription, and unknown or ended ones, changing nothing', async () => {
    await h.allot.provisionSubscription({ customerId: 'beta', planId: 'free' });
    const move = (destinationCustomerId: string, subscriptionId = pro) =>
      errorCode(h.allot.delegateSubscriptionToCustomer({ subscriptionId, destinationCustomerId }));
    expect(await move('beta')).toBe('INVALID_OPERATION');
    expect(await move('ghost')).toBe('CUSTOMER_NOT_FOUND');
    expect(await move('beta', 'nope')).toBe('SUBSCRIPTION_NOT_FOUND');
    expect([await sso('acme'), await sso('beta')]).toEqual([true, false]);
    await h.allot.cancelSubscription({ subscriptionId: pro });
    await h.allot.provisionCustomer({ customerId: 'gamma' });
    expect(await move('gamma')).toBe('SUBSCRIPTION_NOT_ACTIVE');
  });

  it('takes along the plan lined up to follow it, as a transfer does', async () => {
    await h.allot.cancelSubscription({ subscriptionId: pro, subscriptionCancellationTime: 'END_OF_BILLING_PERIOD' });
    await h.allot.delegateSubscriptionToCustomer({ subscriptionId: pro, destinationCustomerId: 'beta' });
    h.clock.advance({ months: 1 });
    const [after] = await h.allot.getActiveSubscriptions({ customerId: 'beta' });
    expect(after).toMatchObject({ planId: 'free', customerId: 'beta', payingCustomer: { id: 'acme' } });
    expect(await h.allot.getActiveSubscriptions({ customerId: 'acme' })).toEqual([]);
  });

  it.skipIf(!fixture.shared)('the payer is stored with the subscription', async () => {
    await h.allot.delegateSubscriptionToCustomer({ subscriptionId: pro, destinationCustomerId: 'beta' });
    const again = await h.reopen();
    expect((await again.getSubscription({ subscriptionId: pro })).payingCustomer).toEqual({ id: 'acme' });
    expect((await again.getEntitlement({ customerId: 'beta', featureId: 'sso' })).hasAccess).toBe(true);
  });
});
