// The world the reference examples take for granted: a catalog with the plans, features, add-ons,
// coupons and credit currencies they name, and the customers, subscriptions, grants and budgets
// they act on, under the ids they use. `Stigg.initialize` builds an Allot over it: the one change
// an example needs.
import * as sdk from '../../src/index.js';
import { Allot, type AllotOptions, type CatalogInput, ManualClock, type Store } from '../../src/index.js';
import { memoryStore } from '../../src/stores/memory/index.js';
import type { StoreTransaction } from '../../src/stores/store.js';

/** The examples' now: their `new Date()` and the engine's clock. */
export const NOW = '2026-06-01T00:00:00.000Z';

const monthly = (amount: string, extra: object = {}) => ({
  billingPeriod: 'MONTHLY' as const,
  currency: 'USD',
  amount,
  ...extra,
});
const perTemplate = (amount: string, extra: object = {}) =>
  monthly(amount, { billingModel: 'PER_UNIT', featureId: 'feature-01-templates', ...extra });

export const catalog = {
  features: [
    { id: 'feature-demo-01', featureType: 'BOOLEAN', displayName: 'Feature #1' },
    { id: 'feature-demo-02', featureType: 'NUMBER', units: 'request', unitsPlural: 'requests' },
    {
      id: 'feature-demo-03',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      units: 'request',
      unitsPlural: 'requests',
    },
    { id: 'feature-01-templates', featureType: 'NUMBER', meterType: 'Fluctuating', units: 'template' },
    { id: 'feature-seats', featureType: 'NUMBER', meterType: 'Fluctuating', units: 'seat', unitsPlural: 'seats' },
    {
      id: 'feature-logins',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      meter: { eventName: 'user_login', aggregation: { function: 'UNIQUE', field: 'user_id' } },
    },
  ],
  products: [
    { id: 'product-stigg', displayName: 'Stigg', multipleSubscriptions: true },
    {
      id: 'product-revvenu',
      displayName: 'Revvenu',
      description: 'Example description',
      metadata: { recommendedPlan: 'plan-revvenu-essentials' },
      downgradePlanId: 'plan-revvenu-basic',
      multipleSubscriptions: true,
    },
    { id: 'product-main', displayName: 'Main Product', downgradePlanId: 'plan-free' },
  ],
  plans: [
    {
      id: 'plan-stigg-starter',
      productId: 'product-stigg',
      displayName: 'Starter',
      description: 'For getting started',
      order: 0,
      entitlements: [{ featureId: 'feature-demo-01' }, { featureId: 'feature-demo-02', usageLimit: 100 }],
    },
    {
      id: 'plan-basic',
      productId: 'product-stigg',
      displayName: 'Basic',
      order: 1,
      pricingType: 'PAID',
      entitlements: [
        { featureId: 'feature-demo-01' },
        { featureId: 'feature-demo-02', usageLimit: 100 },
        { featureId: 'feature-demo-03', usageLimit: 2, resetPeriod: 'MONTH' },
        { featureId: 'feature-01-templates', hasUnlimitedUsage: true },
        { featureId: 'feature-seats', usageLimit: 50 },
        { featureId: 'feature-logins', usageLimit: 1000, resetPeriod: 'MONTH' },
      ],
      prices: [
        monthly('10'),
        perTemplate('2'),
        monthly('70', { currency: 'DKK', billingCountryCode: 'DK' }),
        perTemplate('14', { currency: 'DKK', billingCountryCode: 'DK' }),
      ],
      compatibleAddonIds: ['addon-extra-stuff', 'extra-api-calls'],
    },
    {
      id: 'plan-essentials',
      productId: 'product-stigg',
      displayName: 'Essentials',
      order: 2,
      basePlanId: 'plan-basic',
      pricingType: 'PAID',
      prices: [monthly('30')],
    },
    { id: 'plan-revvenu-basic', productId: 'product-revvenu', displayName: 'Basic', order: 0 },
    {
      id: 'plan-revvenu-essentials',
      productId: 'product-revvenu',
      displayName: 'Essentials',
      order: 1,
      pricingType: 'PAID',
      prices: [monthly('15')],
    },
    {
      id: 'plan-revvenu-growth',
      productId: 'product-revvenu',
      displayName: 'Growth',
      order: 2,
      pricingType: 'PAID',
      entitlements: [{ featureId: 'feature-01-templates', hasUnlimitedUsage: true }],
      prices: [monthly('10'), perTemplate('2')],
      compatibleAddonIds: ['addon-10-campaigns'],
    },
    { id: 'plan-free', productId: 'product-main', displayName: 'Free Plan', order: 0 },
    {
      id: 'plan-pro',
      productId: 'product-main',
      displayName: 'Pro Plan',
      description: 'Full access to all Pro features',
      order: 1,
      pricingType: 'PAID',
      prices: [monthly('99')],
    },
  ],
  addons: [
    {
      id: 'addon-extra-stuff',
      productId: 'product-stigg',
      entitlements: [{ featureId: 'feature-seats', usageLimit: 10 }],
      prices: [monthly('5')],
    },
    {
      id: 'extra-api-calls',
      productId: 'product-stigg',
      entitlements: [{ featureId: 'feature-demo-03', usageLimit: 100 }],
      maxQuantity: 10,
      prices: [monthly('1')],
    },
    { id: 'addon-10-campaigns', productId: 'product-revvenu', prices: [monthly('6')] },
  ],
  coupons: [
    { id: 'coupon-test-id', name: 'Test coupon id', type: 'PERCENTAGE', percentOff: 10 },
    { id: 'coupon-16e5c7', name: 'Test coupon', type: 'PERCENTAGE', percentOff: 5 },
    {
      id: 'coupon-stigg30',
      name: '30% off',
      type: 'PERCENTAGE',
      percentOff: 30,
      promotionCodes: [{ code: 'STIGG30' }],
    },
    {
      id: 'coupon-stigg50',
      name: 'Half off for three months',
      type: 'PERCENTAGE',
      percentOff: 50,
      durationType: 'REPEATING',
      durationInMonths: 3,
      promotionCodes: [{ code: 'STIGG50' }],
    },
  ],
  // ai-tokens first: the credits guide's getCreditUsage without a currency reads the first one the customer holds.
  creditCurrencies: [
    {
      currencyId: 'ai-tokens',
      displayName: 'AI tokens',
      units: { singular: 'token', plural: 'tokens' },
      unitCost: { amount: '0.001', currency: 'USD' },
    },
    {
      currencyId: 'currency-ai-credits',
      displayName: 'AI Credits',
      symbol: 'AIC',
      units: { singular: 'credit', plural: 'credits' },
    },
    { currencyId: 'currency-ai-tokens', displayName: 'AI Tokens', units: { singular: 'token', plural: 'tokens' } },
    {
      currencyId: 'currency-api-credits',
      displayName: 'API Credits',
      units: { singular: 'credit', plural: 'credits' },
    },
    {
      currencyId: 'tokens',
      displayName: 'Tokens',
      units: { singular: 'token', plural: 'tokens' },
      unitCost: { amount: '0.01', currency: 'USD' },
    },
  ],
} satisfies CatalogInput;

