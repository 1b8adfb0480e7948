// Customers: provisioned (optionally with a first subscription), updated, read, archived and
// restored, each write one transaction.
import {
  archivedCustomer,
  newCustomer,
  requireCustomerState,
  unarchivedCustomer,
  updatedCustomer,
} from '../../core/customer-records.js';
import { provisionSubscription } from '../../core/subscription-provisioning.js';
import { planOf, present, type SubscriptionChange } from '../../core/subscription-rules.js';
import { isLive, isOpen } from '../../core/subscription-state.js';
import { enumValues, PricingType } from '../../model/enums.js';
import { requireCoupon } from '../../pricing/customer-coupon.js';
import type { Engine } from '../engine/engine.js';
import { randomHex } from '../ids.js';
import { customerIdSchema, parse, provisionCustomerSchema, updateCustomerSchema } from '../input-schemas.js';
import type { CreateCustomerParams, ProvisionCustomerParams, UpdateCustomerParams } from '../params.js';
import {
  alreadyTrialPlans,
  type Customer,
  customerShape,
  type FullCustomer,
  promotionShape,
  type Subscription,
  subscriptionShape,
} from '../result-shapes.js';
import { createCustomerSchema } from '../sdk-input-schemas.js';
import {
  applyPromotionCode,
  checkSubscriptionWrite,
  provisionInput,
  saveSubscriptions,
  subscriptionId,
} from '../subscription-writes.js';

/** `provisionCustomer`'s result: the customer, how its subscription was chosen, and that subscription. */
export interface ProvisionCustomerResult {
  customer: Customer;
  subscriptionDecisionStrategy: 'REQUESTED_PLAN' | 'SKIPPED_SUBSCRIPTION_CREATION';
  subscription?: Subscription;
}

/** `getCustomerStatistics`' result: the customer's live subscriptions counted per pricing type (every type listed). */
export interface CustomerStatistics {
  statistics: { activeSubscriptionsByPricingType: { pricingType: PricingType; totalCount: number }[] };
}

export class Customers {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async provision(params: ProvisionCustomerParams): Promise<ProvisionCustomerResult> {
    const p = parse(provisionCustomerSchema, params, 'provisionCustomer');
    const customerId = p.customerId ?? `customer-${randomHex(16)}`;
    return this.#engine.mutate(customerId, async (entry, tx, now, catalog) => {
      let state = newCustomer(entry.state, customerId, p, now);
      if (p.couponId) requireCoupon(catalog, p.couponId);
      await tx.putCustomer(state.customer);
      const sub = p.subscriptionParams;
      state = await applyPromotionCode(tx, catalog, state, sub?.promotionCode, now);
      let change: SubscriptionChange | undefined;
      if (sub) {
        const input = provisionInput(catalog, customerId, sub, now);
        change = provisionSubscription(catalog, state, input, now, () => subscriptionId(sub.planId));
        await checkSubscriptionWrite(tx, catalog, change.subscription, sub);
        ({ state } = await saveSubscriptions(tx, catalog, state, change.upserts, now));
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

  /** `provisionCustomer` without a subscription, answering the customer alone. */
  async create(params: CreateCustomerParams): Promise<Customer> {
    const p = parse(createCustomerSchema, params, 'createCustomer');
    return (await this.provision({ ...p, subscriptionParams: null })).customer;
  }

  async update(params: UpdateCustomerParams): Promise<Customer> {
    const p = parse(updateCustomerSchema, params, 'updateCustomer');
    return this.#engine.mutate(p.customerId, async (entry, tx, now, catalog) => {
      const state = requireCustomerState(entry.state, p.customerId);
      if (p.couponId) requireCoupon(catalog, p.couponId);
      const customer = updatedCustomer(state.customer, p, now);
      await tx.putCustomer(customer);
      return { result: customerShape(customer), state: { ...state, customer } };
    });
  }

  async get(customerId: string): Promise<FullCustomer> {
    const id = parse(customerIdSchema, customerId, 'getCustomer');
    const catalog = await this.#engine.ready();
    const state = requireCustomerState((await this.#engine.entry(id)).state, id, { allowArchived: true });
    const now = this.#engine.clock.now();
    return {
      ...customerShape(state.customer),
      subscriptions: state.subscriptions.filter((s) => isOpen(s, now)).map((s) => subscriptionShape(catalog, s, now)),
      promotionalEntitlements: state.promotions.map((p) =>
        promotionShape(p, this.#engine.featureInfo(p.featureId), now),
      ),
      alreadyTrialPlans: alreadyTrialPlans(state),
      hasPaymentMethod: state.customer.billing?.billingInfo?.paymentMethodId !== undefined,
    };
  }

  /** Live (ACTIVE or IN_TRIAL) subscriptions, whichever resource they are on, by their plan's pricing type. */
  async statistics(customerId: string): Promise<CustomerStatistics> {
    const id = parse(customerIdSchema, customerId, 'getCustomerStatistics');
    const catalog = await this.#engine.ready();
    const state = requireCustomerState((await this.#engine.entry(id)).state, id, { allowArchived: true });
    const now = this.#engine.clock.now();
    const live = present(catalog, state, now).filter((s) => isLive(s, now));
    const count = (type: PricingType) =>
      live.filter((s) => (planOf(catalog, s)?.pricingType ?? 'FREE') === type).length;
    return {
      statistics: {
        activeSubscriptionsByPricingType: enumValues(PricingType).map((pricingType) => ({
          pricingType,
          totalCount: count(pricingType),
        })),
      },
    };
  }

  /**
   * With no payment provider allot stores no payment method, so there is none to detach: the
   * customer (who must exist and not be archived) comes back as it is, `hasPaymentMethod` false.
   */
  async detachPaymentMethod(customerId: string): Promise<Customer> {
    const id = parse(customerIdSchema, customerId, 'detachCustomerPaymentMethod');
    await this.#engine.ready();
    return customerShape(requireCustomerState((await this.#engine.entry(id)).state, id).customer);
  }

  async archive(customerId: string): Promise<string> {
    const id = parse(customerIdSchema, customerId, 'archiveCustomer');
    return this.#engine.mutate(id, async (entry, tx, now, catalog) => {
      const state = requireCustomerState(entry.state, id);
      const archived = archivedCustomer(state, now);
      if (!archived) return { result: id };
      const { customer, ended } = archived;
      await tx.putCustomer(customer);
      return {
        result: id,
        ...(await saveSubscriptions(tx, catalog, { ...state, customer }, ended, now)),
        changedResources: [null, ...ended.map((s) => s.resourceId)],
        subscriptions: ended,
      };
    });
  }

  async unarchive(customerId: string): Promise<Customer> {
    const id = parse(customerIdSchema, customerId, 'unarchiveCustomer');
    return this.#engine.mutate(id, async (entry, tx, now) => {
      const state = requireCustomerState(entry.state, id, { allowArchived: true });
      const customer = unarchivedCustomer(state, now);
      await tx.putCustomer(customer);
      return { result: customerShape(customer), state: { ...state, customer }, changedResources: [null] };
    });
  }
}
