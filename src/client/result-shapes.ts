import { type Catalog, versionKey } from '../catalog/catalog.js';
import type { Coupon } from '../catalog/coupon-schema.js';
import { isPromotionActive } from '../core/effective-entitlements.js';
import type { Entitlement, EntitlementFeature } from '../core/entitlement-results.js';
import { payerOf } from '../core/subscription-delegation.js';
import { billingPeriodRange, effectiveSubscription, subscriptionStatus } from '../core/subscription-state.js';
import type {
  CustomerBillingInfo,
  InlineDiscount,
  MoneyValue,
  PriceOverride,
  SubscriptionBilling,
  SubscriptionBillingInfo,
  SubscriptionCoupon,
} from '../model/billing.js';
import type {
  BillingModel,
  BillingPeriod,
  EntitlementResetPeriod,
  EntitlementsStateAccessDeniedReason,
  PaymentCollectionMethod,
  PricingType,
  PromotionalEntitlementPeriod,
  PromotionalEntitlementStatus,
  SubscriptionCancelReason,
  SubscriptionScheduleStatus,
  SubscriptionScheduleType,
  SubscriptionStatus,
  TrialEndBehavior,
} from '../model/enums.js';
import type {
  BillableFeature,
  CustomerRecord,
  CustomerState,
  PromotionRecord,
  ScheduledUpdate,
  SubscriptionRecord,
} from '../model/records.js';
import type { Amount } from '../money/money.js';
import type { SubscriptionPrice } from '../pricing/subscription-prices.js';
import { pricesOf } from './pricing-shapes.js';

const date = (ms: number): Date => new Date(ms);
const dateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** A customer, as `provisionCustomer`, `updateCustomer` and `unarchiveCustomer` return it. */
export interface Customer {
  id: string;
  name: string | null;
  email: string | null;
  billingId: string | null;
  couponId: string | null;
  metadata: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
  /** Present when given: kept and returned, never sent anywhere. */
  billingInfo?: CustomerBillingInfo;
  salesforceId?: string;
  awsMarketplaceCustomerId?: string;
}

/** An add-on on a subscription: the slim `addonId` and the full `addon`, with its version. */
export interface SubscriptionAddonItem {
  addonId: string;
  quantity: number;
  addon: { id: string; displayName: string | null; version: number };
}

/** A pending scheduled change on a subscription. */
export interface SubscriptionFutureUpdate {
  subscriptionScheduleType: SubscriptionScheduleType;
  scheduleStatus: SubscriptionScheduleStatus;
  scheduledExecutionTime: Date;
  targetPackage: { id: string; version: number; displayName: string | null } | null;
  scheduleVariables: {
    addons?: { addonId: string; quantity: number }[];
    billableFeatures?: BillableFeature[];
    billingPeriod?: BillingPeriod;
  };
}

/**
 * A subscription: the reference's slim fields (`planId`, `addonIds`, `customerId`) and full
 * fields (`plan`, `resource`, `futureUpdates`) in one shape.
 */
export interface Subscription extends SubscriptionBillingShape {
  id: string;
  customerId: string;
  /** Who pays: `payingCustomerId` when one was given or the subscription was delegated, else the holder. */
  payingCustomer: { id: string };
  resourceId: string | null;
  resource: { id: string } | null;
  productId: string;
  planId: string;
  planVersion: number;
  plan: { id: string; displayName: string | null; version: number; productId: string; pricingType: PricingType };
  pricingType: PricingType;
  /** The recurring prices of its plan and add-ons for its billing period and country, overrides applied. */
  prices: SubscriptionPrice[];
  /** Their list total for one billing period (coupons show in estimates); null when FREE or unpriced. */
  totalPrice: { subTotal: Amount; total: Amount } | null;
  status: SubscriptionStatus;
  billingPeriod: BillingPeriod;
  addons: SubscriptionAddonItem[];
  addonIds: string[];
  billableFeatures: BillableFeature[];
  metadata: Record<string, string>;
  startDate: Date;
  endDate: Date | null;
  effectiveEndDate: Date | null;
  trialEndDate: Date | null;
  trialEndBehavior: TrialEndBehavior | null;
  cancellationDate: Date | null;
  cancelReason: SubscriptionCancelReason | null;
  currentBillingPeriodStart: Date;
  currentBillingPeriodEnd: Date;
  futureUpdates: SubscriptionFutureUpdate[];
  createdAt: Date;
  updatedAt: Date;
}

/** A money amount as given in a billing detail, in whole currency units. */
export interface MoneyShape {
  amount: number;
  currency?: string;
}

