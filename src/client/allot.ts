import type { Catalog } from '../catalog/catalog.js';
import type * as E from '../core/entitlement-results.js';
import type { CheckOptions } from '../core/evaluate-entitlement.js';
import type { EntitlementExplanation } from '../core/explain-entitlement.js';
import type { MigrationTime } from '../core/subscription-changes.js';
import { Engine } from './engine/engine.js';
import type { AllotEventName, AllotEvents } from './engine/listeners.js';
import type { AllotOptions } from './options.js';
import type * as P from './params.js';
import type * as R from './results.js';
import { CatalogReads } from './services/catalog-reads.js';
import { EntitlementChecks } from './services/checks.js';
import { CreditReports } from './services/credit-reports.js';
import { CreditResets } from './services/credit-resets.js';
import { Credits } from './services/credits.js';
import { Customers } from './services/customers.js';
import { EntitlementsV2 } from './services/entitlements-v2.js';
import { Estimates } from './services/estimates.js';
import { Explanations } from './services/explanations.js';
import { GovernanceClient } from './services/governance.js';
import { History } from './services/history.js';
import { Imports } from './services/imports.js';
import { Promotions } from './services/promotions.js';
import { SubscriptionDelegation } from './services/subscription-delegation.js';
import { SubscriptionReads } from './services/subscription-reads.js';
import { Subscriptions } from './services/subscriptions.js';
import { Usage } from './services/usage.js';
import { type OpenOptions, withStoredCatalog } from './stored-catalog.js';

type Check<O = object> = P.EntitlementCheckParams<O>;

/**
 * The entitlement engine: Stigg-shaped methods over a local store. Create it with
 * `Allot.initialize`, await `waitForInitialization()`, and `close()` it when done. Each method
 * hands its call to the service of its domain; the engine kernel behind them owns the store,
 * the cache and the write pipeline.
 *
 * @example
 * const allot = Allot.initialize({ catalog, store: sqliteStore({ filename: 'allot.db' }) });
 * await allot.waitForInitialization();
 * const { hasAccess } = await allot.getBooleanEntitlement({ customerId: 'c1', featureId: 'sso' });
 */
export class Allot {
  readonly #engine: Engine;
  readonly #checks: EntitlementChecks;
  readonly #explanations: Explanations;
  readonly #customers: Customers;
  readonly #subscriptions: Subscriptions;
  readonly #subscriptionReads: SubscriptionReads;
  readonly #usage: Usage;
  readonly #history: History;
  readonly #promotions: Promotions;
  readonly #credits: Credits;
  readonly #creditReports: CreditReports;
  readonly #creditResets: CreditResets;
  readonly #estimates: Estimates;
  readonly #catalogReads: CatalogReads;
  readonly #imports: Imports;
  readonly #delegation: SubscriptionDelegation;
  readonly #entitlementsV2: EntitlementsV2;
  /** Hierarchical budgets of owners (customers) over their organisations: see {@link GovernanceClient}. */
  readonly governance: GovernanceClient;

