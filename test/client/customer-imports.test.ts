// Imports from a billing system: customers (one, or many in one transaction) and subscriptions
// that already run elsewhere (many in one transaction), with the failing item named.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AI_CREDITS, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { errorCode, type Harness, harness, START, stores } from '../helpers/fixtures.js';

describe.each(stores)('customer imports ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture);
  });
  afterEach(() => h.close());

  it('importCustomer creates a customer, and brings an existing one up to date on a second import', async () => {
    const created = await h.allot.importCustomer({
      customerId: 'acme',
      name: 'Acme',
      billingId: 'cus_123',
      paymentMethodId: 'pm_1',
    });
    expect(created).toMatchObject({ id: 'acme', name: 'Acme', billingId: 'cus_123', email: null });
    h.clock.advance({ days: 1 });
    const again = await h.allot.importCustomer({ customerId: 'acme', email: 'ops@acme.test' });
    expect(again).toMatchObject({ name: 'Acme', email: 'ops@acme.test', createdAt: new Date(START) });
    expect(again.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
    expect((await h.allot.getCustomer('acme')).subscriptions).toEqual([]);
    const generated = await h.allot.importCustomer({ name: 'No id' });
    expect(generated.id).toMatch(/^customer-/);
    await h.allot.archiveCustomer('acme');
    expect(await errorCode(h.allot.importCustomer({ customerId: 'acme' }))).toBe('CUSTOMER_ARCHIVED');
  });

  it('importCustomerBulk writes every customer in one transaction, or none, naming the item that failed', async () => {
    expect(
      await h.allot.importCustomerBulk({
        customers: [{ customerId: 'a', name: 'A' }, { customerId: 'b' }, { customerId: 'a', email: 'a@x.test' }],
        integrationId: 'stripe-1',
      }),
    ).toBeUndefined();
    expect(await h.allot.getCustomer('a')).toMatchObject({ name: 'A', email: 'a@x.test' });
    expect((await h.allot.getCustomer('b')).id).toBe('b');

    const failed = await h.allot
      .importCustomerBulk({ customers: [{ customerId: 'c' }, { customerId: 'd', couponId: 'nope' }] })
      .catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'COUPON_NOT_FOUND', details: { index: 1 } });
    expect(String((failed as Error).message)).toContain('item 1');
    expect(await errorCode(h.allot.getCustomer('c'))).toBe('CUSTOMER_NOT_FOUND');
    expect(await errorCode(h.allot.importCustomerBulk({ customers: [] }))).toBe('INVALID_INPUT');
  });
});

