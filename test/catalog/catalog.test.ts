import { describe, expect, it } from 'vitest';
import { type CompiledCatalog, compileCatalog, versionCatalog, versionKey } from '../../src/catalog/catalog.js';
import type { CatalogInput } from '../../src/catalog/catalog-schema.js';
import { toEntitlementSpec } from '../../src/catalog/entitlement-spec.js';
import { AllotError } from '../../src/errors.js';
import type { PackageVersionRecord } from '../../src/model/records.js';
import { at, CATALOG_NOW, expectAllotError, must, standardCatalogInput } from '../core/factories.js';
import { fc } from '../core/fc-setup.js';

interface Issue {
  path: (string | number)[];
  message: string;
}

/** The issues of an INVALID_CATALOG error thrown by compiling `input`. */
function catalogIssues(input: unknown): Issue[] {
  const error = expectAllotError(() => compileCatalog(input as CatalogInput), 'INVALID_CATALOG');
  expect(Array.isArray(error.details)).toBe(true);
  return error.details as Issue[];
}

/** Asserts that some issue sits at `path` and its message matches `message`. */
function expectIssue(issues: readonly Issue[], path: (string | number)[], message?: RegExp): void {
  const hit = issues.find((i) => JSON.stringify(i.path) === JSON.stringify(path));
  if (!hit) throw new Error(`no issue at ${JSON.stringify(path)}; got ${JSON.stringify(issues)}`);
  if (message) expect(hit.message).toMatch(message);
}

/** A small valid catalog to break one piece at a time. */
function base(): {
  features: Record<string, unknown>[];
  products: Record<string, unknown>[];
  plans: Record<string, unknown>[];
  addons: Record<string, unknown>[];
} {
  return {
    features: [
      { id: 'flag', featureType: 'BOOLEAN' },
      { id: 'calls', featureType: 'NUMBER', meterType: 'Incremental' },
      { id: 'seats', featureType: 'NUMBER', meterType: 'Fluctuating' },
      { id: 'limit', featureType: 'NUMBER' },
      { id: 'tier', featureType: 'ENUM', enumConfiguration: [{ value: 'a' }, { value: 'b' }] },
    ],
    products: [{ id: 'p1' }, { id: 'p2' }],
    plans: [
      { id: 'free', productId: 'p1', entitlements: [{ featureId: 'calls', usageLimit: 10, resetPeriod: 'MONTH' }] },
      { id: 'other', productId: 'p2' },
    ],
    addons: [
      { id: 'boost', productId: 'p1', entitlements: [{ featureId: 'calls', usageLimit: 5 }] },
      { id: 'foreign', productId: 'p2' },
    ],
  };
}

function planAt(input: ReturnType<typeof base>, i: number): Record<string, unknown> {
  return must(input.plans[i], `plan ${i}`);
}

function version(compiled: CompiledCatalog, stored: readonly PackageVersionRecord[] = [], now = CATALOG_NOW) {
  return versionCatalog(compiled, stored, now);
}

