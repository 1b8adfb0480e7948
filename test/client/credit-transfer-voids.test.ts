// A transfer to another resource carries a period's voided or exhausted recurring grant as a
// voided marker of 0, so the destination never refills a period the subscription already had.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogInput } from '../../src/index.js';
import { catalog, type Harness, harness, stores } from '../helpers/fixtures.js';

const credited = {
  ...catalog,
  products: [...catalog.products, { id: 'ai', multipleSubscriptions: true }],
  plans: [
    ...catalog.plans,
    {
      id: 'ai-pro',
      productId: 'ai',
      entitlements: [],
      creditEntitlements: [{ currencyId: 'ai-credits', amount: '50', cadence: 'MONTH' as const }],
    },
  ],
  creditCurrencies: [
    { currencyId: 'ai-credits', displayName: 'AI credits', units: { singular: 'credit', plural: 'credits' } },
  ],
} satisfies CatalogInput;

describe.each(stores)('a voided recurring grant and a transfer ($name)', (fixture) => {
  let h: Harness;
  const key = (resourceId: string | null) => ({ customerId: 'acme', currencyId: 'ai-credits', resourceId });
  const balance = async (resourceId: string | null) =>
    (await h.allot.getCreditEntitlement(key(resourceId))).currentBalance;

  beforeEach(async () => {
    h = await harness(fixture, { catalog: credited });
    await h.allot.provisionCustomer({ customerId: 'acme' });
  });
  afterEach(() => h.close());

  it('stays voided for its period after the subscription moves to a resource', async () => {
    const { subscription } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'ai-pro' });
    const [grant] = (await h.allot.getCreditGrants({ customerId: 'acme' })).data;
    await h.allot.voidCreditGrant({ id: grant?.id ?? '' });
    expect(await balance(null)).toBe(0);
    await h.allot.transferSubscriptionToResource({ subscriptionId: subscription.id, destinationResourceId: 'site-1' });
    expect([await balance(null), await balance('site-1')]).toEqual([0, 0]);
  });

  it('control: an exhausted grant moves as a voided marker, so the destination does not refill', async () => {
    const { subscription } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'ai-pro' });
    await h.allot.consumeCredits({ ...key(null), amount: 50, idempotencyKey: 'k' });
    await h.allot.transferSubscriptionToResource({ subscriptionId: subscription.id, destinationResourceId: 'site-1' });
    expect([await balance(null), await balance('site-1')]).toEqual([0, 0]);
  });

  it('an exhausted period moved on a second time (the marker is voided, so it is not carried either)', async () => {
    const { subscription } = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'ai-pro' });
    await h.allot.consumeCredits({ ...key(null), amount: 50, idempotencyKey: 'k' });
    await h.allot.transferSubscriptionToResource({ subscriptionId: subscription.id, destinationResourceId: 'site-1' });
    await h.allot.transferSubscriptionToResource({ subscriptionId: subscription.id, destinationResourceId: 'site-2' });
    expect([await balance(null), await balance('site-1'), await balance('site-2')]).toEqual([0, 0, 0]);
  });
});
