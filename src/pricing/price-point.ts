import type { Price } from '../catalog/price-schema.js';
import type { BillingModel, BillingPeriod, TiersMode } from '../model/enums.js';
import { Decimal } from '../money/money.js';

/** A tier of a price point, its amounts as numbers in whole currency units. */
export interface PricePointTier {
  readonly upTo?: number;
  readonly unitPrice?: number;
  readonly flatPrice?: number;
}

/**
 * A catalog price as results show it (the reference's `pricePoints` and subscription `prices`):
 * decimal strings become numbers here, once, at full catalog precision (a rate such as 0.0015
 * per call is not an amount charged, so it is not rounded to the minor unit). `amount` is the
 * flat fee, the price per unit or per block, and `null` for a tiered price (see `tiers`).
 * Optional fields are present only when the price has them.
 */
export interface PricePoint {
  readonly billingPeriod: BillingPeriod;
  readonly billingModel: BillingModel;
  readonly amount: number | null;
  readonly currency: string;
  readonly billingCountryCode?: string;
  readonly featureId?: string;
  readonly tiers?: readonly PricePointTier[];
  readonly tiersMode?: TiersMode;
  readonly blockSize?: number;
  readonly minUnitQuantity?: number;
  readonly maxUnitQuantity?: number;
  // The pricing options beyond the reference (see the catalog's price), when the price has them.
  readonly flatPriceAtZero?: boolean;
  readonly blockRounding?: 'UP' | 'DOWN';
  readonly freeUnits?: number;
  readonly fractionalQuantity?: boolean;
  readonly maximumAmount?: number;
  readonly percentage?: {
    readonly rate: number;
    readonly fixedFeePerTransaction?: number;
    readonly freeTransactions?: number;
    readonly freeAmount?: number;
    readonly minPerTransaction?: number;
    readonly maxPerTransaction?: number;
  };
  readonly negativeUsage?: 'CREDIT' | 'FLOOR_AT_ZERO';
}

// Decimal strings were validated by the catalog; `+ 0` keeps -0 out of results.
const numberOf = (value: string): number => new Decimal(value).toNumber() + 0;
const maybe = (value: string | undefined) => (value === undefined ? undefined : numberOf(value));

/** The object without its undefined fields, so results never carry `key: undefined`. */
export function definedFields<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A catalog price as a price point.
 *
 * @example pricePoint(priceSchema.parse({ billingPeriod: 'MONTHLY', currency: 'USD', amount: '9.99' }))
 *   // { billingPeriod: 'MONTHLY', billingModel: 'FLAT_FEE', amount: 9.99, currency: 'USD' }
 */
export function pricePoint(price: Price): PricePoint {
  return definedFields<PricePoint>({
    billingPeriod: price.billingPeriod,
    billingModel: price.billingModel,
    amount: price.amount === undefined ? null : numberOf(price.amount),
    currency: price.currency,
    billingCountryCode: price.billingCountryCode,
    featureId: price.featureId,
    tiers: price.tiers?.map((t) =>
      definedFields<PricePointTier>({
        upTo: t.upTo,
        unitPrice: t.unitPrice === undefined ? undefined : numberOf(t.unitPrice),
        flatPrice: t.flatPrice === undefined ? undefined : numberOf(t.flatPrice),
      }),
    ),
    tiersMode: price.tiersMode,
    blockSize: price.blockSize,
    minUnitQuantity: price.minUnitQuantity,
    maxUnitQuantity: price.maxUnitQuantity,
    flatPriceAtZero: price.flatPriceAtZero,
    blockRounding: price.blockRounding,
    freeUnits: price.freeUnits,
    fractionalQuantity: price.fractionalQuantity,
    maximumAmount: maybe(price.maximumAmount),
    percentage:
      price.percentage &&
      definedFields({
        rate: numberOf(price.percentage.rate),
        fixedFeePerTransaction: maybe(price.percentage.fixedFeePerTransaction),
        freeTransactions: price.percentage.freeTransactions,
        freeAmount: maybe(price.percentage.freeAmount),
        minPerTransaction: maybe(price.percentage.minPerTransaction),
        maxPerTransaction: maybe(price.percentage.maxPerTransaction),
      }),
    negativeUsage: price.negativeUsage,
  });
}