/** A subscription's billing details, each present when it was given. */
export interface SubscriptionBillingShape {
  billingCountryCode?: string;
  priceOverrides?: (Omit<PriceOverride, 'price' | 'tiers'> & {
    price?: MoneyShape;
    tiers?: { upTo?: number; unitPrice?: MoneyShape; flatPrice?: MoneyShape }[];
  })[];
  appliedCoupon?: Omit<SubscriptionCoupon, 'startsAt' | 'discount'> & {
    discount?: Omit<InlineDiscount, 'percentOff' | 'amountsOff'> & {
      percentOff?: number;
      amountsOff?: { amount: number; currency: string }[];
    };
    /** When its ONCE and REPEATING periods started counting. */
    startDate: Date;
  };
  minimumSpend?: { minimum: MoneyShape };
  creditEntitlements?: { currencyId: string; amount: number; cadence: 'MONTH' | 'YEAR' }[];
  billingId?: string;
  salesforceId?: string;
  paymentCollectionMethod?: PaymentCollectionMethod;
  billingInformation?: SubscriptionBillingInfo;
  budget?: { limit: number; hasSoftLimit: boolean };
}

const moneyShape = (m: MoneyValue): MoneyShape => ({ ...m, amount: Number(m.amount) });

/** The billing details as results show them: amounts as numbers, instants as Dates, copies throughout. */
function billingShape(billing: SubscriptionBilling | undefined): SubscriptionBillingShape {
  if (billing === undefined) return {};
  const { payingCustomerId: _, priceOverrides, coupon, minimumSpend, creditEntitlements, ...kept } = billing;
  const { percentOff, amountsOff, ...discount } = coupon?.discount ?? {};
  return {
    ...structuredClone(kept),
    ...(priceOverrides && {
      priceOverrides: priceOverrides.map(({ price, tiers, ...o }) => ({
        ...structuredClone(o),
        ...(price && { price: moneyShape(price) }),
        ...(tiers && {
          tiers: tiers.map(({ unitPrice, flatPrice, ...t }) => ({
            ...t,
            ...(unitPrice && { unitPrice: moneyShape(unitPrice) }),
            ...(flatPrice && { flatPrice: moneyShape(flatPrice) }),
          })),
        }),
      })),
    }),
    ...(coupon && {
      appliedCoupon: {
        ...(coupon.couponId === undefined ? {} : { couponId: coupon.couponId }),
        ...(coupon.billingCouponId === undefined ? {} : { billingCouponId: coupon.billingCouponId }),
        ...(coupon.discount && {
          discount: {
            ...discount,
            ...(percentOff === undefined ? {} : { percentOff: Number(percentOff) }),
            ...(amountsOff && {
              amountsOff: amountsOff.map((a) => ({ amount: Number(a.amount), currency: a.currency })),
            }),
          },
        }),
        startDate: date(coupon.startsAt),
      },
    }),
    ...(minimumSpend && { minimumSpend: { minimum: moneyShape(minimumSpend) } }),
    ...(creditEntitlements && {
      creditEntitlements: creditEntitlements.map((e) => ({ ...e, amount: Number(e.amount) })),
    }),
  };
}

/** The slim shape of `getActiveSubscriptionsList`. */
export interface SlimSubscription {
  subscriptionId: string;
  status: SubscriptionStatus;
  startDate: Date;
  endDate: Date | null;
  effectiveEndDate: Date | null;
  currentBillingPeriodStart: Date;
  currentBillingPeriodEnd: Date;
  billingPeriod: BillingPeriod;
  additionalMetaData: Record<string, string>;
  customer: { customerId: string; email: string | null };
  payingCustomer: { customerId: string; email: string | null };
  resource: { resourceId: string } | null;
  plan: {
    refId: string;
    displayName: string | null;
    description: string | null;
    product: {
      refId: string;
      displayName: string | null;
      downgradePlan: { refId: string; displayName: string | null } | null;
    };
  };
  addons: { refId: string; displayName: string | null; quantity: number }[];
  /** Each price as the reference lists it: its billing model, then its period and amount (and any other fields). */
  prices: { billingModel: BillingModel; price: Omit<SubscriptionPrice, 'billingModel'> }[];
  /** As the full subscription's `totalPrice`. */
  totalPrice: { subTotal: Amount; total: Amount } | null;
  trialEndDate: Date | null;
}

