// Recurring grants, pool resets (by hand and on a schedule), overage and the auto-recharge
// variants through the public API, on every store. The numbers come from the peers' own tests
// and docs, cited at each.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogInput } from '../../src/index.js';
import { AI_CREDITS, creditCatalog } from '../helpers/credit-fixtures.js';
import { errorCode, type Harness, harness, START, stores } from '../helpers/fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const S = Date.parse(START);

// gpt-calls cost one credit each, so reported usage beyond the balance becomes debt.
const resetCatalog = {
  ...creditCatalog({
    features: [
      {
        id: 'gpt-calls',
        featureType: 'NUMBER',
        meterType: 'Incremental',
        creditRate: { currencyId: AI_CREDITS, creditsPerUnit: 1 },
      },
    ],
    plans: [
      {
        id: 'ai-meter',
        productId: 'ai',
        entitlements: [{ featureId: 'gpt-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' }],
      },
    ],
  }),
  creditCurrencies: [
    {
      currencyId: AI_CREDITS,
      displayName: 'AI credits',
      units: { singular: 'credit', plural: 'credits' },
      unitCost: { amount: '0.01', currency: 'USD' },
    },
  ],
} satisfies CatalogInput;

describe.each(stores)('credit resets and recurring grants ($name)', (fixture) => {
  let h: Harness;
  const customerId = 'acme';
  const pool = { customerId, currencyId: AI_CREDITS };
  const site = { ...pool, resourceId: 'site-1' };
  const at = (ms: number) => h.clock.set(new Date(ms));
  const balance = async (resourceId?: string) =>
    (await h.allot.getCreditEntitlement({ ...pool, ...(resourceId ? { resourceId } : {}) })).currentBalance;
  const ledger = async () =>
    (await h.allot.getCreditLedger({ customerId, currencyId: AI_CREDITS, paging: { first: 1000 } })).data;
  const ledgerSum = async (resourceId: string | null = null) =>
    (await ledger()).filter((e) => e.resourceId === resourceId).reduce((s, e) => s + e.amount, 0);
  const use = (value: number, resourceId?: string) =>
    h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value, ...(resourceId ? { resourceId } : {}) });

  beforeEach(async () => {
    h = await harness(fixture, { catalog: resetCatalog });
    await h.allot.provisionCustomer({ customerId });
    await h.allot.provisionSubscription({ customerId, planId: 'ai-meter' });
  });
  afterEach(() => h.close());

  describe('recurring grants', () => {
    it('refill to their amount each period, and a refill repays overage first', async () => {
      // OpenMeter, openmeter/credit/engine/run_test.go "Burns down recurring grant": 100 credits
      // recurring daily, 120 used an hour in; an hour after the first recurrence, 80 are left.
      const grant = await h.allot.grantCredits({
        ...pool,
        amount: 100,
        displayName: 'Daily allowance',
        recurrence: { interval: 'DAY' },
        expireAt: new Date(S + 30 * DAY),
      });
      expect(grant.recurrence).toEqual({ interval: 'DAY', intervalCount: 1, anchor: new Date(S) });
      at(S + HOUR);
      await use(120);
      expect(await balance()).toBe(-20);
      at(S + DAY + HOUR);
      expect(await balance()).toBe(80);
      const grants = (await h.allot.getCreditGrants({ customerId })).data;
      expect(grants.map((g) => [g.id, g.status, g.consumedAmount])).toEqual([[grant.id, 'ACTIVE', 20]]);
      const refills = (await ledger()).filter((e) => e.eventType === 'CREDITS_REFILLED');
      expect(refills.map((e) => [e.amount, e.timestamp.getTime()])).toEqual([[100, S + DAY]]);
      expect(await ledgerSum()).toBe(80);
    });

    it('count their interval from an anchor, and stop when voided', async () => {
      const grant = await h.allot.grantCredits({
        ...pool,
        amount: 30,
        displayName: 'Every 2 weeks',
        grantType: 'PROMOTIONAL',
        recurrence: { interval: 'WEEK', intervalCount: 2, anchor: new Date(S + 3 * DAY) },
      });
      await h.allot.consumeCredits({ ...pool, amount: 30, idempotencyKey: 'c1' });
      at(S + 3 * DAY - 1);
      expect((await h.allot.getCreditEntitlement(pool)).nextResetDate).toEqual(new Date(S + 3 * DAY));
      at(S + 3 * DAY);
      expect(await balance()).toBe(30);
      await h.allot.consumeCredits({ ...pool, amount: 10, idempotencyKey: 'c2' });
      await h.allot.voidCreditGrant({ id: grant.id });
      at(S + 17 * DAY);
      expect(await balance()).toBe(0);
      expect(await ledgerSum()).toBe(0);
    });

    it('are refused with a bad recurrence, writing nothing', async () => {
      const bad = (recurrence: object) =>
        errorCode(h.allot.grantCredits({ ...pool, amount: 1, displayName: 'x', recurrence } as never));
      expect(await bad({ interval: 'DAY', intervalCount: 0 })).toBe('INVALID_INPUT');
      expect(await bad({ interval: 'FORTNIGHT' })).toBe('INVALID_INPUT');
      expect(await bad({ interval: 'DAY', intervalCount: 1001 })).toBe('INVALID_INPUT');
      expect(await bad({ interval: 'DAY', every: 2 })).toBe('INVALID_INPUT');
      expect((await h.allot.getCreditGrants({ customerId })).data).toEqual([]);
    });
  });

  describe('resets by hand', () => {
    it('roll each grant over to its rule, and replay for a repeated key', async () => {
      // OpenMeter, openmeter/credit/engine/reset_test.go "Should reset roll over grant balance after
      // one reset": a grant of 100 with a maximum rollover of 50, 10 used: 50 after the reset.
      const grant = await h.allot.grantCredits({
        ...pool,
        amount: 100,
        displayName: 'Top-up',
        rollover: { maxAmount: 50 },
      });
      expect(grant.rollover).toEqual({ maxAmount: 50 });
      await h.allot.consumeCredits({ ...pool, amount: 10, idempotencyKey: 'c1' });
      at(S + 5 * HOUR);
      const reset = await h.allot.resetCreditPool({ ...pool, idempotencyKey: 'r1' });
      expect(reset).toEqual({
        ...pool,
        resourceId: null,
        resetAt: new Date(S + 5 * HOUR),
        rolledOver: 50,
        forfeited: 40,
        debtForgiven: 0,
        debt: 0,
        currentBalance: 50,
      });
      at(S + 6 * HOUR);
      expect(await h.allot.resetCreditPool({ ...pool, idempotencyKey: 'r1' })).toEqual(reset);
      expect(await balance()).toBe(50);
      const entries = (await ledger()).filter((e) => e.eventType === 'CREDITS_RESET');
      expect(entries.map((e) => [e.grantId, e.amount])).toEqual([[grant.id, -40]]);
      expect(await ledgerSum()).toBe(50);
    });

    it('keep nothing of a grant without a rule unless the reset gives one: a percentage of its amount', async () => {
      await h.allot.grantCredits({ ...pool, amount: 200, displayName: 'a' });
      const reset = await h.allot.resetCreditPool({ ...pool, rollover: { percentage: 25, maxAmount: 40 } });
      expect(reset).toMatchObject({ rolledOver: 40, forfeited: 160, currentBalance: 40 });
      const none = await h.allot.resetCreditPool(pool);
      expect(none).toMatchObject({ rolledOver: 0, forfeited: 40, currentBalance: 0 });
    });

    it('carry or forgive overage, per pool: a resource pool on its own', async () => {
      // OpenMeter's reset takes preserveOverage (default false: forgiven); allot carries debt
      // unless told, as it always has.
      await h.allot.provisionSubscription({ customerId, planId: 'ai-meter', resourceId: 'site-1' });
      await h.allot.grantCredits({ ...pool, amount: 10, displayName: 'wide' });
      await h.allot.grantCredits({ ...site, amount: 10, displayName: 'site' });
      await use(25);
      await use(25, 'site-1');
      const carried = await h.allot.resetCreditPool(pool);
      expect(carried).toMatchObject({ debt: 15, debtForgiven: 0, currentBalance: -15 });
      const forgiven = await h.allot.resetCreditPool({ ...site, overage: 'FORGIVE' });
      expect(forgiven).toMatchObject({ resourceId: 'site-1', debt: 0, debtForgiven: 15, currentBalance: 0 });
      expect([await balance(), await balance('site-1')]).toEqual([-15, 0]);
      // The carried debt is repaid first by the next grant.
      await h.allot.grantCredits({ ...pool, amount: 20, displayName: 'later' });
      expect(await balance()).toBe(5);
      expect([await ledgerSum(), await ledgerSum('site-1')]).toEqual([5, 0]);
      const forgivenEntries = (await ledger()).filter((e) => e.eventType === 'DEBT_FORGIVEN');
      expect(forgivenEntries.map((e) => [e.resourceId, e.grantId, e.amount])).toEqual([['site-1', null, 15]]);
    });

    it('are refused for an unknown customer or currency, and bad rules', async () => {
      expect(await errorCode(h.allot.resetCreditPool({ ...pool, customerId: 'ghost' }))).toBe('CUSTOMER_NOT_FOUND');
      expect(await errorCode(h.allot.resetCreditPool({ ...pool, currencyId: 'gold' }))).toBe('CURRENCY_NOT_FOUND');
      expect(await errorCode(h.allot.resetCreditPool({ ...pool, rollover: { minAmount: 5, maxAmount: 4 } }))).toBe(
        'INVALID_INPUT',
      );
      expect(await errorCode(h.allot.resetCreditPool({ ...pool, rollover: { percentage: 101 } }))).toBe(
        'INVALID_INPUT',
      );
      expect(await errorCode(h.allot.resetCreditPool({ ...pool, overage: 'KEEP' } as never))).toBe('INVALID_INPUT');
    });
  });

  describe('resets on a schedule', () => {
    it('reset the pool at each boundary, and a reset by hand keeps or moves the anchor', async () => {
      // OpenMeter, openmeter/entitlement/metered/reset_test.go "Should reseting without anchor update
      // keeps the next reset time intact" and "... with anchor update updates the next reset time
      // too": daily periods anchored an hour after the start, reset by hand 5 hours after it.
      await h.allot.grantCredits({ ...pool, amount: 100, displayName: 'a', rollover: { percentage: 10 } });
      const saved = await h.allot.saveCreditResetSchedule({
        ...pool,
        schedule: { interval: 'DAY', anchor: new Date(S + HOUR), overage: 'FORGIVE' },
      });
      expect(saved).toEqual({
        ...pool,
        resourceId: null,
        interval: 'DAY',
        intervalCount: 1,
        anchor: new Date(S + HOUR),
        rollover: null,
        overage: 'FORGIVE',
        nextResetAt: new Date(S + HOUR),
      });
      expect((await h.allot.getCreditEntitlement(pool)).nextResetDate).toEqual(new Date(S + HOUR));
      at(S + HOUR);
      expect(await balance()).toBe(10);
      at(S + 5 * HOUR);
      await h.allot.resetCreditPool(pool);
      expect((await h.allot.getCreditResetSchedule(pool))?.nextResetAt).toEqual(new Date(S + 25 * HOUR));
      await h.allot.resetCreditPool({ ...pool, moveAnchor: true });
      expect(await h.allot.getCreditResetSchedule(pool)).toMatchObject({
        anchor: new Date(S + 5 * HOUR),
        nextResetAt: new Date(S + 29 * HOUR),
      });
      // Removed: no more resets.
      expect(await h.allot.saveCreditResetSchedule({ ...pool, schedule: null })).toBeNull();
      expect(await h.allot.getCreditResetSchedule(pool)).toBeNull();
      expect(await ledgerSum()).toBe(await balance());
    });

    it('forgive overage at each reset when told, repaid otherwise by the next refill', async () => {
      // OpenMeter's usage-period resets with preserveOverageAtReset false forgive overage.
      await h.allot.grantCredits({
        ...pool,
        amount: 50,
        displayName: 'daily',
        recurrence: { interval: 'DAY' },
        rollover: { maxAmount: 50 },
      });
      await h.allot.saveCreditResetSchedule({
        ...pool,
        schedule: { interval: 'WEEK', anchor: new Date(S), overage: 'FORGIVE' },
      });
      await use(80);
      at(S + DAY);
      // The refill repays 30 of debt: 20 left.
      expect(await balance()).toBe(20);
      await use(60);
      at(S + 7 * DAY - 1);
      // Refilled each day since: 50; then the weekly reset at day 7 forgives what is left of the debt.
      await use(70);
      expect(await balance()).toBe(-20);
      at(S + 7 * DAY);
      expect(await balance()).toBe(50);
      const types = (await ledger()).map((e) => e.eventType);
      expect(types).toContain('DEBT_FORGIVEN');
      expect(await ledgerSum()).toBe(50);
    });

    it('are kept by the store', async () => {
      if (!fixture.shared) return;
      await h.allot.grantCredits({
        ...pool,
        amount: 5,
        displayName: 'a',
        recurrence: { interval: 'MONTH', intervalCount: 3 },
        rollover: { minAmount: 1, percentage: '12.5' },
      });
      await h.allot.saveCreditResetSchedule({ ...site, schedule: { interval: 'HOUR', intervalCount: 6 } });
      const again = await h.reopen();
      const [grant] = (await again.getCreditGrants({ customerId })).data;
      expect(grant).toMatchObject({
        recurrence: { interval: 'MONTH', intervalCount: 3, anchor: new Date(S) },
        rollover: { minAmount: 1, percentage: 12.5 },
      });
      expect(await again.getCreditResetSchedule(site)).toMatchObject({
        interval: 'HOUR',
        intervalCount: 6,
        overage: 'CARRY',
        nextResetAt: new Date(S + 6 * HOUR),
      });
    });
  });

  describe('auto-recharge variants', () => {
    const recharge = { ...pool, isEnabled: true, thresholdType: 'CREDIT_AMOUNT' as const, thresholdValue: 10 };

    it('buys a fixed quantity with a bonus granted beside it', async () => {
      // Lago, spec/models/recurring_transaction_rule_spec.rb "counts the granted credits towards
      // the gap": 50 paid and 50 granted credits a recharge, threshold 10.
      const settings = await h.allot.saveAutomaticRechargeConfiguration({
        ...recharge,
        rechargeMethod: 'FIXED',
        rechargeAmount: 50,
        bonusCredits: 50,
      });
      expect(settings).toMatchObject({
        rechargeMethod: 'FIXED',
        rechargeAmount: 50,
        bonusCredits: 50,
        targetBalance: null,
      });
      await h.allot.grantCredits({ ...pool, amount: 20, displayName: 'start' });
      await h.allot.consumeCredits({ ...pool, amount: 15, idempotencyKey: 'c1' });
      const recharges = (await h.allot.getCreditGrants({ customerId })).data.filter((g) => g.displayName !== 'start');
      expect(recharges.map((g) => [g.grantType, g.amount, g.cost]).sort()).toEqual([
        ['PAID', 50, { amount: 0.5, currency: 'USD' }],
        ['PROMOTIONAL', 50, null],
      ]);
      expect(await balance()).toBe(105);
      // The bonus is free: only the purchase counts toward the month's spend.
      expect((await h.allot.getAutomaticRechargeConfiguration(pool))?.currentMonthlySpend).toBe(0.5);
    });

    it('raises a paid top-up to the minimum purchase, or grants a promotional one for free', async () => {
      // Lago, spec/scenarios/wallets/target_rule_granting_top_up_spec.rb: threshold 5, target 10, a
      // balance of 4: the paid top-up is raised to the minimum of 50; granted, it is the gap of 6.
      const rule = { ...recharge, thresholdValue: 5, targetBalance: 10, minimumPurchase: 50 };
      await h.allot.saveAutomaticRechargeConfiguration(rule);
      await h.allot.grantCredits({ ...pool, amount: 10, displayName: 'start' });
      await h.allot.consumeCredits({ ...pool, amount: 6, idempotencyKey: 'c1' });
      expect(await balance()).toBe(54);
      await h.allot.saveAutomaticRechargeConfiguration({ ...rule, grantType: 'PROMOTIONAL' });
      await h.allot.consumeCredits({ ...pool, amount: 50, idempotencyKey: 'c2' });
      expect(await balance()).toBe(10);
      const recharges = (await h.allot.getCreditGrants({ customerId })).data.filter((g) => g.displayName !== 'start');
      expect(recharges.map((g) => [g.grantType, g.amount, g.cost?.amount ?? null]).sort()).toEqual([
        ['PAID', 50, 0.5],
        ['PROMOTIONAL', 6, null],
      ]);
    });

    it('refuses a FIXED recharge without a quantity, and a TARGET one without a target', async () => {
      expect(
        await errorCode(h.allot.saveAutomaticRechargeConfiguration({ ...recharge, rechargeMethod: 'FIXED' } as never)),
      ).toBe('INVALID_INPUT');
      expect(await errorCode(h.allot.saveAutomaticRechargeConfiguration(recharge))).toBe('INVALID_INPUT');
    });
  });
});
