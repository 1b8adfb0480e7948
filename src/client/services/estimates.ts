// Cost estimates of a new subscription or of a change to one: the core simulates the request
// (nothing is stored) and pricing prices the difference, prorated.
import type { Catalog } from '../../catalog/catalog.js';
import { requireCustomerState } from '../../core/customer-records.js';
import { requireSubscription, subscriptionNotFound } from '../../core/subscription-rules.js';
import type { SubscriptionBillingCycleAnchor } from '../../model/enums.js';
import type { CustomerState } from '../../model/records.js';
import { estimateCoupon, heldCoupon, subscriptionCoupon } from '../../pricing/customer-coupon.js';
import { type EstimateBasis, subscriptionEstimateBasis, updateEstimateBasis } from '../../pricing/estimate-basis.js';
import { catalogCurrency, type PricingSelection, subscriptionPreview } from '../../pricing/subscription-pricing.js';
import type { Engine } from '../engine/engine.js';
import { estimateSubscriptionSchema, estimateSubscriptionUpdateSchema, parse } from '../input-schemas.js';
import type { EstimateSubscriptionParams, EstimateSubscriptionUpdateParams } from '../params.js';
import { estimateShape, type SubscriptionEstimate, selectionOf } from '../pricing-shapes.js';
import { provisionInput, updateInput } from '../subscription-writes.js';

/** What both estimates take beside the basis: the prices' country, a promotion code, tax and convention. */
interface PriceOptions {
  readonly billingCountryCode?: string | undefined;
  readonly promotionCode?: string | undefined;
  readonly billingInformation?: { readonly taxPercentage?: number | undefined } | undefined;
  readonly prorationConvention?: Catalog['prorationConvention'] | undefined;
  readonly billingCycleAnchor?: SubscriptionBillingCycleAnchor | undefined;
  readonly usage?: PricingSelection['usage'];
}

export class Estimates {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async subscription(params: EstimateSubscriptionParams): Promise<SubscriptionEstimate> {
    const p = parse(estimateSubscriptionSchema, params, 'estimateSubscription');
    const catalog = await this.#engine.ready();
    const state = requireCustomerState((await this.#engine.entry(p.customerId)).state, p.customerId);
    const now = this.#engine.clock.now();
    const input = provisionInput(catalog, p.customerId, { ...p, promotionCode: undefined }, now);
    return this.#price(catalog, state, subscriptionEstimateBasis(catalog, state, input, now), p, now);
  }

  async update(params: EstimateSubscriptionUpdateParams): Promise<SubscriptionEstimate> {
    const p = parse(estimateSubscriptionUpdateSchema, params, 'estimateSubscriptionUpdate');
    const catalog = await this.#engine.ready();
    const owner = await this.#engine.store.read((r) => r.getSubscription(p.subscriptionId));
    if (!owner) throw subscriptionNotFound(p.subscriptionId);
    const state = requireCustomerState((await this.#engine.entry(owner.customerId)).state, owner.customerId);
    const now = this.#engine.clock.now();
    const subscription = requireSubscription(state, p.subscriptionId);
    const { addons, billableFeatures, billing } = updateInput(catalog, subscription, p, now);
    const change = { addons, billableFeatures, billing };
    return this.#price(catalog, state, updateEstimateBasis(catalog, state, subscription, change, now), p, now);
  }

  /**
   * Prices the basis: the next subscription with its own coupon (else the code's, else the
   * customer's), against the current one with its own (else the customer's).
   */
  #price(catalog: Catalog, state: CustomerState, basis: EstimateBasis, p: PriceOptions, now: number) {
    const country = p.billingCountryCode ?? basis.next.billing?.billingCountryCode;
    const { current } = basis;
    const preview = subscriptionPreview({
      next: {
        ...selectionOf(catalog, basis.next, country),
        usage: p.usage,
        ...(subscriptionCoupon(catalog, basis.next) ?? estimateCoupon(catalog, state, p.promotionCode, now)),
      },
      startDate: basis.startDate,
      billingAnchor: basis.billingAnchor,
      inTrial: basis.inTrial,
      ...(current
        ? {
            current: {
              ...selectionOf(catalog, current),
              ...(subscriptionCoupon(catalog, current) ?? heldCoupon(catalog, state)),
              billingAnchor: current.billingAnchor,
            },
          }
        : {}),
      taxPercentage: p.billingInformation?.taxPercentage ?? basis.next.billing?.billingInformation?.taxPercentage,
      convention: p.prorationConvention ?? catalog.prorationConvention,
      billingCycleAnchor: p.billingCycleAnchor,
      currency: catalogCurrency(catalog, country),
      priceRounding: catalog.priceRounding,
    });
    return estimateShape(preview);
  }
}
