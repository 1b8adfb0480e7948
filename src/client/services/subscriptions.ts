// Subscription writes: provisioning, updates, cancellation, scheduled updates, migration to the
// latest catalog versions and transfers, each a pure change from the core saved in one
// transaction of the customer that owns the subscription.
import type { Catalog } from '../../catalog/catalog.js';
import { requireCustomerState } from '../../core/customer-records.js';
import {
  cancelScheduledUpdates,
  cancelSubscription,
  type MigrationTime,
  migrateToLatest,
  transferSubscription,
  updateSubscription,
} from '../../core/subscription-changes.js';
import { provisionSubscription } from '../../core/subscription-provisioning.js';
import {
  present,
  requireSubscription,
  type SubscriptionChange,
  subscriptionNotFound,
} from '../../core/subscription-rules.js';
import { isLive, isTrialSubscription } from '../../core/subscription-state.js';
import { AllotError } from '../../errors.js';
import type { CustomerState, PackageVersionRecord, SubscriptionRecord } from '../../model/records.js';
import type { Engine } from '../engine/engine.js';
import {
  cancelScheduledUpdatesSchema,
  cancelSubscriptionSchema,
  migrateSubscriptionSchema,
  parse,
  provisionSubscriptionSchema,
  transferSubscriptionSchema,
  updateSubscriptionSchema,
} from '../input-schemas.js';
import type {
  ApplySubscriptionParams,
  CancelSubscriptionParams,
  CancelSubscriptionScheduledUpdatesParams,
  MigrateSubscriptionParams,
  ProvisionSubscriptionParams,
  TransferResourceSubscriptionsParams,
  TransferSubscriptionParams,
  UpdateSubscriptionParams,
} from '../params.js';
import { type ProgressListener, ProgressReporter } from '../progress.js';
import { type Subscription, subscriptionShape } from '../result-shapes.js';
import {
  applySubscriptionSchema,
  migrateArgumentsSchema,
  transferResourceSubscriptionsSchema,
} from '../sdk-input-schemas.js';
import {
  applyPromotionCode,
  checkSubscriptionWrite,
  provisionInput,
  saveSubscriptions,
  subscriptionId,
  updateInput,
} from '../subscription-writes.js';

/** `provisionSubscription`'s result; with no payment provider, provisioning always succeeds. */
export interface ProvisionSubscriptionResult {
  provisionStatus: 'SUCCESS';
  subscription: Subscription;
}

/** `applySubscription`'s result: the subscription it started (no checkout step offline). */
export interface ApplySubscriptionResult {
  subscription: Subscription;
}

type Change = (catalog: Catalog, state: CustomerState, now: number) => SubscriptionChange;

const MIGRATION_PAGE = 500;

