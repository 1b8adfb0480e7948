// explainEntitlement: every grant and source of a feature, the winner and the rule it won by, the
// usage window, the credits, and a decision that is getEntitlement's own.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Allot, EntitlementExplanation, ExplainEntitlementParams, ExplainedGrant } from '../../src/index.js';
import { AI_CREDITS, creditCatalog } from '../helpers/credit-fixtures.js';
import { errorCode, type Harness, harness, stores } from '../helpers/fixtures.js';

const customerId = 'acme';

/** The explanation, checked against getEntitlement at the same instant before it is returned. */
async function explain(allot: Allot, params: Omit<ExplainEntitlementParams, 'customerId'>) {
  const explanation = await allot.explainEntitlement({ customerId, ...params });
  expect(explanation.decision).toEqual(await allot.getEntitlement({ customerId, ...params }));
  return explanation;
}

const only = (e: EntitlementExplanation): ExplainedGrant => {
  expect(e.grants).toHaveLength(1);
  return e.grants[0] as ExplainedGrant;
};

const creditAware = creditCatalog({
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
      id: 'ai-pro',
      productId: 'ai',
      entitlements: [{ featureId: 'gpt-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' }],
    },
    {
      id: 'ai-lite',
      productId: 'ai',
      entitlements: [{ featureId: 'gpt-calls', usageLimit: 30, resetPeriod: 'MONTH' }],
      creditRates: [{ featureId: 'gpt-calls', currencyId: AI_CREDITS, creditsPerUnit: '0.5' }],
    },
  ],
});

