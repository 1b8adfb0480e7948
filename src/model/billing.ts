// What customers and subscriptions carry for billing beyond their core fields: the reference's
// billing inputs, stored as given and returned by the reads. Some steer prices (the country,
// price overrides, a coupon, a minimum spend, a tax percentage); the rest only concern a billing
// provider, which allot does not have.
import type { PaymentCollectionMethod, SubscriptionProrationBehavior } from './enums.js';

/** A JSON scalar, the values of the reference's free-form maps (metadata, custom invoice fields). */
export type JsonScalar = string | number | boolean | null;

/** A tax id of a customer, such as `{ type: 'eu_vat', value: 'DE123456789' }`. */
export interface TaxId {
  readonly type: string;
  readonly value: string;
}

/** A postal address in the reference's customer form. */
export interface Address {
  readonly addressLine1?: string;
  readonly addressLine2?: string;
  readonly city?: string;
  readonly country?: string;
  readonly phoneNumber?: string;
  readonly postalCode?: string;
  readonly state?: string;
}

/** A postal address in the reference's subscription form. */
export interface BillingAddress {
  readonly line1?: string;
  readonly line2?: string;
  readonly city?: string;
  readonly country?: string;
  readonly postalCode?: string;
  readonly state?: string;
}

/** The reference's `CustomerBillingInfo` (`billingInfo` of provisionCustomer and updateCustomer). */
export interface CustomerBillingInfo {
  readonly billingAddress?: Address;
  readonly shippingAddress?: Address;
  /** An ISO 4217 code, upper-cased. */
  readonly currency?: string;
  readonly customerName?: string;
  readonly integrationId?: string;
  readonly invoiceCustomFields?: Readonly<Record<string, JsonScalar>>;
  readonly language?: string;
  readonly metadata?: Readonly<Record<string, JsonScalar>>;
  readonly paymentMethodId?: string;
  readonly taxIds?: readonly TaxId[];
  readonly timezone?: string;
}

/** The reference's `SubscriptionBillingInfo` (`billingInformation`); `taxPercentage` is used by estimates. */
export interface SubscriptionBillingInfo {
  readonly billingAddress?: BillingAddress;
  readonly chargeOnBehalfOfAccount?: string;
  readonly couponId?: string;
  readonly integrationId?: string;
  readonly invoiceDaysUntilDue?: number;
  readonly isBackdated?: boolean;
  readonly isInvoicePaid?: boolean;
  readonly metadata?: Readonly<Record<string, JsonScalar>>;
  readonly prorationBehavior?: SubscriptionProrationBehavior;
  readonly taxIds?: readonly TaxId[];
  readonly taxPercentage?: number;
  readonly taxRateIds?: readonly string[];
}

/** An amount as a decimal string, with its currency when one was given. */
export interface MoneyValue {
  readonly amount: string;
  readonly currency?: string;
}

/** One tier of a price override. */
export interface PriceOverrideTier {
  readonly upTo?: number;
  readonly unitPrice?: MoneyValue;
  readonly flatPrice?: MoneyValue;
}

/**
 * The reference's `PriceOverrideInput`: a new amount, tiers or block size for one of the
 * subscription's prices. `addonId` picks an add-on's price, `featureId` a per-feature price (of the
 * plan, or of that add-on), neither the plan's base charge. The credit fields are kept, not used.
 */
export interface PriceOverride {
  readonly addonId?: string;
  readonly featureId?: string;
  readonly baseCharge?: boolean;
  readonly price?: MoneyValue;
  readonly tiers?: readonly PriceOverrideTier[];
  readonly blockSize?: number;
  readonly currencyId?: string;
  readonly creditGrantCadence?: string;
  readonly creditRate?: { readonly amount: number; readonly currencyId: string; readonly costFormula?: string };
}

/** A discount given inline with a subscription (`appliedCoupon.discount`), amounts as decimal strings. */
export interface InlineDiscount {
  readonly name?: string;
  readonly description?: string;
  readonly percentOff?: string;
  readonly amountsOff?: readonly { readonly amount: string; readonly currency: string }[];
  readonly durationInMonths?: number;
}

/** The coupon of one subscription: a catalog coupon or an inline discount, counted from `startsAt`. */
export interface SubscriptionCoupon {
  readonly couponId?: string;
  readonly discount?: InlineDiscount;
  /** The billing provider's coupon id: kept, not used. */
  readonly billingCouponId?: string;
  /** When its ONCE and REPEATING periods start counting (epoch ms). */
  readonly startsAt: number;
}

/** A recurring credit entitlement given to one subscription (the reference's `entitlements[].credit`). */
export interface SubscriptionCreditEntitlement {
  readonly currencyId: string;
  /** A decimal string. */
  readonly amount: string;
  readonly cadence: 'MONTH' | 'YEAR';
}

/** What a customer was given for billing and CRM integrations: stored and returned, never acted on. */
export interface CustomerBilling {
  readonly billingInfo?: CustomerBillingInfo;
  readonly salesforceId?: string;
  readonly awsMarketplaceCustomerId?: string;
}

/** What a subscription was given beyond its plan, add-ons and quantities. */
export interface SubscriptionBilling {
  /** Localizes its prices (ISO 3166-1 alpha-2, upper-cased). */
  readonly billingCountryCode?: string;
  /** Another customer that pays for it. */
  readonly payingCustomerId?: string;
  readonly priceOverrides?: readonly PriceOverride[];
  /** Wins over the customer's coupon in its estimates. */
  readonly coupon?: SubscriptionCoupon;
  /** A floor on what a billing period charges. */
  readonly minimumSpend?: MoneyValue;
  readonly creditEntitlements?: readonly SubscriptionCreditEntitlement[];
  /** Kept for the reads only: */
  readonly billingId?: string;
  readonly salesforceId?: string;
  readonly paymentCollectionMethod?: PaymentCollectionMethod;
  readonly billingInformation?: SubscriptionBillingInfo;
  readonly budget?: { readonly limit: number; readonly hasSoftLimit: boolean };
}

/**
 * The details with `patch`'s defined fields in place of theirs (an undefined field keeps the old
 * value); undefined when none is left, so a record without details stays without the field.
 *
 * @example mergeBilling({ billingId: 'cus_1' }, { billingCountryCode: 'DE' }) // { billingId: 'cus_1', billingCountryCode: 'DE' }
 */
export function mergeBilling<T extends object>(base: T | undefined, patch: Partial<T> | undefined): T | undefined {
  const entries = [...Object.entries(base ?? {}), ...Object.entries(patch ?? {})].filter(([, v]) => v !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as T);
}
