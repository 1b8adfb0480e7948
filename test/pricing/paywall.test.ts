import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/catalog.js';
import type { CatalogInput } from '../../src/catalog/catalog-schema.js';
import { paywall } from '../../src/pricing/paywall.js';
import { catalogOf } from '../core/factories.js';
import { expectAllotError, fc } from './helpers.js';
import { CATALOG } from './pricing-catalog.js';

const ids = (options: Parameters<typeof paywall>[1] = {}, catalog: Catalog = CATALOG) =>
  paywall(catalog, options).plans.map((p) => p.id);
const planOfPaywall = (id: string, options: Parameters<typeof paywall>[1] = {}) => {
  const plan = paywall(CATALOG, { includeHiddenPlans: true, ...options }).plans.find((p) => p.id === id);
  if (!plan) throw new Error(`no plan ${id}`);
  return plan;
};

describe('paywall', () => {
  it('orders plans by product (catalog order), then by order, then by catalog order on ties', () => {
    expect(ids()).toEqual(['free', 'basic', 'plus', 'pro', 'enterprise', 'solo', 'tiered', 'kwd']);
  });

  it('filters by product; an unknown product has no plans', () => {
    expect(ids({ productId: 'intl' })).toEqual(['solo', 'tiered']);
    expect(ids({ productId: 'nope' })).toEqual([]);
  });

  it('shows hidden plans only when asked, in their place', () => {
    expect(ids({ productId: 'app', includeHiddenPlans: true })).toEqual([
      'free',
      'basic',
      'plus',
      'pro',
      'legacy',
      'annual-only',
      'de-only',
      'enterprise',
    ]);
  });

  it('describes a plan: product, base plan, own and inherited entitlements, trial, metadata, version', () => {
    const pro = planOfPaywall('pro');
    expect(pro).toMatchObject({
      displayName: 'Pro',
      description: null,
      order: 2,
      pricingType: 'PAID',
      product: { id: 'app', displayName: 'App', description: 'The app', metadata: { tier: 'main' } },
      basePlan: { id: 'basic', displayName: 'Basic' },
      defaultTrialConfig: { duration: 14, units: 'DAY', trialEndBehavior: 'CONVERT_TO_PAID' },
      metadata: { highlight: 'true' },
      version: 1,
    });
    expect(pro.entitlements.map((e) => [e.featureId, e.usageLimit, e.inherited])).toEqual([
      ['projects', 100, false],
      ['sso', null, true],
    ]);
    expect(pro.entitlements[1]?.feature).toEqual({
      id: 'sso',
      displayName: 'SSO',
      description: null,
      featureType: 'BOOLEAN',
      meterType: 'None',
      units: null,
      unitsPlural: null,
    });
    expect(planOfPaywall('free').basePlan).toBeNull();
    expect(planOfPaywall('kwd').product).toEqual({
      id: 'kw',
      displayName: 'Kuwait',
      description: null,
      metadata: null,
    });
  });

  it('lists default price points as numbers; a FREE plan has none', () => {
    expect(planOfPaywall('basic').pricePoints).toEqual([
      { billingPeriod: 'MONTHLY', billingModel: 'FLAT_FEE', amount: 9.99, currency: 'USD' },
      { billingPeriod: 'ANNUALLY', billingModel: 'FLAT_FEE', amount: 99.99, currency: 'USD' },
    ]);
    expect(planOfPaywall('pro').pricePoints[2]).toEqual({
      billingPeriod: 'MONTHLY',
      billingModel: 'USAGE_BASED',
      amount: 0.0015,
      currency: 'USD',
      featureId: 'api-calls',
    });
    expect(planOfPaywall('free').pricePoints).toEqual([]);
    expect(planOfPaywall('enterprise').pricePoints).toEqual([]);
  });

  it('shows tiers as numbers, with a null amount', () => {
    expect(planOfPaywall('tiered').pricePoints).toEqual([
      {
        billingPeriod: 'MONTHLY',
        billingModel: 'PER_UNIT',
        amount: null,
        currency: 'JPY',
        featureId: 'seats',
        tiersMode: 'GRADUATED',
        tiers: [{ upTo: 10, unitPrice: 500, flatPrice: 1000 }, { unitPrice: 400 }],
      },
    ]);
  });

  it('localizes by country per billing period, falling back to the default prices', () => {
    const de = planOfPaywall('basic', { billingCountryCode: 'de' }).pricePoints;
    expect(de).toEqual([
      { billingPeriod: 'ANNUALLY', billingModel: 'FLAT_FEE', amount: 99.99, currency: 'USD' },
      { billingPeriod: 'MONTHLY', billingModel: 'FLAT_FEE', amount: 9, currency: 'EUR', billingCountryCode: 'DE' },
    ]);
    expect(planOfPaywall('basic', { billingCountryCode: 'FR' }).pricePoints.map((p) => p.currency)).toEqual([
      'USD',
      'USD',
    ]);
    // A period priced only for another country is left out.
    expect(planOfPaywall('de-only', { billingCountryCode: 'FR' }).pricePoints).toEqual([]);
  });

  it('lists every country with fetchAllCountriesPrices', () => {
    const all = planOfPaywall('basic', { fetchAllCountriesPrices: true }).pricePoints;
    expect(all.map((p) => [p.billingPeriod, p.billingCountryCode ?? null])).toEqual([
      ['MONTHLY', null],
      ['ANNUALLY', null],
      ['MONTHLY', 'DE'],
    ]);
  });

  it('lists compatible add-ons with their entitlements and localized price points', () => {
    const [extra, euOnly] = planOfPaywall('pro', { billingCountryCode: 'DE' }).compatibleAddons;
    expect(extra).toMatchObject({
      id: 'extra',
      displayName: 'Extra',
      description: 'More projects',
      maxQuantity: 10,
      pricePoints: [
        { billingPeriod: 'MONTHLY', amount: 5, currency: 'USD' },
        { billingPeriod: 'ANNUALLY', amount: 50, currency: 'USD' },
      ],
    });
    expect(extra?.entitlements.map((e) => [e.featureId, e.usageLimit, e.behavior])).toEqual([
      ['projects', 5, 'Increment'],
    ]);
    expect(euOnly?.pricePoints).toEqual([
      { billingPeriod: 'MONTHLY', billingModel: 'FLAT_FEE', amount: 3, currency: 'EUR', billingCountryCode: 'DE' },
    ]);
    expect(planOfPaywall('pro').compatibleAddons[1]?.pricePoints).toEqual([]);
  });

  it('gives the currency the country sees, or null when nothing is priced', () => {
    expect(paywall(CATALOG).currency).toBe('USD');
    expect(paywall(CATALOG, { productId: 'intl' }).currency).toBe('JPY');
    // basic's DE monthly price is in EUR, though its annual price falls back to USD.
    expect(paywall(CATALOG, { billingCountryCode: 'DE' }).currency).toBe('EUR');
    expect(paywall(CATALOG, { billingCountryCode: 'FR', fetchAllCountriesPrices: true }).currency).toBe('USD');
    const free = catalogOf({
      products: [{ id: 'p' }],
      plans: [
        {
          id: 'f',
          productId: 'p',
          pricingType: 'FREE',
          prices: [{ billingPeriod: 'MONTHLY', currency: 'EUR', amount: '0' }],
        },
      ],
    });
    expect(paywall(free).currency).toBeNull();
    expect(paywall(CATALOG, { productId: 'nope' })).toEqual({ plans: [], currency: null });
  });

  it('refuses a malformed country code', () => {
    expectAllotError(() => paywall(CATALOG, { billingCountryCode: 'DEU' }), 'INVALID_INPUT');
  });
});

