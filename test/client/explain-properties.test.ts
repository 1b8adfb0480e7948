// explainEntitlement against getEntitlement on random catalogs and customers: the explanation's
// decision is the check's answer, and what it says won is what the decision shows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Allot, AllotError, type CatalogInput, type Entitlement, ManualClock } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js';

const FC_SEED = Number(process.env.FC_SEED ?? 20_261_207);
const DAY = 86_400_000;

/** One feature of each kind: boolean, numeric, incremental, fluctuating, enum, credit-backed. */
const FEATURES = [
  { id: 'b', featureType: 'BOOLEAN' },
  { id: 'n', featureType: 'NUMBER' },
  { id: 'm', featureType: 'NUMBER', meterType: 'Incremental' },
  { id: 's', featureType: 'NUMBER', meterType: 'Fluctuating' },
  { id: 'e', featureType: 'ENUM', enumConfiguration: [{ value: 'x' }, { value: 'y' }, { value: 'z' }] },
  { id: 'c', featureType: 'NUMBER', meterType: 'Incremental', creditRate: { currencyId: 'cr', creditsPerUnit: 1 } },
] satisfies CatalogInput['features'];
type FeatureId = 'b' | 'n' | 'm' | 's' | 'e' | 'c';
const FEATURE_IDS = FEATURES.map((f) => f.id as FeatureId);
const RESETTING: readonly FeatureId[] = ['m', 'c'];
const LIMITED: readonly FeatureId[] = ['n', 'm', 's', 'c'];

/** A value that fits the feature: a limit or unlimited (maybe soft, maybe resetting), enum values, or nothing. */
const valueFor = (featureId: FeatureId): fc.Arbitrary<Record<string, unknown>> => {
  if (featureId === 'e') return fc.subarray(['x', 'y', 'z'], { minLength: 1 }).map((enumValues) => ({ enumValues }));
  if (!LIMITED.includes(featureId)) return fc.constant({});
  return fc
    .record(
      {
        limit: fc.oneof(
          fc.integer({ min: 0, max: 40 }).map((usageLimit) => ({ usageLimit })),
          fc.constant({ hasUnlimitedUsage: true }),
        ),
        hasSoftLimit: fc.boolean(),
        resetPeriod: RESETTING.includes(featureId) ? fc.constantFrom('MONTH', 'WEEK', 'DAY') : fc.constant(undefined),
      },
      { requiredKeys: ['limit'] },
    )
    .map(({ limit, ...rest }) => ({ ...limit, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v)) }));
};

const entitlements = fc
  .subarray(FEATURE_IDS)
  .chain((ids) => fc.tuple(...ids.map((featureId) => valueFor(featureId).map((v) => ({ featureId, ...v })))));

const catalogArbitrary: fc.Arbitrary<CatalogInput> = fc
  .record({
    plans: fc.tuple(
      ...[0, 1, 2].map((i) =>
        fc.record({
          entitlements,
          base: i === 0 ? fc.constant(undefined) : fc.option(fc.integer({ min: 0, max: i - 1 }), { nil: undefined }),
          trialDays: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
          rate: fc.option(fc.constantFrom('0.5', '2'), { nil: undefined }),
        }),
      ),
    ),
    addons: fc.tuple(
      ...[0, 1].map(() =>
        fc.record({ entitlements, override: fc.array(fc.boolean(), { minLength: FEATURES.length, maxLength: 6 }) }),
      ),
    ),
  })
  .map(({ plans, addons }) => ({
    features: FEATURES,
    products: [{ id: 'app', multipleSubscriptions: true }],
    plans: plans.map((p, i) => ({
      id: `p${i}`,
      productId: 'app',
      order: i,
      pricingType: 'PAID' as const,
      entitlements: p.entitlements,
      ...(p.base === undefined ? {} : { basePlanId: `p${p.base}` }),
      ...(p.trialDays === undefined ? {} : { defaultTrialConfig: { duration: p.trialDays, units: 'DAY' as const } }),
      ...(p.rate === undefined ? {} : { creditRates: [{ featureId: 'c', currencyId: 'cr', creditsPerUnit: p.rate }] }),
      compatibleAddonIds: ['a0', 'a1'],
    })),
    addons: addons.map((a, i) => ({
      id: `a${i}`,
      productId: 'app',
      entitlements: a.entitlements.map((e, j) => ({
        ...e,
        behavior: a.override[j] ? ('Override' as const) : ('Increment' as const),
      })),
    })),
    creditCurrencies: [{ currencyId: 'cr', displayName: 'credits', units: { singular: 'credit', plural: 'credits' } }],
  }));

