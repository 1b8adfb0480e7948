// Every public method, called with hostile input, either resolves or rejects with an AllotError,
// never throws synchronously (a sync method throws only AllotErrors), and a rejected call leaves
// the store as it was. Methods are enumerated from the prototypes, so a new one is fuzzed at once
// (from generic input until it gets an example below). ALLOT_FUZZ_RUNS sets the total cases.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { GovernanceClient } from '../../src/client/services/governance.js';
import { Allot, AllotError, type CatalogInput } from '../../src/index.js';
import type { Store } from '../../src/stores/store.js';
import { AI_CREDITS, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { type Harness, harness, START, stores } from '../helpers/fixtures.js';

const FC_SEED = Number(process.env.FC_SEED ?? 20_261_207);
const TOTAL_RUNS = Number(process.env.ALLOT_FUZZ_RUNS ?? 2000);

const fuzzCatalog = {
  ...creditCatalog({
    features: [
      {
        id: 'gpt-calls',
        featureType: 'NUMBER',
        meterType: 'Incremental',
        creditRate: { currencyId: AI_CREDITS, creditsPerUnit: 1 },
      },
      {
        id: 'tokens',
        featureType: 'NUMBER',
        meterType: 'Incremental',
        creditRate: { currencyId: AI_CREDITS, creditsPerUnit: '0.5' },
        meter: { eventName: 'completion', aggregation: { function: 'SUM', field: 'tokens' } },
      },
    ],
    planChanges: { pro: { creditEntitlements: monthlyCredits(100) } },
    plans: [
      {
        id: 'ai-pro',
        productId: 'ai',
        entitlements: [
          { featureId: 'gpt-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' },
          { featureId: 'tokens', hasUnlimitedUsage: true, resetPeriod: 'MONTH' },
        ],
      },
    ],
  }),
  // A unit cost, so auto-recharge and its DOLLAR_AMOUNT threshold are reachable.
  creditCurrencies: [
    {
      currencyId: AI_CREDITS,
      displayName: 'AI credits',
      units: { singular: 'credit', plural: 'credits' },
      unitCost: { amount: '0.01', currency: 'USD' },
    },
  ],
} satisfies CatalogInput;

/** The customers every snapshot reads: the seeded ones and one that does not exist. */
const CUSTOMERS = ['acme', 'beta', 'gamma', 'ghost'];
const RESOURCES = [null, 'site-1'];
const FEATURES = fuzzCatalog.features.map((f) => f.id);

/** What seeding made, for examples that name it. */
interface Seeded {
  subscriptionId: string;
  /** A subscription of the product that allows several, so it can move between resources. */
  aiSubscriptionId: string;
  grantId: string;
}

async function seed(allot: Allot): Promise<Seeded> {
  const pro = await allot.provisionCustomer({
    customerId: 'acme',
    email: 'ops@acme.test',
    subscriptionParams: { planId: 'pro', skipTrial: true, addons: [{ addonId: 'extra-calls', quantity: 2 }] },
  });
  const ai = await allot.provisionSubscription({ customerId: 'acme', planId: 'ai-pro' });
  await allot.provisionCustomer({ customerId: 'beta', subscriptionParams: { planId: 'free' } });
  await allot.provisionSubscription({ customerId: 'beta', planId: 'bucket', resourceId: 'site-1' });
  await allot.provisionCustomer({ customerId: 'gamma' });
  await allot.archiveCustomer('gamma');
  const grant = await allot.grantCredits({
    customerId: 'acme',
    currencyId: AI_CREDITS,
    amount: 500,
    displayName: 'seed',
    cost: { amount: 5, currency: 'USD' },
  });
  await allot.consumeCredits({ customerId: 'acme', currencyId: AI_CREDITS, amount: 20, idempotencyKey: 'seed' });
  await allot.saveAutomaticRechargeConfiguration({
    customerId: 'acme',
    currencyId: AI_CREDITS,
    isEnabled: true,
    thresholdType: 'CREDIT_AMOUNT',
    thresholdValue: 50,
    targetBalance: 400,
  });
  await allot.reportUsage({ customerId: 'acme', featureId: 'api-calls', value: 7, dimensions: { region: 'eu' } });
  await allot.reportEvent({
    customerId: 'acme',
    eventName: 'completion',
    idempotencyKey: 'seed',
    dimensions: { tokens: 3 },
  });
  await allot.grantPromotionalEntitlements({
    customerId: 'beta',
    promotionalEntitlements: [{ featureId: 'sso', period: 'ONE_MONTH' }],
  });
  await allot.grantPromotionalEntitlementsGroup({
    customerId: 'beta',
    featureGroupId: 'pack',
    promotionalEntitlements: [{ featureId: 'audit-log', period: 'LIFETIME' }],
  });
  await allot.governance.upsertEntities('acme', {
    entities: [{ entityId: 'org' }, { entityId: 'team', parentId: 'org' }],
  });
  await allot.governance.setBudgets('acme', {
    budgets: [{ entityId: 'team', capabilityId: AI_CREDITS, limit: 100, resetPeriod: 'MONTH' }],
  });
  // Reads store what time did (refills); done once here so snapshots compare only what calls write.
  for (const customerId of ['acme', 'beta']) await allot.getCreditLedger({ customerId });
  const subscriptionId = pro.subscription?.id;
  if (!subscriptionId) throw new Error('seed: no subscription');
  return { subscriptionId, aiSubscriptionId: ai.subscription.id, grantId: grant.id };
}

/** Valid arguments of each method on the seeded data: the fuzz mutates them to reach deep code. */
function examples({ subscriptionId, aiSubscriptionId, grantId }: Seeded): Record<string, unknown[]> {
  const check = { customerId: 'acme', featureId: 'api-calls', options: { requestedUsage: 1 } };
  const pool = { customerId: 'acme', currencyId: AI_CREDITS };
  const recharge = { ...pool, isEnabled: true, thresholdType: 'CREDIT_AMOUNT', thresholdValue: 10, targetBalance: 90 };
  const customerBilling = { billingInfo: { customerName: 'Delta', taxIds: [{ type: 'eu_vat', value: 'DE1' }] } };
  const team = { entityIds: ['team'], capabilityId: AI_CREDITS };
  return {
    waitForInitialization: [],
    getEntitlement: [check],
    getBooleanEntitlement: [{ customerId: 'acme', featureId: 'sso' }],
    getNumericEntitlement: [{ customerId: 'acme', featureId: 'max-projects' }],
    getMeteredEntitlement: [check],
    getEnumEntitlement: [{ customerId: 'acme', featureId: 'region', options: { requestedValues: ['eu'] } }],
    getEntitlementSync: [check, 'METERED'],
    explainEntitlement: [{ customerId: 'acme', featureId: 'gpt-calls', resourceId: null }],
    getEntitlementsState: ['acme', null],
    getEntitlements: ['beta', 'site-1'],
    reloadEntitlements: ['acme', null],
    provisionCustomer: [
      { customerId: 'delta', name: 'Delta', ...customerBilling, subscriptionParams: { planId: 'free', id: 'sub-d' } },
    ],
    updateCustomer: [{ customerId: 'acme', name: 'Acme', metadata: { tier: 'gold' }, salesforceId: 'sf-1' }],
    getCustomer: ['acme'],
    archiveCustomer: ['beta'],
    unarchiveCustomer: ['gamma'],
    provisionSubscription: [
      {
        customerId: 'acme',
        planId: 'enterprise',
        billingPeriod: 'MONTHLY',
        payingCustomerId: 'beta',
        billingCountryCode: 'DE',
        appliedCoupon: { discount: { percentOff: 10 } },
        billingInformation: { taxPercentage: 5 },
        checkoutOptions: { successUrl: 'https://ok', cancelUrl: 'https://no' },
      },
    ],
    updateSubscription: [
      {
        subscriptionId,
        addons: [{ addonId: 'extra-seats', quantity: 1 }],
        billingCycleAnchor: 'NOW',
        priceOverrides: [{ price: { amount: 40 } }],
        minimumSpend: { minimum: { amount: 60 } },
      },
    ],
    cancelSubscription: [{ subscriptionId, subscriptionCancellationTime: 'END_OF_BILLING_PERIOD' }],
    cancelSubscriptionScheduledUpdates: [{ subscriptionId }],
    migrateSubscriptionToLatest: [{ subscriptionId }],
    transferSubscriptionToResource: [{ subscriptionId: aiSubscriptionId, destinationResourceId: 'site-1' }],
    getSubscription: [{ subscriptionId }],
    getSubscriptions: [{ customerId: 'acme', pagination: { limit: 2 } }],
    getActiveSubscriptions: [{ customerId: 'acme' }],
    getActiveSubscriptionsList: [{ customerId: 'beta', resourceId: 'site-1' }],
    reportUsage: [{ customerId: 'acme', featureId: 'api-calls', value: 2, idempotencyKey: 'u1' }],
    reportUsageBulk: [{ usages: [{ customerId: 'acme', featureId: 'gpt-calls', value: 3 }] }],
    checkAndReportUsage: [{ customerId: 'acme', featureId: 'gpt-calls', value: 4 }],
    reportEvent: [{ customerId: 'acme', eventName: 'completion', idempotencyKey: 'e1', dimensions: { tokens: 5 } }],
    getUsageHistory: [{ customerId: 'acme', featureId: 'api-calls', startDate: START, groupBy: ['region'] }],
    pruneUsageHistory: [{ before: START, onProgress: () => {} }],
    grantPromotionalEntitlements: [
      {
        customerId: 'acme',
        promotionalEntitlements: [{ featureId: 'max-projects', period: 'ONE_WEEK', usageLimit: 9 }],
      },
    ],
    revokePromotionalEntitlements: [{ customerId: 'beta', featureId: 'sso' }],
    grantCredits: [
      {
        ...pool,
        amount: '12.5',
        displayName: 'top-up',
        grantType: 'PROMOTIONAL',
        idempotencyKey: 'g',
        additionalMetaData: { by: 'fuzz' },
      },
    ],
    createCreditGrant: [
      {
        ...pool,
        amount: 3,
        displayName: 'x',
        expireAt: '2025-03-01T00:00:00Z',
        recurrence: { interval: 'DAY', intervalCount: 2, anchor: START },
        rollover: { maxAmount: 2, percentage: '50' },
      },
    ],
    voidCreditGrant: [{ id: grantId }],
    consumeCredits: [{ ...pool, amount: '1.5', idempotencyKey: 'c1', featureId: 'gpt-calls' }],
    getCreditEntitlement: [{ ...pool, options: { requestedUsage: 5 } }],
    getCreditBalance: [pool],
    getCreditGrants: [{ customerId: 'acme', paging: { first: 2 } }],
    getCreditLedger: [{ ...pool, eventType: ['CREDITS_GRANTED'], paging: { first: 3 } }],
    getCreditUsage: [{ customerId: 'acme', timeRange: 'LAST_MONTH', groupBy: ['tokens'] }],
    getCreditEventsFields: [{ customerId: 'acme', search: 'tok' }],
    estimateUsageCost: [{ customerId: 'acme', featureId: 'gpt-calls', value: 10 }],
    estimateEventCost: [{ customerId: 'acme', eventName: 'completion', dimensions: { tokens: 2 } }],
    saveAutomaticRechargeConfiguration: [{ ...recharge, environmentId: 'env', grantExpirationPeriod: 'OneMonth' }],
    saveAutoRechargeSettings: [
      { ...recharge, thresholdType: 'DOLLAR_AMOUNT', maxSpendLimit: '20', rechargeMethod: 'FIXED', rechargeAmount: 5 },
    ],
    getAutomaticRechargeConfiguration: [{ ...pool, environmentId: 'env' }],
    resetCreditPool: [
      { ...pool, rollover: { minAmount: 1, percentage: 25 }, overage: 'FORGIVE', idempotencyKey: 'r1' },
    ],
    saveCreditResetSchedule: [
      { ...pool, resourceId: 'site-1', schedule: { interval: 'WEEK', intervalCount: 2, overage: 'CARRY' } },
    ],
    getCreditResetSchedule: [pool],
    estimateSubscription: [
      {
        customerId: 'acme',
        planId: 'pro',
        billingCountryCode: 'DE',
        addons: [],
        appliedCoupon: { discount: { amountsOff: [{ amount: 5, currency: 'USD' }] } },
        billingInformation: { taxPerentage: 7 },
      },
    ],
    estimateSubscriptionUpdate: [{ subscriptionId, billableFeatures: [{ featureId: 'seats', quantity: 3 }] }],
    getPaywall: [{ customerId: 'acme', productId: 'app' }],
    getCoupons: [],
    getProducts: [],
    getEntitlementV2: [{ ...pool, options: { requestedUsage: 5 } }],
    getEntitlementsStateV2: ['beta', 'site-1'],
    createCustomer: [{ customerId: 'epsilon', name: 'Epsilon' }],
    importCustomer: [{ customerId: 'beta', email: 'ops@beta.test', paymentMethodId: 'pm_1' }],
    importCustomerBulk: [
      { customers: [{ customerId: 'zeta' }, { customerId: 'acme', name: 'Acme 2' }], integrationId: 'i' },
    ],
    getCustomerStatistics: ['acme'],
    detachCustomerPaymentMethod: ['acme'],
    createSubscription: [{ customerId: 'acme', planId: 'enterprise' }],
    applySubscription: [{ customerId: 'beta', planId: 'pro', skipTrial: true, paymentMethodId: 'pm_1' }],
    previewSubscription: [{ customerId: 'acme', planId: 'free', scheduleStrategy: 'END_OF_BILLING_PERIOD' }],
    previewNextInvoice: [{ subscriptionId }],
    importSubscriptionBulk: [
      {
        subscriptions: [
          { customerId: 'beta', planId: 'bucket', resourceId: 'site-2', startDate: '2024-12-01T00:00:00Z' },
          { customerId: 'acme', planId: 'enterprise', subscriptionId: 'imported', endDate: '2026-01-01T00:00:00Z' },
        ],
      },
    ],
    transferSubscription: [{ customerId: 'beta', sourceResourceId: 'site-1', destinationResourceId: 'site-2' }],
    delegateSubscriptionToCustomer: [{ subscriptionId: aiSubscriptionId, destinationCustomerId: 'beta' }],
    getUsageHistoryV2: [
      { customerId: 'acme', featureId: 'api-calls', startDate: START, includeInactiveSubscriptions: true },
    ],
    fetchUsageHistory: [{ customerId: 'acme', featureId: 'api-calls', startDate: START }],
    grantPromotionalEntitlementsGroup: [
      { customerId: 'acme', featureGroupId: 'g', promotionalEntitlements: [{ featureId: 'sso', period: 'ONE_WEEK' }] },
    ],
    revokePromotionalEntitlementsGroup: [{ customerId: 'beta', featureGroupId: 'pack' }],
    unlinkPromotionalEntitlementsGroup: [{ customerId: 'beta', featureGroupId: 'pack' }],
    consumeCreditsAsync: [
      {
        consumptions: [
          { ...pool, amount: '1.5', idempotencyKey: 'a1' },
          { ...pool, amount: 2, idempotencyKey: 'a2' },
        ],
      },
    ],
    'governance.upsertEntities': ['acme', { entities: [{ entityId: 'ana', parentId: 'team' }] }],
    'governance.removeEntity': ['acme', { entityId: 'team' }],
    'governance.setBudgets': [
      'acme',
      { budgets: [{ entityId: 'org', capabilityId: AI_CREDITS, limit: '1000.5', resetPeriod: 'DAY' }] },
    ],
    'governance.removeBudget': ['acme', { entityId: 'team', capabilityId: AI_CREDITS }],
    'governance.check': ['acme', { ...team, requestedAmount: 10 }],
    'governance.ingest': ['acme', { events: [{ ...team, amount: 5 }], idempotencyKey: 'i1' }],
    'governance.getEntity': ['acme', { entityId: 'team' }],
    'governance.listEntities': ['acme'],
  };
}

// Not fuzzed: `close` ends the engine (every later call is CLOSED, by design), and
// `addListener`/`removeListener` register callbacks, which the fuzz has no functions to pass.
const SKIPPED = new Set(['constructor', 'close', 'addListener', 'removeListener']);
/** The methods that answer synchronously: they may throw, but only AllotErrors. */
const SYNC = new Set(['getEntitlementSync']);

/** The public methods of a prototype (accessors such as `catalog` are not methods). */
function methodsOf(prototype: object, prefix = ''): string[] {
  return Object.getOwnPropertyNames(prototype)
    .filter(
      (name) => !SKIPPED.has(name) && typeof Object.getOwnPropertyDescriptor(prototype, name)?.value === 'function',
    )
    .map((name) => prefix + name);
}
const METHODS = [...methodsOf(Allot.prototype), ...methodsOf(GovernanceClient.prototype, 'governance.')];

/** An object with `key` as an own property, even `__proto__`, as JSON.parse makes it. */
function withOwn(base: object, entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of entries)
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

const MEGABYTE = 'x'.repeat(1 << 20);
/** Values that are wrong almost everywhere, and the edges schemas draw their bounds at. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    1e308,
    2 ** 53 + 1,
    -1,
    0.1 + 0.2,
    '',
    ' ',
    MEGABYTE,
    'a\u0000b',
    '\n',
    '\u202e\u0007',
    '9007199254740993',
    '99999999999.99999',
    '1e3',
    'free',
    '2025-02-30T00:00:00Z',
    null,
    undefined,
    true,
    [],
    {},
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: { prototype: { polluted: true } } },
    // Messages that interpolate a value must not call these.
    { toString: 1, valueOf: 1 },
    Object.assign(Object.create(null), { customerId: 'acme', featureId: 'api-calls' }),
    // biome-ignore lint/suspicious/noSparseArray: a hole is input too
    [, 1],
    JSON.parse(`${'['.repeat(2000)}${']'.repeat(2000)}`),
  ),
  fc.string({ maxLength: 8 }),
  fc.double(),
  fc.integer(),
  fc.date({ noInvalidDate: false }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Values a caller could mean: the seeded ids, enum values, amounts and instants. */
const plausible: fc.Arbitrary<unknown> = fc.constantFrom(
  ...CUSTOMERS,
  ...FEATURES,
  AI_CREDITS,
  'pro',
  'free',
  'site-1',
  'team',
  'METERED',
  'BOOLEAN',
  'DELTA',
  'SET',
  'MONTH',
  'PAID',
  'CREDIT_AMOUNT',
  'USD',
  START,
  1,
  2.5,
  '100',
  [],
  [AI_CREDITS],
);
const anyValue = fc.oneof({ weight: 3, arbitrary: hostile }, { weight: 2, arbitrary: plausible });

/**
 * `example` with one change or a few: fields dropped, replaced, mutated inside or joined by odd
 * keys, or the whole value replaced. Mostly small changes, so calls get past validation too.
 */
function mutate(example: unknown, depth = 0): fc.Arbitrary<unknown> {
  if (typeof example !== 'object' || example === null || depth > 2)
    return fc.oneof({ weight: 3, arbitrary: fc.constant(example) }, { weight: 2, arbitrary: anyValue });
  if (Array.isArray(example))
    return fc.oneof(
      { weight: 4, arbitrary: fc.tuple(...example.map((e) => mutate(e, depth + 1))) },
      { weight: 1, arbitrary: fc.constant([...example, ...example]) },
      { weight: 1, arbitrary: anyValue },
    );
  const keys = Object.keys(example);
  const odd = fc.constantFrom(...keys, '__proto__', 'constructor', 'toString', 'unknownField');
  const few = <T>(arbitrary: fc.Arbitrary<T[]>) =>
    fc.oneof({ weight: 3, arbitrary: fc.constant([] as T[]) }, { weight: 1, arbitrary });
  const reshaped = fc
    .tuple(
      few(fc.subarray(keys, { maxLength: Math.min(2, keys.length) })),
      few(fc.array(fc.tuple(odd, anyValue), { maxLength: 2 })),
      keys.length === 0
        ? fc.constant(undefined)
        : fc.constantFrom(...keys).chain((k) => fc.tuple(fc.constant(k), mutate((example as never)[k], depth + 1))),
    )
    .map(([dropped, put, nested]) => {
      const kept = Object.fromEntries(Object.entries(example).filter(([k]) => !dropped.includes(k)));
      return withOwn(kept, nested ? [nested, ...put] : put);
    });
  return fc.oneof(
    { weight: 8, arbitrary: reshaped },
    { weight: 1, arbitrary: fc.constant([example]) },
    { weight: 1, arbitrary: anyValue },
  );
}

/** A method's arguments: its example mutated, or (with no example) any values. */
function argumentsOf(example: unknown[] | undefined, arity: number): fc.Arbitrary<unknown[]> {
  if (!example) return fc.array(anyValue, { maxLength: arity + 1 });
  const mutated = fc.tuple(...example.map((e) => mutate(e)));
  return fc.oneof(
    { weight: 8, arbitrary: mutated },
    { weight: 1, arbitrary: mutated.map((args) => args.slice(0, -1)) },
    { weight: 1, arbitrary: mutated.map((args) => [...args, 'extra']) },
  );
}

/**
 * Everything about the snapshot's customers: what the store holds, read through its own read API,
 * and what the engine answers from its cache, so a rejected call that changed either is caught.
 */
async function snapshot(allot: Allot, store: Store, now: number): Promise<unknown> {
  const stored = await store.read(async (r) => {
    const out: Record<string, unknown> = { subscriptions: await r.listSubscriptions({ limit: 100_000 }) };
    for (const customerId of CUSTOMERS) {
      const usage: unknown[] = [];
      for (const featureId of FEATURES)
        for (const resourceId of RESOURCES)
          usage.push(
            await r.listUsageEntries({ customerId, featureId, resourceId, ranges: [{ from: 0, before: 8.64e15 }] }),
          );
      out[customerId] = {
        state: await r.getCustomerState(customerId, now),
        usage,
        pools: await r.listCreditPools(customerId),
        grants: await r.listCreditGrants({ customerId }),
        ledger: await r.listCreditLedger({ customerId, limit: 100_000 }),
        autoRecharge: await r.getAutoRecharge(customerId, AI_CREDITS),
        governance: await r.getGovernance(customerId, now),
      };
    }
    return out;
  });
  const settle = (p: Promise<unknown>) =>
    p.then(
      (value) => ({ value }),
      (e: unknown) => ({ error: AllotError.is(e) ? e.code : String(e) }),
    );
  const answered: Record<string, unknown> = {};
  for (const customerId of CUSTOMERS)
    answered[customerId] = [
      await settle(allot.getEntitlementsState(customerId)),
      await settle(allot.getCreditEntitlement({ customerId, currencyId: AI_CREDITS })),
      await settle(allot.getAutomaticRechargeConfiguration({ customerId, currencyId: AI_CREDITS })),
    ];
  return { stored, answered };
}

/**
 * What a call failed with, or undefined when it succeeded. An async method must return a promise
 * and never throw synchronously; a sync method may throw (what it threw must be an AllotError).
 */
async function outcome(name: string, call: () => unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    if (SYNC.has(name)) return e;
    throw new Error(`${name} threw synchronously: ${describeError(e)}`);
  }
  if (SYNC.has(name)) return undefined;
  if (!(result instanceof Promise)) throw new Error(`${name} returned no promise`);
  return result.then(
    () => undefined,
    (e: unknown) => e ?? new Error(`${name} rejected with ${String(e)}`),
  );
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message.slice(0, 300)}\n${e.stack ?? ''}` : String(e);
}

const fixtures = [
  { fixture: stores[0], total: TOTAL_RUNS },
  // SQLite binds every value the fuzz reaches a statement with; a smaller run, as it is slower.
  { fixture: stores[1], total: Math.ceil(TOTAL_RUNS / 4) },
];

describe.each(fixtures)('fuzz ($fixture.name)', ({ fixture, total }) => {
  const runs = Math.max(1, Math.ceil(total / METHODS.length));
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('enumerates the public methods, and every example names one of them', () => {
    expect(METHODS.length).toBeGreaterThan(50);
    const named = Object.keys(examples({ subscriptionId: '', aiSubscriptionId: '', grantId: '' }));
    expect(named.filter((m) => !METHODS.includes(m))).toEqual([]);
  });

  it.each(METHODS)(
    '%s resolves or rejects with an AllotError, and a rejection writes nothing',
    async (name) => {
      if (!fixture) throw new Error('no store fixture');
      h = await harness(fixture, { catalog: fuzzCatalog });
      const { allot, store, clock } = h;
      const example = examples(await seed(allot))[name];
      const [target, method] = name.startsWith('governance.')
        ? [allot.governance as object, name.slice('governance.'.length)]
        : [allot as object, name];
      const fn = (target as Record<string, (...args: unknown[]) => unknown>)[method];
      if (typeof fn !== 'function') throw new Error(`${name} is not a method`);
      await fc.assert(
        fc.asyncProperty(argumentsOf(example, fn.length), async (args) => {
          const before = await snapshot(allot, store, clock.now());
          const failure = await outcome(name, () => fn.apply(target, args));
          if (failure === undefined) return;
          if (!AllotError.is(failure))
            throw new Error(`${name} rejected with a non-AllotError: ${describeError(failure)}`);
          // The store is healthy: a store error means hostile input reached a statement.
          expect(failure.code, failure.message.slice(0, 300)).not.toMatch(/^STORE_/);
          expect(await snapshot(allot, store, clock.now())).toEqual(before);
        }),
        { seed: FC_SEED, numRuns: runs, endOnFailure: true },
      );
    },
    120_000,
  );
});