  private constructor(options: AllotOptions) {
    const engine = new Engine(options);
    this.#engine = engine;
    this.#checks = new EntitlementChecks(engine, options.entitlementsFallback ?? {});
    this.#explanations = new Explanations(engine);
    this.#customers = new Customers(engine);
    this.#subscriptions = new Subscriptions(engine);
    this.#subscriptionReads = new SubscriptionReads(engine);
    this.#usage = new Usage(engine);
    this.#history = new History(engine);
    this.#promotions = new Promotions(engine);
    this.#credits = new Credits(engine, options.creditEntitlementsFallback ?? {});
    this.#creditReports = new CreditReports(engine);
    this.#creditResets = new CreditResets(engine);
    this.#estimates = new Estimates(engine);
    this.#catalogReads = new CatalogReads(engine);
    this.#imports = new Imports(engine);
    this.#delegation = new SubscriptionDelegation(engine);
    this.#entitlementsV2 = new EntitlementsV2({
      feature: (params) => this.#checks.check(params, undefined, 'getEntitlementV2'),
      features: (customerId, resourceId) => this.#checks.state(customerId, resourceId),
      credit: (params) => this.#credits.entitlement(params),
      credits: (customerId, resourceId) => this.#credits.entitlements(customerId, resourceId),
    });
    this.governance = new GovernanceClient(engine);
    engine.start((published) => this.#subscriptions.migrateAll(published, options.onProgress));
  }

  /** Creates an engine: the catalog is validated at once (`INVALID_CATALOG`), the store opens in the background. */
  static initialize(options: AllotOptions): Allot {
    return new Allot(options);
  }

  /**
   * Opens an engine on a store that holds a catalog already: the newest one an
   * `Allot.initialize` stored there (every engine stores its catalog when it changed). For tools
   * that read a store without the app's catalog at hand, such as the `allot` command line.
   * Rejects with `CATALOG_NOT_FOUND` when the store holds none.
   *
   * @example
   * const allot = await Allot.open({ store: sqliteStore({ filename: 'allot.db' }) });
   */
  static async open(options: OpenOptions): Promise<Allot> {
    return new Allot(await withStoredCatalog(options)).waitForInitialization();
  }

  /** Resolves once the store is open, migrated and the catalog versioned; rejects if that failed. */
  async waitForInitialization(): Promise<Allot> {
    await this.#engine.initialized();
    return this;
  }

  /** Releases the store. Later checks answer from the fallback; later writes throw `CLOSED`. */
  close(): Promise<void> {
    return this.#engine.close();
  }

  /** The version catalog as initialized (for introspection and tests). */
  get catalog(): Catalog {
    return this.#engine.catalog;
  }

  // ── entitlements: never throw for the store; they answer from `entitlementsFallback` ──

  /** Checks any feature; the result is a union on `type`. */
  getEntitlement(params: Check<CheckOptions>): Promise<E.Entitlement> {
    return this.#checks.check(params, undefined, 'getEntitlement');
  }

  /** Checks a BOOLEAN feature. */
  getBooleanEntitlement(params: Check): Promise<E.BooleanEntitlement> {
    return this.#checks.check(params, 'BOOLEAN', 'getBooleanEntitlement') as Promise<E.BooleanEntitlement>;
  }

  /** Checks a NUMBER feature without a meter: its configured `value`. */
  getNumericEntitlement(params: Check): Promise<E.NumericEntitlement> {
    return this.#checks.check(params, 'NUMERIC', 'getNumericEntitlement') as Promise<E.NumericEntitlement>;
  }

  /** Checks a metered feature: granted when unlimited, soft, or `currentUsage + requestedUsage <= usageLimit`. */
  getMeteredEntitlement(params: Check<P.MeteredCheckOptions>): Promise<E.MeteredEntitlement> {
    return this.#checks.check(params, 'METERED', 'getMeteredEntitlement') as Promise<E.MeteredEntitlement>;
  }

  /** Checks an ENUM feature; granted when every `requestedValues` entry is allowed. */
  getEnumEntitlement(params: Check<P.EnumCheckOptions>): Promise<E.EnumEntitlement> {
    return this.#checks.check(params, 'ENUM', 'getEnumEntitlement') as Promise<E.EnumEntitlement>;
  }

  /**
   * The synchronous check for hot loops, from memory only. A customer not yet cached answers from
   * the fallback (`isFallback: true`) while it loads in the background.
   *
   * @example
   * const calls = allot.getEntitlementSync({ customerId, featureId: 'api-calls' }, 'METERED');
   */
  getEntitlementSync<T extends E.EntitlementType | undefined = undefined>(
    params: Check<CheckOptions>,
    type?: T,
  ): T extends E.EntitlementType ? Extract<E.Entitlement, { type: T }> : E.Entitlement {
    return this.#checks.sync(params, type) as never;
  }

  /** Every entitlement of a customer (or resource) and the customer-level denial, if any. */
  getEntitlementsState(customerId: string, resourceId?: string | null): Promise<R.EntitlementsState> {
    return this.#checks.state(customerId, resourceId);
  }

  /** A feature's entitlement (`featureId`) or a credit currency's (`currencyId`): give one of the two. */
  getEntitlementV2(params: P.EntitlementV2Params): Promise<R.EntitlementV2> {
    return this.#entitlementsV2.get(params);
  }

  /** `getEntitlementsState` with the customer's (or resource's) credit entitlements after the features'. */
  getEntitlementsStateV2(customerId: string, resourceId?: string | null): Promise<R.EntitlementsStateV2> {
    return this.#entitlementsV2.state(customerId, resourceId);
  }

  /** Every entitlement of a customer (or resource). */
  async getEntitlements(customerId: string, resourceId?: string | null): Promise<E.Entitlement[]> {
    return (await this.#checks.state(customerId, resourceId)).entitlements;
  }

  /**
   * Why `getEntitlement` answers as it does now: every grant (subscriptions, trials, promotions)
   * with its sources (plan, base plan, add-ons × quantity, custom entitlements), the winner and
   * the rule it won by, the usage window and the usage in it, the credits behind it, and the
   * decision itself. Unlike checks it throws: CUSTOMER_NOT_FOUND, FEATURE_NOT_FOUND, store errors.
   *
   * @example
   * const why = await allot.explainEntitlement({ customerId: 'acme', featureId: 'api-calls' });
   * console.log(why.summary); // granted by subscription sub-1 (plan pro): limit 1200, 37 used in the period ending ...
   */
  explainEntitlement(params: P.ExplainEntitlementParams): Promise<EntitlementExplanation> {
    return this.#explanations.explain(params);
  }

  /** Reloads the customer from the store; answers whether the customer (or resource) exists. */
  reloadEntitlements(customerId: string, resourceId?: string | null): Promise<{ entitledEntityExists: boolean }> {
    return this.#checks.reload(customerId, resourceId);
  }

  // ── customers ──

  /** Creates a customer, optionally with a first subscription; archived ids are never reused. */
  provisionCustomer(params: P.ProvisionCustomerParams): Promise<R.ProvisionCustomerResult> {
    return this.#customers.provision(params);
  }

  /** @deprecated the reference's older form of `provisionCustomer` without a subscription; answers the customer. */
  createCustomer(params: P.CreateCustomerParams): Promise<R.Customer> {
    return this.#customers.create(params);
  }

  /** Creates a customer from a billing system, or updates the one with its id; archived ones are refused. */
  importCustomer(params: P.ImportCustomerParams): Promise<R.Customer> {
    return this.#imports.customer(params);
  }

  /** `importCustomer` for up to 1,000 customers in one transaction: all or none (an error names the item). */
  importCustomerBulk(params: P.ImportCustomerBulkParams): Promise<void> {
    return this.#imports.customers(params);
  }

  /** Updates a customer's details; fields left out are kept. */
  updateCustomer(params: P.UpdateCustomerParams): Promise<R.Customer> {
    return this.#customers.update(params);
  }

  /** The customer with their subscriptions, promotional entitlements and trial history. */
  getCustomer(customerId: string): Promise<R.FullCustomer> {
    return this.#customers.get(customerId);
  }

  /** The customer's live subscriptions counted per plan pricing type (FREE, PAID, CUSTOM). */
  getCustomerStatistics(customerId: string): Promise<R.CustomerStatistics> {
    return this.#customers.statistics(customerId);
  }

  /** allot stores no payment method (no payment provider), so this answers the customer unchanged. */
  detachCustomerPaymentMethod(customerId: string): Promise<R.Customer> {
    return this.#customers.detachPaymentMethod(customerId);
  }

  /** Archives a customer: their subscriptions end at once and checks deny with `CustomerIsArchived`. */
  archiveCustomer(customerId: string): Promise<string> {
    return this.#customers.archive(customerId);
  }

  /** Restores an archived customer; their ended subscriptions stay ended. */
  unarchiveCustomer(customerId: string): Promise<R.Customer> {
    return this.#customers.unarchive(customerId);
  }

  // ── subscriptions ──

  /** Subscribes to a plan or changes plan (a downgrade may wait for the period's end); starts or converts a trial. */
  provisionSubscription(params: P.ProvisionSubscriptionParams): Promise<R.ProvisionSubscriptionResult> {
    return this.#subscriptions.provision(params);
  }

  /** @deprecated the reference's older form of `provisionSubscription`; answers the subscription. */
  async createSubscription(params: P.ProvisionSubscriptionParams): Promise<R.Subscription> {
    return (await this.#subscriptions.provision(params, 'createSubscription')).subscription;
  }

  /** Provisions a subscription without a checkout step (there is none offline): `{subscription}`. */
  applySubscription(params: P.ApplySubscriptionParams): Promise<R.ApplySubscriptionResult> {
    return this.#subscriptions.apply(params);
  }

  /** What `applySubscription` would do now: due at once (prorated) and per period, as the reference's V2 preview; persists nothing. */
  previewSubscription(params: P.PreviewSubscriptionParams): Promise<R.SubscriptionPreviewV2> {
    return this.#estimates.preview(params);
  }

  /** The subscription's next billing period's up-front charges, with the customer's coupon; persists nothing. */
  previewNextInvoice(params: { subscriptionId: string }): Promise<R.InvoicePreview> {
    return this.#estimates.nextInvoice(params);
  }

  /** Imports up to 1,000 subscriptions running elsewhere (no trial; a past start keeps its cycle), in one transaction. */
  importSubscriptionBulk(params: P.ImportSubscriptionBulkParams): Promise<void> {
    return this.#imports.subscriptions(params);
  }

  /** Updates add-ons (the list replaces the current one), quantities, metadata, billing period or trial end. */
  updateSubscription(params: P.UpdateSubscriptionParams): Promise<R.Subscription> {
    return this.#subscriptions.update(params);
  }

  /** Cancels at once, at the end of the billing period, or on a date; moves to the product's downgrade plan if any. */
  cancelSubscription(params: P.CancelSubscriptionParams): Promise<R.Subscription> {
    return this.#subscriptions.cancel(params);
  }

  /** Drops the subscription's pending scheduled updates. */
  cancelSubscriptionScheduledUpdates(
    p: P.CancelSubscriptionScheduledUpdatesParams,
  ): Promise<{ subscriptionId: string }> {
    return this.#subscriptions.cancelScheduledUpdates(p);
  }

  /**
   * Moves a subscription to the latest plan and add-on versions, keeping usage: at once or at the
   * period's end. Takes the object, or the id and time as arguments.
   *
   * @example await allot.migrateSubscriptionToLatest('subscription-1', 'END_OF_BILLING_PERIOD');
   */
  migrateSubscriptionToLatest(
    params: P.MigrateSubscriptionParams | string,
    subscriptionMigrationTime?: MigrationTime,
  ): Promise<{ subscriptionId: string }> {
    return this.#subscriptions.migrateToLatest(params, subscriptionMigrationTime);
  }

  /** Moves a subscription to another resource (or customer-wide when `destinationResourceId` is omitted). */
  transferSubscriptionToResource(params: P.TransferSubscriptionParams): Promise<R.Subscription> {
    return this.#subscriptions.transfer(params);
  }

  /** @deprecated moves the customer's live subscriptions on `sourceResourceId` to `destinationResourceId`; answers the paid one. */
  transferSubscription(params: P.TransferResourceSubscriptionsParams): Promise<R.Subscription> {
    return this.#subscriptions.transferResource(params);
  }

  /** Gives a subscription's entitlements to another customer (none: back to its payer); the payer keeps paying. */
  delegateSubscriptionToCustomer(params: P.DelegateSubscriptionParams): Promise<R.Subscription> {
    return this.#delegation.delegate(params);
  }

  /** One subscription, as it stands now. */
  getSubscription(params: { subscriptionId: string }): Promise<R.Subscription> {
    return this.#subscriptionReads.get(params);
  }

  /** Subscriptions filtered by customer, resource, status and product, with cursor pagination by id. */
  getSubscriptions(params?: P.GetSubscriptionsParams): Promise<R.GetSubscriptionsResult> {
    return this.#subscriptionReads.list(params);
  }

  /** The customer's live (ACTIVE or IN_TRIAL) subscriptions: customer-wide, or of the given resource(s). */
  async getActiveSubscriptions(params: P.GetActiveSubscriptionsParams): Promise<R.Subscription[]> {
    return (await this.#subscriptionReads.active(params, 'getActiveSubscriptions')).subscriptions;
  }

  /** `getActiveSubscriptions` in the reference's slim list shape. */
  getActiveSubscriptionsList(params: P.GetActiveSubscriptionsParams): Promise<R.SlimSubscription[]> {
    return this.#subscriptionReads.activeList(params);
  }

  // ── usage ──

  /** Records usage: DELTA (default; never below 0) or SET, once durable; a repeated `idempotencyKey` applies once. */
  reportUsage(params: P.ReportUsageParams): Promise<R.ReportUsageAck> {
    return this.#usage.report(params);
  }

  /** Records many usages in one transaction: all of them, or (on any error) none. */
  reportUsageBulk(params: P.ReportUsageBulkParams): Promise<R.ReportUsageAck[]> {
    return this.#usage.reportBulk(params);
  }

  /**
   * Checks a metered feature's limit and records the usage in the same transaction, so concurrent
   * callers (across processes too) never pass the limit; a denial records nothing.
   *
   * @example
   * const { hasAccess } = await allot.checkAndReportUsage({ customerId, featureId: 'tokens', value: 1200 });
   */
  checkAndReportUsage(params: P.CheckAndReportUsageParams): Promise<R.CheckAndReportUsageResult> {
    return this.#usage.checkAndReport(params);
  }

  /** Reports raw events (one, or up to 1,000 in one transaction); a repeated idempotency key is skipped. */
  reportEvent(events: P.ReportEventParams | P.ReportEventParams[]): Promise<R.ReportEventResult> {
    return this.#usage.reportEvents(events);
  }

  /** Usage of a metered feature over time, with reset points and markers; `[startDate, endDate)`, now by default. */
  getUsageHistory(params: P.GetUsageHistoryParams): Promise<R.UsageHistory> {
    return this.#history.usage(params);
  }

  /** `getUsageHistory` by the reference's V2 name. */
  getUsageHistoryV2(params: P.GetUsageHistoryV2Params): Promise<R.UsageHistory> {
    return this.#history.usageV2(params);
  }

  /** @deprecated the reference's V1 history: the ungrouped history's points as `{date, value, isResetPoint}`. */
  fetchUsageHistory(params: P.FetchUsageHistoryParams): Promise<R.UsageHistoryPoint[]> {
    return this.#history.points(params);
  }

  /** Forgets usage history and event keys from before `before`; aggregates stay. Returns how many rows went. */
  pruneUsageHistory(params: P.PruneUsageHistoryParams): Promise<{ pruned: number }> {
    return this.#history.prune(params);
  }

  // ── promotions ──

  /** Grants promotional entitlements until their period ends; granting a feature again replaces its promotion. */
  grantPromotionalEntitlements(params: P.GrantPromotionalEntitlementsParams): Promise<R.PromotionalEntitlement[]> {
    return this.#promotions.grant(params);
  }

  /** Revokes the customer's promotional entitlement for a feature. */
  revokePromotionalEntitlements(params: P.RevokePromotionalEntitlementsParams): Promise<{ id: string }> {
    return this.#promotions.revoke(params);
  }

  /** Grants promotions as the named group `featureGroupId`, replacing the group's earlier grant whole. */
  grantPromotionalEntitlementsGroup(
    params: P.GrantPromotionalEntitlementsGroupParams,
  ): Promise<R.PromotionalEntitlement[]> {
    return this.#promotions.grantGroup(params);
  }

  /** Revokes every promotion of the group; answers them. */
  revokePromotionalEntitlementsGroup(
    params: P.PromotionalEntitlementsGroupParams,
  ): Promise<R.PromotionalEntitlement[]> {
    return this.#promotions.revokeGroup(params);
  }

  /** Detaches the group's promotions from it, keeping them granted; answers them. */
  unlinkPromotionalEntitlementsGroup(
    params: P.PromotionalEntitlementsGroupParams,
  ): Promise<R.PromotionalEntitlement[]> {
    return this.#promotions.unlinkGroup(params);
  }

  // ── credits ──

  /**
   * Adds credits to a pool; a future `effectiveAt` schedules it, `expireAt` ends it, lower `priority` burns first.
   * allot extensions: `recurrence` refills it to its amount every period; `rollover` is what a pool reset lets it keep.
   */
  grantCredits(params: P.GrantCreditsParams): Promise<R.CreditGrant> {
    return this.#credits.grant(params);
  }

  /** `grantCredits` by its other name. */
  createCreditGrant(params: P.GrantCreditsParams): Promise<R.CreditGrant> {
    return this.#credits.grant(params);
  }

  /** Removes what is left of a grant at once (ledger: CREDITS_VOIDED). Voiding it twice is an error. */
  voidCreditGrant(params: { id: string }): Promise<R.CreditGrant> {
    return this.#credits.void(params);
  }

  /** Deducts credits in burn order; refuses with INSUFFICIENT_CREDITS, changing nothing, when the balance is short. */
  consumeCredits(params: P.ConsumeCreditsParams): Promise<R.ConsumeCreditsResult> {
    return this.#credits.consume(params);
  }

  /** Up to 1,000 `consumeCredits` in one transaction, all or none; resolves once durable (offline, nothing is queued). */
  consumeCreditsAsync(params: P.ConsumeCreditsAsyncParams): Promise<void> {
    return this.#credits.consumeAll(params);
  }

  /** A pool's balance and whether it covers `options.requestedUsage` (default: any credit at all). */
  getCreditEntitlement(params: P.CreditEntitlementParams): Promise<R.CreditEntitlement> {
    return this.#credits.entitlement(params);
  }

  /** @deprecated the reference's older name of `getCreditEntitlement`; `currencyId` may be left out when the catalog has one currency. */
  getCreditBalance(params: P.GetCreditBalanceParams): Promise<R.CreditEntitlement> {
    return this.#credits.balance(params);
  }

  /** A page of a customer's grants, oldest first; `paging.after` is the previous page's `endCursor`. */
  getCreditGrants(params: P.GetCreditGrantsParams): Promise<R.CreditGrantsPage> {
    return this.#creditReports.grants(params);
  }

  /** A page of a customer's credit ledger, in the order it was written. */
  getCreditLedger(params: P.GetCreditLedgerParams): Promise<R.CreditLedgerPage> {
    return this.#creditReports.ledger(params);
  }

  /** Credit consumption over time: a series per feature (or `groupBy` dimensions), a point per hour, day or month. */
  getCreditUsage(params: P.GetCreditUsageParams): Promise<R.CreditUsage> {
    return this.#creditReports.usage(params);
  }

  /** The dimension keys a customer's credit consumption carried, filtered by `search` (case-insensitive). */
  getCreditEventsFields(params: P.GetCreditEventsFieldsParams): Promise<{ fields: string[] }> {
    return this.#creditReports.eventsFields(params);
  }

  /** What reporting usage of a credit-backed feature would cost, and the balance it would leave; persists nothing. */
  estimateUsageCost(params: P.EstimateUsageCostParams): Promise<R.CreditCostEstimates> {
    return this.#creditReports.usageCost(params);
  }

  /** What an event would cost across the credit-backed features its meters match; persists nothing. */
  estimateEventCost(params: P.EstimateEventCostParams): Promise<R.CreditCostEstimates> {
    return this.#creditReports.eventCost(params);
  }

  /**
   * Saves automatic recharge: below `thresholdValue` a PAID grant tops up to `targetBalance`, within `maxSpendLimit`.
   * allot extensions: `rechargeMethod: 'FIXED'` buys `rechargeAmount`, `minimumPurchase`, `bonusCredits`, `grantType`.
   */
  saveAutomaticRechargeConfiguration(params: P.SaveAutoRechargeParams): Promise<R.AutoRechargeSettings> {
    return this.#credits.saveAutoRecharge(params);
  }

  /** `saveAutomaticRechargeConfiguration` by its other name. */
  saveAutoRechargeSettings(params: P.SaveAutoRechargeParams): Promise<R.AutoRechargeSettings> {
    return this.#credits.saveAutoRecharge(params);
  }

  /** A customer's automatic recharge for a currency with this month's spend so far, or null if never saved. */
  getAutomaticRechargeConfiguration(p: P.GetAutoRechargeParams): Promise<R.AutoRechargeSettings | null> {
    return this.#credits.autoRecharge(p);
  }

  /**
   * An allot extension: resets a pool now. Each live grant keeps what its `rollover` rule (else this
   * call's, else the pool schedule's) allows, the rest leaves (CREDITS_RESET); debt is carried to
   * be repaid by the next credits, or forgiven (`overage: 'FORGIVE'`); `moveAnchor` restarts the
   * pool's schedule from now. Never adds credits.
   */
  resetCreditPool(params: P.ResetCreditPoolParams): Promise<R.CreditPoolReset> {
    return this.#creditResets.reset(params);
  }

  /** An allot extension: makes a pool reset by itself every `intervalCount` × `interval` from `anchor`; null stops it. */
  saveCreditResetSchedule(params: P.SaveCreditResetScheduleParams): Promise<R.CreditResetSchedule | null> {
    return this.#creditResets.saveSchedule(params);
  }

  /** An allot extension: a pool's reset schedule and its next reset, or null if it has none. */
  getCreditResetSchedule(params: P.CreditPoolParams): Promise<R.CreditResetSchedule | null> {
    return this.#creditResets.schedule(params);
  }

  // ── pricing and the catalog ──

  /** What subscribing to a plan would cost, prorated against the subscription it replaces; persists nothing. */
  estimateSubscription(params: P.EstimateSubscriptionParams): Promise<R.SubscriptionEstimate> {
    return this.#estimates.subscription(params);
  }

  /** What changing a subscription's quantities, add-ons or coupon would cost now, prorated; persists nothing. */
  estimateSubscriptionUpdate(params: P.EstimateSubscriptionUpdateParams): Promise<R.SubscriptionEstimate> {
    return this.#estimates.update(params);
  }

  /** The plans to offer with entitlements, prices, trials and add-ons; with a customer, their active subscriptions. */
  getPaywall(params?: P.GetPaywallParams): Promise<R.PaywallResult<R.Subscription, R.Customer>> {
    return this.#catalogReads.paywall(params);
  }

  /** The catalog's coupons, in catalog order. */
  getCoupons(): Promise<R.CouponShape[]> {
    return this.#catalogReads.coupons();
  }

  /** The catalog's products. */
  getProducts(): Promise<R.Product[]> {
    return this.#catalogReads.products();
  }

  // ── events ──

  /** Listens for an event (`entitlementsUpdated`, `usageUpdated`, ...), emitted after commit. */
  addListener<K extends AllotEventName>(event: K, listener: AllotEvents[K]): void {
    this.#engine.listeners.add(event, listener);
  }

  /** Stops a listener added with `addListener`. */
  removeListener<K extends AllotEventName>(event: K, listener: AllotEvents[K]): void {
    this.#engine.listeners.remove(event, listener);
  }
}