/**
 * A store for seeding that gives the next subscription or credit grant it writes the id the
 * examples use (allot makes its own ids, as Stigg does): `claim` names it, and every later
 * write of that record, or ledger entry of that grant, is renamed the same way.
 */
function renamingStore(store: Store) {
  const renamed = new Map<string, string>();
  const pending: { subscription?: string; grant?: string } = {};
  const id = (v: string) => renamed.get(v) ?? v;
  const wrap = (tx: StoreTransaction): StoreTransaction =>
    new Proxy(tx, {
      get(target, prop, receiver) {
        if (prop === 'putSubscription')
          return async (record: { id: string }) => {
            if (pending.subscription && !renamed.has(record.id) && !(await target.getSubscription(record.id))) {
              renamed.set(record.id, pending.subscription);
              delete pending.subscription;
            }
            return target.putSubscription({ ...record, id: id(record.id) } as never);
          };
        if (prop === 'putCreditGrants')
          return async (grants: readonly { id: string }[]) => {
            for (const g of grants)
              if (pending.grant && !renamed.has(g.id) && !(await target.getCreditGrant(g.id))) {
                renamed.set(g.id, pending.grant);
                delete pending.grant;
              }
            return target.putCreditGrants(grants.map((g) => ({ ...g, id: id(g.id) })) as never);
          };
        if (prop === 'appendCreditLedger')
          return (entries: readonly { grantId: string | null; relatedGrantId?: string }[]) =>
            target.appendCreditLedger(
              entries.map((e) => ({
                ...e,
                grantId: e.grantId && id(e.grantId),
                ...(e.relatedGrantId ? { relatedGrantId: id(e.relatedGrantId) } : {}),
              })) as never,
            );
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (prop === 'transaction')
        return <T>(keys: readonly string[], fn: (tx: StoreTransaction) => Promise<T>) =>
          target.transaction(keys, (tx) => fn(wrap(tx)));
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    store: wrapped,
    claim(kind: 'subscription' | 'grant', as: string) {
      pending[kind] = as;
    },
  };
}

/** The customers, subscriptions, credits and budgets the examples act on. */
async function seed(store: Store, clock: ManualClock, without: string | undefined): Promise<void> {
  const renaming = renamingStore(store);
  const allot = Allot.initialize({ catalog, store: renaming.store, clock });
  const as = async <T>(kind: 'subscription' | 'grant', id: string, customerId: string, write: () => Promise<T>) => {
    renaming.claim(kind, id);
    await write();
    // The seeding instance cached the record under allot's id: read it back under the examples'.
    await allot.reloadEntitlements(customerId);
  };
  const demo = 'customer-demo-01';
  await allot.provisionCustomer({
    customerId: demo,
    name: 'Test Name',
    email: 'john@example.com',
    metadata: { lorem: 'ipsum' },
    subscriptionParams: null,
  });
  const subscribe = (id: string, params: Omit<sdk.ProvisionSubscriptionParams, 'customerId'>, customerId = demo) =>
    as('subscription', id, customerId, () => allot.provisionSubscription({ customerId, ...params }));
  await subscribe('subscription-plan-pro-abc123', { planId: 'plan-pro', metadata: { internalTierId: 'tier-gold' } });
  await subscribe('subscription-plan-basic', {
    planId: 'plan-basic',
    resourceId: 'resource-01',
    billableFeatures: [{ featureId: 'feature-01-templates', quantity: 2 }],
  });
  await subscribe('subscription-plan-essentials', { planId: 'plan-essentials', resourceId: 'resource-02' });
  // A downgrade at the end of the period: the scheduled update the cancelling examples remove.
  await allot.provisionSubscription({
    customerId: demo,
    planId: 'plan-basic',
    resourceId: 'resource-02',
    scheduleStrategy: 'END_OF_BILLING_PERIOD',
  });
  await subscribe('subscription-01', { planId: 'plan-stigg-starter', resourceId: 'resource-03' });
  await subscribe('subscription-plan-revvenu-growth-da6324', {
    planId: 'plan-revvenu-growth',
    resourceId: 'resource-04',
    billableFeatures: [{ featureId: 'feature-01-templates', quantity: 2 }],
    addons: [{ addonId: 'addon-10-campaigns', quantity: 1 }],
  });
  await subscribe('subscriptionId', { planId: 'plan-revvenu-essentials', resourceId: 'resource-05' });
  await subscribe('subscription-workspace', { planId: 'plan-stigg-starter', resourceId: 'workspace-example-com' });

  const aiCredits = { customerId: demo, currencyId: 'currency-ai-credits', resourceId: 'resource-01' };
  await allot.grantCredits({ ...aiCredits, amount: 5000, displayName: 'Plan credits' });
  await allot.consumeCredits({ ...aiCredits, amount: 250, idempotencyKey: 'seed-ai-credits' });
  await allot.grantCredits({ customerId: demo, currencyId: 'currency-ai-tokens', amount: 1000, displayName: 'Tokens' });
  const aiTokens = { customerId: demo, currencyId: 'ai-tokens' };
  await as('grant', 'grant-abc123', demo, () =>
    allot.grantCredits({ ...aiTokens, amount: 500, displayName: 'Welcome', grantType: 'PROMOTIONAL' }),
  );
  const workspace = { ...aiTokens, resourceId: 'workspace-example-com' };
  await allot.grantCredits({ ...workspace, amount: 100_000, displayName: 'Workspace tokens' });
  clock.set('2026-05-10T00:00:00.000Z');
  const models: Record<string, string>[] = [
    { model: 'gemini' },
    { model: 'gemini' },
    { model: 'claude', model_version: '4' },
  ];
  for (const [i, dimensions] of models.entries())
    await allot.consumeCredits({ ...workspace, amount: 1000, idempotencyKey: `seed-${i}`, dimensions });
  clock.set(NOW);

  if (without !== 'customer-test-id')
    await allot.provisionCustomer({
      customerId: 'customer-test-id',
      subscriptionParams: { planId: 'plan-basic', resourceId: 'resource-01' },
    });
  await allot.provisionCustomer({ customerId: 'customer-a18f01', subscriptionParams: { planId: 'plan-free' } });
  await allot.provisionCustomer({ customerId: 'customer-123', subscriptionParams: null });
  await allot.saveAutomaticRechargeConfiguration({
    customerId: 'customer-123',
    currencyId: 'tokens',
    isEnabled: true,
    thresholdType: 'CREDIT_AMOUNT',
    thresholdValue: 50,
    targetBalance: 100,
    maxSpendLimit: 250,
    grantExpirationPeriod: 'ONE_MONTH',
  });

  await allot.provisionCustomer({ customerId: 'cus-acme', subscriptionParams: null });
  await allot.governance.upsertEntities('cus-acme', { entities: [{ entityId: 'team-eng', type: 'TEAM' }] });
  await allot.governance.setBudgets('cus-acme', {
    budgets: [{ entityId: 'team-eng', capabilityId: 'ai-tokens', limit: 100_000, resetPeriod: 'MONTH' }],
  });
}

/** A method call an example made on its client, with what it returned or threw. */
export interface Call {
  method: string;
  args: unknown[];
  result?: unknown;
  error?: unknown;
}

/** A client that hands every call to `allot` and notes it with its outcome, so checks can read what an example got. */
function recording(allot: Allot, calls: Call[]): Allot {
  return new Proxy(allot, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        const call: Call = { method: prop, args };
        calls.push(call);
        const settled = (result: unknown) => {
          call.result = result;
          return result;
        };
        const failed = (error: unknown) => {
          call.error = error;
          throw error;
        };
        try {
          const result: unknown = value.apply(target, args);
          return result instanceof Promise ? result.then(settled, failed) : settled(result);
        } catch (error) {
          return failed(error);
        }
      };
    },
  });
}

