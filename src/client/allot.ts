import { produce } from 'immer';
import type { z } from 'zod';
import {
  assertEntitlementsFit,
  type Catalog,
  compileCatalog,
  knowsVersions,
  toEntitlementSpec,
  versionCatalog,
  withStoredVersions,
} from '../catalog/catalog.js';
import type { CatalogInput, FeatureDefinition } from '../catalog/catalog-schema.js';
import type { Coupon } from '../catalog/coupon-schema.js';
import type { CustomerEntitlements } from '../core/effective-entitlements.js';
import type {
  BooleanEntitlement,
  Entitlement,
  EntitlementFeature,
  EntitlementType,
  EnumEntitlement,
  MeteredEntitlement,
  NumericEntitlement,
} from '../core/entitlement-results.js';
import {
  type CheckOptions,
  entitlementFeature,
  entitlementType,
  evaluateEntitlement,
} from '../core/evaluate-entitlement.js';
import { addMonthsUtc } from '../core/reset-period.js';
import {
  cancelScheduledUpdates,
  cancelSubscription,
  migrateToLatest,
  provisionSubscription,
  requireSubscription,
  type SubscriptionChange,
  subscriptionNotFound,
  transferSubscription,
  updateSubscription,
} from '../core/subscription-changes.js';
import { effectiveSubscription, isLive, isOpen, isTrialSubscription } from '../core/subscription-state.js';
import { aggregationOp } from '../core/usage-aggregate.js';
import { usageHistory, usageSegments } from '../core/usage-history.js';
import { balance, type CreditPool } from '../credits/credit-pool.js';
import { AllotError } from '../errors.js';
import type { GovernanceIndex } from '../governance/governance-index.js';
import type {
  EntitlementsStateAccessDeniedReason,
  PromotionalEntitlementPeriod,
  UsageMarkerType,
} from '../model/enums.js';
import { type Dimensions, matchesMeter, meterSample } from '../model/meters.js';
import type {
  CustomerRecord,
  CustomerState,
  PackageVersionRecord,
  PromotionRecord,
  SubscriptionRecord,
} from '../model/records.js';
import { paywall } from '../pricing/paywall.js';
import { resolvePromotionCode } from '../pricing/promotion-code.js';
import { catalogCurrency, subscriptionPreview } from '../pricing/subscription-pricing.js';
import { memoryStore } from '../stores/memory/memory-store.js';
import type { ChangeSet, Store, StoreReader, StoreTransaction } from '../stores/store.js';
import { type Clock, systemClock } from './clock.js';
import type { CreditCostEstimates } from './credit-estimates.js';
import {
  type AutoRechargeSettings,
  type ConsumeCreditsParams,
  type ConsumeCreditsResult,
  type CreditEntitlementParams,
  type CreditGrantsPage,
  type CreditLedgerPage,
  CreditMethods,
  type CreditUsage,
  type EstimateEventCostParams,
  type EstimateUsageCostParams,
  type GetCreditEventsFieldsParams,
  type GetCreditGrantsParams,
  type GetCreditLedgerParams,
  type GetCreditUsageParams,
  type GrantCreditsParams,
  type SaveAutoRechargeParams,
} from './credit-methods.js';
import { type CreditEntitlement, type CreditGrant, shownBalance } from './credit-shapes.js';
import { moveSubscriptionCredits, settlePools } from './credit-writes.js';
import { CustomerEntry, entitlementInterner } from './customer-cache.js';
import { type EntitlementFallback, fallbackEntitlement, fallbackType } from './fallback.js';
import { plainCheck } from './fast-input.js';
import { GovernanceClient, loadGovernance } from './governance-client.js';
import { randomHex, rechargeId, usageChargeId } from './ids.js';
import {
  activeSubscriptionsSchema,
  allotOptionsSchema,
  cancelScheduledUpdatesSchema,
  cancelSubscriptionSchema,
  checkAndReportUsageSchema,
  customerIdSchema,
  customerResourceSchema,
  entitlementCheckSchema,
  estimateSubscriptionSchema,
  estimateSubscriptionUpdateSchema,
  getSubscriptionsSchema,
  grantPromotionsSchema,
  listenerSchema,
  migrateSubscriptionSchema,
  parse,
  paywallSchema,
  provisionCustomerSchema,
  provisionSubscriptionSchema,
  pruneHistorySchema,
  type reportEventSchema,
  reportEventsSchema,
  reportUsageBulkSchema,
  reportUsageSchema,
  revokePromotionSchema,
  subscriptionIdSchema,
  type subscriptionParamsSchema,
  transferSubscriptionSchema,
  updateCustomerSchema,
  updateSubscriptionSchema,
  usageHistorySchema,
} from './input-schemas.js';
import { KeyedLock } from './keyed-lock.js';
import {
  type AllotEventName,
  type AllotEvents,
  type AutoRechargeSkippedEvent,
  Listeners,
  type PackagePublishedEvent,
} from './listeners.js';
import { estimateShape, type PaywallResult, type SubscriptionEstimate, selectionOf } from './pricing-shapes.js';
import {
  alreadyTrialPlans,
  type CouponShape,
  type Customer,
  couponShape,
  customerShape,
  type FullCustomer,
  type PromotionalEntitlement,
  promotionShape,
  type SlimSubscription,
  type Subscription,
  slimSubscriptionShape,
  subscriptionShape,
} from './result-shapes.js';
import { type Contribution, type PlacedWindow, UsageBatch, type WrittenCounter } from './usage-batch.js';
import {
  type CreditChargeRecord,
  type EventCreditCharge,
  eventCreditCharges,
  type UsageCreditAck,
  UsageCredits,
  usageCreditAck,
} from './usage-credits.js';

// Parameter types are the zod schemas' inputs, so the types and the validation never disagree.

/** `provisionCustomer`'s input: the customer, and `subscriptionParams` (or null to skip a subscription). */
export type ProvisionCustomerParams = z.input<typeof provisionCustomerSchema>;
/** A subscription request, as in `provisionCustomer`'s `subscriptionParams`. */
export type SubscriptionParams = z.input<typeof subscriptionParamsSchema>;
/** `updateCustomer`'s input: fields left out are kept. */
export type UpdateCustomerParams = z.input<typeof updateCustomerSchema>;
/** `provisionSubscription`'s input. */
export type ProvisionSubscriptionParams = z.input<typeof provisionSubscriptionSchema>;
/** `updateSubscription`'s input: `addons` replaces the whole list. */
export type UpdateSubscriptionParams = z.input<typeof updateSubscriptionSchema>;
/** `cancelSubscription`'s input. */
export type CancelSubscriptionParams = z.input<typeof cancelSubscriptionSchema>;
/** `cancelSubscriptionScheduledUpdates`' input. */
export type CancelSubscriptionScheduledUpdatesParams = z.input<typeof cancelScheduledUpdatesSchema>;
/** `transferSubscriptionToResource`'s input; no destination means customer-wide. */
export type TransferSubscriptionParams = z.input<typeof transferSubscriptionSchema>;
/** `getSubscriptions`' filters and cursor pagination. */
export type GetSubscriptionsParams = z.input<typeof getSubscriptionsSchema>;
/** `getActiveSubscriptions`' input: a customer and optionally one or more resources. */
export type GetActiveSubscriptionsParams = z.input<typeof activeSubscriptionsSchema>;
/** One usage report: DELTA (default) or SET, with an optional idempotency key. */
export type ReportUsageParams = z.input<typeof reportUsageSchema>;
/** `reportUsageBulk`'s input: up to 1,000 reports, all applied or none. */
export type ReportUsageBulkParams = z.input<typeof reportUsageBulkSchema>;
/** `grantPromotionalEntitlements`' input. */
export type GrantPromotionalEntitlementsParams = z.input<typeof grantPromotionsSchema>;
/** `revokePromotionalEntitlements`' input. */
export type RevokePromotionalEntitlementsParams = z.input<typeof revokePromotionSchema>;

/** What every entitlement check takes; `options` depends on the feature type. */
export interface EntitlementCheckParams<O = CheckOptions> {
  customerId: string;
  featureId: string;
  /** Scope the check to a resource; customer-wide subscriptions apply there too. */
  resourceId?: string | null;
  /** The type's options, and a per-call fallback that wins over `entitlementsFallback`. */
  options?: O & { fallback?: EntitlementFallback };
}
/** `getMeteredEntitlement`'s options: the usage about to be added (default 0). */
export type MeteredCheckOptions = { requestedUsage?: number };
/** `getEnumEntitlement`'s options: the values that must all be allowed. */
export type EnumCheckOptions = { requestedValues?: string[] };

/** Options of `Allot.initialize`. */
export interface AllotOptions {
  /** Features, products, plans and add-ons; validated at initialization. */
  catalog: CatalogInput;
  /** Where state lives; defaults to an in-memory store. */
  store?: Store;
  /** Where time comes from; defaults to the system clock. Pass a `ManualClock` to travel in time. */
  clock?: Clock;
  /** Per-feature answers for checks when the store cannot be read. */
  entitlementsFallback?: Record<string, EntitlementFallback>;
  /**
   * For stores shared across processes (SQLite): how often, at most, a check asks whether another
   * process committed (`PRAGMA data_version`, ~3 µs). 0, the default, asks before every check, so
   * another process's write is seen at the next check; a few milliseconds trade that for speed.
   * Writes always catch up first, inside their transaction.
   */
  changeCheckIntervalMs?: number;
  /**
   * How many customers the cache holds (default 100,000, about 1.5 KB each on a plan with ten
   * features); beyond it, the customer cached longest ago is evicted and reloaded at its next call.
   */
  maxCachedCustomers?: number;
  /**
   * How long usage history and raw event keys are kept, in milliseconds (default: forever). Older
   * ones are pruned about once an hour, after a write; aggregates never change. An event re-sent
   * after its key was pruned counts again, so keep this longer than any producer retries.
   */
  usageHistoryRetentionMs?: number;
  /**
   * What a changed plan or add-on means for existing subscriptions at initialize:
   * `NEW_CUSTOMERS` (default) keeps them on their version (grandfathering); `ALL_CUSTOMERS`
   * migrates every open one to the new version at once, keeping usage. Either way a
   * `packagePublished` event goes out per new version (add the listener before awaiting
   * `waitForInitialization`).
   */
  catalogMigration?: 'NEW_CUSTOMERS' | 'ALL_CUSTOMERS';
}

/** `checkAndReportUsage`'s input: a DELTA of `value` (not negative) recorded only if the limit allows it. */
export type CheckAndReportUsageParams = z.input<typeof checkAndReportUsageSchema>;

/** `checkAndReportUsage`'s answer: the check as it was made and, when granted, the recorded usage. */
export interface CheckAndReportUsageResult {
  hasAccess: boolean;
  /** The check before recording, with `requestedUsage` = value; its `accessDeniedReason` says why a denial was made. */
  entitlement: MeteredEntitlement;
  /** The acknowledgement of the recorded usage; absent when denied. */
  usage?: ReportUsageAck;
}

/** One raw event for `reportEvent`. */
export type ReportEventParams = z.input<typeof reportEventSchema>;

/** What `reportEvent` did with the events: how many counted, how many repeated an idempotency key already seen. */
export interface ReportEventResult {
  accepted: number;
  duplicates: number;
  /** The credits the accepted events drew, one entry per pool charged; absent when none were. */
  credits?: EventCreditCharge[];
}

/** `estimateSubscription`'s input. */
export type EstimateSubscriptionParams = z.input<typeof estimateSubscriptionSchema>;
/** `estimateSubscriptionUpdate`'s input. */
export type EstimateSubscriptionUpdateParams = z.input<typeof estimateSubscriptionUpdateSchema>;
/** `getPaywall`'s input. */
export type GetPaywallParams = z.input<typeof paywallSchema>;

/** `migrateSubscriptionToLatest`'s input. */
export type MigrateSubscriptionParams = z.input<typeof migrateSubscriptionSchema>;

/** `getUsageHistory`'s input. */
export type GetUsageHistoryParams = z.input<typeof usageHistorySchema>;

