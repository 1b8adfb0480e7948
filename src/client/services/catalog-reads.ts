// Catalog reads: the paywall (with a customer's active subscriptions when one is named), coupons
// and products.
import { requireCustomerState } from '../../core/customer-records.js';
import { effectiveSubscription, isLive } from '../../core/subscription-state.js';
import { paywall } from '../../pricing/paywall.js';
import type { Engine } from '../engine/engine.js';
import { parse, paywallSchema } from '../input-schemas.js';
import type { GetPaywallParams } from '../params.js';
import type { PaywallResult } from '../pricing-shapes.js';
import {
  type CouponShape,
  type Customer,
  couponShape,
  customerShape,
  type Subscription,
  subscriptionShape,
} from '../result-shapes.js';

/** A product of the catalog, as `getProducts` lists it. */
export interface Product {
  id: string;
  displayName: string | null;
  description: string | null;
  metadata: Record<string, string>;
  downgradePlan: { id: string; displayName: string | null } | null;
  multipleSubscriptions: boolean;
}

export class CatalogReads {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async paywall(params?: GetPaywallParams): Promise<PaywallResult<Subscription, Customer>> {
    const p = parse(paywallSchema, params, 'getPaywall');
    const catalog = await this.#engine.ready();
    const wall = paywall(catalog, {
      ...(p.productId ? { productId: p.productId } : {}),
      ...(p.billingCountryCode ? { billingCountryCode: p.billingCountryCode } : {}),
      ...(p.fetchAllCountriesPrices ? { fetchAllCountriesPrices: true } : {}),
      ...(p.includeHiddenPlans ? { includeHiddenPlans: true } : {}),
    });
    if (!p.customerId) return { ...wall, customer: null, resource: null, activeSubscriptions: null };
    const entry = await this.#engine.entry(p.customerId);
    const state = requireCustomerState(entry.state, p.customerId, { allowArchived: true });
    const now = this.#engine.clock.now();
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

  async coupons(): Promise<CouponShape[]> {
    const catalog = await this.#engine.ready();
    return [...catalog.coupons.values()].map(couponShape);
  }

  async products(): Promise<Product[]> {
    const catalog = await this.#engine.ready();
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
}
