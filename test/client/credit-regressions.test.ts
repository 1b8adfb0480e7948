// Regressions found in review, each the smallest case of a bug, pinned on every store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/money/money.js';
import { AI_CREDITS, type CreditCatalogParts, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

// pro refills 100 credits a month, enterprise 1000; gpt-calls (on its own product) costs 1 a call.
const aiPro = {
  id: 'ai-pro',
  productId: 'ai',
  entitlements: [{ featureId: 'gpt-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' as const }],
};
const parts = {
  features: [
    {
      id: 'gpt-calls',
      featureType: 'NUMBER' as const,
      meterType: 'Incremental' as const,
      creditRate: { currencyId: AI_CREDITS, creditsPerUnit: 1 },
    },
  ],
  planChanges: {
    pro: { creditEntitlements: monthlyCredits(100) },
    enterprise: { creditEntitlements: monthlyCredits(1000) },
  },
  plans: [aiPro],
} satisfies CreditCatalogParts;
const credited = creditCatalog(parts);

describe.each(stores)('credit regressions ($name)', (fixture) => {
  let h: Harness;
  const pool = (customerId = 'acme') => ({ customerId, currencyId: AI_CREDITS });
  const balance = async (customerId = 'acme') => (await h.allot.getCreditEntitlement(pool(customerId))).currentBalance;
  const ledger = async (customerId = 'acme') =>
    (await h.allot.getCreditLedger({ ...pool(customerId), paging: { first: 1000 } })).data;
  const ledgerSum = async (customerId = 'acme') => (await ledger(customerId)).reduce((s, e) => s + e.amount, 0);

  beforeEach(async () => {
    h = await harness(fixture, { catalog: credited });
    await h.allot.provisionCustomer({ customerId: 'acme' });
    await h.allot.provisionCustomer({ customerId: 'beta' });
  });
  afterEach(() => h.close());

  describe('a credit-backed check on a resource reads the pool its usage is charged to', () => {
    beforeEach(async () => {
      // A customer-wide subscription: its usage, and so its credits, count customer-wide.
      await h.allot.provisionSubscription({ customerId: 'acme', planId: 'ai-pro' });
      await h.allot.grantCredits({ ...pool(), amount: 100, displayName: 'x' });
    });
    const onSite = { customerId: 'acme', featureId: 'gpt-calls', resourceId: 'site-1' };

    it('in a check, and the report is charged there', async () => {
      const check = await h.allot.getMeteredEntitlement({ ...onSite, options: { requestedUsage: 5 } });
      expect(check.hasAccess).toBe(true);
      const ack = await h.allot.reportUsage({ ...onSite, value: 5 });
      expect(ack.credit?.usageLimit).toBe(100);
      expect(await balance()).toBe(95);
    });

    it('in check-and-report and in an estimate', async () => {
      expect((await h.allot.checkAndReportUsage({ ...onSite, value: 5 })).hasAccess).toBe(true);
      const estimate = await h.allot.estimateUsageCost({ ...onSite, value: 5 });
      expect(estimate.estimates[0]).toMatchObject({ currentBalance: 95, wouldOverdraft: false });
    });
  });

  it('charges usage in exact decimals: 0.1 then 0.2 draws 0.1 and 0.2', async () => {
    await h.allot.provisionSubscription({ customerId: 'acme', planId: 'ai-pro' });
    await h.allot.grantCredits({ ...pool(), amount: 10, displayName: 'x' });
    await h.allot.reportUsage({ customerId: 'acme', featureId: 'gpt-calls', value: 0.1 });
    const ack = await h.allot.reportUsage({ customerId: 'acme', featureId: 'gpt-calls', value: 0.2 });
    const { data: entries } = await h.allot.getCreditLedger({ ...pool(), eventType: 'CREDITS_CONSUMED' });
    expect(entries.map((e) => e.amount)).toEqual([-0.1, -0.2]);
    expect(ack.credit?.consumed).toBe(0.2);
    expect(await balance()).toBe(9.7);
  });

  it('answers remaining in exact decimals', async () => {
    await h.allot.grantCredits({ ...pool(), amount: '0.3', displayName: 'x' });
    const e = await h.allot.getCreditEntitlement({ ...pool(), options: { requestedUsage: 0.1 } });
    expect(e.remaining).toBe(0.2);
  });

  // Found by the fuzz property: the object refinement ran on a field that had already failed.
  it('rejects a recharge target that is not a decimal with INVALID_INPUT, not a DecimalError', async () => {
    const save = h.allot.saveAutomaticRechargeConfiguration({
      ...pool(),
      isEnabled: true,
      thresholdType: 'CREDIT_AMOUNT',
      thresholdValue: 10,
      targetBalance: 'free',
    });
    expect(await errorCode(save)).toBe('INVALID_INPUT');
    expect(await h.allot.getAutomaticRechargeConfiguration(pool())).toBeNull();
  });

  describe('credit amounts are bounded so every accepted one reads back exactly', () => {
    const largest = '99999999999.9999';

    it('the largest amount round-trips through the store, the results and the ledger sum', async () => {
      const grant = await h.allot.grantCredits({ ...pool(), amount: largest, displayName: 'x' });
      expect(String(grant.amount)).toBe(largest);
      await h.allot.consumeCredits({ ...pool(), amount: '0.0001', idempotencyKey: 'k' });
      const reopened = await h.reopen();
      const { currentBalance } = await reopened.getCreditEntitlement(pool());
      expect(String(currentBalance)).toBe('99999999999.9998');
      // Each entry reads back as the decimal it was, so their exact sum is the balance.
      const exactSum = (await ledger()).reduce((sum, e) => sum.plus(String(e.amount)), new Decimal(0));
      expect(exactSum.toString()).toBe('99999999999.9998');
    });

    it.each([
      ['2**53 + 1', '9007199254740993'],
      ['the bound itself', '100000000000'],
      ['a fifth decimal place', '0.00001'],
    ])('rejects %s in grants, consumptions, costs and auto-recharge values', async (_, amount) => {
      const writes = [
        h.allot.grantCredits({ ...pool(), amount, displayName: 'x' }),
        h.allot.grantCredits({ ...pool(), amount: 1, displayName: 'x', cost: { amount, currency: 'USD' } }),
        h.allot.consumeCredits({ ...pool(), amount, idempotencyKey: 'k' }),
        h.allot.saveAutomaticRechargeConfiguration({
          ...pool(),
          isEnabled: true,
          thresholdType: 'CREDIT_AMOUNT',
          thresholdValue: 1,
          targetBalance: amount,
        }),
      ];
      for (const write of writes) expect(await errorCode(write)).toBe('INVALID_INPUT');
      expect(await ledger()).toEqual([]);
    });
  });

  describe('stored history reads as balances do, with no write in between', () => {
    it('a refill due shows in the ledger and the grants', async () => {
      await h.allot.provisionSubscription({ customerId: 'acme', planId: 'pro', skipTrial: true });
      expect(await balance()).toBe(100);
      expect(await ledgerSum()).toBe(100);
      expect((await h.allot.getCreditGrants({ customerId: 'acme' })).data.map((g) => g.grantType)).toEqual([
        'RECURRING',
      ]);
    });

    it('an expiry due shows in the ledger', async () => {
      await h.allot.grantCredits({ ...pool(), amount: 10, displayName: 'x', expireAt: h.clock.now() + 3_600_000 });
      h.clock.advance({ hours: 2 });
      expect(await balance()).toBe(0);
      expect(await ledgerSum()).toBe(0);
      expect((await ledger()).map((e) => e.eventType)).toEqual(['CREDITS_GRANTED', 'CREDITS_EXPIRED']);
    });
  });

  describe("a plan's credits end with its subscription, whatever was written before", () => {
    it('an upgrade brings the new allowance; what is left of the old one is voided at the change', async () => {
      for (const customerId of ['acme', 'beta']) {
        await h.allot.provisionSubscription({ customerId, planId: 'pro', skipTrial: true });
        // acme's refill is stored by a consumption; beta's is never written before the upgrade.
        if (customerId === 'acme') await h.allot.consumeCredits({ ...pool(), amount: 1, idempotencyKey: 'k' });
        await h.allot.provisionSubscription({ customerId, planId: 'enterprise', skipTrial: true });
      }
      expect([await balance('acme'), await balance('beta')]).toEqual([1000, 1000]);
      const voided = (await ledger('acme')).filter((e) => e.eventType === 'CREDITS_VOIDED');
      expect(voided.map((e) => e.amount)).toEqual([-99]);
      expect([await ledgerSum('acme'), await ledgerSum('beta')]).toEqual([1000, 1000]);
    });

    it('a cancellation mid-period ends them at once', async () => {
      const ids: string[] = [];
      for (const customerId of ['acme', 'beta'])
        ids.push((await h.allot.provisionSubscription({ customerId, planId: 'pro', skipTrial: true })).subscription.id);
      await h.allot.consumeCredits({ ...pool(), amount: 1, idempotencyKey: 'k' }); // acme only
      h.clock.advance({ days: 3 });
      for (const subscriptionId of ids) await h.allot.cancelSubscription({ subscriptionId });
      expect([await balance('acme'), await balance('beta')]).toEqual([0, 0]);
    });

    it('a cancellation withdrawn or moved later keeps the period, granted once', async () => {
      const { subscription } = await h.allot.provisionSubscription({
        customerId: 'acme',
        planId: 'enterprise',
        skipTrial: true,
      });
      await h.allot.consumeCredits({ ...pool(), amount: 10, idempotencyKey: 'c1' });
      const cancelAt = (days: number) =>
        h.allot.cancelSubscription({
          subscriptionId: subscription.id,
          subscriptionCancellationTime: 'SPECIFIC_DATE',
          endDate: new Date(h.clock.now() + days * 86_400_000),
        });
      await cancelAt(5);
      await ledger(); // stores what time did, as any read of history does
      await cancelAt(20); // moved later
      h.clock.advance({ days: 10 });
      await h.allot.grantCredits({ ...pool(), amount: 1, displayName: 'x' });
      const warm = await balance();
      const cold = (await (await h.reopen()).getCreditEntitlement(pool())).currentBalance;
      expect([warm, cold]).toEqual([991, 991]);
      expect((await ledger()).filter((e) => e.eventType === 'CREDITS_GRANTED').map((e) => e.amount)).toEqual([1000, 1]);
      h.clock.advance({ days: 15 }); // past the new end: what is left is voided then
      expect(await balance()).toBe(1);
    });

    it('a transfer to another resource moves what is left of the period, granted once', async () => {
      const withAiCredits = creditCatalog({
        ...parts,
        plans: [{ ...aiPro, creditEntitlements: monthlyCredits('50') }],
      });
      await h.close();
      h = await harness(fixture, { catalog: withAiCredits });
      const site = { ...pool(), resourceId: 'site-1' };
      for (const customerId of ['acme', 'beta']) {
        await h.allot.provisionCustomer({ customerId });
        const { subscription } = await h.allot.provisionSubscription({ customerId, planId: 'ai-pro' });
        // acme uses 10 first; beta's period was never written before the transfer.
        if (customerId === 'acme') await h.allot.consumeCredits({ ...pool(), amount: 10, idempotencyKey: 'k' });
        await h.allot.transferSubscriptionToResource({
          subscriptionId: subscription.id,
          destinationResourceId: 'site-1',
        });
      }
      const balances = async (allot = h.allot) => [
        (await allot.getCreditEntitlement(pool())).currentBalance,
        (await allot.getCreditEntitlement(site)).currentBalance,
        (await allot.getCreditEntitlement({ ...site, customerId: 'beta' })).currentBalance,
      ];
      expect(await balances()).toEqual([0, 40, 50]);
      await h.allot.grantCredits({ ...site, amount: 1, displayName: 'x' });
      expect(await balances(await h.reopen())).toEqual([0, 41, 50]);
      const sumOf = async (resourceId: string | null) =>
        (await h.allot.getCreditLedger({ ...pool(), resourceId })).data.reduce((sum, e) => sum + e.amount, 0);
      expect([await sumOf(null), await sumOf('site-1')]).toEqual([0, 41]);
      // The next period refills the resource's pool only.
      h.clock.advance({ months: 1 });
      expect(await balances()).toEqual([0, 51, 50]);
    });

    it("an add-on's allowance joins at the next refill, stored or not", async () => {
      const withAddon = creditCatalog({
        ...parts,
        planChanges: { ...parts.planChanges, pro: { ...parts.planChanges.pro, compatibleAddonIds: ['more-credits'] } },
        addons: [{ id: 'more-credits', productId: 'app', entitlements: [], creditEntitlements: monthlyCredits(50) }],
      });
      await h.close();
      h = await harness(fixture, { catalog: withAddon });
      for (const customerId of ['acme', 'beta']) {
        await h.allot.provisionCustomer({ customerId });
        const { subscription } = await h.allot.provisionSubscription({ customerId, planId: 'pro', skipTrial: true });
        if (customerId === 'acme') await h.allot.consumeCredits({ ...pool(), amount: 1, idempotencyKey: 'k' });
        await h.allot.updateSubscription({ subscriptionId: subscription.id, addons: [{ addonId: 'more-credits' }] });
      }
      expect([await balance('acme'), await balance('beta')]).toEqual([99, 100]);
      h.clock.advance({ months: 1 });
      expect([await balance('acme'), await balance('beta')]).toEqual([150, 150]);
    });
  });
});