describe.each(stores)('subscription imports ($name)', (fixture) => {
  let h: Harness;
  const catalog = creditCatalog({ planChanges: { pro: { creditEntitlements: monthlyCredits(100) } } });
  beforeEach(async () => {
    h = await harness(fixture, { catalog });
    await h.allot.importCustomerBulk({ customers: [{ customerId: 'acme' }, { customerId: 'beta' }] });
  });
  afterEach(() => h.close());

  const active = async (customerId: string) =>
    (await h.allot.getActiveSubscriptions({ customerId })).map((s) => `${s.planId}:${s.status}`);

  it('imports running subscriptions without a trial, under the ids given, in one call', async () => {
    await h.allot.importSubscriptionBulk({
      subscriptions: [
        { customerId: 'acme', planId: 'pro', subscriptionId: 'sub_stripe_1', billingPeriod: 'MONTHLY' },
        { customerId: 'beta', planId: 'bucket', resourceId: 'site-1', metadata: { source: 'stripe' } },
      ],
      integrationId: 'stripe-1',
    });
    expect(await active('acme')).toEqual(['pro:ACTIVE']);
    expect((await h.allot.getSubscription({ subscriptionId: 'sub_stripe_1' })).trialEndDate).toBeNull();
    const [bucket] = await h.allot.getActiveSubscriptions({ customerId: 'beta', resourceId: 'site-1' });
    expect(bucket).toMatchObject({ planId: 'bucket', metadata: { source: 'stripe' } });
    expect((await h.allot.getEntitlement({ customerId: 'acme', featureId: 'sso' })).hasAccess).toBe(true);
  });

  it('a start in the past keeps the subscription’s billing cycle and usage resets from then', async () => {
    await h.allot.importSubscriptionBulk({
      subscriptions: [{ customerId: 'acme', planId: 'pro', startDate: '2024-11-10T00:00:00Z' }],
    });
    const [pro] = await h.allot.getActiveSubscriptions({ customerId: 'acme' });
    expect(pro).toMatchObject({
      status: 'ACTIVE',
      startDate: new Date('2024-11-10T00:00:00Z'),
      currentBillingPeriodStart: new Date('2025-01-10T00:00:00Z'),
      currentBillingPeriodEnd: new Date('2025-02-10T00:00:00Z'),
      createdAt: new Date(START),
    });
    const calls = await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' });
    expect(calls.usagePeriodEnd).toEqual(new Date('2025-02-10T00:00:00Z'));
    // The period's recurring credits, once: the months before the import are not granted again.
    expect((await h.allot.getCreditEntitlement({ customerId: 'acme', currencyId: AI_CREDITS })).totalGranted).toBe(100);
  });

  it('a backdated import cannot overlap a subscription the product already had since', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'free' });
    const e = await h.allot
      .importSubscriptionBulk({
        subscriptions: [{ customerId: 'acme', planId: 'pro', startDate: '2024-11-10T00:00:00Z' }],
      })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'INVALID_OPERATION', details: { index: 0 } });
    // From now it replaces the plan, as provisioning does.
    await h.allot.importSubscriptionBulk({ subscriptions: [{ customerId: 'acme', planId: 'pro' }] });
    expect(await active('acme')).toEqual(['pro:ACTIVE']);
  });

  it('an end date ends it then, as the billing system has it', async () => {
    await h.allot.importSubscriptionBulk({
      subscriptions: [{ customerId: 'acme', planId: 'pro', subscriptionId: 'ending', endDate: '2025-03-01T00:00:00Z' }],
    });
    expect(await h.allot.getSubscription({ subscriptionId: 'ending' })).toMatchObject({
      status: 'ACTIVE',
      endDate: new Date('2025-03-01T00:00:00Z'),
      cancelReason: 'ScheduledCancellation',
    });
    h.clock.set('2025-03-01T00:00:00Z');
    expect(await active('acme')).toEqual([]);
    expect(
      await errorCode(
        h.allot.importSubscriptionBulk({
          subscriptions: [{ customerId: 'beta', planId: 'pro', endDate: '2025-01-01T00:00:00Z' }],
        }),
      ),
    ).toBe('INVALID_INPUT');
  });

  it('is all or nothing: a taken id or an unknown customer fails the call, naming the item', async () => {
    await h.allot.importSubscriptionBulk({
      subscriptions: [{ customerId: 'acme', planId: 'free', subscriptionId: 's1' }],
    });
    const taken = await h.allot
      .importSubscriptionBulk({
        subscriptions: [
          { customerId: 'beta', planId: 'pro' },
          { customerId: 'beta', planId: 'bucket', resourceId: 'site-1', subscriptionId: 's1' },
        ],
      })
      .catch((x: unknown) => x);
    expect(taken).toMatchObject({ code: 'SUBSCRIPTION_ALREADY_EXISTS', details: { index: 1 } });
    expect(await active('beta')).toEqual([]);
    expect(
      await errorCode(h.allot.importSubscriptionBulk({ subscriptions: [{ customerId: 'ghost', planId: 'pro' }] })),
    ).toBe('CUSTOMER_NOT_FOUND');
    expect(
      await errorCode(
        h.allot.importSubscriptionBulk({
          subscriptions: [{ customerId: 'acme', planId: 'pro', trial: true } as never],
        }),
      ),
    ).toBe('INVALID_INPUT');
  });
});