describe('compileCatalog validation', () => {
  it('accepts the base catalog and applies the schema defaults', () => {
    const compiled = compileCatalog(base() as CatalogInput);
    const free = must(compiled.plans.find((p) => p.id === 'free'));
    expect(free.pricingType).toBe('FREE');
    expect(free.compatibleAddonIds).toEqual([]);
    expect(free.defaultTrialConfig).toBeNull();
    expect(compiled.definition.products[0]?.usageResetCutoffRule).toBe('ALWAYS_RESET');
    expect(compiled.definition.products[0]?.downgradeScheduleStrategy).toBe('IMMEDIATE');
    expect(compiled.definition.features.find((f) => f.id === 'limit')?.meterType).toBe('None');
    expect(compiled.addons.find((a) => a.id === 'boost')?.entitlements[0]?.behavior).toBe('Increment');
  });

  it('turns zod shape errors into INVALID_CATALOG with the issue paths as details', () => {
    const input = base();
    input.features.push({ id: 'bad', featureType: 'BOOL' });
    const issues = catalogIssues(input);
    expectIssue(issues, ['features', 5, 'featureType']);
    const error = expectAllotError(() => compileCatalog(input as unknown as CatalogInput), 'INVALID_CATALOG');
    expect(AllotError.is(error)).toBe(true);
    expect(error.message).toContain('features.5.featureType');
  });

  it('rejects unknown keys, empty ids and negative limits', () => {
    const input = base();
    input.products.push({ id: 'p3', color: 'red' });
    input.features.push({ id: '', featureType: 'BOOLEAN' });
    planAt(input, 0).entitlements = [{ featureId: 'calls', usageLimit: -1 }];
    const issues = catalogIssues(input);
    expect(issues.some((i) => i.path[0] === 'products' && i.path[1] === 2)).toBe(true);
    expectIssue(issues, ['features', 5, 'id']);
    expectIssue(issues, ['plans', 0, 'entitlements', 0, 'usageLimit']);
  });

  it('rejects a metered non-NUMBER feature and an ENUM feature without values', () => {
    const input = base();
    input.features.push({ id: 'm', featureType: 'BOOLEAN', meterType: 'Incremental' });
    input.features.push({ id: 'e', featureType: 'ENUM' });
    const issues = catalogIssues(input);
    expectIssue(issues, ['features', 5, 'meterType']);
    expectIssue(issues, ['features', 6, 'enumConfiguration']);
  });

  it('reports dangling references to products', () => {
    const input = base();
    input.plans.push({ id: 'orphan', productId: 'nope' });
    input.addons.push({ id: 'orphan-addon', productId: 'nope' });
    const issues = catalogIssues(input);
    expectIssue(issues, ['plans', 2, 'productId'], /unknown product "nope"/);
    expectIssue(issues, ['addons', 2, 'productId'], /unknown product "nope"/);
  });

  it('reports an unknown base plan and a base plan of another product', () => {
    const input = base();
    input.plans.push({ id: 'x', productId: 'p1', basePlanId: 'ghost' });
    input.plans.push({ id: 'y', productId: 'p1', basePlanId: 'other' });
    const issues = catalogIssues(input);
    expectIssue(issues, ['plans', 2, 'basePlanId'], /unknown plan "ghost"/);
    expectIssue(issues, ['plans', 3, 'basePlanId'], /another product/);
  });

  it('reports a downgrade plan that does not exist or belongs to another product', () => {
    const missing = base();
    (missing.products[0] as Record<string, unknown>).downgradePlanId = 'ghost';
    expectIssue(catalogIssues(missing), ['products', 0, 'downgradePlanId'], /ghost/);
    const foreign = base();
    (foreign.products[0] as Record<string, unknown>).downgradePlanId = 'other';
    expectIssue(catalogIssues(foreign), ['products', 0, 'downgradePlanId'], /not a plan of product "p1"/);
    const ok = base();
    (ok.products[0] as Record<string, unknown>).downgradePlanId = 'free';
    expect(() => compileCatalog(ok as CatalogInput)).not.toThrow();
  });

  it('reports compatible add-ons that are unknown or of another product', () => {
    const input = base();
    planAt(input, 0).compatibleAddonIds = ['boost', 'ghost', 'foreign'];
    const issues = catalogIssues(input);
    expectIssue(issues, ['plans', 0, 'compatibleAddonIds', 1], /unknown add-on "ghost"/);
    expectIssue(issues, ['plans', 0, 'compatibleAddonIds', 2], /another product/);
    expect(issues.some((i) => JSON.stringify(i.path) === '["plans",0,"compatibleAddonIds",0]')).toBe(false);
  });

  it('reports unknown features in plan entitlements, add-on entitlements and prices', () => {
    const input = base();
    planAt(input, 0).entitlements = [{ featureId: 'ghost' }];
    planAt(input, 1).prices = [
      { billingPeriod: 'MONTHLY', billingModel: 'PER_UNIT', currency: 'usd', amount: 1, featureId: 'ghost-price' },
    ];
    (input.addons[0] as Record<string, unknown>).entitlements = [{ featureId: 'ghost-addon', usageLimit: 1 }];
    const issues = catalogIssues(input);
    expectIssue(issues, ['plans', 0, 'entitlements', 0, 'featureId'], /unknown feature "ghost"/);
    expectIssue(issues, ['plans', 1, 'prices', 0, 'featureId'], /unknown feature "ghost-price"/);
    expectIssue(issues, ['addons', 0, 'entitlements', 0, 'featureId'], /unknown feature "ghost-addon"/);
  });

  it('reports duplicate ids of every kind', () => {
    const input = base();
    input.features.push({ id: 'flag', featureType: 'BOOLEAN' });
    input.products.push({ id: 'p1' });
    input.plans.push({ id: 'free', productId: 'p1' });
    input.addons.push({ id: 'boost', productId: 'p1' });
    const issues = catalogIssues(input);
    expectIssue(issues, ['features', 5, 'id'], /duplicate id "flag"/);
    expectIssue(issues, ['products', 2, 'id'], /duplicate id "p1"/);
    expectIssue(issues, ['plans', 2, 'id'], /duplicate id "free"/);
    expectIssue(issues, ['addons', 2, 'id'], /duplicate id "boost"/);
  });

  it('reports base-plan cycles: a → b → a and a plan based on itself', () => {
    const pair = base();
    pair.plans.push({ id: 'a', productId: 'p1', basePlanId: 'b' }, { id: 'b', productId: 'p1', basePlanId: 'a' });
    const issues = catalogIssues(pair);
    expectIssue(issues, ['plans', 2, 'basePlanId'], /cycle/);
    expectIssue(issues, ['plans', 3, 'basePlanId'], /cycle/);
    const self = base();
    self.plans.push({ id: 'loop', productId: 'p1', basePlanId: 'loop' });
    expectIssue(catalogIssues(self), ['plans', 2, 'basePlanId'], /cycle/);
    const longer = base();
    longer.plans.push(
      { id: 'c1', productId: 'p1', basePlanId: 'c2' },
      { id: 'c2', productId: 'p1', basePlanId: 'c3' },
      { id: 'c3', productId: 'p1', basePlanId: 'c1' },
    );
    expectIssue(catalogIssues(longer), ['plans', 4, 'basePlanId'], /cycle/);
  });

  it('reports enum values that are not values of the feature', () => {
    const input = base();
    planAt(input, 0).entitlements = [{ featureId: 'tier', enumValues: ['a', 'z'] }];
    expectIssue(catalogIssues(input), ['plans', 0, 'entitlements', 0, 'enumValues'], /"z" is not a value of "tier"/);
  });

  it('reports a reset period on any feature that is not an Incremental meter', () => {
    for (const featureId of ['seats', 'limit', 'flag']) {
      const input = base();
      planAt(input, 0).entitlements = [{ featureId, usageLimit: featureId === 'flag' ? null : 1, resetPeriod: 'DAY' }];
      expectIssue(catalogIssues(input), ['plans', 0, 'entitlements', 0, 'resetPeriod'], /only Incremental/);
    }
  });

  it('reports a usage limit on a non-NUMBER feature', () => {
    const input = base();
    planAt(input, 0).entitlements = [{ featureId: 'flag', usageLimit: 3 }];
    expectIssue(catalogIssues(input), ['plans', 0, 'entitlements', 0, 'usageLimit']);
  });

  it('rejects an accordingTo that does not belong to the reset period', () => {
    const cases: [string | undefined, string][] = [
      ['MONTH', 'EveryMonday'],
      ['WEEK', 'StartOfTheMonth'],
      ['YEAR', 'StartOfTheMonth'],
      ['DAY', 'SubscriptionStart'],
      ['HOUR', 'SubscriptionStart'],
      [undefined, 'StartOfTheMonth'],
    ];
    for (const [resetPeriod, accordingTo] of cases) {
      const input = base();
      planAt(input, 0).entitlements = [
        { featureId: 'calls', usageLimit: 1, resetPeriod, resetPeriodConfiguration: { accordingTo } },
      ];
      expectIssue(catalogIssues(input), ['plans', 0, 'entitlements', 0, 'resetPeriodConfiguration', 'accordingTo']);
    }
    const addon = base();
    (addon.addons[0] as Record<string, unknown>).entitlements = [
      {
        featureId: 'calls',
        usageLimit: 1,
        resetPeriod: 'MONTH',
        resetPeriodConfiguration: { accordingTo: 'EveryFriday' },
      },
    ];
    expectIssue(catalogIssues(addon), ['addons', 0, 'entitlements', 0, 'resetPeriodConfiguration', 'accordingTo']);
  });

  it('accepts accordingTo values that belong to their period', () => {
    const cases: [string, string][] = [
      ['MONTH', 'StartOfTheMonth'],
      ['MONTH', 'SubscriptionStart'],
      ['WEEK', 'EveryMonday'],
      ['WEEK', 'EverySunday'],
      ['YEAR', 'SubscriptionStart'],
    ];
    for (const [resetPeriod, accordingTo] of cases) {
      const input = base();
      planAt(input, 0).entitlements = [
        { featureId: 'calls', usageLimit: 1, resetPeriod, resetPeriodConfiguration: { accordingTo } },
      ];
      const plan = must(compileCatalog(input as CatalogInput).plans[0]);
      expect(plan.entitlements[0]?.accordingTo).toBe(accordingTo);
    }
  });

  it('lists every problem at once rather than stopping at the first', () => {
    const input = base();
    input.plans.push({ id: 'x', productId: 'nope', basePlanId: 'ghost', compatibleAddonIds: ['gone'] });
    const issues = catalogIssues(input);
    expect(issues.length).toBeGreaterThanOrEqual(3);
  });
});

