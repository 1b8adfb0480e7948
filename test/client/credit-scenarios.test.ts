// Scenarios across transfers, voids at a subscription's end, trials and scheduled changes: every
// pool's warm balance, reopened balance and ledger sum agree.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Allot } from '../../src/index.js';
import { AI_CREDITS, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { type Harness, harness, stores } from '../helpers/fixtures.js';

const credited = creditCatalog({
  features: [
    {
      id: 'gpt-calls',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      creditRate: { currencyId: AI_CREDITS, creditsPerUnit: 1 },
    },
  ],
  aiProduct: { downgradePlanId: 'ai-free' },
  planChanges: {
    pro: { creditEntitlements: monthlyCredits(100) },
    enterprise: { creditEntitlements: monthlyCredits(1000) },
  },
  plans: [
    { id: 'ai-free', productId: 'ai', order: 0, entitlements: [] },
    {
      id: 'ai-pro',
      productId: 'ai',
      order: 1,
      pricingType: 'PAID',
      entitlements: [{ featureId: 'gpt-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' }],
      creditEntitlements: monthlyCredits('50', '20'),
      defaultTrialConfig: { duration: 14, units: 'DAY' },
    },
    {
      id: 'ai-max',
      productId: 'ai',
      order: 2,
      pricingType: 'PAID',
      entitlements: [{ featureId: 'gpt-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' }],
      creditEntitlements: [{ currencyId: AI_CREDITS, amount: '500', cadence: 'YEAR' }],
    },
  ],
});

describe.each(stores)('credit scenarios ($name)', (fixture) => {
  let h: Harness;
  let n = 0;
  const k = () => `k${++n}`;
  const scopes = [null, 'site-1', 'site-2'];
  const key = (resourceId: string | null) => ({ customerId: 'acme', currencyId: AI_CREDITS, resourceId });
  const balances = async (allot: Allot) => {
    const out: number[] = [];
    for (const r of scopes) out.push((await allot.getCreditEntitlement(key(r))).currentBalance);
    return out;
  };
  const sums = async () => {
    const out: number[] = [];
    for (const r of scopes) {
      const { data } = await h.allot.getCreditLedger({ ...key(r), paging: { first: 1000 } });
      out.push(Math.round(data.reduce((s, e) => s + e.amount, 0) * 1e6) / 1e6);
    }
    return out;
  };
  /** warm, reopened and ledger sums per pool. */
  const agree = async () => {
    const warm = await balances(h.allot);
    const cold = await balances(await h.reopen());
    const ledger = await sums();
    const warmAfter = await balances(h.allot);
    return { warm, cold, ledger, warmAfter };
  };
  const expectAgree = async (expected: number[]) => {
    const a = await agree();
    expect(a).toEqual({ warm: expected, cold: expected, ledger: expected, warmAfter: expected });
  };

  beforeEach(async () => {
    h = await harness(fixture, { catalog: credited });
    await h.allot.provisionCustomer({ customerId: 'acme' });
  });
  afterEach(() => h.close());

  it('transfer there and back in one period, then the next period rolls over once', async () => {
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'ai-pro',
      skipTrial: true,
    });
    await h.allot.consumeCredits({ ...key(null), amount: 10, idempotencyKey: k() });
    await h.allot.transferSubscriptionToResource({ subscriptionId: subscription.id, destinationResourceId: 'site-1' });
    await h.allot.consumeCredits({ ...key('site-1'), amount: 5, idempotencyKey: k() });
    await h.allot.transferSubscriptionToResource({ subscriptionId: subscription.id, destinationResourceId: null });
    await expectAgree([35, 0, 0]);
    await h.allot.transferSubscriptionToResource({ subscriptionId: subscription.id, destinationResourceId: 'site-1' });
    await expectAgree([0, 35, 0]);
    h.clock.advance({ months: 1 });
    await expectAgree([0, 70, 0]); // 50 + rollover capped at 20
  });

  it('an exhausted period moved, then the next period', async () => {
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'ai-pro',
      skipTrial: true,
    });
    await h.allot.consumeCredits({ ...key(null), amount: 50, idempotencyKey: k() });
    await h.allot.transferSubscriptionToResource({ subscriptionId: subscription.id, destinationResourceId: 'site-1' });
    await expectAgree([0, 0, 0]);
    h.clock.advance({ months: 1 });
    await expectAgree([0, 50, 0]);
  });

  it('transfer into a pool in debt pays the debt first', async () => {
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'ai-pro',
      skipTrial: true,
    });
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'gpt-calls', value: 1 });
    await h.allot.grantCredits({ ...key('site-1'), amount: 1, displayName: 'x' });
    await h.allot.consumeCredits({ ...key('site-1'), amount: 1, idempotencyKey: k() });
    await h.allot.transferSubscriptionToResource({ subscriptionId: subscription.id, destinationResourceId: 'site-1' });
    await expectAgree([0, 49, 0]);
  });

  it('transfer, then cancel at once: voided in the new pool', async () => {
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'ai-pro',
      skipTrial: true,
    });
    await h.allot.transferSubscriptionToResource({ subscriptionId: subscription.id, destinationResourceId: 'site-1' });
    h.clock.advance({ days: 3 });
    await h.allot.cancelSubscription({ subscriptionId: subscription.id });
    await expectAgree([0, 0, 0]);
    h.clock.advance({ months: 2 });
    await expectAgree([0, 0, 0]);
  });

  it('a trial that cancels itself at its end: credits voided then, downgrade plan has none', async () => {
    await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'ai-pro',
      trialOverrideConfiguration: {
        isTrial: true,
        trialEndBehavior: 'CANCEL_SUBSCRIPTION',
        trialEndDate: new Date(h.clock.now() + 5 * 86_400_000),
      },
    });
    await expectAgree([50, 0, 0]);
    h.clock.advance({ days: 6 });
    await expectAgree([0, 0, 0]);
  });

  it('a yearly plan downgraded at the end of the billing period', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'ai-max', skipTrial: true });
    await h.allot.consumeCredits({ ...key(null), amount: 100, idempotencyKey: k() });
    await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'ai-pro',
      skipTrial: true,
      scheduleStrategy: 'END_OF_BILLING_PERIOD',
    });
    await expectAgree([400, 0, 0]);
    h.clock.advance({ months: 1, days: 1 });
    const a = await agree();
    expect(a.warm).toEqual(a.cold);
    expect(a.warm).toEqual(a.ledger);
  });

  it('a scheduled downgrade, then a transfer before it runs', async () => {
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'ai-max',
      skipTrial: true,
    });
    await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'ai-pro',
      skipTrial: true,
      scheduleStrategy: 'END_OF_BILLING_PERIOD',
    });
    await h.allot.transferSubscriptionToResource({ subscriptionId: subscription.id, destinationResourceId: 'site-2' });
    await expectAgree([0, 0, 500]);
    h.clock.advance({ months: 1, days: 1 });
    const a = await agree();
    expect(a.warm).toEqual(a.cold);
    expect(a.warm).toEqual(a.ledger);
  });

  it('cancellation at period end with a downgrade plan, transferred, then past the end', async () => {
    const { subscription } = await h.allot.provisionSubscription({
      customerId: 'acme',
      planId: 'ai-pro',
      skipTrial: true,
    });
    await h.allot.cancelSubscription({
      subscriptionId: subscription.id,
      subscriptionCancellationTime: 'END_OF_BILLING_PERIOD',
    });
    await h.allot.transferSubscriptionToResource({ subscriptionId: subscription.id, destinationResourceId: 'site-1' });
    await expectAgree([0, 50, 0]);
    h.clock.advance({ months: 1, days: 1 });
    await expectAgree([0, 0, 0]);
  });

  it('archive then unarchive', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'ai-pro', skipTrial: true });
    await h.allot.consumeCredits({ ...key(null), amount: 10, idempotencyKey: k() });
    await h.allot.archiveCustomer('acme');
    await h.allot.getCreditLedger({ ...key(null) });
    h.clock.advance({ days: 1 });
    await h.allot.unarchiveCustomer('acme');
    await expectAgree([0, 0, 0]);
  });
});