/** Usage over time, as `getUsageHistory` returns it (the reference's `getUsageHistoryV2` shape). */
export interface UsageHistory {
  series: {
    tags: { key: string; value: string }[];
    points: { timestamp: Date; value: number; isResetPoint: boolean }[];
  }[];
  markers: { type: UsageMarkerType; timestamp: Date }[];
}

/** What `reportUsage` acknowledges once the usage is durable. */
export interface ReportUsageAck {
  measurementId: string;
  customerId: string;
  featureId: string;
  resourceId: string | null;
  currentUsage: number;
  timestamp: Date;
  usagePeriodStart?: Date;
  usagePeriodEnd?: Date;
  /** @deprecated equals `usagePeriodEnd`. */
  nextResetDate?: Date;
  /** On a credit-backed feature: what the report cost and the pool's totals after it. */
  credit?: UsageCreditAck;
}

/** An ack as stored for idempotent replays: instants as epoch ms. */
interface AckRecord {
  measurementId: string;
  customerId: string;
  featureId: string;
  resourceId: string | null;
  currentUsage: number;
  timestamp: number;
  periodStart: number | null;
  periodEnd: number | null;
  credit?: CreditChargeRecord;
}

/** `provisionCustomer`'s result: the customer, how its subscription was chosen, and that subscription. */
export interface ProvisionCustomerResult {
  customer: Customer;
  subscriptionDecisionStrategy: 'REQUESTED_PLAN' | 'SKIPPED_SUBSCRIPTION_CREATION';
  subscription?: Subscription;
}

/** `provisionSubscription`'s result; with no payment provider, provisioning always succeeds. */
export interface ProvisionSubscriptionResult {
  provisionStatus: 'SUCCESS';
  subscription: Subscription;
}

/** A page of `getSubscriptions`, with the cursors of its first and last items. */
export interface GetSubscriptionsResult {
  data: Subscription[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** Every entitlement of a customer or resource, and why access is denied as a whole, if it is. */
export interface EntitlementsState {
  entitlements: Entitlement[];
  accessDeniedReason: EntitlementsStateAccessDeniedReason | null;
}

/** A product of the catalog, as `getProducts` lists it. */
export interface Product {
  id: string;
  displayName: string | null;
  description: string | null;
  metadata: Record<string, string>;
  downgradePlan: { id: string; displayName: string | null } | null;
  multipleSubscriptions: boolean;
}

/** An item of a batch and its position in it (none for a single-item call). */
interface Indexed<T> {
  readonly item: T;
  readonly index?: number;
}

/** How far ahead of the clock an event or report may be stamped: producers' clocks drift. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** A coupon as an estimate applies it: the coupon and when its discount periods started. */
interface HeldCoupon {
  readonly coupon?: Coupon;
  readonly couponStartsAt?: number;
}

/** The id a simulated subscription gets in an estimate; it is never stored. */
const ESTIMATE_ID = 'estimate';
const HOUR_MS = 3_600_000;
/** The earliest instant a Date can hold, in epoch ms. */
const DATE_LIMIT = 8.64e15;

/** When usage stamped `at` happened: now when unstamped, and never later than now. */
function pastOrNow(at: number | undefined, now: number, field: string): number {
  if (at === undefined) return now;
  if (at > now + MAX_CLOCK_SKEW_MS)
    throw new AllotError('INVALID_INPUT', `${field} ${new Date(at).toISOString()} is in the future`, {
      details: { [field]: at, now },
    });
  return Math.min(at, now);
}

/** Runs one item of a batch; an AllotError it throws names the item, so a rejected batch says which one failed. */
async function naming<T>(index: number | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (index === undefined || !AllotError.is(e)) throw e;
    const details = typeof e.details === 'object' && e.details !== null ? e.details : { cause: e.details };
    throw new AllotError(e.code, `item ${index}: ${e.message.replace(/^\[allot\] /, '')}`, {
      details: { ...details, index },
      cause: e,
    });
  }
}

interface Load {
  promise: Promise<CustomerEntry>;
  stale: boolean;
}

/** What a mutation hands back: its result, the customer's new state, and work for after commit. */
interface Mutation<T> {
  result: T;
  state?: CustomerState;
  /** Usage windows written. */
  counters?: readonly WrittenCounter[];
  /** Credit pools written, as they now stand. */
  credits?: readonly CreditPool[];
  /** Automatic recharges that were due but skipped by the spend limit. */
  rechargesSkipped?: readonly AutoRechargeSkippedEvent[];
  changedResources?: Iterable<string | null>;
  subscriptions?: readonly SubscriptionRecord[];
  /** The owner's governance index after the write. */
  governance?: GovernanceIndex;
}

const USAGE_SCOPE = 'usage';

/** One event of a batch: whether it was new (not a repeated key), and what it charged. */
interface EventOutcome {
  readonly fresh: boolean;
  readonly charges: { readonly customerId: string; readonly charge: CreditChargeRecord }[];
}

const NO_OPTIONS: CheckOptions = Object.freeze({});
/** Errors that mean the store cannot answer, so a check falls back quietly. */
const STORE_FAILURES: ReadonlySet<string> = new Set(['STORE_ERROR', 'CLOSED', 'NOT_INITIALIZED', 'INVALID_CATALOG']);
const PROMOTION_MONTHS: Partial<Record<PromotionalEntitlementPeriod, number>> = {
  ONE_MONTH: 1,
  SIX_MONTH: 6,
  ONE_YEAR: 12,
};

/**
 * The entitlement engine: Stigg-shaped methods over a local store. Create it with
 * `Allot.initialize`, await `waitForInitialization()`, and `close()` it when done.
 *
 * @example
 * const allot = Allot.initialize({ catalog, store: sqliteStore({ filename: 'allot.db' }) });
 * await allot.waitForInitialization();
 * const { hasAccess } = await allot.getBooleanEntitlement({ customerId: 'c1', featureId: 'sso' });
 */
export class Allot {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #fallbacks: Record<string, EntitlementFallback>;
  readonly #listeners = new Listeners();
  readonly #cache = new Map<string, CustomerEntry>();
  readonly #featureInfo = new Map<string, EntitlementFeature>();
  readonly #share = entitlementInterner();
  readonly #writeLock = new KeyedLock();
  /** Loads in flight, shared by concurrent callers; `stale` once a write or an invalidation overtook one. */
  readonly #loads = new Map<string, Load>();
  readonly #maxCachedCustomers: number;
  readonly #retentionMs: number | undefined;
  /** When history was last pruned, by the engine's clock. */
  #prunedAt = Number.NEGATIVE_INFINITY;
  readonly #init: Promise<void>;
  readonly #credits: CreditMethods;
  #catalog: Catalog | undefined;
  #closed = false;
  /** The store's change token and feed position as of our last sync with other processes. */
  #token = 0;
  #seq = 0;
  readonly #changeCheckIntervalMs: number;
  #nextChangeCheck = 0;
  #catchingUp: Promise<void> | undefined;
  /** Hierarchical budgets of owners (customers) over their organisations: see {@link GovernanceClient}. */
  readonly governance: GovernanceClient;