describe('pricing options of the catalog', () => {
  it('keeps usage thresholds on the plan version (only when given) and rounds per line by default', () => {
    const input = base();
    planAt(input, 0).usageThresholds = [{ amount: '100' }, { amount: 50, recurring: true, displayName: 'every 50' }];
    const compiled = compileCatalog(input as CatalogInput);
    expect(compiled.plans[0]?.usageThresholds).toEqual([
      { amount: '100' },
      { amount: '50', recurring: true, displayName: 'every 50' },
    ]);
    expect(compiled.plans[1]).not.toHaveProperty('usageThresholds');
    expect(compiled.definition.priceRounding).toBe('PER_LINE');
    expect(compileCatalog({ ...base(), priceRounding: 'TOTAL' } as CatalogInput).definition.priceRounding).toBe(
      'TOTAL',
    );
  });

  it('refuses two recurring thresholds, a repeated amount and a zero amount', () => {
    const input = base();
    planAt(input, 0).usageThresholds = [
      { amount: '10', recurring: true },
      { amount: '20', recurring: true },
    ];
    expectIssue(catalogIssues(input), ['plans', 0, 'usageThresholds'], /at most one recurring/);
    planAt(input, 0).usageThresholds = [{ amount: '10' }, { amount: '10.0' }];
    expectIssue(catalogIssues(input), ['plans', 0, 'usageThresholds'], /twice/);
    planAt(input, 0).usageThresholds = [{ amount: '0' }];
    expectIssue(catalogIssues(input), ['plans', 0, 'usageThresholds', 0, 'amount'], /above 0/);
  });
});