/** What an example did: its client calls, console lines, the clients it created, the routes it registered. */
export interface Run {
  readonly world: World;
  readonly calls: Call[];
  readonly logs: unknown[][];
  readonly clients: Allot[];
  /** The configurations of the governance clients it created. */
  readonly governanceClients: unknown[];
  readonly routes: { path: string; handler: (req: unknown, res: unknown) => Promise<unknown> }[];
}

export interface World {
  readonly clock: ManualClock;
  /** The client the examples that do not create one get (as `stiggClient`). */
  readonly allot: Allot;
  /** What `Stigg.initialize(config)` becomes: an Allot over the world's store, with the world's catalog and clock. */
  open(config: Omit<AllotOptions, 'catalog'>): Allot;
  /** Closes every client, and with them the store they share. */
  close(): Promise<void>;
}

/** A fresh store with the examples' world in it (`without` a customer an example creates), and a client over it. */
export async function world(options: { without?: string | undefined } = {}): Promise<World> {
  const store = memoryStore();
  const clock = new ManualClock(NOW);
  await seed(store, clock, options.without);
  const opened: Allot[] = [];
  const open = (config: Omit<AllotOptions, 'catalog'>) => {
    const allot = Allot.initialize({ ...config, catalog, store, clock });
    opened.push(allot);
    return allot;
  };
  return {
    clock,
    allot: open({ apiKey: 'YOUR_FULL_ACCESS_KEY' }),
    open,
    close: async () => {
      for (const a of opened) await a.close();
    },
  };
}

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