// Random catalogs: products, plans with random orders, hidden flags and per-country prices.
const countryArb = fc.constantFrom(undefined, 'DE', 'FR');
const priceKeyArb = fc.uniqueArray(
  fc.record({ billingPeriod: fc.constantFrom('MONTHLY', 'ANNUALLY'), billingCountryCode: countryArb }),
  { selector: (k) => `${k.billingPeriod}:${k.billingCountryCode}`, maxLength: 4 },
);
const catalogArb = fc
  .array(
    fc.record({
      product: fc.integer({ min: 0, max: 2 }),
      order: fc.integer({ min: -2, max: 3 }),
      hidden: fc.boolean(),
      free: fc.boolean(),
      prices: priceKeyArb,
    }),
    { maxLength: 8 },
  )
  .map(
    (plans): CatalogInput => ({
      products: [{ id: 'p0' }, { id: 'p1' }, { id: 'p2' }],
      plans: plans.map((p, i) => ({
        id: `plan-${i}`,
        productId: `p${p.product}`,
        order: p.order,
        hidden: p.hidden,
        pricingType: p.free ? 'FREE' : 'PAID',
        prices: p.prices.map((k) => ({
          billingPeriod: k.billingPeriod as 'MONTHLY' | 'ANNUALLY',
          currency: k.billingCountryCode === 'DE' ? 'EUR' : 'USD',
          amount: '1',
          ...(k.billingCountryCode ? { billingCountryCode: k.billingCountryCode } : {}),
        })),
      })),
    }),
  );

describe('properties', () => {
  it('plans come by product then order, hidden ones only when asked, each plan once', () => {
    fc.assert(
      fc.property(catalogArb, fc.boolean(), (input, includeHiddenPlans) => {
        const catalog = catalogOf(input);
        const shown = paywall(catalog, { includeHiddenPlans }).plans;
        // Product index × 100 + order: products have 3 ids and orders lie within -2..3.
        const rank = (id: string) => {
          const plan = catalog.plans.get(id);
          return Number(plan?.productId.slice(1)) * 100 + (plan?.order ?? 0);
        };
        const ranks = shown.map((p) => rank(p.id));
        expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
        const expected = [...catalog.plans.values()].filter((p) => includeHiddenPlans || !p.hidden).map((p) => p.id);
        expect(shown.map((p) => p.id).sort()).toEqual(expected.sort());
      }),
    );
  });

  it("a country's price points per period are its own when it has some, else the default ones", () => {
    fc.assert(
      fc.property(catalogArb, countryArb, (input, country) => {
        const catalog = catalogOf(input);
        for (const plan of paywall(catalog, { billingCountryCode: country, includeHiddenPlans: true }).plans) {
          const prices = catalog.plans.get(plan.id)?.prices ?? [];
          if (plan.pricingType === 'FREE') {
            expect(plan.pricePoints).toEqual([]);
            continue;
          }
          for (const period of ['MONTHLY', 'ANNUALLY'] as const) {
            const own = prices.some((p) => p.billingPeriod === period && country && p.billingCountryCode === country);
            const points = plan.pricePoints.filter((p) => p.billingPeriod === period);
            const wanted = own ? country : undefined;
            expect(points.every((p) => p.billingCountryCode === wanted)).toBe(true);
            expect(points.length).toBe(
              prices.filter((p) => p.billingPeriod === period && p.billingCountryCode === wanted).length,
            );
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