const resource = fc.constantFrom(null, 'r1');
const customerArbitrary = fc.record({
  subscriptions: fc.array(
    fc.record({
      plan: fc.integer({ min: 0, max: 2 }),
      resourceId: resource,
      addons: fc
        .subarray(['a0', 'a1'])
        .chain((ids) =>
          fc.tuple(...ids.map((addonId) => fc.integer({ min: 1, max: 3 }).map((quantity) => ({ addonId, quantity })))),
        ),
      skipTrial: fc.boolean(),
      custom: fc.option(entitlements, { nil: undefined }),
    }),
    { maxLength: 4 },
  ),
  promotions: fc.array(
    fc.constantFrom(...FEATURE_IDS).chain((featureId) =>
      fc.record({
        featureId: fc.constant(featureId),
        value: valueFor(featureId),
        period: fc.constantFrom('ONE_WEEK', 'ONE_MONTH', 'LIFETIME'),
      }),
    ),
    { maxLength: 3 },
  ),
  credits: fc.integer({ min: 0, max: 20 }),
  usage: fc.array(
    fc.record({
      featureId: fc.constantFrom('m', 's', 'c'),
      value: fc.integer({ min: 0, max: 60 }),
      resourceId: resource,
    }),
    { maxLength: 4 },
  ),
  days: fc.integer({ min: 0, max: 40 }),
});

/** Writes that may be refused (a second trial, an add-on the plan no longer allows): refused ones change nothing. */
async function tolerated(write: Promise<unknown>): Promise<void> {
  await write.catch((error: unknown) => {
    if (!AllotError.is(error)) throw error;
  });
}

const observable = (e: Entitlement) => ({
  hasAccess: e.hasAccess,
  reason: e.accessDeniedReason,
  usageLimit: 'usageLimit' in e ? e.usageLimit : 'value' in e ? e.value : undefined,
  isUnlimited: 'isUnlimited' in e ? e.isUnlimited : undefined,
});

describe('explainEntitlement properties', () => {
  it("the explanation's decision is getEntitlement's answer, and its winner is what that answer shows", async () => {
    await fc.assert(
      fc.asyncProperty(catalogArbitrary, customerArbitrary, async (catalog, customer) => {
        const clock = new ManualClock('2025-01-31T10:00:00Z');
        const allot = Allot.initialize({ catalog, store: memoryStore(), clock });
        try {
          await allot.waitForInitialization();
          const customerId = 'cust';
          await allot.provisionCustomer({ customerId });
          for (const s of customer.subscriptions)
            await tolerated(
              allot.provisionSubscription({
                customerId,
                planId: `p${s.plan}`,
                resourceId: s.resourceId,
                addons: s.addons,
                skipTrial: s.skipTrial,
                ...(s.custom ? { subscriptionEntitlements: s.custom } : {}),
              }),
            );
          for (const p of customer.promotions)
            await allot.grantPromotionalEntitlements({
              customerId,
              promotionalEntitlements: [{ featureId: p.featureId, period: p.period, ...p.value }],
            });
          if (customer.credits > 0)
            await allot.grantCredits({ customerId, currencyId: 'cr', amount: customer.credits, displayName: 'g' });
          for (const u of customer.usage) await tolerated(allot.reportUsage({ customerId, ...u }));
          clock.advance(customer.days * DAY);

          for (const featureId of FEATURE_IDS)
            for (const resourceId of [null, 'r1', 'r2']) {
              const params = { customerId, featureId, resourceId };
              const explanation = await allot.explainEntitlement(params);
              const check = await allot.getEntitlement(params);
              expect(observable(explanation.decision)).toEqual(observable(check));
              expect(explanation.decision).toEqual(check);

              const winners = explanation.grants.filter((g) => g.won);
              expect(winners).toHaveLength(explanation.grants.length > 0 ? 1 : 0);
              const winner = winners[0];
              if (!winner || !explanation.effective) continue;
              expect(explanation.winner?.grantId).toBe(winner.id);
              expect(explanation.effective.usageLimit).toBe(winner.value.usageLimit);
              expect(explanation.effective.isUnlimited).toBe(winner.value.isUnlimited);
              expect(explanation.effective.hasSoftLimit).toBe(explanation.grants.some((g) => g.value.hasSoftLimit));
              if (check.type === 'METERED') {
                expect(check.isUnlimited).toBe(winner.value.isUnlimited);
                expect(check.usageLimit).toBe(winner.value.usageLimit ?? undefined);
                expect(check.currentUsage).toBe(explanation.usage?.currentUsage);
              }
            }
        } finally {
          await allot.close();
        }
      }),
      { seed: FC_SEED, numRuns: Number(process.env.ALLOT_EXPLAIN_RUNS ?? 150) },
    );
  });
});