export class Subscriptions {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async provision(
    params: ProvisionSubscriptionParams,
    method = 'provisionSubscription',
  ): Promise<ProvisionSubscriptionResult> {
    const p = parse(provisionSubscriptionSchema, params, method);
    return this.#engine.mutate(p.customerId, async (entry, tx, now, catalog) => {
      const customer = requireCustomerState(entry.state, p.customerId);
      const state = await applyPromotionCode(tx, catalog, customer, p.promotionCode, now);
      const input = provisionInput(catalog, p.customerId, p, now);
      const change = provisionSubscription(catalog, state, input, now, () => subscriptionId(p.planId));
      await checkSubscriptionWrite(tx, catalog, change.subscription, p);
      return {
        result: {
          provisionStatus: 'SUCCESS' as const,
          subscription: subscriptionShape(catalog, change.subscription, now),
        },
        ...(await saveSubscriptions(tx, catalog, state, change.upserts, now)),
        changedResources: change.upserts.map((s) => s.resourceId),
        subscriptions: change.upserts,
      };
    });
  }

  /** Provisions as `provision` does; the payment method is not used, as no payment provider is involved. */
  async apply(params: ApplySubscriptionParams): Promise<ApplySubscriptionResult> {
    parse(applySubscriptionSchema, params, 'applySubscription');
    const { paymentMethodId: _, ...p } = params;
    return { subscription: (await this.provision(p, 'applySubscription')).subscription };
  }

  async update(params: UpdateSubscriptionParams): Promise<Subscription> {
    const p = parse(updateSubscriptionSchema, params, 'updateSubscription');
    return this.#change(
      p.subscriptionId,
      (catalog, state, now) =>
        updateSubscription(
          catalog,
          state,
          updateInput(catalog, requireSubscription(state, p.subscriptionId), p, now),
          now,
        ),
      { promotionCode: p.promotionCode, check: p },
    );
  }

  async cancel(params: CancelSubscriptionParams): Promise<Subscription> {
    const p = parse(cancelSubscriptionSchema, params, 'cancelSubscription');
    return this.#change(p.subscriptionId, (catalog, state, now) => {
      const productId = requireSubscription(state, p.subscriptionId).productId;
      const downgradePlanId = catalog.products.get(productId)?.downgradePlanId ?? 'downgrade';
      return cancelSubscription(catalog, state, p, now, () => subscriptionId(downgradePlanId));
    });
  }

  /** With no payment provider nothing ever waits for payment, so `PendingPayment` finds nothing to drop. */
  async cancelScheduledUpdates(params: CancelSubscriptionScheduledUpdatesParams): Promise<{ subscriptionId: string }> {
    const p = parse(cancelScheduledUpdatesSchema, params, 'cancelSubscriptionScheduledUpdates');
    if ((p.status ?? 'Scheduled') === 'Scheduled')
      await this.#change(p.subscriptionId, (catalog, state, now) =>
        cancelScheduledUpdates(catalog, state, p.subscriptionId, now),
      );
    else {
      await this.#engine.ready();
      if (!(await this.#engine.store.read((r) => r.getSubscription(p.subscriptionId))))
        throw subscriptionNotFound(p.subscriptionId);
    }
    return { subscriptionId: p.subscriptionId };
  }

  /** Takes `{subscriptionId, subscriptionMigrationTime?}`, or the two as arguments as the reference's guide shows. */
  async migrateToLatest(
    params: MigrateSubscriptionParams | string,
    when?: MigrationTime,
  ): Promise<{ subscriptionId: string }> {
    const method = 'migrateSubscriptionToLatest';
    // An object with a time beside it is neither form: the positional parse refuses it.
    const p =
      typeof params === 'object' && params !== null && when === undefined
        ? parse(migrateSubscriptionSchema, params, method)
        : positionalMigration(parse(migrateArgumentsSchema, [params, when], method));
    const time = p.subscriptionMigrationTime;
    await this.#change(p.subscriptionId, (catalog, state, now) =>
      migrateToLatest(catalog, state, { subscriptionId: p.subscriptionId, time }, now),
    );
    return { subscriptionId: p.subscriptionId };
  }

  async transfer(params: TransferSubscriptionParams): Promise<Subscription> {
    const p = parse(transferSubscriptionSchema, params, 'transferSubscriptionToResource');
    const to = p.destinationResourceId ?? null;
    return this.#change(p.subscriptionId, (catalog, state, now) =>
      transferSubscription(catalog, state, p.subscriptionId, to, now),
    );
  }

  /** The customer's live subscriptions on one resource, moved to another in one transaction; answers the paid one. */
  async transferResource(params: TransferResourceSubscriptionsParams): Promise<Subscription> {
    const p = parse(transferResourceSubscriptionsSchema, params, 'transferSubscription');
    return this.#engine.mutate(p.customerId, async (entry, tx, now, catalog) => {
      let state = requireCustomerState(entry.state, p.customerId);
      const live = present(catalog, state, now).filter((s) => s.resourceId === p.sourceResourceId && isLive(s, now));
      const upserts = [];
      const credits = [];
      let answer: SubscriptionRecord | undefined;
      for (const s of live) {
        const change = transferSubscription(catalog, state, s.id, p.destinationResourceId, now);
        const saved = await saveSubscriptions(tx, catalog, state, change.upserts, now);
        ({ state } = saved);
        credits.push(...saved.credits);
        upserts.push(...change.upserts);
        if (answer === undefined || !isTrialSubscription(s, now)) answer = change.subscription;
      }
      if (answer === undefined)
        throw new AllotError(
          'SUBSCRIPTION_NOT_FOUND',
          `customer "${p.customerId}" has no live subscription on resource "${p.sourceResourceId}"`,
          { details: { customerId: p.customerId, resourceId: p.sourceResourceId } },
        );
      return {
        result: subscriptionShape(catalog, answer, now),
        state,
        credits,
        changedResources: [p.sourceResourceId, p.destinationResourceId],
        subscriptions: upserts,
      };
    });
  }

  /**
   * Moves every open subscription on a just-published plan or add-on to the latest versions,
   * page by page, one customer per transaction. Others keep their (perhaps grandfathered) versions.
   * `onProgress` hears how many subscriptions were looked at, of all there are.
   */
  async migrateAll(published: readonly PackageVersionRecord[], onProgress?: ProgressListener): Promise<void> {
    const plans = new Set(published.filter((v) => v.kind === 'plan').map((v) => v.refId));
    const addons = new Set(published.filter((v) => v.kind === 'addon').map((v) => v.refId));
    const { store, clock } = this.#engine;
    const total = onProgress ? await store.read((r) => r.countSubscriptions({})) : undefined;
    const progress = new ProgressReporter('migrate', onProgress, this.#engine.log, total);
    progress.report(0);
    let done = 0;
    for (let afterId: string | undefined; ; ) {
      const page = await store.read((r) =>
        r.listSubscriptions({ limit: MIGRATION_PAGE, ...(afterId ? { afterId } : {}) }),
      );
      for (const s of page) {
        done++;
        if (s.endDate !== null && s.endDate <= clock.now()) continue;
        if (!plans.has(s.planId) && !s.addons.some((a) => addons.has(a.addonId))) continue;
        // One that cannot move (an add-on the new version no longer allows) stays where it is.
        await this.#change(s.id, (catalog, state, now) =>
          migrateToLatest(catalog, state, { subscriptionId: s.id, time: 'IMMEDIATE' }, now),
        ).catch((error: unknown) => this.#engine.log.warn(`subscription "${s.id}" kept its version`, error));
        progress.report(done);
      }
      progress.report(done);
      const last = page.at(-1);
      if (last === undefined || page.length < MIGRATION_PAGE) break;
      afterId = last.id;
    }
    progress.finish(done);
  }

  /**
   * Runs a subscription change for the customer that owns `subscriptionId`, after applying a
   * promotion code's coupon to the customer, and checks what it sets (`checkSubscriptionWrite`).
   */
  async #change(
    subscriptionId: string,
    change: Change,
    options: { promotionCode?: string | undefined; check?: Parameters<typeof checkSubscriptionWrite>[3] } = {},
  ): Promise<Subscription> {
    await this.#engine.ready();
    const owner = await this.#engine.store.read((r) => r.getSubscription(subscriptionId));
    if (!owner) throw subscriptionNotFound(subscriptionId);
    return this.#engine.mutate(owner.customerId, async (entry, tx, now, catalog) => {
      const customer = requireCustomerState(entry.state, owner.customerId);
      const state = await applyPromotionCode(tx, catalog, customer, options.promotionCode, now);
      const result = change(catalog, state, now);
      if (options.check) await checkSubscriptionWrite(tx, catalog, result.subscription, options.check);
      const previous = state.subscriptions.find((s) => s.id === subscriptionId);
      return {
        result: subscriptionShape(catalog, result.subscription, now),
        ...(await saveSubscriptions(tx, catalog, state, result.upserts, now)),
        changedResources: [previous?.resourceId ?? null, ...result.upserts.map((s) => s.resourceId)],
        subscriptions: result.upserts,
      };
    });
  }
}

/** The positional form's arguments as the object form takes them. */
const positionalMigration = ([subscriptionId, time]: [string, MigrationTime?]) => ({
  subscriptionId,
  subscriptionMigrationTime: time ?? 'IMMEDIATE',
});