/** A promotional entitlement granted to a customer; `status` is derived from its period and now. */
export interface PromotionalEntitlement {
  id: string;
  customerId: string;
  featureId: string;
  feature: EntitlementFeature | undefined;
  status: PromotionalEntitlementStatus;
  period: PromotionalEntitlementPeriod;
  startDate: Date;
  endDate: Date | null;
  usageLimit: number | null;
  hasUnlimitedUsage: boolean;
  hasSoftLimit: boolean;
  enumValues: string[] | null;
  resetPeriod: EntitlementResetPeriod | null;
  isVisible: boolean;
  /** The group it was granted in (`grantPromotionalEntitlementsGroup`), null when granted alone. */
  featureGroupId: string | null;
}

/** `getCustomer`'s result: the customer with subscriptions, promotions and trial history. */
export interface FullCustomer extends Customer {
  subscriptions: Subscription[];
  promotionalEntitlements: PromotionalEntitlement[];
  alreadyTrialPlans: { planId: string; productId: string }[];
  hasPaymentMethod: boolean;
}

export function customerShape(c: CustomerRecord): Customer {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    billingId: c.billingId,
    couponId: c.couponId,
    metadata: { ...c.metadata },
    createdAt: date(c.createdAt),
    updatedAt: date(c.updatedAt),
    archivedAt: dateOrNull(c.archivedAt),
    ...structuredClone(c.billing),
  };
}

function futureUpdateShape(catalog: Catalog, u: ScheduledUpdate): SubscriptionFutureUpdate {
  const target =
    u.planId !== undefined ? catalog.planVersions.get(versionKey(u.planId, u.planVersion ?? 0)) : undefined;
  return {
    subscriptionScheduleType: u.subscriptionScheduleType,
    scheduleStatus: 'Scheduled',
    scheduledExecutionTime: date(u.scheduledExecutionTime),
    targetPackage: target ? { id: target.id, version: target.version, displayName: target.displayName } : null,
    scheduleVariables: {
      ...(u.addons ? { addons: u.addons.map(({ addonId, quantity }) => ({ addonId, quantity })) } : {}),
      ...(u.billableFeatures ? { billableFeatures: [...u.billableFeatures] } : {}),
      ...(u.billingPeriod ? { billingPeriod: u.billingPeriod } : {}),
    },
  };
}

/** The public shape of a subscription at `now` (scheduled updates that are due already applied). */
export function subscriptionShape(catalog: Catalog, record: SubscriptionRecord, now: number): Subscription {
  const s = effectiveSubscription(record, catalog, now);
  const plan = catalog.planVersions.get(versionKey(s.planId, s.planVersion));
  const period = billingPeriodRange(s, now);
  const pricingType = plan?.pricingType ?? 'FREE';
  const priced = pricesOf(catalog, s);
  return {
    id: s.id,
    customerId: s.customerId,
    payingCustomer: { id: payerOf(s) },
    resourceId: s.resourceId,
    resource: s.resourceId === null ? null : { id: s.resourceId },
    productId: s.productId,
    planId: s.planId,
    planVersion: s.planVersion,
    plan: {
      id: s.planId,
      displayName: plan?.displayName ?? null,
      version: s.planVersion,
      productId: s.productId,
      pricingType,
    },
    pricingType,
    prices: priced ? priced.prices.map((p) => ({ ...p })) : [],
    totalPrice: priced ? { subTotal: { ...priced.totalPrice.subTotal }, total: { ...priced.totalPrice.total } } : null,
    status: subscriptionStatus(s, now),
    billingPeriod: s.billingPeriod,
    addons: s.addons.map(({ addonId, quantity, version }) => ({
      addonId,
      quantity,
      addon: {
        id: addonId,
        displayName: catalog.addonVersions.get(versionKey(addonId, version))?.displayName ?? null,
        version,
      },
    })),
    addonIds: s.addons.map((a) => a.addonId),
    billableFeatures: s.billableFeatures.map((f) => ({ ...f })),
    metadata: { ...s.metadata },
    startDate: date(s.startDate),
    endDate: dateOrNull(s.endDate),
    effectiveEndDate: dateOrNull(s.endDate),
    trialEndDate: dateOrNull(s.trialEndDate),
    trialEndBehavior: s.trialEndBehavior,
    cancellationDate: dateOrNull(s.cancellationDate),
    cancelReason: s.cancelReason,
    currentBillingPeriodStart: date(period.start),
    currentBillingPeriodEnd: date(period.end),
    futureUpdates: s.scheduledUpdates.map((u) => futureUpdateShape(catalog, u)),
    createdAt: date(s.createdAt),
    updatedAt: date(s.updatedAt),
    ...billingShape(s.billing),
  };
}

