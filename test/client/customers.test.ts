import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, type Harness, harness, START, stores } from '../helpers/fixtures.js';

describe.each(stores)('customers ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture);
  });
  afterEach(() => h.close());

  it('provisions a customer with a first subscription', async () => {
    const result = await h.allot.provisionCustomer({
      customerId: 'acme',
      name: 'Acme',
      email: 'ops@acme.test',
      metadata: { tier: 'gold' },
      subscriptionParams: { planId: 'free' },
    });
    expect(result.subscriptionDecisionStrategy).toBe('REQUESTED_PLAN');
    expect(result.customer).toMatchObject({
      id: 'acme',
      name: 'Acme',
      email: 'ops@acme.test',
      metadata: { tier: 'gold' },
    });
    expect(result.customer.createdAt.toISOString()).toBe(START);
    expect(result.subscription).toMatchObject({
      planId: 'free',
      status: 'ACTIVE',
      customerId: 'acme',
      pricingType: 'FREE',
    });
  });

  it('generates an id when none is given, and skips the subscription with null', async () => {
    const result = await h.allot.provisionCustomer({ subscriptionParams: null });
    expect(result.customer.id).toMatch(/^customer-[0-9a-f]{16}$/);
    expect(result.subscriptionDecisionStrategy).toBe('SKIPPED_SUBSCRIPTION_CREATION');
    expect(result.subscription).toBeUndefined();
  });

  it('rejects a taken id, and an archived one, writing nothing', async () => {
    await h.allot.provisionCustomer({ customerId: 'acme', name: 'first' });
    expect(await errorCode(h.allot.provisionCustomer({ customerId: 'acme', name: 'second' }))).toBe(
      'CUSTOMER_ALREADY_EXISTS',
    );
    expect((await h.allot.getCustomer('acme')).name).toBe('first');
    await h.allot.archiveCustomer('acme');
    expect(await errorCode(h.allot.provisionCustomer({ customerId: 'acme' }))).toBe('CUSTOMER_ARCHIVED');
  });

  it('a failed first subscription leaves no customer behind', async () => {
    expect(
      await errorCode(h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'missing' } })),
    ).toBe('PLAN_NOT_FOUND');
    expect(await errorCode(h.allot.getCustomer('acme'))).toBe('CUSTOMER_NOT_FOUND');
    const reopened = await h.reopen();
    expect(await errorCode(reopened.getCustomer('acme'))).toBe('CUSTOMER_NOT_FOUND');
  });

  it('updates only the fields given', async () => {
    await h.allot.provisionCustomer({ customerId: 'acme', name: 'Acme', email: 'a@acme.test' });
    h.clock.advance({ days: 1 });
    const updated = await h.allot.updateCustomer({ customerId: 'acme', name: 'Acme Inc.', metadata: { k: 'v' } });
    expect(updated).toMatchObject({ name: 'Acme Inc.', email: 'a@acme.test', metadata: { k: 'v' } });
    expect(updated.updatedAt.getTime()).toBeGreaterThan(updated.createdAt.getTime());
    expect(await errorCode(h.allot.updateCustomer({ customerId: 'ghost', name: 'x' }))).toBe('CUSTOMER_NOT_FOUND');
  });

  it('getCustomer returns subscriptions, promotions and trial history', async () => {
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'pro' } });
    await h.allot.grantPromotionalEntitlements({
      customerId: 'acme',
      promotionalEntitlements: [{ featureId: 'audit-log', period: 'ONE_WEEK' }],
    });
    const customer = await h.allot.getCustomer('acme');
    expect(customer.subscriptions.map((s) => [s.planId, s.status])).toEqual([['pro', 'IN_TRIAL']]);
    expect(customer.promotionalEntitlements.map((p) => [p.featureId, p.status])).toEqual([['audit-log', 'Active']]);
    expect(customer.alreadyTrialPlans).toEqual([{ planId: 'pro', productId: 'app' }]);
    expect(customer.hasPaymentMethod).toBe(false);
  });

  it('archiving ends subscriptions; unarchiving restores the customer only', async () => {
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
    expect(await h.allot.archiveCustomer('acme')).toBe('acme');
    const archived = await h.allot.getCustomer('acme');
    expect(archived.archivedAt?.toISOString()).toBe(START);
    expect(archived.subscriptions).toEqual([]);
    expect(await errorCode(h.allot.provisionSubscription({ customerId: 'acme', planId: 'free' }))).toBe(
      'CUSTOMER_ARCHIVED',
    );
    const restored = await h.allot.unarchiveCustomer('acme');
    expect(restored.archivedAt).toBeNull();
    expect(await h.allot.getActiveSubscriptions({ customerId: 'acme' })).toEqual([]);
    expect(await errorCode(h.allot.unarchiveCustomer('acme'))).toBe('CUSTOMER_NOT_ARCHIVED');
  });
});