describe('base-plan inheritance', () => {
  const compiled = compileCatalog(standardCatalogInput());
  const plan = (id: string) =>
    must(
      compiled.plans.find((p) => p.id === id),
      id,
    );
  const ent = (planId: string, featureId: string) =>
    must(
      plan(planId).entitlements.find((e) => e.featureId === featureId),
      `${planId}/${featureId}`,
    );

  it('flattens the base plan in, marking inherited entitlements', () => {
    expect(ent('basic', 'region')).toMatchObject({ enumValues: ['us'], inherited: true });
    expect(ent('basic', 'sso')).toMatchObject({ inherited: false });
  });

  it("a plan's own entitlement overrides the inherited one", () => {
    expect(ent('basic', 'api-calls')).toMatchObject({ usageLimit: 1000, inherited: false });
    expect(plan('basic').entitlements.filter((e) => e.featureId === 'api-calls')).toHaveLength(1);
  });

  it('follows a multi-level chain, the nearest ancestor winning', () => {
    // premium → pro → basic → free.
    expect(ent('premium', 'seats')).toMatchObject({ usageLimit: 50, inherited: false });
    expect(ent('premium', 'api-calls')).toMatchObject({ hasUnlimitedUsage: true, usageLimit: null, inherited: true });
    expect(ent('premium', 'projects')).toMatchObject({ usageLimit: 10, inherited: true });
    expect(ent('premium', 'region')).toMatchObject({ enumValues: ['us', 'eu'], inherited: true });
    expect(ent('premium', 'sso')).toMatchObject({ inherited: true });
    expect(new Set(plan('premium').entitlements.map((e) => e.featureId)).size).toBe(
      plan('premium').entitlements.length,
    );
  });

  it('indexes the flattened entitlements by feature on the versioned plan', () => {
    const { catalog } = version(compiled);
    const premium = must(catalog.plans.get('premium'));
    expect(premium.byFeature.get('projects')?.usageLimit).toBe(10);
    expect(premium.byFeature.get('seats')?.usageLimit).toBe(50);
  });
});

