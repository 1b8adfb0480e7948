// Shared test factories for the pure core: instants, catalogs and hand-built customer state.
import { type Catalog, compileCatalog, versionCatalog } from '../../src/catalog/catalog.js';
import type { CatalogInput } from '../../src/catalog/catalog-schema.js';
import type {
  CustomerRecord,
  CustomerState,
  EntitlementSpec,
  PromotionRecord,
  SubscriptionRecord,
  UsageRecord,
} from '../../src/model/records.js';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** An ISO instant that must carry its zone (`Z`) as epoch ms, so no test depends on the local zone. */
export function at(iso: string): number {
  if (!/(Z|[+-]\d\d:\d\d)$/.test(iso)) throw new Error(`instant "${iso}" must be explicit UTC`);
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant "${iso}"`);
  return ms;
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** The value, or a thrown error naming what was missing (biome forbids `!`). */
export function must<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what} to be present`);
  return value;
}

export { expectAllotError } from '../helpers/expect-allot-error.js';

export const CATALOG_NOW = at('2024-01-01T00:00:00Z');

/** A catalog from its declarative input, compiled and versioned against nothing stored. */
export function catalogOf(input: CatalogInput, now = CATALOG_NOW): Catalog {
  return versionCatalog(compileCatalog(input), [], now).catalog;
}

/**
 * The catalog most tests share. Product `app` (downgrade plan `free`): free ⊂ basic ⊂ pro by
 * base-plan inheritance, `pro` has a 14-day trial, `trial-cancel` a trial that cancels. Product
 * `keep` never resets usage on plan changes; product `sched` downgrades at the period end; product
 * `analytics` is a second product granting the same metered feature.
 */
export function standardCatalogInput(): CatalogInput {
  const appAddons = ['extra-seats', 'extra-calls', 'big-calls', 'huge-calls', 'eu-region'];
  return {
    features: [
      { id: 'sso', featureType: 'BOOLEAN' },
      { id: 'seats', featureType: 'NUMBER', meterType: 'Fluctuating', units: 'seat', unitsPlural: 'seats' },
      { id: 'api-calls', featureType: 'NUMBER', meterType: 'Incremental' },
      { id: 'projects', featureType: 'NUMBER', meterType: 'None' },
      {
        id: 'region',
        featureType: 'ENUM',
        enumConfiguration: [{ value: 'us' }, { value: 'eu' }, { value: 'ap' }],
      },
    ],
    products: [
      { id: 'app', downgradePlanId: 'free', multipleSubscriptions: true },
      { id: 'keep', usageResetCutoffRule: 'NEVER_RESET', multipleSubscriptions: true },
      { id: 'sched', downgradeScheduleStrategy: 'END_OF_BILLING_PERIOD' },
      { id: 'analytics', multipleSubscriptions: true },
    ],
    plans: [
      {
        id: 'free',
        productId: 'app',
        order: 0,
        pricingType: 'FREE',
        entitlements: [
          { featureId: 'api-calls', usageLimit: 100, resetPeriod: 'MONTH' },
          { featureId: 'seats', usageLimit: 1 },
          { featureId: 'projects', usageLimit: 1 },
          { featureId: 'region', enumValues: ['us'] },
        ],
        compatibleAddonIds: [],
      },
      {
        id: 'basic',
        productId: 'app',
        order: 1,
        pricingType: 'PAID',
        basePlanId: 'free',
        entitlements: [
          { featureId: 'api-calls', usageLimit: 1000, resetPeriod: 'MONTH' },
          { featureId: 'seats', usageLimit: 5 },
          { featureId: 'projects', usageLimit: 10 },
          { featureId: 'sso' },
        ],
        compatibleAddonIds: appAddons,
      },
      {
        id: 'pro',
        productId: 'app',
        order: 2,
        pricingType: 'PAID',
        basePlanId: 'basic',
        defaultTrialConfig: { duration: 14, units: 'DAY' },
        entitlements: [
          { featureId: 'api-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' },
          { featureId: 'seats', usageLimit: 20 },
          { featureId: 'region', enumValues: ['us', 'eu'] },
        ],
        compatibleAddonIds: appAddons,
      },
      {
        id: 'premium',
        productId: 'app',
        order: 3,
        pricingType: 'PAID',
        basePlanId: 'pro',
        defaultTrialConfig: { duration: 1, units: 'MONTH' },
        entitlements: [{ featureId: 'seats', usageLimit: 50 }],
      },
      {
        id: 'trial-cancel',
        productId: 'app',
        order: 2,
        pricingType: 'PAID',
        basePlanId: 'basic',
        defaultTrialConfig: { duration: 7, units: 'DAY', trialEndBehavior: 'CANCEL_SUBSCRIPTION' },
        entitlements: [{ featureId: 'seats', usageLimit: 30 }],
      },
      {
        id: 'keep-small',
        productId: 'keep',
        order: 0,
        pricingType: 'PAID',
        entitlements: [{ featureId: 'api-calls', usageLimit: 10, resetPeriod: 'MONTH' }],
      },
      {
        id: 'keep-big',
        productId: 'keep',
        order: 1,
        pricingType: 'PAID',
        entitlements: [{ featureId: 'api-calls', usageLimit: 100, resetPeriod: 'MONTH' }],
      },
      {
        id: 'sched-small',
        productId: 'sched',
        order: 0,
        pricingType: 'PAID',
        entitlements: [{ featureId: 'api-calls', usageLimit: 10, resetPeriod: 'MONTH' }],
      },
      {
        id: 'sched-medium',
        productId: 'sched',
        order: 1,
        pricingType: 'PAID',
        entitlements: [{ featureId: 'api-calls', usageLimit: 50, resetPeriod: 'MONTH' }],
      },
      {
        id: 'sched-big',
        productId: 'sched',
        order: 2,
        pricingType: 'PAID',
        entitlements: [{ featureId: 'api-calls', usageLimit: 100, resetPeriod: 'MONTH' }],
      },
      {
        id: 'analytics-basic',
        productId: 'analytics',
        pricingType: 'PAID',
        entitlements: [{ featureId: 'api-calls', usageLimit: 1000, resetPeriod: 'DAY' }],
        compatibleAddonIds: ['analytics-boost'],
      },
    ],
    addons: [
      {
        id: 'extra-seats',
        productId: 'app',
        maxQuantity: 10,
        entitlements: [{ featureId: 'seats', usageLimit: 5 }],
      },
      { id: 'extra-calls', productId: 'app', entitlements: [{ featureId: 'api-calls', usageLimit: 500 }] },
      {
        id: 'big-calls',
        productId: 'app',
        entitlements: [{ featureId: 'api-calls', usageLimit: 5000, behavior: 'Override' }],
      },
      {
        id: 'huge-calls',
        productId: 'app',
        entitlements: [{ featureId: 'api-calls', usageLimit: 20000, behavior: 'Override' }],
      },
      { id: 'eu-region', productId: 'app', entitlements: [{ featureId: 'region', enumValues: ['eu', 'ap'] }] },
      {
        id: 'analytics-boost',
        productId: 'analytics',
        entitlements: [{ featureId: 'api-calls', usageLimit: 10 }],
      },
    ],
  };
}