  private constructor(options: AllotOptions) {
    parse(allotOptionsSchema, options, 'Allot.initialize');
    this.#store = options.store ?? memoryStore();
    this.#clock = options.clock ?? systemClock;
    this.#fallbacks = options.entitlementsFallback ?? {};
    this.#changeCheckIntervalMs = options.changeCheckIntervalMs ?? 0;
    this.#maxCachedCustomers = options.maxCachedCustomers ?? 100_000;
    this.#retentionMs = options.usageHistoryRetentionMs;
    const compiled = compileCatalog(options.catalog);
    this.#init = this.#initialize(compiled, options.catalogMigration ?? 'NEW_CUSTOMERS');
    // Callers who never await waitForInitialization still see the failure on their first call.
    this.#init.catch(() => {});
    this.#credits = new CreditMethods({
      store: this.#store,
      clock: this.#clock,
      ready: () => this.#ready(),
      entry: (customerId) => this.#entry(customerId),
      requireCustomer: (entry, customerId, opts) => this.#requireCustomer(entry, customerId, opts),
      view: (entry, resourceId, now) => this.#view(entry, resourceId, now),
      mutate: (customerId, fn) => this.#mutate(customerId, fn),
    });
    this.governance = new GovernanceClient({
      index: (ownerId) => this.#governanceIndex(ownerId),
      write: (ownerId, fn) =>
        this.#mutate(ownerId, async (entry, tx, now, catalog) => {
          this.#requireCustomer(entry, ownerId);
          const index = entry.governanceAt(now) ?? (await loadGovernance(tx, ownerId, now));
          const { result, index: next } = await fn(index, tx, now, catalog);
          return { result, ...(next ? { governance: next } : {}) };
        }),
    });
  }

  /** An owner's governance index from the cache, loaded once when the owner is first asked about. */
  async #governanceIndex(ownerId: string) {
    const catalog = await this.#ready();
    const entry = await this.#entry(ownerId);
    this.#requireCustomer(entry, ownerId, { allowArchived: true });
    let now = this.#clock.now();
    let index = entry.governanceAt(now);
    if (index === undefined) {
      const loaded = await this.#store.read((r) => loadGovernance(r, ownerId, now));
      // A write may have cached a newer index while this one loaded.
      entry.governance = entry.governanceAt(now) ? entry.governance : { index: loaded, loadedAt: now };
      index = entry.governanceAt(now) ?? loaded;
      now = this.#clock.now();
    }
    return { index, now, catalog };
  }

  /**
   * Creates an engine. The catalog is validated at once (throwing `INVALID_CATALOG`); the store
   * opens in the background: await `waitForInitialization()` to know it is ready.
   */
  static initialize(options: AllotOptions): Allot {
    return new Allot(options);
  }

  async #initialize(compiled: ReturnType<typeof compileCatalog>, migration: PackagePublishedEvent['migrationType']) {
    await this.#store.open();
    const now = this.#clock.now();
    const { catalog, published } = await this.#store.transaction(async (tx) => {
      const stored = await tx.listPackageVersions();
      const versioned = versionCatalog(compiled, stored, now);
      for (const version of versioned.added) await tx.putPackageVersion(version);
      // A first version is a new package, not a new version of one: nobody to migrate or tell.
      const known = new Set(stored.map((v) => `${v.kind}:${v.refId}`));
      return {
        catalog: versioned.catalog,
        published: versioned.added.filter((v) => known.has(`${v.kind}:${v.refId}`)),
      };
    });
    this.#catalog = catalog;
    for (const feature of catalog.features.values()) this.#featureInfo.set(feature.id, entitlementFeature(feature));
    await this.#catchUp();
    if (migration === 'ALL_CUSTOMERS' && published.length > 0) await this.#migrateAll(published);
    for (const v of published)
      this.#listeners.emit('packagePublished', {
        packageType: v.kind === 'plan' ? 'PLAN' : 'ADDON',
        packageRefId: v.refId,
        packageVersion: v.version,
        migrationType: migration,
      });
  }

  /**
   * Moves every open subscription on a just-published plan or add-on to the latest versions,
   * page by page, one customer per transaction. Others keep their (perhaps grandfathered) versions.
   */
  async #migrateAll(published: readonly PackageVersionRecord[]): Promise<void> {
    const plans = new Set(published.filter((v) => v.kind === 'plan').map((v) => v.refId));
    const addons = new Set(published.filter((v) => v.kind === 'addon').map((v) => v.refId));
    for (let afterId: string | undefined; ; ) {
      const page = await this.#store.read((r) => r.listSubscriptions({ limit: 500, ...(afterId ? { afterId } : {}) }));
      for (const s of page) {
        if (s.endDate !== null && s.endDate <= this.#clock.now()) continue;
        if (!plans.has(s.planId) && !s.addons.some((a) => addons.has(a.addonId))) continue;
        // One that cannot move (an add-on the new version no longer allows) stays where it is.
        await this.#changeSubscription(s.id, (catalog, state, now) =>
          migrateToLatest(catalog, state, { subscriptionId: s.id, time: 'IMMEDIATE' }, now),
        ).catch((error: unknown) => console.warn(`[allot] subscription "${s.id}" kept its version:`, error));
      }
      const last = page.at(-1);
      if (last === undefined || page.length < 500) return;
      afterId = last.id;
    }
  }

  /** Resolves once the store is open, migrated and the catalog versioned; rejects if that failed. */
  async waitForInitialization(): Promise<Allot> {
    await this.#init;
    return this;
  }

  /** Releases the store. Later checks answer from the fallback; later writes throw `CLOSED`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache.clear();
    await this.#init.catch(() => {});
    await this.#store.close();
  }

  async #ready(): Promise<Catalog> {
    if (this.#closed) throw new AllotError('CLOSED', `${this.#store.name}: this Allot instance is closed`);
    if (!this.#catalog) await this.#init;
    return this.catalog;
  }

  /** The version catalog as initialized (for introspection and tests). */
  get catalog(): Catalog {
    if (!this.#catalog) throw new AllotError('NOT_INITIALIZED', 'await waitForInitialization() first');
    return this.#catalog;
  }

  // ───────────────────────────── cache and cross-process freshness ─────────────────────────────

  /** Whether another process may have committed since we last caught up (throttled for checks). */
  #foreignChanged(): boolean {
    if (this.#store.changeToken === undefined) return false;
    if (this.#changeCheckIntervalMs > 0) {
      const t = performance.now();
      if (t < this.#nextChangeCheck) return false;
      this.#nextChangeCheck = t + this.#changeCheckIntervalMs;
    }
    return this.#store.changeToken() !== this.#token;
  }

  /**
   * Drops cached customers that another process changed since we last caught up, reading the
   * change feed through `reader` (a write's own transaction) or a read of its own, which
   * concurrent callers share. Compares the change token itself: one probe when nothing changed.
   */
  async #catchUp(reader?: StoreReader): Promise<void> {
    const token = this.#store.changeToken?.();
    if (token === undefined || token === this.#token) return;
    const feed = (r: StoreReader) => r.changesSince?.(this.#seq) ?? Promise.resolve(undefined);
    if (reader) return this.#applyChanges(token, await feed(reader));
    this.#catchingUp ??= this.#store
      .read(feed)
      .then((changes) => this.#applyChanges(token, changes))
      .finally(() => {
        this.#catchingUp = undefined;
      });
    return this.#catchingUp;
  }

  #applyChanges(token: number, changes: ChangeSet | undefined): void {
    if (changes?.customerIds) for (const id of changes.customerIds) this.#forget(id);
    else this.#forgetAll();
    if (changes) this.#seq = changes.seq;
    this.#token = token;
  }

  /** Subscriptions read directly, with any catalog version they reference learned first. */
  async #readSubscriptions(
    reader: StoreReader,
    records: readonly (SubscriptionRecord | undefined)[],
  ): Promise<SubscriptionRecord[]> {
    const found = records.filter((r) => r !== undefined);
    if (!knowsVersions(this.catalog, found)) await this.#learnVersions(reader);
    return found;
  }

  /** Loads a customer, first learning any catalog version another process subscribed them to. */
  async #load(reader: StoreReader, customerId: string, now: number): Promise<CustomerEntry> {
    const state = await reader.getCustomerState(customerId, now);
    if (state && !knowsVersions(this.catalog, state.subscriptions)) await this.#learnVersions(reader);
    // Pools ride along so balances and credit-backed checks are answered from memory.
    const pools =
      state && this.catalog.creditCurrencies.size > 0 ? await reader.listCreditPools(customerId) : undefined;
    return new CustomerEntry(state, now, undefined, pools);
  }

  async #learnVersions(reader: StoreReader): Promise<void> {
    this.#catalog = withStoredVersions(this.catalog, await reader.listPackageVersions());
  }

  /**
   * Caches an entry, evicting the customer cached longest ago beyond `maxCachedCustomers`. Any
   * load of this customer still in flight read older data, so it must not be cached after this.
   */
  #remember(customerId: string, entry: CustomerEntry): void {
    this.#staleLoad(customerId);
    if (!entry.state) return; // a missing customer is not cached: any id could fill the cache
    if (!this.#cache.has(customerId) && this.#cache.size >= this.#maxCachedCustomers) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(customerId, entry);
  }

  /** Drops a cached customer; an in-flight load of it is no longer trusted either. */
  #forget(customerId: string): void {
    this.#cache.delete(customerId);
    this.#staleLoad(customerId);
  }

  #forgetAll(): void {
    this.#cache.clear();
    for (const load of this.#loads.values()) load.stale = true;
  }

  #staleLoad(customerId: string): void {
    const load = this.#loads.get(customerId);
    if (load) load.stale = true;
  }

  /**
   * The customer's entry: cached, or loaded once however many calls ask at the same time. A
   * load overtaken by a write or an invalidation answers its callers but is not cached.
   */
  async #entry(customerId: string): Promise<CustomerEntry> {
    await this.#catchUp();
    const now = this.#clock.now();
    const cached = this.#cached(customerId, now);
    if (cached) return cached;
    const inFlight = this.#loads.get(customerId);
    if (inFlight) return inFlight.promise;
    const load: Load = { stale: false, promise: Promise.resolve(new CustomerEntry(undefined, now)) };
    load.promise = this.#store
      .read((r) => this.#load(r, customerId, now))
      .then((entry) => {
        if (load.stale) return this.#cache.get(customerId) ?? entry;
        this.#remember(customerId, entry);
        return entry;
      })
      .finally(() => {
        if (this.#loads.get(customerId) === load) this.#loads.delete(customerId);
      });
    this.#loads.set(customerId, load);
    return load.promise;
  }

  /** The cached entry, unless the clock moved back before it was loaded (it may lack the windows of that time). */
  #cached(customerId: string, now: number): CustomerEntry | undefined {
    const entry = this.#cache.get(customerId);
    return entry !== undefined && entry.completeSince <= now ? entry : undefined;
  }

  /**
   * One write: a single transaction over the customers' current entries. Writes for a customer
   * are serialised here, and its cache entry is updated (and events emitted) before the next
   * write for it starts. Nothing is cached or emitted when the transaction fails.
   */
  async #write<R>(
    customerIds: readonly string[],
    body: (
      entries: ReadonlyMap<string, CustomerEntry>,
      tx: StoreTransaction,
      now: number,
    ) => Promise<{ result: R; mutations: ReadonlyMap<string, Mutation<unknown>> }>,
  ): Promise<R> {
    await this.#ready();
    return this.#writeLock.run(customerIds, async () => {
      const now = this.#clock.now();
      const { entries, outcome } = await this.#store.transaction(async (tx) => {
        // Under the write lock, catch up with other processes once; then the cache is current.
        await this.#catchUp(tx);
        const entries = new Map<string, CustomerEntry>();
        for (const id of customerIds) entries.set(id, this.#cached(id, now) ?? (await this.#load(tx, id, now)));
        return { entries, outcome: await body(entries, tx, now) };
      });
      for (const [id, mutation] of outcome.mutations) {
        const entry = entries.get(id);
        if (entry) this.#install(id, entry, mutation, now);
      }
      this.#pruneWhenDue(now);
      return outcome.result;
    });
  }

  /** A write for one customer: `fn` returns its result and the customer's new state. */
  #mutate<T>(
    customerId: string,
    fn: (entry: CustomerEntry, tx: StoreTransaction, now: number, catalog: Catalog) => Promise<Mutation<T>>,
  ): Promise<T> {
    return this.#write([customerId], async (entries, tx, now) => {
      const mutation = await fn(entries.get(customerId) ?? new CustomerEntry(undefined, now), tx, now, this.catalog);
      return { result: mutation.result, mutations: new Map([[customerId, mutation]]) };
    });
  }

  /** After commit: the customer's new entry goes into the cache, then its events go out. */
  #install(customerId: string, entry: CustomerEntry, mutation: Mutation<unknown>, now: number): void {
    const next = mutation.state ? entry.withState(mutation.state) : entry;
    for (const { scope, featureId, counter } of mutation.counters ?? [])
      next.setCounter(scope, featureId, counter, now);
    if (mutation.credits) next.setPools(mutation.credits);
    if (mutation.governance) next.governance = { index: mutation.governance, loadedAt: now };
    this.#remember(customerId, next);
    this.#emitAfterCommit(next, mutation, now);
  }

  /** A customer's resolved view for a scope, against the current catalog, sharing equal sets. */
  #view(entry: CustomerEntry, resourceId: string | null, now: number) {
    return entry.view(this.catalog, resourceId, now, this.#share);
  }

  #emitAfterCommit(entry: CustomerEntry, mutation: Mutation<unknown>, now: number): void {
    const catalog = this.catalog;
    if (mutation.subscriptions && this.#listeners.has('subscriptionUpdated'))
      for (const s of mutation.subscriptions)
        this.#listeners.emit('subscriptionUpdated', { subscription: subscriptionShape(catalog, s, now) });
    if (mutation.changedResources && this.#listeners.has('entitlementsUpdated') && entry.state) {
      const changed = new Set(mutation.changedResources);
      // A customer-wide change reaches every resource view too, since they include it.
      if (changed.has(null)) for (const r of this.#resourcesOf(entry.state)) changed.add(r);
      for (const resourceId of changed) {
        const view = this.#view(entry, resourceId, now);
        this.#listeners.emit('entitlementsUpdated', {
          customerId: entry.state.customer.id,
          resourceId,
          accessDeniedReason: view.accessDeniedReason,
          entitlements: this.#evaluateAll(view, entry, resourceId, now),
        });
      }
    }
    if (mutation.credits && this.#listeners.has('creditBalanceUpdated'))
      for (const pool of mutation.credits) {
        const { currentBalance, totalGranted, totalConsumed } = shownBalance(balance(pool, now));
        this.#listeners.emit('creditBalanceUpdated', {
          customerId: pool.customerId,
          currencyId: pool.currencyId,
          resourceId: pool.resourceId,
          currentBalance,
          totalGranted,
          totalConsumed,
        });
      }
    for (const skipped of mutation.rechargesSkipped ?? []) this.#listeners.emit('autoRechargeSkipped', skipped);
    if (mutation.counters && this.#listeners.has('usageUpdated') && entry.state) {
      for (const { resourceId, featureId } of mutation.counters) {
        const entitlement = this.#evaluate(entry, resourceId, featureId, 'METERED', NO_OPTIONS, now);
        if (entitlement.type !== 'METERED') continue;
        this.#listeners.emit('usageUpdated', {
          usage: {
            customerId: entry.state.customer.id,
            resourceId,
            featureId,
            currentUsage: entitlement.currentUsage,
            ...(entitlement.usagePeriodStart ? { usagePeriodStart: entitlement.usagePeriodStart } : {}),
            ...(entitlement.usagePeriodEnd
              ? { usagePeriodEnd: entitlement.usagePeriodEnd, nextResetDate: entitlement.usagePeriodEnd }
              : {}),
          },
          entitlement,
        });
      }
    }
  }

  // ───────────────────────────────────────── checks ─────────────────────────────────────────

  #evaluate(
    entry: CustomerEntry,
    resourceId: string | null,
    featureId: string,
    type: EntitlementType | undefined,
    options: CheckOptions,
    now: number,
  ): Entitlement {
    const catalog = this.#catalog as Catalog;
    const view = this.#view(entry, resourceId, now);
    return evaluateEntitlement(
      view,
      featureId,
      catalog.features.get(featureId),
      this.#featureInfo.get(featureId),
      type,
      options,
      view,
      now,
    );
  }

  /** Every entitlement of the set, in catalog order, so the list never depends on how the state was loaded. */
  #evaluateAll(
    set: Pick<CustomerEntitlements, 'entitlements'>,
    entry: CustomerEntry,
    resourceId: string | null,
    now: number,
  ): Entitlement[] {
    return [...this.catalog.features.keys()]
      .filter((featureId) => set.entitlements.has(featureId))
      .map((featureId) => this.#evaluate(entry, resourceId, featureId, undefined, NO_OPTIONS, now));
  }

  /**
   * The fallback answer: per-call `options.fallback`, else the configured one. Its type is the
   * one asked for, else the catalog's for the feature, else what the fallback's fields describe.
   */
  #fallback(type: EntitlementType | undefined, featureId: string, options: EntitlementCheckParams['options']) {
    const chosen = options?.fallback ?? this.#fallbacks[featureId];
    const feature = this.#catalog?.features.get(featureId);
    const resolved = type ?? (feature ? entitlementType(feature) : fallbackType(chosen));
    return fallbackEntitlement(resolved, chosen, (options as CheckOptions | undefined)?.requestedUsage);
  }

  /** Checks must not throw for the store; anything that is not a store failure is a bug worth a log line. */
  #fellBack(error: unknown): void {
    if (AllotError.is(error) && STORE_FAILURES.has(error.code)) return;
    console.error('[allot] unexpected error in a check; answering from the fallback', error);
  }

  async #check(params: unknown, type: EntitlementType | undefined, method: string): Promise<Entitlement> {
    const p = plainCheck(params) ? params : (parse(entitlementCheckSchema, params, method) as EntitlementCheckParams);
    try {
      // A warm customer is answered without awaiting anything.
      let now = this.#clock.now();
      let entry =
        this.#catalog && !this.#closed && !this.#foreignChanged() ? this.#cached(p.customerId, now) : undefined;
      if (!entry) {
        await this.#ready();
        entry = await this.#entry(p.customerId);
        now = this.#clock.now(); // time passed while loading
      }
      return this.#answer(entry, p, type, now);
    } catch (error) {
      // Checks never throw for a store failure: they answer from the fallback (DESIGN §6).
      this.#fellBack(error);
      return this.#fallback(type, p.featureId, p.options);
    }
  }

  /** Evaluates a check on a loaded customer; a type mismatch answers from the fallback. */
  #answer(
    entry: CustomerEntry,
    p: EntitlementCheckParams,
    type: EntitlementType | undefined,
    now: number,
  ): Entitlement {
    const options = p.options ?? NO_OPTIONS;
    const result = this.#evaluate(entry, p.resourceId ?? null, p.featureId, type, options, now);
    if (result.accessDeniedReason !== 'FeatureTypeMismatch') return result;
    const fallback = this.#fallback(type, p.featureId, p.options);
    return fallback.hasAccess ? fallback : { ...fallback, accessDeniedReason: 'FeatureTypeMismatch' };
  }

  /** Checks any feature; the result is a union on `type`. */
  getEntitlement(params: EntitlementCheckParams<CheckOptions>): Promise<Entitlement> {
    return this.#check(params, undefined, 'getEntitlement');
  }

  /** Checks a BOOLEAN feature. */
  getBooleanEntitlement(params: EntitlementCheckParams<object>): Promise<BooleanEntitlement> {
    return this.#check(params, 'BOOLEAN', 'getBooleanEntitlement') as Promise<BooleanEntitlement>;
  }

  /** Checks a NUMBER feature without a meter: its configured `value`. */
  getNumericEntitlement(params: EntitlementCheckParams<object>): Promise<NumericEntitlement> {
    return this.#check(params, 'NUMERIC', 'getNumericEntitlement') as Promise<NumericEntitlement>;
  }

  /**
   * Checks a metered feature. Granted when unlimited, soft-limited, or
   * `currentUsage + requestedUsage <= usageLimit` (`requestedUsage` defaults to 0).
   */
  getMeteredEntitlement(params: EntitlementCheckParams<MeteredCheckOptions>): Promise<MeteredEntitlement> {
    return this.#check(params, 'METERED', 'getMeteredEntitlement') as Promise<MeteredEntitlement>;
  }

  /** Checks an ENUM feature; granted when every `requestedValues` entry is allowed. */
  getEnumEntitlement(params: EntitlementCheckParams<EnumCheckOptions>): Promise<EnumEntitlement> {
    return this.#check(params, 'ENUM', 'getEnumEntitlement') as Promise<EnumEntitlement>;
  }

  /**
   * The synchronous check for hot loops: answers from memory only. A customer not yet cached
   * answers from the fallback (`isFallback: true`) while it loads in the background; a commit by
   * another process is caught up in the background, so the cache may answer once more before it.
   *
   * @example
   * const calls = allot.getEntitlementSync({ customerId, featureId: 'api-calls' }, 'METERED');
   * if (!calls.hasAccess) throw new Error(calls.accessDeniedReason);
   */
  getEntitlementSync<T extends EntitlementType | undefined = undefined>(
    params: EntitlementCheckParams<CheckOptions>,
    type?: T,
  ): T extends EntitlementType ? Extract<Entitlement, { type: T }> : Entitlement {
    const p = plainCheck(params)
      ? params
      : (parse(entitlementCheckSchema, params, 'getEntitlementSync') as EntitlementCheckParams);
    try {
      // Another process's commit is caught up in the background; until then the cache answers.
      if (this.#catalog && !this.#closed && this.#foreignChanged()) this.#catchUp().catch(() => {});
      const now = this.#clock.now();
      const entry = this.#catalog && !this.#closed ? this.#cached(p.customerId, now) : undefined;
      if (entry) return this.#answer(entry, p, type, now) as never;
      if (this.#catalog && !this.#closed) this.#entry(p.customerId).catch(() => {});
    } catch (error) {
      this.#fellBack(error);
    }
    return this.#fallback(type, p.featureId, p.options) as never;
  }

  /**
   * Every entitlement of a customer (or resource) and the customer-level denial, if any. When
   * the store cannot be read, the configured fallbacks, with no denial.
   */
  async getEntitlementsState(customerId: string, resourceId?: string | null): Promise<EntitlementsState> {
    const [id, resource] = parse(customerResourceSchema, [customerId, resourceId], 'getEntitlementsState');
    try {
      await this.#ready();
      const entry = await this.#entry(id);
      const now = this.#clock.now();
      const view = this.#view(entry, resource ?? null, now);
      return {
        entitlements: this.#evaluateAll(view, entry, resource ?? null, now),
        accessDeniedReason: view.accessDeniedReason,
      };
    } catch (error) {
      this.#fellBack(error);
      const entitlements = Object.keys(this.#fallbacks).map((featureId) =>
        this.#fallback(undefined, featureId, undefined),
      );
      return { entitlements, accessDeniedReason: null };
    }
  }

  /** Every entitlement of a customer (or resource). */
  async getEntitlements(customerId: string, resourceId?: string | null): Promise<Entitlement[]> {
    return (await this.getEntitlementsState(customerId, resourceId)).entitlements;
  }

  /**
   * Drops the cached customer and reloads it from the store. Answers whether the customer (or
   * resource) exists; when the store cannot be read, assumes it does, as the reference does offline.
   */
  async reloadEntitlements(customerId: string, resourceId?: string | null): Promise<{ entitledEntityExists: boolean }> {
    const [id, resource] = parse(customerResourceSchema, [customerId, resourceId], 'reloadEntitlements');
    try {
      await this.#ready();
      this.#forget(id);
      const entry = await this.#entry(id);
      const set = this.#view(entry, resource ?? null, this.#clock.now());
      const reason = set.accessDeniedReason;
      return { entitledEntityExists: !set.unknownResource && (reason === null || reason === 'NoActiveSubscription') };
    } catch (error) {
      this.#fellBack(error);
      return { entitledEntityExists: true };
    }
  }

  // ───────────────────────────────────────── customers ─────────────────────────────────────────

  /**
   * Creates a customer, optionally with a first subscription (`subscriptionParams: null` skips
   * it). An id is generated when none is given. Throws `CUSTOMER_ALREADY_EXISTS` for a taken id
   * and `CUSTOMER_ARCHIVED` for an archived one: archived ids are never reused.
   */
  async provisionCustomer(params: ProvisionCustomerParams): Promise<ProvisionCustomerResult> {
    const p = parse(provisionCustomerSchema, params, 'provisionCustomer');
    const customerId = p.customerId ?? `customer-${randomHex(16)}`;
    return this.#mutate(customerId, async (entry, tx, now, catalog) => {
      if (entry.state) {
        const archived = entry.state.customer.archivedAt !== null;
        throw new AllotError(
          archived ? 'CUSTOMER_ARCHIVED' : 'CUSTOMER_ALREADY_EXISTS',
          archived
            ? `customer "${customerId}" is archived; an archived id cannot be reused`
            : `customer "${customerId}" already exists`,
          { details: { customerId } },
        );
      }
      if (p.couponId) requireCoupon(catalog, p.couponId);
      const customer: CustomerRecord = {
        id: customerId,
        name: p.name ?? null,
        email: p.email ?? null,
        billingId: p.billingId ?? null,
        couponId: p.couponId ?? null,
        couponAppliedAt: p.couponId ? now : null,
        metadata: p.metadata ?? {},
        createdAt: now,
        updatedAt: now,
        archivedAt: null,
      };
      await tx.putCustomer(customer);
      let state: CustomerState = { customer, subscriptions: [], promotions: [], usage: [] };
      state = await this.#applyPromotionCode(tx, state, p.subscriptionParams?.promotionCode, now);
      let change: SubscriptionChange | undefined;
      if (p.subscriptionParams) {
        change = provisionSubscription(
          catalog,
          state,
          this.#provisionInput(customerId, p.subscriptionParams),
          now,
          () => this.#subscriptionId(p.subscriptionParams?.planId ?? ''),
        );
        ({ state } = await this.#saveSubscriptions(tx, state, change.upserts, now));
      }
      return {
        result: {
          customer: customerShape(state.customer),
          subscriptionDecisionStrategy: change ? 'REQUESTED_PLAN' : 'SKIPPED_SUBSCRIPTION_CREATION',
          ...(change ? { subscription: subscriptionShape(catalog, change.subscription, now) } : {}),
        },
        state,
        changedResources: [null, ...(change?.upserts.map((s) => s.resourceId) ?? [])],
        subscriptions: change?.upserts ?? [],
      };
    });
  }

  /** Updates a customer's details; fields left out are kept. */
  async updateCustomer(params: UpdateCustomerParams): Promise<Customer> {
    const p = parse(updateCustomerSchema, params, 'updateCustomer');
    return this.#mutate(p.customerId, async (entry, tx, now, catalog) => {
      const state = this.#requireCustomer(entry, p.customerId);
      if (p.couponId) requireCoupon(catalog, p.couponId);
      const customer: CustomerRecord = {
        ...state.customer,
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.email !== undefined ? { email: p.email } : {}),
        ...(p.billingId !== undefined ? { billingId: p.billingId } : {}),
        ...(p.couponId !== undefined && p.couponId !== state.customer.couponId
          ? { couponId: p.couponId, couponAppliedAt: p.couponId === null ? null : now }
          : {}),
        ...(p.metadata !== undefined ? { metadata: p.metadata } : {}),
        updatedAt: now,
      };
      await tx.putCustomer(customer);
      return { result: customerShape(customer), state: { ...state, customer } };
    });
  }

  /** The customer with their subscriptions, promotional entitlements and trial history. */
  async getCustomer(customerId: string): Promise<FullCustomer> {
    const id = parse(customerIdSchema, customerId, 'getCustomer');
    await this.#ready();
    const entry = await this.#entry(id);
    const catalog = this.catalog;
    if (!entry.state)
      throw new AllotError('CUSTOMER_NOT_FOUND', `customer "${id}" does not exist`, { details: { customerId: id } });
    const now = this.#clock.now();
    const state = entry.state;
    return {
      ...customerShape(state.customer),
      subscriptions: state.subscriptions.filter((s) => isOpen(s, now)).map((s) => subscriptionShape(catalog, s, now)),
      promotionalEntitlements: state.promotions.map((p) => promotionShape(p, this.#featureInfo.get(p.featureId), now)),
      alreadyTrialPlans: alreadyTrialPlans(state),
      hasPaymentMethod: false,
    };
  }

  /** Archives a customer: their subscriptions end at once and checks deny with `CustomerIsArchived`. */
  async archiveCustomer(customerId: string): Promise<string> {
    const id = parse(customerIdSchema, customerId, 'archiveCustomer');
    return this.#mutate(id, async (entry, tx, now) => {
      const state = this.#requireCustomer(entry, id);
      if (state.customer.archivedAt !== null) return { result: id };
      const customer = { ...state.customer, archivedAt: now, updatedAt: now };
      await tx.putCustomer(customer);
      const ended = state.subscriptions
        .filter((s) => isOpen(s, now))
        .map((s) => ({
          ...s,
          endDate: now,
          cancellationDate: now,
          cancelReason: 'CustomerArchived' as const,
          scheduledUpdates: [],
          updatedAt: now,
        }));
      return {
        result: id,
        ...(await this.#saveSubscriptions(tx, { ...state, customer }, ended, now)),
        changedResources: [null, ...ended.map((s) => s.resourceId)],
        subscriptions: ended,
      };
    });
  }

  /** Restores an archived customer; their ended subscriptions stay ended. */
  async unarchiveCustomer(customerId: string): Promise<Customer> {
    const id = parse(customerIdSchema, customerId, 'unarchiveCustomer');
    return this.#mutate(id, async (entry, tx, now) => {
      const state = this.#requireCustomer(entry, id, { allowArchived: true });
      if (state.customer.archivedAt === null)
        throw new AllotError('CUSTOMER_NOT_ARCHIVED', `customer "${id}" is not archived`, {
          details: { customerId: id },
        });
      const customer = { ...state.customer, archivedAt: null, updatedAt: now };
      await tx.putCustomer(customer);
      return { result: customerShape(customer), state: { ...state, customer }, changedResources: [null] };
    });
  }

  #requireCustomer(entry: CustomerEntry, customerId: string, opts: { allowArchived?: boolean } = {}): CustomerState {
    if (!entry.state)
      throw new AllotError('CUSTOMER_NOT_FOUND', `customer "${customerId}" does not exist`, {
        details: { customerId },
      });
    if (entry.state.customer.archivedAt !== null && !opts.allowArchived)
      throw new AllotError('CUSTOMER_ARCHIVED', `customer "${customerId}" is archived`, { details: { customerId } });
    return entry.state;
  }

  // ─────────────────────────────────────── subscriptions ───────────────────────────────────────

  #subscriptionId(planId: string): string {
    return `subscription-${planId}-${randomHex(16)}`;
  }

  #provisionInput(customerId: string, p: z.output<typeof subscriptionParamsSchema>) {
    return {
      customerId,
      planId: p.planId,
      resourceId: p.resourceId ?? null,
      billingPeriod: p.billingPeriod,
      addons: p.addons,
      billableFeatures: p.billableFeatures,
      startDate: p.startDate,
      skipTrial: p.skipTrial,
      trialOverrideConfiguration: p.trialOverrideConfiguration,
      metadata: p.metadata,
      entitlements: p.subscriptionEntitlements?.map(toEntitlementSpec),
      scheduleStrategy: p.scheduleStrategy,
      billingCycleAnchor: p.billingCycleAnchor,
    };
  }

  /**
   * Writes subscription records and returns the state with them in place (immer keeps the old
   * state intact). The credit pools of the scopes they touch are first settled under the old
   * state, so a change inside a period never rewrites the refill the period already earned.
   */
  async #saveSubscriptions(
    tx: StoreTransaction,
    state: CustomerState,
    upserts: readonly SubscriptionRecord[],
    now: number,
  ): Promise<{ state: CustomerState; credits: CreditPool[] }> {
    const scopes = upserts.flatMap((u) => [
      u.resourceId,
      ...state.subscriptions.filter((s) => s.id === u.id).map((s) => s.resourceId),
    ]);
    const credits = await settlePools(tx, state, this.catalog, scopes, now);
    for (const u of upserts) {
      const before = state.subscriptions.find((s) => s.id === u.id);
      if (before !== undefined && before.resourceId !== u.resourceId) {
        const move = { subscriptionId: u.id, from: before.resourceId, to: u.resourceId };
        credits.push(...(await moveSubscriptionCredits(tx, state, this.catalog, move, now)));
      }
    }
    for (const s of upserts) await tx.putSubscription(s);
    const next = produce(state, (draft) => {
      for (const s of upserts) {
        const i = draft.subscriptions.findIndex((d) => d.id === s.id);
        if (i >= 0) draft.subscriptions[i] = s as (typeof draft.subscriptions)[number];
        else draft.subscriptions.push(s as (typeof draft.subscriptions)[number]);
      }
      // The order the stores return, so a cached state equals a freshly loaded one.
      draft.subscriptions.sort(byId);
    });
    return { state: next, credits };
  }

  /** Runs a subscription change for the customer that owns `subscriptionId`. */
  async #changeSubscription(
    subscriptionId: string,
    change: (catalog: Catalog, state: CustomerState, now: number) => SubscriptionChange,
  ): Promise<Subscription> {
    await this.#ready();
    const owner = await this.#store.read((r) => r.getSubscription(subscriptionId));
    if (!owner) throw subscriptionNotFound(subscriptionId);
    return this.#mutate(owner.customerId, async (entry, tx, now, catalog) => {
      const state = this.#requireCustomer(entry, owner.customerId);
      const result = change(catalog, state, now);
      const previous = state.subscriptions.find((s) => s.id === subscriptionId);
      return {
        result: subscriptionShape(catalog, result.subscription, now),
        ...(await this.#saveSubscriptions(tx, state, result.upserts, now)),
        changedResources: [previous?.resourceId ?? null, ...result.upserts.map((s) => s.resourceId)],
        subscriptions: result.upserts,
      };
    });
  }

  /**
   * Subscribes a customer to a plan, or changes their plan: a new subscription to the same product
   * replaces the current one (upgrades at once; downgrades at once or at the end of the billing
   * period per `scheduleStrategy`), starts a trial where the plan has one, or converts a trial.
   */
  async provisionSubscription(params: ProvisionSubscriptionParams): Promise<ProvisionSubscriptionResult> {
    const p = parse(provisionSubscriptionSchema, params, 'provisionSubscription');
    return this.#mutate(p.customerId, async (entry, tx, now, catalog) => {
      const state = await this.#applyPromotionCode(
        tx,
        this.#requireCustomer(entry, p.customerId),
        p.promotionCode,
        now,
      );
      const change = provisionSubscription(catalog, state, this.#provisionInput(p.customerId, p), now, () =>
        this.#subscriptionId(p.planId),
      );
      return {
        result: {
          provisionStatus: 'SUCCESS' as const,
          subscription: subscriptionShape(catalog, change.subscription, now),
        },
        ...(await this.#saveSubscriptions(tx, state, change.upserts, now)),
        changedResources: change.upserts.map((s) => s.resourceId),
        subscriptions: change.upserts,
      };
    });
  }

  /**
   * A promotion code given with a subscription applies its coupon to the customer (their
   * `couponId`), in the same transaction; an unknown or unusable code throws.
   */
  async #applyPromotionCode(
    tx: StoreTransaction,
    state: CustomerState,
    code: string | undefined,
    now: number,
  ): Promise<CustomerState> {
    if (code === undefined) return state;
    const { coupon } = resolvePromotionCode(this.catalog.coupons.values(), code, now);
    const customer = { ...state.customer, couponId: coupon.id, couponAppliedAt: now, updatedAt: now };
    await tx.putCustomer(customer);
    return { ...state, customer };
  }

  /** Updates add-ons (the list replaces the current one), quantities, metadata, billing period or trial end. */
  async updateSubscription(params: UpdateSubscriptionParams): Promise<Subscription> {
    const p = parse(updateSubscriptionSchema, params, 'updateSubscription');
    return this.#changeSubscription(p.subscriptionId, (catalog, state, now) =>
      updateSubscription(
        catalog,
        state,
        { ...p, entitlements: p.subscriptionEntitlements?.map(toEntitlementSpec) },
        now,
      ),
    );
  }

  /** Cancels at once, at the end of the billing period, or on a date; moves to the product's downgrade plan if any. */
  async cancelSubscription(params: CancelSubscriptionParams): Promise<Subscription> {
    const p = parse(cancelSubscriptionSchema, params, 'cancelSubscription');
    return this.#changeSubscription(p.subscriptionId, (catalog, state, now) =>
      cancelSubscription(catalog, state, p, now, () =>
        this.#subscriptionId(
          catalog.products.get(requireSubscription(state, p.subscriptionId).productId)?.downgradePlanId ?? 'downgrade',
        ),
      ),
    );
  }

  /**
   * Drops the subscription's pending scheduled updates. With no payment provider nothing ever
   * waits for payment, so `status: 'PendingPayment'` finds nothing to drop.
   */
  async cancelSubscriptionScheduledUpdates(
    params: CancelSubscriptionScheduledUpdatesParams,
  ): Promise<{ subscriptionId: string }> {
    const p = parse(cancelScheduledUpdatesSchema, params, 'cancelSubscriptionScheduledUpdates');
    if ((p.status ?? 'Scheduled') === 'Scheduled')
      await this.#changeSubscription(p.subscriptionId, (catalog, state, now) =>
        cancelScheduledUpdates(catalog, state, p.subscriptionId, now),
      );
    else await this.getSubscription({ subscriptionId: p.subscriptionId });
    return { subscriptionId: p.subscriptionId };
  }

  /**
   * Moves a subscription to the latest version of its plan and add-ons, keeping its usage:
   * `IMMEDIATE` (default) or at the `END_OF_BILLING_PERIOD` as a scheduled update.
   */
  async migrateSubscriptionToLatest(params: MigrateSubscriptionParams): Promise<{ subscriptionId: string }> {
    const p = parse(migrateSubscriptionSchema, params, 'migrateSubscriptionToLatest');
    await this.#changeSubscription(p.subscriptionId, (catalog, state, now) =>
      migrateToLatest(catalog, state, { subscriptionId: p.subscriptionId, time: p.subscriptionMigrationTime }, now),
    );
    return { subscriptionId: p.subscriptionId };
  }

  /** Moves a subscription to another resource (or customer-wide when `destinationResourceId` is omitted). */
  async transferSubscriptionToResource(params: TransferSubscriptionParams): Promise<Subscription> {
    const p = parse(transferSubscriptionSchema, params, 'transferSubscriptionToResource');
    return this.#changeSubscription(p.subscriptionId, (catalog, state, now) =>
      transferSubscription(catalog, state, p.subscriptionId, p.destinationResourceId ?? null, now),
    );
  }

  /** One subscription, as it stands now. */
  async getSubscription(params: { subscriptionId: string }): Promise<Subscription> {
    const p = parse(subscriptionIdSchema, params, 'getSubscription');
    await this.#ready();
    const [record] = await this.#store.read(async (r) =>
      this.#readSubscriptions(r, [await r.getSubscription(p.subscriptionId)]),
    );
    if (!record) throw subscriptionNotFound(p.subscriptionId);
    return subscriptionShape(this.catalog, record, this.#clock.now());
  }

  /** Subscriptions filtered by customer, resource, status and product, with cursor pagination by id. */
  async getSubscriptions(params?: GetSubscriptionsParams): Promise<GetSubscriptionsResult> {
    const p = parse(getSubscriptionsSchema, params, 'getSubscriptions');
    await this.#ready();
    const now = this.#clock.now();
    const list = (v: string | string[] | undefined) =>
      v === undefined ? undefined : new Set(Array.isArray(v) ? v : [v]);
    const resources = list(p.resourceId);
    const statuses = list(p.status);
    const products = list(p.productId);
    const all: Subscription[] = [];
    const PAGE = 500;
    for (let afterId: string | undefined; ; ) {
      const page = await this.#store.read(async (r) =>
        this.#readSubscriptions(
          r,
          await r.listSubscriptions({
            ...(p.customerId ? { customerId: p.customerId } : {}),
            ...(afterId ? { afterId } : {}),
            limit: PAGE,
          }),
        ),
      );
      for (const record of page) {
        const s = subscriptionShape(this.catalog, record, now);
        if (resources && !resources.has(s.resourceId ?? '')) continue;
        if (statuses && !statuses.has(s.status)) continue;
        if (products && !products.has(s.productId)) continue;
        all.push(s);
      }
      if (page.length < PAGE) break;
      afterId = page[page.length - 1]?.id;
    }
    const limit = p.pagination?.limit ?? 20;
    let from = 0;
    let to = all.length;
    if (p.pagination?.startingAfter !== undefined) {
      const after = p.pagination.startingAfter;
      from = all.findIndex((s) => s.id > after);
      if (from < 0) from = all.length;
      to = Math.min(all.length, from + limit);
    } else if (p.pagination?.endingBefore !== undefined) {
      const before = p.pagination.endingBefore;
      to = all.findIndex((s) => s.id >= before);
      if (to < 0) to = all.length;
      from = Math.max(0, to - limit);
    } else {
      to = Math.min(all.length, limit);
    }
    const data = all.slice(from, to);
    return {
      data,
      totalCount: all.length,
      pageInfo: {
        hasNextPage: to < all.length,
        hasPreviousPage: from > 0,
        startCursor: data[0]?.id ?? null,
        endCursor: data[data.length - 1]?.id ?? null,
      },
    };
  }

  /**
   * The customer's live (ACTIVE or IN_TRIAL) subscriptions: without `resourceId` the customer-wide
   * ones, with it those of the given resource(s).
   */
  async getActiveSubscriptions(params: GetActiveSubscriptionsParams): Promise<Subscription[]> {
    return (await this.#activeSubscriptions(params, 'getActiveSubscriptions')).subscriptions;
  }

  /** `getActiveSubscriptions` in the reference's slim list shape. */
  async getActiveSubscriptionsList(params: GetActiveSubscriptionsParams): Promise<SlimSubscription[]> {
    const { customer, subscriptions } = await this.#activeSubscriptions(params, 'getActiveSubscriptionsList');
    return subscriptions.map((s) => slimSubscriptionShape(this.catalog, customer, s));
  }

  async #activeSubscriptions(params: GetActiveSubscriptionsParams, method: string) {
    const p = parse(activeSubscriptionsSchema, params, method);
    await this.#ready();
    const entry = await this.#entry(p.customerId);
    const catalog = this.catalog;
    const state = this.#requireCustomer(entry, p.customerId, { allowArchived: true });
    const now = this.#clock.now();
    const resources: (string | null)[] =
      p.resourceId === undefined ? [null] : Array.isArray(p.resourceId) ? p.resourceId : [p.resourceId];
    const subscriptions = state.subscriptions
      .filter((s) => resources.includes(s.resourceId) && isLive(s, now))
      .map((s) => subscriptionShape(catalog, s, now));
    return { customer: state.customer, subscriptions };
  }

  // ─────────────────────────────────────────── usage ───────────────────────────────────────────

  /**
   * Records usage of a metered feature: DELTA (default; may be negative, usage never goes below
   * 0) or SET. Returns once durable. A repeated `idempotencyKey` applies once and returns the
   * first acknowledgement. A `createdAt` in an earlier period counts in that period.
   */
  async reportUsage(params: ReportUsageParams): Promise<ReportUsageAck> {
    const p = parse(reportUsageSchema, params, 'reportUsage');
    const [ack] = await this.#mutate(p.customerId, (entry, tx, now, catalog) =>
      this.#applyUsages(entry, p.customerId, [{ item: p }], tx, now, catalog),
    );
    return ack as ReportUsageAck;
  }

  /** Records many usages in one transaction: all of them, or (on any error) none. */
  async reportUsageBulk(params: ReportUsageBulkParams): Promise<ReportUsageAck[]> {
    const p = parse(reportUsageBulkSchema, params, 'reportUsageBulk');
    const acks = await this.#writeEach(p.usages, (entry, customerId, usages, tx, now, catalog) =>
      this.#applyUsages(entry, customerId, usages, tx, now, catalog),
    );
    return acks as ReportUsageAck[];
  }

  /**
   * Checks a metered feature's limit and records the usage in the same transaction: granted only
   * when unlimited, soft-limited, or `currentUsage + value <= usageLimit`; otherwise nothing is
   * recorded and the result says why. Holds across processes sharing one SQLite file.
   *
   * @example
   * const { hasAccess } = await allot.checkAndReportUsage({ customerId, featureId: 'tokens', value: 1200 });
   */
  async checkAndReportUsage(params: CheckAndReportUsageParams): Promise<CheckAndReportUsageResult> {
    const p = parse(checkAndReportUsageSchema, params, 'checkAndReportUsage');
    return this.#mutate<CheckAndReportUsageResult>(p.customerId, async (entry, tx, now, catalog) => {
      this.#requireCustomer(entry, p.customerId);
      const resourceId = p.resourceId ?? null;
      const prior = await this.#priorAck(tx, p.customerId, p.idempotencyKey);
      const entitlement = this.#evaluate(
        entry,
        resourceId,
        p.featureId,
        'METERED',
        {
          requestedUsage: prior ? 0 : p.value,
        },
        now,
      ) as MeteredEntitlement;
      if (prior) return { result: { hasAccess: true, entitlement, usage: toAck(prior) } };
      if (!entitlement.hasAccess) return { result: { hasAccess: false, entitlement } };
      const usage = { ...p, updateBehavior: 'DELTA' as const };
      const mutation = await this.#applyUsages(entry, p.customerId, [{ item: usage }], tx, now, catalog);
      return { ...mutation, result: { hasAccess: true, entitlement, usage: mutation.result[0] as ReportUsageAck } };
    });
  }

  /**
   * Reports raw events (one, or up to 1,000 in one transaction: all applied or none). Each
   * feature whose meter matches aggregates it in the usage period of its `timestamp`; an
   * idempotency key already seen for the customer is skipped, across calls and restarts.
   */
  async reportEvent(events: ReportEventParams | ReportEventParams[]): Promise<ReportEventResult> {
    const list = parse(reportEventsSchema, events, 'reportEvent');
    const results = await this.#writeEach(
      Array.isArray(list) ? list : [list],
      (entry, customerId, batch, tx, now, catalog) => this.#applyEvents(entry, customerId, batch, tx, now, catalog),
    );
    const accepted = results.filter((r) => r.fresh).length;
    const credits = eventCreditCharges(results.flatMap((r) => r.charges));
    return { accepted, duplicates: results.length - accepted, ...(credits.length > 0 ? { credits } : {}) };
  }

  /**
   * Applies items for several customers in one transaction, each customer's through `apply`;
   * returns the per-item results in input order. An error names the failing item's index.
   */
  #writeEach<I extends { customerId: string }, R>(
    items: readonly I[],
    apply: (
      entry: CustomerEntry,
      customerId: string,
      items: readonly Indexed<I>[],
      tx: StoreTransaction,
      now: number,
      catalog: Catalog,
    ) => Promise<Mutation<R[]>>,
  ): Promise<R[]> {
    const byCustomer = new Map<string, (Indexed<I> & { index: number })[]>();
    items.forEach((item, index) => {
      const list = byCustomer.get(item.customerId);
      if (list) list.push({ item, index });
      else byCustomer.set(item.customerId, [{ item, index }]);
    });
    return this.#write([...byCustomer.keys()], async (entries, tx, now) => {
      const mutations = new Map<string, Mutation<R[]>>();
      const results: R[] = new Array(items.length);
      for (const [customerId, list] of byCustomer) {
        const entry = entries.get(customerId) ?? new CustomerEntry(undefined, now);
        const mutation = await apply(entry, customerId, list, tx, now, this.catalog);
        mutations.set(customerId, mutation);
        list.forEach(({ index }, i) => {
          results[index] = mutation.result[i] as R;
        });
      }
      return { result: results, mutations };
    });
  }

  async #priorAck(tx: StoreTransaction, customerId: string, key: string | undefined): Promise<AckRecord | undefined> {
    if (key === undefined) return undefined;
    return (await tx.getIdempotencyResult(`${USAGE_SCOPE}:${customerId}`, key)) as AckRecord | undefined;
  }

  async #applyUsages(
    entry: CustomerEntry,
    customerId: string,
    usages: readonly Indexed<z.output<typeof reportUsageSchema>>[],
    tx: StoreTransaction,
    now: number,
    catalog: Catalog,
  ): Promise<Mutation<ReportUsageAck[]>> {
    const batch = new UsageBatch(customerId, entry, catalog, tx, now, this.#share);
    const credits = new UsageCredits(tx, entry.state, catalog, now, usageChargeId);
    const acks: ReportUsageAck[] = [];
    for (const { item: u, index } of usages) {
      await naming(index, async () => {
        this.#requireCustomer(entry, customerId);
        this.#reportableFeature(catalog, u.featureId);
        const prior = await this.#priorAck(tx, customerId, u.idempotencyKey);
        if (prior) return void acks.push(toAck(prior));
        const resourceId = u.resourceId ?? null;
        const at = pastOrNow(u.createdAt, now, 'createdAt');
        const window = batch.place(u.featureId, resourceId, at);
        const op = u.updateBehavior === 'SET' ? 'set' : 'add';
        const dimensions = u.dimensions ?? null;
        const used = await batch.apply(u.featureId, resourceId, window, op, u.value, at, dimensions);
        const credit = await this.#charge(credits, entry, resourceId, u.featureId, window, used, dimensions, now);
        const record: AckRecord = {
          measurementId: globalThis.crypto.randomUUID(),
          customerId,
          featureId: u.featureId,
          resourceId,
          currentUsage: used.currentUsage,
          timestamp: at,
          periodStart: window.periodStart,
          periodEnd: window.periodEnd,
          ...(credit ? { credit } : {}),
        };
        if (u.idempotencyKey !== undefined)
          await tx.putIdempotencyResult(`${USAGE_SCOPE}:${customerId}`, u.idempotencyKey, record, now);
        acks.push(toAck(record));
      });
    }
    await batch.flush();
    return { result: acks, counters: batch.counters(), ...(await this.#commitCharges(credits)) };
  }

  /** Charges a credit-backed feature's usage increase to its pool; undefined for any other feature. */
  #charge(
    credits: UsageCredits,
    entry: CustomerEntry,
    resourceId: string | null,
    featureId: string,
    window: PlacedWindow,
    used: Contribution,
    dimensions: Dimensions | null,
    now: number,
  ): Promise<CreditChargeRecord> | undefined {
    const rate = this.#view(entry, resourceId, now).entitlements.get(featureId)?.creditRate;
    if (!rate) return undefined;
    const usage = { previous: used.previousUsage, current: used.currentUsage };
    return credits.charge(featureId, rate, window.scope, usage, dimensions);
  }

  /** Writes the pools a usage write charged, for the mutation. */
  async #commitCharges(credits: UsageCredits): Promise<Pick<Mutation<unknown>, 'credits' | 'rechargesSkipped'>> {
    const { pools, skipped } = await credits.commit(rechargeId);
    return {
      ...(pools.length > 0 ? { credits: pools } : {}),
      ...(skipped.length > 0 ? { rechargesSkipped: skipped } : {}),
    };
  }

  /** A feature that takes reported usage: metered, and counted from reports rather than events. */
  #reportableFeature(catalog: Catalog, featureId: string): void {
    const feature = meteredFeature(catalog, featureId);
    if (feature.meter)
      throw new AllotError(
        'INVALID_OPERATION',
        `feature "${featureId}" counts "${feature.meter.eventName}" events; report them with reportEvent`,
        { details: { featureId } },
      );
  }

  /** Applies one customer's events; each result is true when counted, false for a repeated idempotency key. */
  async #applyEvents(
    entry: CustomerEntry,
    customerId: string,
    events: readonly Indexed<z.output<typeof reportEventSchema>>[],
    tx: StoreTransaction,
    now: number,
    catalog: Catalog,
  ): Promise<Mutation<EventOutcome[]>> {
    const batch = new UsageBatch(customerId, entry, catalog, tx, now, this.#share);
    const credits = new UsageCredits(tx, entry.state, catalog, now, usageChargeId);
    const results: EventOutcome[] = [];
    for (const { item: e, index } of events) {
      await naming(index, async () => {
        this.#requireCustomer(entry, customerId);
        const at = pastOrNow(e.timestamp, now, 'timestamp');
        const resourceId = e.resourceId ?? null;
        const dimensions = e.dimensions ?? {};
        const event = { customerId, idempotencyKey: e.idempotencyKey, eventName: e.eventName, resourceId };
        const fresh = await tx.putEvent({ ...event, dimensions, timestamp: at, createdAt: now });
        const outcome: EventOutcome = { fresh, charges: [] };
        results.push(outcome);
        if (!fresh) return;
        for (const feature of catalog.metersByEvent.get(e.eventName) ?? []) {
          if (!matchesMeter(feature.meter, e.eventName, dimensions)) continue;
          const sample = meterSample(feature.meter, feature.id, dimensions);
          const window = batch.place(feature.id, resourceId, at);
          if (sample.member !== undefined && !(await batch.addMember(feature.id, window, sample.member))) continue;
          const op = aggregationOp[feature.meter.aggregation.function];
          const amount = sample.member === undefined ? sample.amount : 1;
          const used = await batch.apply(feature.id, resourceId, window, op, amount, at, dimensions);
          const charge = await this.#charge(credits, entry, resourceId, feature.id, window, used, dimensions, now);
          if (charge !== undefined && charge.consumed !== '0') outcome.charges.push({ customerId, charge });
        }
      });
    }
    await batch.flush();
    return { result: results, counters: batch.counters(), ...(await this.#commitCharges(credits)) };
  }

  /**
   * Usage of a metered feature over time: one series (or one per combination of up to three
   * `groupBy` dimensions) of points with `isResetPoint` where a period or a subscription change
   * restarted it, and `markers` naming each reset. The range is `[startDate, endDate)`; without
   * an `endDate` it runs up to and including now.
   */
  async getUsageHistory(params: GetUsageHistoryParams): Promise<UsageHistory> {
    const p = parse(usageHistorySchema, params, 'getUsageHistory');
    const catalog = await this.#ready();
    // By default up to and including now.
    const to = p.endDate ?? this.#clock.now() + 1;
    if (p.startDate >= to)
      throw new AllotError('INVALID_INPUT', 'getUsageHistory: startDate must be before endDate', {
        details: { startDate: p.startDate, endDate: to },
      });
    const feature = meteredFeature(catalog, p.featureId);
    const entry = await this.#entry(p.customerId);
    const state = this.#requireCustomer(entry, p.customerId, { allowArchived: true });
    const resourceId = p.resourceId ?? null;
    const segments = usageSegments(catalog, state, resourceId, p.featureId, p.startDate, to, this.#share);
    // Each counter is read from the start of the earliest window shown (all of it for one that never resets).
    const from = new Map<string | null, number>();
    for (const s of segments)
      from.set(s.scope, Math.min(from.get(s.scope) ?? Number.POSITIVE_INFINITY, s.periodStart ?? -DATE_LIMIT));
    const entries = await this.#store.read(async (r) => {
      const lists = [];
      for (const [scope, start] of from)
        lists.push(
          await r.listUsageEntries({
            customerId: p.customerId,
            resourceId: scope,
            featureId: p.featureId,
            from: start,
            before: to,
          }),
        );
      return lists.flat().sort((a, b) => a.at - b.at);
    });
    const reading = feature.meter ? aggregationOp[feature.meter.aggregation.function] : 'add';
    const history = usageHistory({ segments, entries, groupBy: p.groupBy ?? [], from: p.startDate, to, reading });
    return {
      series: history.series.map((s) => ({
        tags: s.tags.map((t) => ({ ...t })),
        points: s.points.map((pt) => ({
          timestamp: new Date(pt.timestamp),
          value: pt.value,
          isResetPoint: pt.isResetPoint,
        })),
      })),
      markers: history.markers.map((m) => ({ type: m.type, timestamp: new Date(m.timestamp) })),
    };
  }

  /**
   * Forgets usage history and raw event keys from before `before`, in one transaction; every
   * aggregate (current usage, past periods) stays as it was. Returns how many rows went.
   * `usageHistoryRetentionMs` runs it for you.
   */
  async pruneUsageHistory(params: { before: Date | string | number }): Promise<{ pruned: number }> {
    const { before } = parse(pruneHistorySchema, params, 'pruneUsageHistory');
    await this.#ready();
    return { pruned: await this.#store.transaction((tx) => tx.pruneUsageHistory(before)) };
  }

  /** Prunes by `usageHistoryRetentionMs` at most once an hour of clock time, off the caller's path. */
  #pruneWhenDue(now: number): void {
    const retention = this.#retentionMs;
    if (retention === undefined || now - this.#prunedAt < HOUR_MS) return;
    this.#prunedAt = now;
    this.#store
      .transaction((tx) => tx.pruneUsageHistory(now - retention))
      .catch((error: unknown) => {
        if (!(AllotError.is(error) && error.code === 'CLOSED'))
          console.error('[allot] pruning usage history failed; it is retried after the next write', error);
        this.#prunedAt = Number.NEGATIVE_INFINITY;
      });
  }

  // ──────────────────────────────────────── promotions ────────────────────────────────────────

  /**
   * Grants promotional entitlements; they apply across all of the customer's subscriptions until
   * their period ends. Granting a feature again replaces its earlier promotion.
   */
  async grantPromotionalEntitlements(params: GrantPromotionalEntitlementsParams): Promise<PromotionalEntitlement[]> {
    const p = parse(grantPromotionsSchema, params, 'grantPromotionalEntitlements');
    return this.#mutate(p.customerId, async (entry, tx, now, catalog) => {
      const state = this.#requireCustomer(entry, p.customerId);
      assertEntitlementsFit(catalog, p.promotionalEntitlements.map(toEntitlementSpec));
      const granted: PromotionRecord[] = p.promotionalEntitlements.map((g) => {
        const endDate = promotionEnd(g.period, now, g.customEndDate);
        if (endDate !== null && endDate <= now)
          throw new AllotError('INVALID_INPUT', `promotion for "${g.featureId}" would end before it starts`);
        return {
          id: `promotion-${g.featureId}-${randomHex(16)}`,
          customerId: p.customerId,
          featureId: g.featureId,
          period: g.period,
          entitlement: toEntitlementSpec(g),
          isVisible: g.isVisible ?? true,
          startDate: now,
          endDate,
          createdAt: now,
          updatedAt: now,
        };
      });
      const replaced = new Set(granted.map((g) => g.featureId));
      for (const old of state.promotions) if (replaced.has(old.featureId)) await tx.deletePromotion(old.id);
      for (const g of granted) await tx.putPromotion(g);
      const promotions = [...state.promotions.filter((old) => !replaced.has(old.featureId)), ...granted].sort(byId);
      return {
        result: granted.map((g) => promotionShape(g, this.#featureInfo.get(g.featureId), now)),
        state: { ...state, promotions },
        changedResources: this.#resourcesOf(state),
      };
    });
  }

  /** Revokes the customer's promotional entitlement for a feature. */
  async revokePromotionalEntitlements(params: RevokePromotionalEntitlementsParams): Promise<{ id: string }> {
    const p = parse(revokePromotionSchema, params, 'revokePromotionalEntitlements');
    return this.#mutate(p.customerId, async (entry, tx) => {
      const state = this.#requireCustomer(entry, p.customerId, { allowArchived: true });
      const promotion = state.promotions.find((x) => x.featureId === p.featureId);
      if (!promotion)
        throw new AllotError(
          'PROMOTIONAL_ENTITLEMENT_NOT_FOUND',
          `customer "${p.customerId}" has no promotional entitlement for "${p.featureId}"`,
          { details: { customerId: p.customerId, featureId: p.featureId } },
        );
      await tx.deletePromotion(promotion.id);
      return {
        result: { id: promotion.id },
        state: { ...state, promotions: state.promotions.filter((x) => x.id !== promotion.id) },
        changedResources: this.#resourcesOf(state),
      };
    });
  }

  /** The customer-wide scope plus every resource the customer has a subscription for. */
  #resourcesOf(state: CustomerState): (string | null)[] {
    return [null, ...state.subscriptions.map((s) => s.resourceId)];
  }

  // ───────────────────────────────────────── credits ─────────────────────────────────────────

  /**
   * Adds credits to a customer's pool (per currency, and per resource when given). A future
   * `effectiveAt` schedules the grant; `expireAt` ends it; lower `priority` burns first. Debt is
   * settled first. A repeated `idempotencyKey` returns the first grant, never a second top-up.
   */
  grantCredits(params: GrantCreditsParams): Promise<CreditGrant> {
    return this.#credits.grantCredits(params);
  }

  /** `grantCredits` by its other name. */
  createCreditGrant(params: GrantCreditsParams): Promise<CreditGrant> {
    return this.grantCredits(params);
  }

  /** Removes what is left of a grant at once (ledger: CREDITS_VOIDED). Voiding it twice is an error. */
  voidCreditGrant(params: { id: string }): Promise<CreditGrant> {
    return this.#credits.voidCreditGrant(params);
  }

  /**
   * Deducts credits from a pool in burn order, one ledger entry per grant drawn; refuses with
   * INSUFFICIENT_CREDITS (changing nothing) when the balance cannot cover it. A repeated
   * `idempotencyKey` returns the first result.
   */
  consumeCredits(params: ConsumeCreditsParams): Promise<ConsumeCreditsResult> {
    return this.#credits.consumeCredits(params);
  }

  /** A pool's balance and whether it covers `options.requestedUsage` (default: any credit at all). */
  getCreditEntitlement(params: CreditEntitlementParams): Promise<CreditEntitlement> {
    return this.#credits.getCreditEntitlement(params);
  }

  /** @deprecated the reference's older name of `getCreditEntitlement`. */
  getCreditBalance(params: CreditEntitlementParams): Promise<CreditEntitlement> {
    return this.getCreditEntitlement(params);
  }

  /**
   * A page of a customer's grants, oldest first, optionally of one currency and scope;
   * `paging.after` is the previous page's `endCursor`.
   */
  getCreditGrants(params: GetCreditGrantsParams): Promise<CreditGrantsPage> {
    return this.#credits.getCreditGrants(params);
  }

  /** A page of a customer's credit ledger, in the order it was written; `paging.after` is the last page's `endCursor`. */
  getCreditLedger(params: GetCreditLedgerParams): Promise<CreditLedgerPage> {
    return this.#credits.getCreditLedger(params);
  }

  /**
   * A customer's credit consumption over time: one series per feature (or per combination of up
   * to three `groupBy` dimensions), with a point per hour, day or month. `timeRange` (default
   * LAST_MONTH) or `startDate`/`endDate` choose the span; `currencyId` may be left out when the
   * catalog has one credit currency.
   */
  getCreditUsage(params: GetCreditUsageParams): Promise<CreditUsage> {
    return this.#credits.getCreditUsage(params);
  }

  /** The dimension keys a customer's credit consumption carried, filtered by `search` (case-insensitive). */
  getCreditEventsFields(params: GetCreditEventsFieldsParams): Promise<{ fields: string[] }> {
    return this.#credits.getCreditEventsFields(params);
  }

  /**
   * What reporting usage of a credit-backed feature would cost, and the balance it would leave;
   * persists nothing. SET costs the increase over the current usage; a decrease costs nothing.
   */
  estimateUsageCost(params: EstimateUsageCostParams): Promise<CreditCostEstimates> {
    return this.#credits.estimateUsageCost(params);
  }

  /**
   * What an event would cost across the credit-backed features whose meters match it, per
   * currency, and the balance it would leave; persists nothing. A MIN or AVG meter's cost cannot
   * be known ahead: it counts 0 with UNSUPPORTED_AGGREGATION.
   */
  estimateEventCost(params: EstimateEventCostParams): Promise<CreditCostEstimates> {
    return this.#credits.estimateEventCost(params);
  }

  /**
   * Saves a customer's automatic recharge for a credit currency: when a consumption leaves the
   * balance below `thresholdValue` (credits, or money at the unit cost for DOLLAR_AMOUNT), a PAID
   * grant tops it up to `targetBalance`, unless the calendar month's recharges would pass
   * `maxSpendLimit` (null: no limit).
   */
  saveAutomaticRechargeConfiguration(params: SaveAutoRechargeParams): Promise<AutoRechargeSettings> {
    return this.#credits.saveAutomaticRechargeConfiguration(params);
  }

  /** `saveAutomaticRechargeConfiguration` by its other name. */
  saveAutoRechargeSettings(params: SaveAutoRechargeParams): Promise<AutoRechargeSettings> {
    return this.saveAutomaticRechargeConfiguration(params);
  }

  /** A customer's automatic recharge for a currency with this month's spend so far, or null if never saved. */
  getAutomaticRechargeConfiguration(params: {
    customerId: string;
    currencyId: string;
  }): Promise<AutoRechargeSettings | null> {
    return this.#credits.getAutomaticRechargeConfiguration(params);
  }

  // ───────────────────────────────────────── pricing ─────────────────────────────────────────

  /**
   * What subscribing the customer to a plan would cost, without persisting anything: the amounts
   * due now (with the proration of the subscription it replaces, if any), the billing period and
   * the recurring, non-prorated totals. A `promotionCode` (else the customer's coupon) discounts;
   * `billingInformation.taxPercentage` adds tax (exclusive unless the prices say inclusive).
   */
  async estimateSubscription(params: EstimateSubscriptionParams): Promise<SubscriptionEstimate> {
    const p = parse(estimateSubscriptionSchema, params, 'estimateSubscription');
    const catalog = await this.#ready();
    const state = this.#requireCustomer(await this.#entry(p.customerId), p.customerId);
    const now = this.#clock.now();
    // The subscription provisioning would create, from the same pure function, never stored
    // (ids are unique within the simulation: a trial and its follow-on must not collide).
    let simulated = 0;
    const { subscription: made } = provisionSubscription(
      catalog,
      state,
      this.#provisionInput(p.customerId, { ...p, promotionCode: undefined }),
      now,
      () => `${ESTIMATE_ID}-${++simulated}`,
    );
    // A change the product defers (a downgrade at the end of the period) comes back as the
    // current subscription with the change scheduled: estimate the plan it becomes then.
    const deferred = state.subscriptions.some((s) => s.id === made.id)
      ? made.scheduledUpdates.find((u) => u.planId !== undefined)
      : undefined;
    const at = deferred?.scheduledExecutionTime ?? made.startDate;
    const next = deferred ? effectiveSubscription(made, catalog, at) : made;
    const replaced = deferred
      ? undefined
      : state.subscriptions
          .map((s) => effectiveSubscription(s, catalog, at))
          .find(
            (s) =>
              s.id !== next.id &&
              s.productId === next.productId &&
              s.resourceId === next.resourceId &&
              isLive(s, at) &&
              !isTrialSubscription(s, at),
          );
    const inTrial = next.trialEndDate !== null && next.trialEndDate > at;
    const held = this.#heldCoupon(catalog, state);
    const preview = subscriptionPreview({
      next: {
        ...selectionOf(catalog, next, p.billingCountryCode),
        ...this.#estimateCoupon(catalog, state, p.promotionCode, now),
      },
      startDate: at,
      // Deferred: nothing is due now; its first period starts at the change.
      billingAnchor: deferred ? at : inTrial ? (next.trialEndDate ?? next.billingAnchor) : next.billingAnchor,
      inTrial: inTrial || deferred !== undefined,
      ...(replaced && !inTrial
        ? {
            current: {
              ...selectionOf(catalog, replaced, p.billingCountryCode),
              ...held,
              billingAnchor: replaced.billingAnchor,
            },
          }
        : {}),
      taxPercentage: p.billingInformation?.taxPercentage,
      convention: p.prorationConvention ?? catalog.prorationConvention,
      billingCycleAnchor: p.billingCycleAnchor,
      currency: catalogCurrency(catalog, p.billingCountryCode),
    });
    return estimateShape(preview);
  }

  /**
   * What changing a subscription's quantities, add-ons or coupon would cost now, prorated over the
   * rest of its billing period, without persisting anything.
   */
  async estimateSubscriptionUpdate(params: EstimateSubscriptionUpdateParams): Promise<SubscriptionEstimate> {
    const p = parse(estimateSubscriptionUpdateSchema, params, 'estimateSubscriptionUpdate');
    const catalog = await this.#ready();
    const owner = await this.#store.read((r) => r.getSubscription(p.subscriptionId));
    if (!owner) throw subscriptionNotFound(p.subscriptionId);
    const state = this.#requireCustomer(await this.#entry(owner.customerId), owner.customerId);
    const now = this.#clock.now();
    const current = effectiveSubscription(requireSubscription(state, p.subscriptionId), catalog, now);
    const { subscription: next } = updateSubscription(
      catalog,
      state,
      { subscriptionId: p.subscriptionId, addons: p.addons, billableFeatures: p.billableFeatures },
      now,
    );
    const held = this.#heldCoupon(catalog, state);
    // In a trial nothing is due now; the first paid period starts at the trial's end.
    const inTrial = current.trialEndDate !== null && current.trialEndDate > now;
    const preview = subscriptionPreview({
      next: {
        ...selectionOf(catalog, next, p.billingCountryCode),
        ...this.#estimateCoupon(catalog, state, p.promotionCode, now),
      },
      startDate: now,
      billingAnchor: inTrial ? (current.trialEndDate ?? current.billingAnchor) : current.billingAnchor,
      inTrial,
      current: {
        ...selectionOf(catalog, current, p.billingCountryCode),
        ...held,
        billingAnchor: current.billingAnchor,
      },
      taxPercentage: p.billingInformation?.taxPercentage,
      convention: p.prorationConvention ?? catalog.prorationConvention,
      currency: catalogCurrency(catalog, p.billingCountryCode),
    });
    return estimateShape(preview);
  }

  /** The customer's coupon, if it is still an active one, and since when it discounts. */
  #heldCoupon(catalog: Catalog, state: CustomerState): HeldCoupon {
    const coupon = state.customer.couponId ? catalog.coupons.get(state.customer.couponId) : undefined;
    if (coupon?.status !== 'ACTIVE') return {};
    return {
      coupon,
      ...(state.customer.couponAppliedAt === null ? {} : { couponStartsAt: state.customer.couponAppliedAt }),
    };
  }

  /** The coupon an estimate applies: the promotion code's (which must be usable; it would start now), else the customer's. */
  #estimateCoupon(catalog: Catalog, state: CustomerState, code: string | undefined, now: number): HeldCoupon {
    if (code !== undefined) return { coupon: resolvePromotionCode(catalog.coupons.values(), code, now).coupon };
    return this.#heldCoupon(catalog, state);
  }

  /**
   * The plans to offer, in order, with their entitlements (own and inherited), price points per
   * billing period (for `billingCountryCode`, else the default prices), trial and compatible
   * add-ons; with a `customerId`, also the customer and their active subscriptions.
   */
  async getPaywall(params?: GetPaywallParams): Promise<PaywallResult<Subscription, Customer>> {
    const p = parse(paywallSchema, params, 'getPaywall');
    const catalog = await this.#ready();
    const wall = paywall(catalog, {
      ...(p.productId ? { productId: p.productId } : {}),
      ...(p.billingCountryCode ? { billingCountryCode: p.billingCountryCode } : {}),
      ...(p.fetchAllCountriesPrices ? { fetchAllCountriesPrices: true } : {}),
      ...(p.includeHiddenPlans ? { includeHiddenPlans: true } : {}),
    });
    if (!p.customerId) return { ...wall, customer: null, resource: null, activeSubscriptions: null };
    const state = this.#requireCustomer(await this.#entry(p.customerId), p.customerId, { allowArchived: true });
    const now = this.#clock.now();
    const resourceId = p.resourceId ?? null;
    const activeSubscriptions = state.subscriptions
      .filter(
        (s) =>
          isLive(effectiveSubscription(s, catalog, now), now) &&
          (resourceId === null || s.resourceId === resourceId || s.resourceId === null) &&
          (p.productId === undefined || s.productId === p.productId),
      )
      .map((s) => subscriptionShape(catalog, s, now));
    return {
      ...wall,
      customer: customerShape(state.customer),
      resource: resourceId === null ? null : { id: resourceId },
      activeSubscriptions,
    };
  }

  /** The catalog's coupons, in catalog order. */
  async getCoupons(): Promise<CouponShape[]> {
    const catalog = await this.#ready();
    return [...catalog.coupons.values()].map(couponShape);
  }

  /** The catalog's products. */
  async getProducts(): Promise<Product[]> {
    const catalog = await this.#ready();
    return [...catalog.products.values()].map((p) => {
      const downgrade = p.downgradePlanId ? catalog.plans.get(p.downgradePlanId) : undefined;
      return {
        id: p.id,
        displayName: p.displayName ?? null,
        description: p.description ?? null,
        metadata: { ...p.metadata },
        downgradePlan: downgrade ? { id: downgrade.id, displayName: downgrade.displayName } : null,
        multipleSubscriptions: p.multipleSubscriptions,
      };
    });
  }

  // ─────────────────────────────────────────── events ───────────────────────────────────────────

  /** Listens for `entitlementsUpdated`, `usageUpdated` or `subscriptionUpdated`, emitted after commit. */
  addListener<K extends AllotEventName>(event: K, listener: AllotEvents[K]): void {
    parse(listenerSchema, [event, listener], 'addListener');
    this.#listeners.add(event, listener);
  }

  /** Stops a listener added with `addListener`. */
  removeListener<K extends AllotEventName>(event: K, listener: AllotEvents[K]): void {
    parse(listenerSchema, [event, listener], 'removeListener');
    this.#listeners.remove(event, listener);
  }
}

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A metered feature of the catalog: FEATURE_NOT_FOUND or FEATURE_NOT_METERED otherwise. */
function meteredFeature(catalog: Catalog, featureId: string): FeatureDefinition {
  const feature = catalog.features.get(featureId);
  if (!feature)
    throw new AllotError('FEATURE_NOT_FOUND', `feature "${featureId}" is not in the catalog`, {
      details: { featureId },
    });
  if (feature.meterType === 'None')
    throw new AllotError('FEATURE_NOT_METERED', `feature "${featureId}" is not metered`, { details: { featureId } });
  return feature;
}