describe('toEntitlementSpec', () => {
  it('drops the limit of an unlimited entitlement and the configuration without a reset period', () => {
    expect(toEntitlementSpec({ featureId: 'f', usageLimit: 5, hasUnlimitedUsage: true })).toMatchObject({
      usageLimit: null,
      hasUnlimitedUsage: true,
    });
    expect(
      toEntitlementSpec({ featureId: 'f', usageLimit: 5, resetPeriodConfiguration: { accordingTo: 'EveryMonday' } }),
    ).toMatchObject({ resetPeriod: null, accordingTo: null, usageLimit: 5, hasSoftLimit: false, enumValues: null });
    expect(
      toEntitlementSpec({
        featureId: 'f',
        resetPeriod: 'WEEK',
        resetPeriodConfiguration: { accordingTo: 'EveryMonday' },
      }),
    ).toMatchObject({ resetPeriod: 'WEEK', accordingTo: 'EveryMonday', usageLimit: null });
  });

  it('keeps an interval count above 1 with its reset period, and an anchor; leaves the defaults out', () => {
    expect(toEntitlementSpec({ featureId: 'f', resetPeriod: 'MONTH', resetIntervalCount: 3 })).toMatchObject({
      resetIntervalCount: 3,
    });
    expect(toEntitlementSpec({ featureId: 'f', resetPeriod: 'MONTH', resetIntervalCount: 1 })).not.toHaveProperty(
      'resetIntervalCount',
    );
    expect(toEntitlementSpec({ featureId: 'f', resetIntervalCount: 3 })).not.toHaveProperty('resetIntervalCount');
    expect(toEntitlementSpec({ featureId: 'f', usagePeriodAnchor: 5 })).toMatchObject({ usagePeriodAnchor: 5 });
    expect(toEntitlementSpec({ featureId: 'f', resetPeriod: 'DAY' })).not.toHaveProperty('usagePeriodAnchor');
  });
});