describe.each(stores)('explainEntitlement ($name)', (fixture) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(fixture, { catalog: creditAware });
  });
  afterEach(() => h.close());

  const provision = (subscriptionParams: Record<string, unknown>) =>
    h.allot.provisionCustomer({ customerId, subscriptionParams: subscriptionParams as never });

  describe('each kind of source', () => {
    it("a plan's own entitlement is the grant's base value, and the only grant wins", async () => {
      const { subscription } = await provision({ planId: 'free' });
      await h.allot.reportUsage({ customerId, featureId: 'api-calls', value: 7 });
      const e = await explain(h.allot, { featureId: 'api-calls' });
      const grant = only(e);
      expect(grant).toMatchObject({
        kind: 'SUBSCRIPTION',
        id: subscription?.id,
        planId: 'free',
        planVersion: 1,
        won: true,
        countsUsage: true,
      });
      expect(grant.sources).toEqual([
        {
          kind: 'PLAN',
          id: 'free',
          version: 1,
          value: { usageLimit: 100, isUnlimited: false, hasSoftLimit: false, enumValues: null, resetPeriod: 'MONTH' },
          effect: 'BASE',
        },
      ]);
      expect(e.winner).toMatchObject({ grantId: subscription?.id, rule: 'ONLY_GRANT' });
      expect(e.effective).toMatchObject({ usageLimit: 100, isUnlimited: false, resetPeriod: 'MONTH' });
      expect(e.usage).toEqual({
        currentUsage: 7,
        resetPeriod: 'MONTH',
        periodAnchor: new Date('2025-01-31T10:00:00.000Z'),
        periodStart: new Date('2025-01-31T10:00:00.000Z'),
        periodEnd: new Date('2025-02-28T10:00:00.000Z'),
        counterResourceId: null,
        windowFrom: subscription?.id,
      });
      expect(e.decision).toMatchObject({ hasAccess: true, usageLimit: 100, currentUsage: 7 });
      expect(e.summary).toMatch(
        /^granted by plan free \(subscription .*\): limit 100, 7 used in the period ending 2025-02-28T10:00:00.000Z$/,
      );
    });

    it('an inherited entitlement names the base plan up the chain that defines it', async () => {
      await provision({ planId: 'enterprise' });
      // enterprise → pro → free: seats come from pro, max-projects from free.
      const seats = only(await explain(h.allot, { featureId: 'seats' }));
      expect(seats.sources).toMatchObject([{ kind: 'BASE_PLAN', id: 'pro', value: { usageLimit: 10 } }]);
      const projects = only(await explain(h.allot, { featureId: 'max-projects' }));
      expect(projects.planId).toBe('enterprise');
      expect(projects.sources).toMatchObject([{ kind: 'BASE_PLAN', id: 'free', value: { usageLimit: 3 } }]);
      // The plan's own entitlement shadows the base plan's: only the plan shows.
      const calls = only(await explain(h.allot, { featureId: 'api-calls' }));
      expect(calls.sources).toMatchObject([{ kind: 'PLAN', id: 'enterprise', value: { isUnlimited: true } }]);
    });

    it('an Increment add-on adds its value × quantity; an Override replaces the plan value', async () => {
      const { subscription } = await provision({
        planId: 'pro',
        skipTrial: true,
        addons: [{ addonId: 'extra-calls', quantity: 3 }],
      });
      const e = await explain(h.allot, { featureId: 'api-calls' });
      const grant = only(e);
      expect(grant.sources).toMatchObject([
        { kind: 'PLAN', id: 'pro', value: { usageLimit: 1000 }, effect: 'BASE' },
        {
          kind: 'ADDON',
          id: 'extra-calls',
          version: 1,
          quantity: 3,
          behavior: 'Increment',
          value: { usageLimit: 100 },
          effect: 'ADDS',
        },
      ]);
      expect(grant.value.usageLimit).toBe(1300);
      expect(e.decision).toMatchObject({ usageLimit: 1300 });

      await h.allot.updateSubscription({
        subscriptionId: subscription?.id as string,
        addons: [
          { addonId: 'extra-calls', quantity: 2 },
          { addonId: 'unlimited-calls', quantity: 1 },
        ],
      });
      const overridden = only(await explain(h.allot, { featureId: 'api-calls' }));
      expect(overridden.sources.map((s) => [s.kind, s.id, s.effect])).toEqual([
        ['PLAN', 'pro', 'BASE'],
        ['ADDON', 'extra-calls', 'ADDS'],
        ['ADDON', 'unlimited-calls', 'OVERRIDES'],
      ]);
      expect(overridden.value).toMatchObject({ isUnlimited: true, usageLimit: null });
    });

    it('a trial beside a plan is a grant of its own that stops counting at the trial end', async () => {
      const { subscription: free } = await provision({ planId: 'free' });
      const { subscription: trial } = await h.allot.provisionSubscription({ customerId, planId: 'pro' });
      const e = await explain(h.allot, { featureId: 'api-calls' });
      expect(e.grants.map((g) => [g.kind, g.id, g.won])).toEqual([
        ['SUBSCRIPTION', free?.id, false],
        ['TRIAL', trial.id, true],
      ]);
      const trialGrant = e.grants.find((g) => g.kind === 'TRIAL');
      expect(trialGrant?.until).toEqual(new Date('2025-02-14T10:00:00.000Z'));
      // The paid subscription's window counts usage, whichever grant sets the limit.
      expect(e.usage?.windowFrom).toBe(free?.id);
      expect(e.winner).toMatchObject({ grantId: trial.id, rule: 'HIGHEST_LIMIT' });
      expect(e.grants[0]?.lostBecause).toBe('HIGHER_LIMIT');
    });

    it('a promotion is a grant of its own: it wins when more generous, and loses when not', async () => {
      const { subscription } = await provision({ planId: 'free' });
      const [promotion] = await h.allot.grantPromotionalEntitlements({
        customerId,
        promotionalEntitlements: [{ featureId: 'api-calls', period: 'ONE_MONTH', usageLimit: 5000 }],
      });
      const e = await explain(h.allot, { featureId: 'api-calls' });
      const granted = e.grants.find((g) => g.kind === 'PROMOTION');
      expect(granted).toMatchObject({
        id: promotion?.id,
        won: true,
        resourceId: null,
        until: new Date('2025-02-28T10:00:00.000Z'),
        sources: [{ kind: 'PROMOTION', id: promotion?.id, value: { usageLimit: 5000 }, effect: 'BASE' }],
      });
      expect(e.winner).toMatchObject({ grantId: promotion?.id, rule: 'HIGHEST_LIMIT' });
      expect(e.decision).toMatchObject({ usageLimit: 5000 });

      await h.allot.grantPromotionalEntitlements({
        customerId,
        promotionalEntitlements: [{ featureId: 'api-calls', period: 'ONE_MONTH', usageLimit: 10 }],
      });
      const lower = await explain(h.allot, { featureId: 'api-calls' });
      expect(lower.winner).toMatchObject({ grantId: subscription?.id, rule: 'HIGHEST_LIMIT' });
      expect(lower.grants.find((g) => g.kind === 'PROMOTION')).toMatchObject({
        won: false,
        lostBecause: 'HIGHER_LIMIT',
      });
      expect(lower.decision).toMatchObject({ usageLimit: 100 });
    });

    it('a custom entitlement replaces the subscription value when more generous, and is ignored when not', async () => {
      const { subscription } = await provision({
        planId: 'free',
        subscriptionEntitlements: [
          { featureId: 'api-calls', usageLimit: 2500, resetPeriod: 'MONTH' },
          { featureId: 'max-projects', usageLimit: 1 },
        ],
      });
      const calls = only(await explain(h.allot, { featureId: 'api-calls' }));
      expect(calls.sources).toMatchObject([
        { kind: 'PLAN', id: 'free', value: { usageLimit: 100 }, effect: 'BASE' },
        { kind: 'CUSTOM_ENTITLEMENT', id: subscription?.id, value: { usageLimit: 2500 }, effect: 'REPLACES' },
      ]);
      expect(calls.value.usageLimit).toBe(2500);
      const projects = only(await explain(h.allot, { featureId: 'max-projects' }));
      expect(projects.sources).toMatchObject([
        { kind: 'PLAN', value: { usageLimit: 3 } },
        { kind: 'CUSTOM_ENTITLEMENT', value: { usageLimit: 1 }, effect: 'LESS_GENEROUS' },
      ]);
      expect(projects.value.usageLimit).toBe(3);
    });

    it("a credit-backed feature names its rate's source and the balance that backs it", async () => {
      await h.allot.provisionCustomer({ customerId });
      const { subscription: lite } = await h.allot.provisionSubscription({ customerId, planId: 'ai-lite' });
      await h.allot.grantCredits({ customerId, currencyId: AI_CREDITS, amount: 40, displayName: 'top-up' });
      const e = await explain(h.allot, { featureId: 'gpt-calls' });
      expect(only(e).creditRate).toEqual({ currencyId: AI_CREDITS, creditsPerUnit: '0.5' });
      expect(e.credits).toEqual({
        currencyId: AI_CREDITS,
        creditsPerUnit: '0.5',
        rateFrom: lite.id,
        balance: 40,
        poolResourceId: null,
      });
      expect(e.summary).toContain(`40 ${AI_CREDITS} left`);

      // A plan without a rate of its own: the feature's rate, from no grant.
      await h.allot.provisionCustomer({ customerId: 'beta' });
      await h.allot.provisionSubscription({ customerId: 'beta', planId: 'ai-pro' });
      const beta = await h.allot.explainEntitlement({ customerId: 'beta', featureId: 'gpt-calls' });
      expect(beta.credits).toMatchObject({ creditsPerUnit: '1', rateFrom: null, balance: 0 });
      expect(beta.decision).toMatchObject({ hasAccess: false, accessDeniedReason: 'InsufficientCredits' });
      expect(beta.decision).toEqual(await h.allot.getEntitlement({ customerId: 'beta', featureId: 'gpt-calls' }));
      expect(beta.summary).toBe(`denied (InsufficientCredits): the ${AI_CREDITS} balance (0) cannot pay for usage`);
    });
  });

  describe('the winner rule: the most generous grant wins, unlimited beats any limit', () => {
    it('unlimited beats the highest limit', async () => {
      const { subscription } = await provision({ planId: 'enterprise' });
      const [promotion] = await h.allot.grantPromotionalEntitlements({
        customerId,
        promotionalEntitlements: [{ featureId: 'api-calls', period: 'LIFETIME', usageLimit: 1e9 }],
      });
      const e = await explain(h.allot, { featureId: 'api-calls' });
      expect(e.winner).toMatchObject({ grantId: subscription?.id, rule: 'UNLIMITED' });
      expect(e.winner?.reason).toContain('unlimited beats any limit');
      expect(e.grants.find((g) => g.id === promotion?.id)).toMatchObject({ won: false, lostBecause: 'UNLIMITED' });
      expect(e.decision).toMatchObject({ isUnlimited: true });
      expect(e.summary).toMatch(/^granted by plan enterprise \(subscription .*\): unlimited, 0 used/);
    });

    it('among equally generous grants the first is kept, and every soft limit and enum value still counts', async () => {
      const { subscription } = await provision({ planId: 'free' });
      await h.allot.grantPromotionalEntitlements({
        customerId,
        promotionalEntitlements: [
          { featureId: 'region', period: 'ONE_WEEK', enumValues: ['us'] },
          { featureId: 'max-projects', period: 'ONE_WEEK', usageLimit: 3, hasSoftLimit: true },
        ],
      });
      const region = await explain(h.allot, { featureId: 'region' });
      expect(region.winner).toMatchObject({ grantId: subscription?.id, rule: 'TIE' });
      expect(region.grants.map((g) => g.lostBecause)).toEqual([undefined, 'TIE']);
      expect(region.effective?.enumValues?.sort()).toEqual(['eu', 'us']);
      const projects = await explain(h.allot, { featureId: 'max-projects' });
      expect(projects.winner?.rule).toBe('TIE');
      expect(projects.effective).toMatchObject({ usageLimit: 3, hasSoftLimit: true });
    });
  });

  describe('denials and their reasons', () => {
    it('usage over the limit', async () => {
      await provision({ planId: 'free' });
      await h.allot.reportUsage({ customerId, featureId: 'api-calls', value: 101, updateBehavior: 'SET' });
      const e = await explain(h.allot, { featureId: 'api-calls' });
      expect(e.decision).toMatchObject({ hasAccess: false, accessDeniedReason: 'RequestedUsageExceedingLimit' });
      expect(e.summary).toBe('denied (RequestedUsageExceedingLimit): usage 101 is over the limit 100');
      // The grant is still explained: the denial is about usage, not entitlement.
      expect(only(e).won).toBe(true);
    });

    it('no grant for the feature, no live subscription, an archived customer', async () => {
      await provision({ planId: 'free' });
      const none = await explain(h.allot, { featureId: 'sso' });
      expect(none).toMatchObject({ grants: [], winner: null, effective: null, usage: null, credits: null });
      expect(none.decision.accessDeniedReason).toBe('NoFeatureEntitlementInSubscription');

      await h.allot.provisionCustomer({ customerId: 'idle' });
      const idle = await h.allot.explainEntitlement({ customerId: 'idle', featureId: 'api-calls' });
      expect(idle.accessDeniedReason).toBe('NoActiveSubscription');
      expect(idle.summary).toMatch(/^denied \(NoActiveSubscription\)/);

      await h.allot.archiveCustomer(customerId);
      const archived = await explain(h.allot, { featureId: 'api-calls' });
      expect(archived.decision.accessDeniedReason).toBe('CustomerIsArchived');
      expect(archived.grants).toEqual([]);
    });
  });

  it("a resource's explanation sees its own subscriptions and the customer-wide ones, counting on its own counter", async () => {
    const { subscription: wide } = await provision({ planId: 'free' });
    const { subscription: bucket } = await h.allot.provisionSubscription({
      customerId,
      planId: 'bucket',
      resourceId: 'site-1',
    });
    await h.allot.reportUsage({ customerId, featureId: 'api-calls', value: 4, resourceId: 'site-1' });
    const site = await explain(h.allot, { featureId: 'api-calls', resourceId: 'site-1' });
    expect(site.resourceId).toBe('site-1');
    expect(site.grants.map((g) => [g.id, g.resourceId, g.won])).toEqual(
      [
        [wide?.id, null, false],
        [bucket.id, 'site-1', true],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(site.usage).toMatchObject({ currentUsage: 4, counterResourceId: 'site-1', windowFrom: bucket.id });
    const customerWide = await explain(h.allot, { featureId: 'api-calls' });
    expect(customerWide.grants.map((g) => g.id)).toEqual([wide?.id]);
    const unknown = await explain(h.allot, { featureId: 'audit-log', resourceId: 'site-9' });
    expect(unknown.decision.accessDeniedReason).toBe('CustomerResourceNotFound');
    expect(unknown.summary).toContain('"site-9"');
  });

  it('throws for a customer or feature that does not exist, and for malformed input', async () => {
    await provision({ planId: 'free' });
    expect(await errorCode(h.allot.explainEntitlement({ customerId: 'nobody', featureId: 'sso' }))).toBe(
      'CUSTOMER_NOT_FOUND',
    );
    expect(await errorCode(h.allot.explainEntitlement({ customerId, featureId: 'teleport' }))).toBe(
      'FEATURE_NOT_FOUND',
    );
    const extra = { customerId, featureId: 'sso', options: {} } as ExplainEntitlementParams;
    expect(await errorCode(h.allot.explainEntitlement(extra))).toBe('INVALID_INPUT');
  });
});
