// Transfers within a period keep its unused credits for the rollover: the next period carries
// what is left wherever the period's credits moved, however often.
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
      creditEntitlements: [{ currencyId: 'ai-credits', amount: '50', cadence: 'MONTH' as const, rolloverCap: '20' }],
    },
  ],
  creditCurrencies: [
    { currencyId: 'ai-credits', displayName: 'AI credits', units: { singular: 'credit', plural: 'credits' } },
  ],
} satisfies CatalogInput;

describe.each(stores)('rollover across transfers ($name)', (fixture) => {
  let h: Harness;
  const key = (resourceId: string | null) => ({ customerId: 'acme', currencyId: 'ai-credits', resourceId });
  const balance = async (resourceId: string | null) =>
    (await h.allot.getCreditEntitlement(key(resourceId))).currentBalance;
  let subscriptionId: string;
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

  it('one transfer: the unused part rolls over (control)', async () => {
    await transfer('site-1');
    h.clock.advance({ months: 1 });
    expect(await balance('site-1')).toBe(70);
  });

  it('there and back: the unused part still rolls over', async () => {
    await transfer('site-1');
    await transfer(null);
    h.clock.advance({ months: 1 });
    expect(await balance(null)).toBe(70);
  });

  it('there, back and there again: the unused part still rolls over', async () => {
    await transfer('site-1');
    await transfer(null);
    await transfer('site-1');
    h.clock.advance({ months: 1 });
    expect(await balance('site-1')).toBe(70);
  });
});