export function slimSubscriptionShape(
  catalog: Catalog,
  customer: CustomerRecord,
  full: Subscription,
): SlimSubscription {
  const plan = catalog.planVersions.get(versionKey(full.planId, full.planVersion));
  const product = catalog.products.get(full.productId);
  const downgrade = product?.downgradePlanId ? catalog.plans.get(product.downgradePlanId) : undefined;
  const who = { customerId: customer.id, email: customer.email };
  // Another paying customer's email would need a read of its own; its id is known.
  const payer = full.payingCustomer.id === customer.id ? who : { customerId: full.payingCustomer.id, email: null };
  return {
    subscriptionId: full.id,
    status: full.status,
    startDate: full.startDate,
    endDate: full.endDate,
    effectiveEndDate: full.effectiveEndDate,
    currentBillingPeriodStart: full.currentBillingPeriodStart,
    currentBillingPeriodEnd: full.currentBillingPeriodEnd,
    billingPeriod: full.billingPeriod,
    additionalMetaData: full.metadata,
    customer: who,
    payingCustomer: payer,
    resource: full.resourceId === null ? null : { resourceId: full.resourceId },
    plan: {
      refId: full.planId,
      displayName: plan?.displayName ?? null,
      description: plan?.description ?? null,
      product: {
        refId: full.productId,
        displayName: product?.displayName ?? null,
        downgradePlan: downgrade ? { refId: downgrade.id, displayName: downgrade.displayName } : null,
      },
    },
    addons: full.addons.map((a) => ({ refId: a.addonId, displayName: a.addon.displayName, quantity: a.quantity })),
    prices: full.prices.map(({ billingModel, ...price }) => ({ billingModel, price })),
    totalPrice: full.totalPrice,
    trialEndDate: full.trialEndDate,
  };
}

export function promotionShape(
  p: PromotionRecord,
  feature: EntitlementFeature | undefined,
  now: number,
): PromotionalEntitlement {
  return {
    id: p.id,
    customerId: p.customerId,
    featureId: p.featureId,
    feature,
    status: isPromotionActive(p, now) || p.startDate > now ? 'Active' : 'Expired',
    period: p.period,
    startDate: date(p.startDate),
    endDate: dateOrNull(p.endDate),
    usageLimit: p.entitlement.usageLimit,
    hasUnlimitedUsage: p.entitlement.hasUnlimitedUsage,
    hasSoftLimit: p.entitlement.hasSoftLimit,
    enumValues: p.entitlement.enumValues ? [...p.entitlement.enumValues] : null,
    resetPeriod: p.entitlement.resetPeriod,
    isVisible: p.isVisible,
    featureGroupId: p.featureGroupId ?? null,
  };
}

/** Plans the customer has trialled, one entry per plan. */
export function alreadyTrialPlans(state: CustomerState): { planId: string; productId: string }[] {
  const seen = new Map<string, { planId: string; productId: string }>();
  for (const s of state.subscriptions)
    if (s.trialEndDate !== null) seen.set(s.planId, { planId: s.planId, productId: s.productId });
  return [...seen.values()];
}

/** A catalog coupon as `getCoupons` returns it; amounts in whole currency units. */
export interface CouponShape {
  id: string;
  name: string;
  description: string | null;
  type: 'PERCENTAGE' | 'FIXED';
  /** The reference's one number for the discount: the percentage, or a FIXED coupon's first amount. */
  discountValue: number;
  /** The percentage for PERCENTAGE coupons, else null. */
  percentOff: number | null;
  amountsOff: { amount: number; currency: string }[] | null;
  durationType: 'FOREVER' | 'ONCE' | 'REPEATING';
  durationInMonths: number | null;
  status: 'ACTIVE' | 'ARCHIVED';
  metadata: Record<string, string>;
}

export function couponShape(c: Coupon): CouponShape {
  return {
    id: c.id,
    name: c.name,
    description: c.description ?? null,
    type: c.type,
    discountValue: Number(c.percentOff ?? c.amountsOff?.[0]?.amount ?? 0),
    percentOff: c.percentOff === undefined ? null : Number(c.percentOff),
    amountsOff: c.amountsOff?.map((a) => ({ amount: Number(a.amount), currency: a.currency })) ?? null,
    durationType: c.durationType,
    durationInMonths: c.durationInMonths ?? null,
    status: c.status,
    metadata: { ...(c.metadata ?? {}) },
  };
}

/** Every entitlement of a customer or resource, and why access is denied as a whole, if it is. */
export interface EntitlementsState {
  entitlements: Entitlement[];
  accessDeniedReason: EntitlementsStateAccessDeniedReason | null;
}