describe('versionCatalog', () => {
  const input = standardCatalogInput();
  const first = version(compileCatalog(input));

  it('gives every plan and add-on version 1 the first time and returns them to store', () => {
    expect([...first.catalog.plans.values()].every((p) => p.version === 1)).toBe(true);
    expect([...first.catalog.addons.values()].every((a) => a.version === 1)).toBe(true);
    const planCount = (input.plans ?? []).length;
    const addonCount = (input.addons ?? []).length;
    expect(first.added).toHaveLength(planCount + addonCount);
    expect(first.added.filter((r) => r.kind === 'plan')).toHaveLength(planCount);
    expect(first.added.every((r) => r.version === 1 && r.createdAt === CATALOG_NOW)).toBe(true);
    expect(first.catalog.planVersions.get(versionKey('basic', 1))?.id).toBe('basic');
    expect(first.catalog.addonVersions.get(versionKey('extra-seats', 1))?.id).toBe('extra-seats');
  });

  it('the same catalog again gives the same versions and adds nothing', () => {
    const again = version(compileCatalog(standardCatalogInput()), first.added, at('2024-06-01T00:00:00Z'));
    expect(again.added).toEqual([]);
    for (const [id, plan] of first.catalog.plans) {
      expect(again.catalog.plans.get(id)?.version).toBe(plan.version);
      expect(again.catalog.plans.get(id)?.hash).toBe(plan.hash);
    }
  });

  it('a definition seen before gets its version back, so alternating catalogs add no versions', () => {
    const changed = standardCatalogInput();
    const basic = must(
      changed.plans?.find((p) => p.id === 'basic'),
      'basic',
    );
    basic.displayName = 'Basic, renamed';
    const second = version(compileCatalog(changed), first.added);
    expect(second.catalog.plans.get('basic')?.version).toBe(2);
    const stored = [...first.added, ...second.added];
    const back = version(compileCatalog(standardCatalogInput()), stored);
    expect(back.added).toEqual([]);
    expect(back.catalog.plans.get('basic')?.version).toBe(1);
    expect(version(compileCatalog(changed), stored).added).toEqual([]);
  });

  it('keeps price amounts as plain decimal strings: no exponents, never negative', () => {
    const priced = (amount: number | string) => {
      const input = standardCatalogInput();
      const basic = must(
        input.plans?.find((p) => p.id === 'basic'),
        'basic',
      );
      basic.prices = [{ billingPeriod: 'MONTHLY', currency: 'usd', amount }];
      return input;
    };
    expect(compileCatalog(priced('12.50')).plans.find((p) => p.id === 'basic')?.prices[0]).toMatchObject({
      amount: '12.50',
      currency: 'USD',
    });
    expect(compileCatalog(priced(49)).plans.find((p) => p.id === 'basic')?.prices[0]?.amount).toBe('49');
    for (const bad of [1e-7, 1e21, -5, '-5', 'ten'])
      expect(() => compileCatalog(priced(bad))).toThrowError(expect.objectContaining({ code: 'INVALID_CATALOG' }));
  });

  it('rejects a plan or add-on that lists a feature, or a plan an add-on, twice', () => {
    const input = standardCatalogInput();
    const basic = must(
      input.plans?.find((p) => p.id === 'basic'),
      'basic',
    );
    const twice = must(basic.entitlements?.[0], 'an entitlement');
    basic.entitlements = [...(basic.entitlements ?? []), { ...twice, usageLimit: 99 }];
    expect(() => compileCatalog(input)).toThrowError(expect.objectContaining({ code: 'INVALID_CATALOG' }));
  });

  it('recognises stored versions that went through JSON (as a store keeps them)', () => {
    const stored = JSON.parse(JSON.stringify(first.added)) as PackageVersionRecord[];
    expect(version(compileCatalog(standardCatalogInput()), stored).added).toEqual([]);
  });

  it('a changed plan gets version + 1 and the old version stays readable; others keep theirs', () => {
    const changed = standardCatalogInput();
    const sched = must(changed.plans?.find((p) => p.id === 'sched-big'));
    sched.entitlements = [{ featureId: 'api-calls', usageLimit: 150, resetPeriod: 'MONTH' }];
    const later = at('2024-06-01T00:00:00Z');
    const second = version(compileCatalog(changed), first.added, later);
    expect(second.added).toHaveLength(1);
    expect(second.added[0]).toMatchObject({ kind: 'plan', refId: 'sched-big', version: 2, createdAt: later });
    const current = must(second.catalog.plans.get('sched-big'));
    expect(current.version).toBe(2);
    expect(current.byFeature.get('api-calls')?.usageLimit).toBe(150);
    const old = must(second.catalog.planVersions.get(versionKey('sched-big', 1)));
    expect(old.version).toBe(1);
    expect(old.byFeature.get('api-calls')?.usageLimit).toBe(100);
    expect(second.catalog.planVersions.get(versionKey('sched-big', 2))).toBe(current);
    expect(second.catalog.plans.get('sched-small')?.version).toBe(1);
    expect(second.catalog.plans.get('basic')?.version).toBe(1);
    expect(second.catalog.addons.get('extra-seats')?.version).toBe(1);

    // And a third run on top of both stored versions is stable.
    const third = version(compileCatalog(changed), [...first.added, ...second.added]);
    expect(third.added).toEqual([]);
    expect(third.catalog.plans.get('sched-big')?.version).toBe(2);
  });

  it('a change to a base plan versions exactly the plans that inherit the changed entitlement', () => {
    const changed = standardCatalogInput();
    const free = must(changed.plans?.find((p) => p.id === 'free'));
    free.entitlements = (free.entitlements ?? []).map((e) =>
      e.featureId === 'region' ? { ...e, enumValues: ['us', 'ap'] } : e,
    );
    const second = version(compileCatalog(changed), first.added);
    // basic and trial-cancel inherit region from free; pro and premium define their own region.
    expect(second.added.map((r) => r.refId).sort()).toEqual(['basic', 'free', 'trial-cancel']);
    expect(second.catalog.plans.get('basic')?.byFeature.get('region')?.enumValues).toEqual(['us', 'ap']);
    expect(second.catalog.plans.get('pro')?.version).toBe(1);
    expect(second.catalog.planVersions.get(versionKey('basic', 1))?.byFeature.get('region')?.enumValues).toEqual([
      'us',
    ]);
  });

  it('a changed add-on gets a new version; the old one stays in addonVersions', () => {
    const changed = standardCatalogInput();
    const addon = must(changed.addons?.find((a) => a.id === 'extra-seats'));
    addon.maxQuantity = 20;
    const second = version(compileCatalog(changed), first.added);
    expect(second.added.map((r) => [r.kind, r.refId, r.version])).toEqual([['addon', 'extra-seats', 2]]);
    expect(second.catalog.addons.get('extra-seats')?.maxQuantity).toBe(20);
    expect(second.catalog.addonVersions.get(versionKey('extra-seats', 1))?.maxQuantity).toBe(10);
  });

  it('a plan removed from the catalog stays readable by version but is no longer current', () => {
    const removed = standardCatalogInput();
    removed.plans = (removed.plans ?? []).filter((p) => p.id !== 'analytics-basic');
    removed.addons = (removed.addons ?? []).filter((a) => a.id !== 'analytics-boost');
    const second = version(compileCatalog(removed), first.added);
    expect(second.added).toEqual([]);
    expect(second.catalog.plans.has('analytics-basic')).toBe(false);
    expect(second.catalog.planVersions.get(versionKey('analytics-basic', 1))?.id).toBe('analytics-basic');
  });

  it('the content hash does not depend on object key order', () => {
    const a: CatalogInput = {
      features: [{ id: 'f', featureType: 'NUMBER', meterType: 'Incremental' }],
      products: [{ id: 'p' }],
      plans: [
        {
          id: 'plan',
          productId: 'p',
          metadata: { alpha: '1', beta: '2', gamma: '3' },
          entitlements: [{ featureId: 'f', usageLimit: 5, resetPeriod: 'DAY', hasSoftLimit: true }],
        },
      ],
    };
    const b: CatalogInput = {
      plans: [
        {
          entitlements: [{ hasSoftLimit: true, resetPeriod: 'DAY', usageLimit: 5, featureId: 'f' }],
          metadata: { gamma: '3', beta: '2', alpha: '1' },
          productId: 'p',
          id: 'plan',
        },
      ],
      products: [{ id: 'p' }],
      features: [{ meterType: 'Incremental', featureType: 'NUMBER', id: 'f' }],
    };
    const va = version(compileCatalog(a));
    const vb = version(compileCatalog(b), va.added);
    expect(vb.added).toEqual([]);
    expect(vb.catalog.plans.get('plan')?.hash).toBe(va.catalog.plans.get('plan')?.hash);
  });

  it('an interval count of 1 is the same version as none; another count is a new version', () => {
    const withCount = (count?: number): CatalogInput => ({
      features: [{ id: 'f', featureType: 'NUMBER', meterType: 'Incremental' }],
      products: [{ id: 'p' }],
      plans: [
        {
          id: 'plan',
          productId: 'p',
          entitlements: [
            { featureId: 'f', usageLimit: 5, resetPeriod: 'MONTH', ...(count ? { resetIntervalCount: count } : {}) },
          ],
        },
      ],
    });
    const none = version(compileCatalog(withCount()));
    expect(version(compileCatalog(withCount(1)), none.added).added).toEqual([]);
    expect(version(compileCatalog(withCount(3)), none.added).catalog.plans.get('plan')?.version).toBe(2);
  });

  it('the hash does change when only a metadata value changes', () => {
    const withMeta = (v: string): CatalogInput => ({
      products: [{ id: 'p' }],
      plans: [{ id: 'plan', productId: 'p', metadata: { k: v } }],
    });
    const va = version(compileCatalog(withMeta('1')));
    const vb = version(compileCatalog(withMeta('2')), va.added);
    expect(vb.catalog.plans.get('plan')?.version).toBe(2);
    expect(vb.catalog.plans.get('plan')?.hash).not.toBe(va.catalog.plans.get('plan')?.hash);
  });
});

