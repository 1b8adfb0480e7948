// Shared factories for the pricing and proration tests: prices, coupons, amounts and arbitraries.
import { type Coupon, type CouponInput, couponSchema } from '../../src/catalog/coupon-schema.js';
import { type Price, type PriceInput, priceSchema } from '../../src/catalog/price-schema.js';
import { Decimal, type Money, minorUnits, toAmount } from '../../src/money/money.js';
import { fc } from '../core/fc-setup.js';

export { fc };

export const DAY = 86_400_000;

/** An ISO instant that must carry its zone, as epoch ms, so no test depends on the local zone. */
export function at(iso: string): number {
  if (!/(Z|[+-]\d\d:\d\d)$/.test(iso)) throw new Error(`instant "${iso}" must be explicit UTC`);
  return Date.parse(iso);
}

/** A catalog price, validated as the catalog would. */
export function priceOf(input: Partial<PriceInput> = {}): Price {
  return priceSchema.parse({ billingPeriod: 'MONTHLY', currency: 'USD', amount: '10', ...input });
}

/** A catalog coupon, validated as the catalog would. */
export function couponOf(input: Partial<CouponInput> = {}): Coupon {
  return couponSchema.parse({ id: 'c', name: 'Coupon', type: 'PERCENTAGE', percentOff: 50, ...input });
}

/** The number a result would carry for `m`, rounded to the currency's minor unit. */
export const num = (m: Money): number => toAmount(m).amount;

export { expectAllotError } from '../helpers/expect-allot-error.js';

export const CURRENCIES = ['USD', 'EUR', 'JPY', 'KWD'] as const;
export const currency = fc.constantFrom(...CURRENCIES);

/** A non-negative amount with up to 4 decimals, below a billion. */
export const amount = fc.integer({ min: 0, max: 1e13 }).map((n) => new Decimal(n).div(10_000));

/** One minor unit of `currency` (0.01 USD, 1 JPY, 0.001 KWD). */
export const minorUnit = (c: string): Decimal => new Decimal(10).pow(-minorUnits(c));