export const standardCatalog = (): Catalog => catalogOf(standardCatalogInput());

export function customer(overrides: Partial<CustomerRecord> = {}): CustomerRecord {
  return {
    id: 'cus-1',
    name: null,
    email: null,
    billingId: null,
    couponId: null,
    couponAppliedAt: null,
    metadata: {},
    createdAt: CATALOG_NOW,
    updatedAt: CATALOG_NOW,
    archivedAt: null,
    ...overrides,
  };
}

/** A live, open-ended, non-trial subscription to `basic` starting at CATALOG_NOW unless overridden. */
export function subscription(overrides: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  const id = overrides.id ?? 'sub-1';
  const start = overrides.startDate ?? CATALOG_NOW;
  return {
    id,
    customerId: 'cus-1',
    resourceId: null,
    productId: 'app',
    planId: 'basic',
    planVersion: 1,
    billingPeriod: 'MONTHLY',
    addons: [],
    billableFeatures: [],
    entitlements: [],
    metadata: {},
    startDate: start,
    billingAnchor: start,
    usageResetAt: start,
    usageEpoch: id,
    trialEndDate: null,
    trialEndBehavior: null,
    endDate: null,
    cancellationDate: null,
    cancelReason: null,
    scheduledUpdates: [],
    createdAt: start,
    updatedAt: start,
    ...overrides,
  };
}

/** An entitlement spec with the neutral defaults (a hard limit of `usageLimit`, no reset). */
export function spec(featureId: string, overrides: Partial<EntitlementSpec> = {}): EntitlementSpec {
  return {
    featureId,
    usageLimit: null,
    hasUnlimitedUsage: false,
    hasSoftLimit: false,
    resetPeriod: null,
    accordingTo: null,
    enumValues: null,
    ...overrides,
  };
}

export function promotion(
  featureId: string,
  entitlement: Partial<EntitlementSpec>,
  overrides: Partial<PromotionRecord> = {},
): PromotionRecord {
  return {
    id: `promo-${featureId}`,
    customerId: 'cus-1',
    featureId,
    period: 'CUSTOM',
    entitlement: spec(featureId, entitlement),
    isVisible: true,
    startDate: CATALOG_NOW,
    endDate: null,
    createdAt: CATALOG_NOW,
    updatedAt: CATALOG_NOW,
    ...overrides,
  };
}

export function customerState(
  parts: {
    customer?: Partial<CustomerRecord>;
    subscriptions?: readonly SubscriptionRecord[];
    promotions?: readonly PromotionRecord[];
    usage?: readonly UsageRecord[];
  } = {},
): CustomerState {
  return {
    customer: customer(parts.customer),
    subscriptions: parts.subscriptions ?? [],
    promotions: parts.promotions ?? [],
    usage: parts.usage ?? [],
  };
}

/** Deterministic id generator for the subscription-change functions. */
export function ids(prefix = 'sub'): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

/** State after writing `upserts`: records replace those with the same id, new ones are appended. */
export function applyUpserts(state: CustomerState, upserts: readonly SubscriptionRecord[]): CustomerState {
  const subscriptions = [...state.subscriptions];
  for (const u of upserts) {
    const i = subscriptions.findIndex((s) => s.id === u.id);
    if (i >= 0) subscriptions[i] = u;
    else subscriptions.push(u);
  }
  return { ...state, subscriptions };
}

export function findSub(state: CustomerState, id: string): SubscriptionRecord {
  return must(
    state.subscriptions.find((s) => s.id === id),
    `subscription ${id}`,
  );
}