/**
 * Runs an example as a module would, with `stiggClient` (and, for the governance examples,
 * `governance`) in scope. Its `import { ... } from 'pkg'` become reads of the stand-ins for the
 * packages; its `export default` line goes, since a function body has no exports.
 */
export async function run(code: string, w: World): Promise<Run> {
  const r: Run = { world: w, calls: [], logs: [], clients: [], governanceClients: [], routes: [] };
  const Stigg = {
    /** The one change an example needs: an Allot over the examples' world instead of a Stigg client. */
    initialize(config: Omit<AllotOptions, 'catalog'>) {
      const allot = w.open(config);
      r.clients.push(allot);
      return recording(allot, r.calls);
    },
  };
  const stiggClient = recording(w.allot, r.calls);
  const governance = {
    check: {
      checkControllerCheck: async (owner: string, body: Parameters<Allot['governance']['check']>[1]) => ({
        data: await w.allot.governance.check(owner, body),
      }),
    },
    ingest: {
      ingestControllerIngest: async (owner: string, body: Parameters<Allot['governance']['ingest']>[1]) => ({
        data: await w.allot.governance.ingest(owner, body),
      }),
    },
  };
  const node = { ...sdk, Stigg };
  const modules: Record<string, unknown> = {
    '@stigg/node-server-sdk': { ...node, default: Stigg },
    '@stigg/governance-client': {
      createGovernanceClient: (config: unknown) => {
        r.governanceClients.push(config);
        return governance;
      },
    },
  };
  const module = (specifier: string) => {
    const found = modules[specifier];
    if (!found) throw new Error(`Cannot find package '${specifier}'`);
    return found;
  };
  const console = Object.fromEntries(
    ['log', 'info', 'warn', 'error', 'debug'].map((level) => [level, (...args: unknown[]) => r.logs.push(args)]),
  );
  const app = { post: (path: string, handler: Run['routes'][number]['handler']) => r.routes.push({ path, handler }) };
  const body = code
    .replace(/^import\s*\{([^}]*)\}\s*from\s*'([^']+)';?/gm, (_, names: string, specifier: string) => {
      return `const {${names}} = __module(${JSON.stringify(specifier)});`;
    })
    .replace(/^export default .*$/gm, '');
  // The guide's fragments use the SDK's names (`Stigg`, `BillingPeriod`, ...) as a file that imports
  // them would: they are in scope. A block of its own, so an example may declare them again.
  const scope: Record<string, unknown> = { ...node, stiggClient, governance, console, app, __module: module };
  const fn = new AsyncFunction(...Object.keys(scope), `{\n${body}\n}`);
  await fn(...Object.values(scope));
  return r;
}