/** The coupon a customer may hold: in the catalog and not archived. */
function requireCoupon(catalog: Catalog, couponId: string): Coupon {
  const coupon = catalog.coupons.get(couponId);
  if (!coupon)
    throw new AllotError('COUPON_NOT_FOUND', `coupon "${couponId}" is not in the catalog`, { details: { couponId } });
  if (coupon.status !== 'ACTIVE')
    throw new AllotError('INVALID_OPERATION', `coupon "${couponId}" is archived`, { details: { couponId } });
  return coupon;
}

function toAck(r: AckRecord): ReportUsageAck {
  const ack: ReportUsageAck = {
    measurementId: r.measurementId,
    customerId: r.customerId,
    featureId: r.featureId,
    resourceId: r.resourceId,
    currentUsage: r.currentUsage,
    timestamp: new Date(r.timestamp),
  };
  if (r.periodStart !== null && r.periodEnd !== null) {
    ack.usagePeriodStart = new Date(r.periodStart);
    ack.usagePeriodEnd = new Date(r.periodEnd);
    ack.nextResetDate = new Date(r.periodEnd);
  }
  if (r.credit) ack.credit = usageCreditAck(r.credit);
  return ack;
}

function promotionEnd(
  period: PromotionalEntitlementPeriod,
  now: number,
  customEndDate: number | undefined,
): number | null {
  if (period === 'LIFETIME') return null;
  if (period === 'CUSTOM') return customEndDate ?? now;
  if (period === 'ONE_WEEK') return now + 7 * 86_400_000;
  return addMonthsUtc(now, PROMOTION_MONTHS[period] ?? 1);
}