describe('properties', () => {
  const limitCatalog = (limits: readonly number[], metadata: Record<string, string>): CatalogInput => ({
    features: [{ id: 'f', featureType: 'NUMBER', meterType: 'Incremental' }],
    products: [{ id: 'p' }],
    plans: limits.map((usageLimit, i) => ({
      id: `plan-${i}`,
      productId: 'p',
      metadata,
      entitlements: [{ featureId: 'f', usageLimit }],
    })),
  });

  it('exactly the plans whose content changed get a new version', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        (limits, flips) => {
          const first = version(compileCatalog(limitCatalog(limits, {})));
          const next = limits.map((l, i) => (flips[i] ? l + 1 : l));
          const second = version(compileCatalog(limitCatalog(next, {})), first.added);
          const expected = limits.flatMap((_, i) => (flips[i] ? [`plan-${i}`] : []));
          expect(second.added.map((r) => r.refId)).toEqual(expected);
          limits.forEach((_, i) => {
            expect(second.catalog.plans.get(`plan-${i}`)?.version).toBe(flips[i] ? 2 : 1);
          });
        },
      ),
    );
  });

  it('versioning is idempotent and ignores metadata key order', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 6 }),
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 3 }),
        (metadata, limits) => {
          const reversed = Object.fromEntries(Object.entries(metadata).reverse());
          const first = version(compileCatalog(limitCatalog(limits, metadata)));
          const again = version(compileCatalog(limitCatalog(limits, reversed)), first.added);
          expect(again.added).toEqual([]);
          for (const [id, plan] of first.catalog.plans) expect(again.catalog.plans.get(id)?.hash).toBe(plan.hash);
        },
      ),
    );
  });
});
