// Cost estimates of a new subscription or of a change to one: the core simulates the request
// (nothing is stored) and pricing prices the difference, prorated.
import type { z } from 'zod';
import type { Catalog } from '../../catalog/catalog.js';
import { planProration } from '../../catalog/proration-schema.js';
import { requireCustomerState } from '../../core/customer-records.js';
import { requireSubscription, subscriptionNotFound } from '../../core/subscription-rules.js';
import type { ScheduleStrategy, SubscriptionBillingCycleAnchor } from '../../model/enums.js';
import type { CustomerState } from '../../model/records.js';
import { catalogCurrency } from '../../pricing/catalog-currency.js';
import { estimateCoupon, heldCoupon, subscriptionCoupon } from '../../pricing/customer-coupon.js';
import {
  type EstimateBasis,
  nextInvoiceBasis,
  subscriptionEstimateBasis,
  updateEstimateBasis,
} from '../../pricing/estimate-basis.js';
import type { PricingSelection } from '../../pricing/pricing-selection.js';
import { recurringCharge } from '../../pricing/recurring-charge.js';
import { subscriptionPreview } from '../../pricing/subscription-preview.js';
import type { Engine } from '../engine/engine.js';
import {
  estimateSubscriptionSchema,
  estimateSubscriptionUpdateSchema,
  parse,
  subscriptionIdSchema,
} from '../input-schemas.js';
import type {
  EstimateSubscriptionParams,
  EstimateSubscriptionUpdateParams,
  PreviewSubscriptionParams,
} from '../params.js';
import {
  estimateShape,
  type InvoicePreview,
  invoicePreviewShape,
  previewShape,
  type SubscriptionEstimate,
  type SubscriptionPreviewV2,
  selectionOf,
} from '../pricing-shapes.js';
import { previewSubscriptionSchema } from '../sdk-input-schemas.js';
import { provisionInput, updateInput } from '../subscription-writes.js';

/** What both estimates take beside the basis: the prices' country, a promotion code, tax and convention. */
interface PriceOptions {
  readonly billingCountryCode?: string | undefined;
  readonly promotionCode?: string | undefined;
  readonly billingInformation?: { readonly taxPercentage?: number | undefined } | undefined;
  readonly prorationConvention?: Catalog['proration']['convention'] | undefined;
  readonly billingCycleAnchor?: SubscriptionBillingCycleAnchor | undefined;
  readonly usage?: PricingSelection['usage'];
}

type EstimateSubscriptionInput = z.output<typeof estimateSubscriptionSchema>;

export class Estimates {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async subscription(params: EstimateSubscriptionParams): Promise<SubscriptionEstimate> {
    const p = parse(estimateSubscriptionSchema, params, 'estimateSubscription');
    return estimateShape((await this.#subscription(p)).preview);
  }

  /** What `applySubscription` (or provisioning) would do now, priced: due at once and per period; persists nothing. */
  async preview(params: PreviewSubscriptionParams): Promise<SubscriptionPreviewV2> {
    const p = parse(previewSubscriptionSchema, params, 'previewSubscription');
    const { preview, basis } = await this.#subscription(p);
    return previewShape(preview, basis);
  }

  /** The next billing period's up-front charges of a subscription, with the customer's coupon; persists nothing. */
  async nextInvoice(params: { subscriptionId: string }): Promise<InvoicePreview> {
    const p = parse(subscriptionIdSchema, params, 'previewNextInvoice');
    const catalog = await this.#engine.ready();
    const owner = await this.#engine.store.read((r) => r.getSubscription(p.subscriptionId));
    if (!owner) throw subscriptionNotFound(p.subscriptionId);
    const state = requireCustomerState((await this.#engine.entry(owner.customerId)).state, owner.customerId);
    const now = this.#engine.clock.now();
    const { next, period, coupon } = nextInvoiceBasis(
      catalog,
      state,
      requireSubscription(state, p.subscriptionId),
      now,
    );
    const charge = recurringCharge(selectionOf(catalog, next), { coupon, currency: catalogCurrency(catalog) });
    return invoicePreviewShape(charge, period, now);
  }

  /** A new subscription's basis (what provisioning would make of the request now) and its price. */
  async #subscription(p: EstimateSubscriptionInput & { scheduleStrategy?: ScheduleStrategy | undefined }) {
    const catalog = await this.#engine.ready();
    const state = requireCustomerState((await this.#engine.entry(p.customerId)).state, p.customerId);
    const now = this.#engine.clock.now();
    const input = provisionInput(catalog, p.customerId, { ...p, promotionCode: undefined }, now);
    const basis = subscriptionEstimateBasis(catalog, state, input, now);
    return { basis, preview: this.#price(catalog, state, basis, p, now) };
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
    return estimateShape(
      this.#price(catalog, state, updateEstimateBasis(catalog, state, subscription, change, now), p, now),
    );
  }

  /**
   * Prices the basis: the next subscription with its own coupon (else the code's, else the
   * customer's), against the current one with its own (else the customer's), under the next plan's
   * proration settings (a call's convention wins).
   */
  #price(catalog: Catalog, state: CustomerState, basis: EstimateBasis, p: PriceOptions, now: number) {
    const country = p.billingCountryCode ?? basis.next.billing?.billingCountryCode;
    const { current } = basis;
    const next = selectionOf(catalog, basis.next, country);
    const proration = planProration(catalog, next.plan);
    return subscriptionPreview({
      next: {
        ...next,
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
      convention: p.prorationConvention ?? proration.convention,
      billingCycleAnchor: p.billingCycleAnchor,
      billingAnchorOnPeriodChange: proration.billingAnchorOnPeriodChange,
      firstPartialPeriod: proration.firstPartialPeriod,
      currency: catalogCurrency(catalog, country),
      priceRounding: catalog.priceRounding,
    });
  }
}
