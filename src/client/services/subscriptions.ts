// Subscription writes: provisioning, updates, cancellation, scheduled updates, migration to the
// latest catalog versions and transfers, each a pure change from the core saved in one
// transaction of the customer that owns the subscription.
import type { Catalog } from '../../catalog/catalog.js';
import { requireCustomerState } from '../../core/customer-records.js';
import {
  cancelScheduledUpdates,
  cancelSubscription,
  migrateToLatest,
  transferSubscription,
  updateSubscription,
} from '../../core/subscription-changes.js';
import { provisionSubscription } from '../../core/subscription-provisioning.js';
import { requireSubscription, type SubscriptionChange, subscriptionNotFound } from '../../core/subscription-rules.js';
import type { CustomerState, PackageVersionRecord } from '../../model/records.js';
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
  CancelSubscriptionParams,
  CancelSubscriptionScheduledUpdatesParams,
  MigrateSubscriptionParams,
  ProvisionSubscriptionParams,
  TransferSubscriptionParams,
  UpdateSubscriptionParams,
} from '../params.js';
import { type ProgressListener, ProgressReporter } from '../progress.js';
import { type Subscription, subscriptionShape } from '../result-shapes.js';
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

type Change = (catalog: Catalog, state: CustomerState, now: number) => SubscriptionChange;

const MIGRATION_PAGE = 500;

export class Subscriptions {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async provision(params: ProvisionSubscriptionParams): Promise<ProvisionSubscriptionResult> {
    const p = parse(provisionSubscriptionSchema, params, 'provisionSubscription');
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

  async migrateToLatest(params: MigrateSubscriptionParams): Promise<{ subscriptionId: string }> {
    const p = parse(migrateSubscriptionSchema, params, 'migrateSubscriptionToLatest');
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
