import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

describe.each(stores)('usage ($name)', (fixture) => {
  let h: Harness;
  const usage = async (featureId = 'api-calls', resourceId?: string) =>
    (await h.allot.getMeteredEntitlement({ customerId: 'acme', featureId, resourceId: resourceId ?? null }))
      .currentUsage;
  beforeEach(async () => {
    h = await harness(fixture);
    await h.allot.provisionCustomer({ customerId: 'acme', subscriptionParams: { planId: 'free' } });
  });
  afterEach(() => h.close());

  it('adds deltas, floors negative deltas at zero, and sets with SET', async () => {
    const first = await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 7 });
    expect(first).toMatchObject({ customerId: 'acme', featureId: 'api-calls', currentUsage: 7, resourceId: null });
    expect(first.measurementId).toMatch(/[0-9a-f-]{36}/);
    expect(first.usagePeriodEnd?.toISOString()).toBe('2025-02-28T10:00:00.000Z');
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: -3 });
    expect(await usage()).toBe(4);
    const floored = await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: -50 });
    expect(floored.currentUsage).toBe(0);
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 42, updateBehavior: 'SET' });
    expect(await usage()).toBe(42);
  });

  it('applies an idempotency key once and returns the first acknowledgement', async () => {
    const first = await h.allot.reportUsage({
      customerId: 'acme',
      featureId: 'api-calls',
      value: 5,
      idempotencyKey: 'k1',
    });
    const again = await h.allot.reportUsage({
      customerId: 'acme',
      featureId: 'api-calls',
      value: 5,
      idempotencyKey: 'k1',
    });
    expect(again).toEqual(first);
    expect(await usage()).toBe(5);
    const reopened = await h.reopen();
    const afterRestart = await reopened.reportUsage({
      customerId: 'acme',
      featureId: 'api-calls',
      value: 5,
      idempotencyKey: 'k1',
    });
    expect(afterRestart.measurementId).toBe(first.measurementId);
  });

  it('resets incremental usage at the period boundary, lazily', async () => {
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 60 });
    h.clock.set('2025-02-28T09:59:59.999Z');
    expect(await usage()).toBe(60);
    h.clock.set('2025-02-28T10:00:00.000Z');
    expect(await usage()).toBe(0);
    const ack = await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 });
    expect(ack.currentUsage).toBe(1);
    expect(ack.usagePeriodStart?.toISOString()).toBe('2025-02-28T10:00:00.000Z');
    expect(ack.usagePeriodEnd?.toISOString()).toBe('2025-03-31T10:00:00.000Z');
  });

  it('never resets a fluctuating meter', async () => {
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'seats', value: 2, updateBehavior: 'SET' });
    h.clock.advance({ months: 3 });
    expect(await usage('seats')).toBe(2);
  });

  it('resets usage on a plan change by default, even within the same millisecond', async () => {
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 80 });
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'seats', value: 2, updateBehavior: 'SET' });
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
    expect(await usage()).toBe(0);
    expect(await usage('seats')).toBe(2);
  });

  it('records everything of a bulk report in one transaction, or nothing', async () => {
    const acks = await h.allot.reportUsageBulk({
      usages: [
        { customerId: 'acme', featureId: 'api-calls', value: 3 },
        { customerId: 'acme', featureId: 'api-calls', value: 4 },
        { customerId: 'acme', featureId: 'seats', value: 1 },
      ],
    });
    expect(acks.map((a) => a.currentUsage)).toEqual([3, 7, 1]);
    const code = await errorCode(
      h.allot.reportUsageBulk({
        usages: [
          { customerId: 'acme', featureId: 'api-calls', value: 10 },
          { customerId: 'acme', featureId: 'sso', value: 1 },
        ],
      }),
    );
    expect(code).toBe('FEATURE_NOT_METERED');
    expect(await usage()).toBe(7);
    const reopened = await h.reopen();
    expect((await reopened.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' })).currentUsage).toBe(7);
  });

  it('reports across customers in one bulk', async () => {
    await h.allot.provisionCustomer({ customerId: 'beta', subscriptionParams: { planId: 'free' } });
    const acks = await h.allot.reportUsageBulk({
      usages: [
        { customerId: 'acme', featureId: 'api-calls', value: 1 },
        { customerId: 'beta', featureId: 'api-calls', value: 2 },
        { customerId: 'acme', featureId: 'api-calls', value: 3 },
      ],
    });
    expect(acks.map((a) => [a.customerId, a.currentUsage])).toEqual([
      ['acme', 1],
      ['beta', 2],
      ['acme', 4],
    ]);
    expect(
      await errorCode(
        h.allot.reportUsageBulk({
          usages: [
            { customerId: 'beta', featureId: 'api-calls', value: 1 },
            { customerId: 'ghost', featureId: 'api-calls', value: 1 },
          ],
        }),
      ),
    ).toBe('CUSTOMER_NOT_FOUND');
    expect((await h.allot.getMeteredEntitlement({ customerId: 'beta', featureId: 'api-calls' })).currentUsage).toBe(2);
  });

  it("counts usage on a resource's own subscription separately", async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'bucket', resourceId: 'r1' });
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 9, resourceId: 'r1' });
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 });
    expect(await usage('api-calls', 'r1')).toBe(9);
    expect(await usage('api-calls')).toBe(1);
  });

  it('a resource without its own subscription shares the customer-wide limit', async () => {
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 100 });
    // Regression: a made-up resource id once opened a fresh counter against the customer-wide plan.
    const check = await h.allot.getMeteredEntitlement({
      customerId: 'acme',
      featureId: 'api-calls',
      resourceId: 'any-id',
      options: { requestedUsage: 1 },
    });
    expect(check).toMatchObject({ hasAccess: false, currentUsage: 100 });
    const ack = await h.allot.reportUsage({
      customerId: 'acme',
      featureId: 'api-calls',
      value: 5,
      resourceId: 'any-id',
    });
    expect(ack).toMatchObject({ currentUsage: 105, resourceId: 'any-id' });
    expect(await usage()).toBe(105);
  });

  it('rejects usage for unknown customers and features with typed errors', async () => {
    expect(await errorCode(h.allot.reportUsage({ customerId: 'ghost', featureId: 'api-calls', value: 1 }))).toBe(
      'CUSTOMER_NOT_FOUND',
    );
    expect(await errorCode(h.allot.reportUsage({ customerId: 'acme', featureId: 'nope', value: 1 }))).toBe(
      'FEATURE_NOT_FOUND',
    );
    expect(await errorCode(h.allot.reportUsage({ customerId: 'acme', featureId: 'max-projects', value: 1 }))).toBe(
      'FEATURE_NOT_METERED',
    );
  });

  // Only a durable store can be reopened; the memory fixture's reopen hands back the same object.
  if (fixture.name !== 'memory')
    it('survives a reopen: every acknowledged report is durable', async () => {
      for (let i = 0; i < 20; i++) await h.allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 1 });
      const reopened = await h.reopen();
      expect((await reopened.getMeteredEntitlement({ customerId: 'acme', featureId: 'api-calls' })).currentUsage).toBe(
        20,
      );
    });
});