describe.each(stores)('customers: the reference’s other customer methods ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture);
  });
  afterEach(() => h.close());

  it('createCustomer (deprecated) creates a customer without a subscription and answers it alone', async () => {
    const customer = await h.allot.createCustomer({ customerId: 'acme', name: 'Acme', email: 'ops@acme.test' });
    expect(customer).toMatchObject({ id: 'acme', name: 'Acme', email: 'ops@acme.test', archivedAt: null });
    expect(customer).not.toHaveProperty('subscription');
    expect((await h.allot.getCustomer('acme')).subscriptions).toEqual([]);
    expect(await errorCode(h.allot.createCustomer({ customerId: 'acme' }))).toBe('CUSTOMER_ALREADY_EXISTS');
    // It takes what provisionCustomer takes, but no subscription.
    expect(
      await errorCode(h.allot.createCustomer({ customerId: 'beta', subscriptionParams: { planId: 'free' } } as never)),
    ).toBe('INVALID_INPUT');
  });

  it('getCustomerStatistics counts live subscriptions (trials included) by pricing type, on every resource', async () => {
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'pro' } });
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'bucket', resourceId: 'site-1' });
    const site2 = await h.allot.provisionSubscription({ customerId: 'acme', planId: 'bucket', resourceId: 'site-2' });
    const counts = async () =>
      Object.fromEntries(
        (await h.allot.getCustomerStatistics('acme')).statistics.activeSubscriptionsByPricingType.map((s) => [
          s.pricingType,
          s.totalCount,
        ]),
      );
    // pro is in its trial (PAID); the buckets are FREE.
    expect(await counts()).toEqual({ FREE: 2, PAID: 1, CUSTOM: 0 });
    // A paid plan beside the trial: the trial runs on until it ends, so both count.
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'enterprise' });
    expect(await counts()).toEqual({ FREE: 2, PAID: 1, CUSTOM: 1 });
    await h.allot.cancelSubscription({ subscriptionId: site2.subscription.id });
    expect(await counts()).toEqual({ FREE: 1, PAID: 1, CUSTOM: 1 });
    await h.allot.archiveCustomer('acme');
    expect(await counts()).toEqual({ FREE: 0, PAID: 0, CUSTOM: 0 });
    expect(await errorCode(h.allot.getCustomerStatistics('ghost'))).toBe('CUSTOMER_NOT_FOUND');
  });

  it('detachCustomerPaymentMethod answers the customer unchanged: allot holds no payment method', async () => {
    const { customer } = await h.allot.provisionCustomer({ customerId: 'acme', name: 'Acme' });
    h.clock.advance({ days: 1 });
    expect(await h.allot.detachCustomerPaymentMethod('acme')).toEqual(customer);
    expect((await h.allot.getCustomer('acme')).hasPaymentMethod).toBe(false);
    expect(await errorCode(h.allot.detachCustomerPaymentMethod('ghost'))).toBe('CUSTOMER_NOT_FOUND');
    await h.allot.archiveCustomer('acme');
    expect(await errorCode(h.allot.detachCustomerPaymentMethod('acme'))).toBe('CUSTOMER_ARCHIVED');
  });
});
