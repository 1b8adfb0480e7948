// Imports from a billing system: customers created or brought up to date, and subscriptions that
// already run there, many in one transaction; a failing item names its index and writes nothing.
import type { z } from 'zod';
import type { Catalog } from '../../catalog/catalog.js';
import { newCustomer, requireCustomerState, updatedCustomer } from '../../core/customer-records.js';
import { importSubscription } from '../../core/subscription-import.js';
import type { CreditPool } from '../../credits/credit-pool.js';
import { AllotError } from '../../errors.js';
import type { CustomerState, SubscriptionRecord } from '../../model/records.js';
import { requireCoupon } from '../../pricing/customer-coupon.js';
import type { StoreTransaction } from '../../stores/store.js';
import type { CustomerEntry } from '../engine/customer-entry.js';
import type { Engine } from '../engine/engine.js';
import { type Indexed, itemError, type Mutation } from '../engine/mutation.js';
import { randomHex } from '../ids.js';
import { parse } from '../input-schemas.js';
import type { ImportCustomerBulkParams, ImportCustomerParams, ImportSubscriptionBulkParams } from '../params.js';
import { type Customer, customerShape } from '../result-shapes.js';
import {
  importCustomerBulkSchema,
  importCustomerSchema,
  importSubscriptionBulkSchema,
  type importSubscriptionSchema,
} from '../sdk-input-schemas.js';
import { applyPromotionCode, provisionInput, saveSubscriptions, subscriptionId } from '../subscription-writes.js';

type CustomerImport = z.output<typeof importCustomerSchema> & { customerId: string };
type SubscriptionImport = z.output<typeof importSubscriptionSchema>;

export class Imports {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Creates the customer, or updates the one with its id (fields left out are kept); archived ones are refused. */
  async customer(params: ImportCustomerParams): Promise<Customer> {
    const p = parse(importCustomerSchema, params, 'importCustomer');
    const [customer] = await this.#engine.writeEach([withId(p)], importCustomers);
    return customer as Customer;
  }

  /** `customer` for up to 1,000 customers, in one transaction: all of them, or none. */
  async customers(params: ImportCustomerBulkParams): Promise<void> {
    const p = parse(importCustomerBulkSchema, params, 'importCustomerBulk');
    await this.#engine.writeEach(p.customers.map(withId), importCustomers);
  }

  /** Up to 1,000 subscriptions (see `importSubscription` in the core), in one transaction: all of them, or none. */
  async subscriptions(params: ImportSubscriptionBulkParams): Promise<void> {
    const p = parse(importSubscriptionBulkSchema, params, 'importSubscriptionBulk');
    await this.#engine.writeEach(p.subscriptions, importSubscriptions);
  }
}

const withId = <T extends { customerId?: string | undefined }>(c: T): T & { customerId: string } => ({
  ...c,
  customerId: c.customerId ?? `customer-${randomHex(16)}`,
});

/** One customer's imports, in order: the first creates it unless it exists, each one updates it. */
async function importCustomers(
  entry: CustomerEntry,
  customerId: string,
  items: readonly Indexed<CustomerImport>[],
  tx: StoreTransaction,
  now: number,
  catalog: Catalog,
): Promise<Mutation<Customer[]>> {
  let state = entry.state;
  const result: Customer[] = [];
  for (const { item, index } of items)
    try {
      const { paymentMethodId: _, ...details } = item;
      if (details.couponId) requireCoupon(catalog, details.couponId);
      if (state === undefined) state = newCustomer(undefined, customerId, details, now);
      else {
        const current = requireCustomerState(state, customerId);
        state = { ...current, customer: updatedCustomer(current.customer, details, now) };
      }
      await tx.putCustomer(state.customer);
      result.push(customerShape(state.customer));
    } catch (error) {
      throw itemError(index, error);
    }
  return { result, ...(state ? { state } : {}), changedResources: [null] };
}

/** One customer's subscription imports, in order, each on the state the previous one left. */
async function importSubscriptions(
  entry: CustomerEntry,
  customerId: string,
  items: readonly Indexed<SubscriptionImport>[],
  tx: StoreTransaction,
  now: number,
  catalog: Catalog,
): Promise<Mutation<undefined[]>> {
  let state: CustomerState | undefined = entry.state;
  const credits: CreditPool[] = [];
  const written: SubscriptionRecord[] = [];
  for (const { item, index } of items)
    try {
      state = await applyPromotionCode(tx, catalog, requireCustomerState(state, customerId), item.promotionCode, now);
      const id = item.subscriptionId ?? subscriptionId(item.planId);
      if (item.subscriptionId !== undefined && (await tx.getSubscription(id)))
        throw new AllotError('SUBSCRIPTION_ALREADY_EXISTS', `subscription "${id}" already exists`, {
          details: { subscriptionId: id },
        });
      // The subscription takes the first id asked for; a plan lined up after it, fresh ones.
      const ids = [id];
      const newId = () => ids.shift() ?? subscriptionId(item.planId);
      const input = { ...provisionInput(catalog, customerId, item, now), endDate: item.endDate };
      const change = importSubscription(catalog, state, input, now, newId);
      const saved = await saveSubscriptions(tx, catalog, state, change.upserts, now);
      state = saved.state;
      credits.push(...saved.credits);
      written.push(...change.upserts);
    } catch (error) {
      throw itemError(index, error);
    }
  return {
    result: items.map(() => undefined),
    ...(state ? { state } : {}),
    credits,
    changedResources: [null, ...written.map((s) => s.resourceId)],
    subscriptions: written,
  };
}
