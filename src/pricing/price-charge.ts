import type { Price } from '../catalog/price-schema.js';
import { AllotError } from '../errors.js';
import { Decimal } from '../money/money.js';
import { graduatedCharge, volumeCharge } from './tiers.js';

/**
 * What a price charges for one billing period, unrounded, by kind:
 * - `UPFRONT` (FLAT_FEE, PER_UNIT): `amount` is due at the start of the period, for `quantity`
 *   units (PER_UNIT, after raising it to the minimum) or none (FLAT_FEE);
 * - `IN_ARREARS` (USAGE_BASED, CREDIT_BASED): billed after the period from metered usage, so
 *   `amount` is zero and `unitPrice` (the amount, or the first tier's unit price) is for display;
 * - `MINIMUM_SPEND`: a floor on the period's spend; `amount` is zero until the floor is applied to
 *   the other charges (see `estimate`).
 */
export type PriceCharge =
  | { readonly kind: 'UPFRONT'; readonly amount: Decimal; readonly quantity: number | undefined }
  | { readonly kind: 'IN_ARREARS'; readonly amount: Decimal; readonly unitPrice: Decimal | undefined }
  | { readonly kind: 'MINIMUM_SPEND'; readonly amount: Decimal; readonly minimum: Decimal };

function invalid(price: Price, message: string, details: Record<string, unknown>): AllotError {
  const of = price.featureId ? ` of feature "${price.featureId}"` : '';
  return new AllotError('INVALID_INPUT', `${price.billingModel} price${of}: ${message}`, {
    details: { featureId: price.featureId, ...details },
  });
}

/**
 * The charge for `quantity` units under a price's unit model, unrounded: tiers by their mode,
 * else the amount per block of `blockSize` units (a partial block counts as a whole one), else the
 * amount per unit. A FLAT_FEE or MINIMUM_SPEND price is its amount whatever the quantity. The
 * quantity may be fractional (metered usage) but not negative; quantities above a bounded last
 * tier throw INVALID_INPUT.
 *
 * @example quantityCharge({ ...price, amount: '5', blockSize: 10 }, 11) // 10: two blocks
 */
export function quantityCharge(price: Price, quantity: number): Decimal {
  if (!Number.isFinite(quantity) || quantity < 0)
    throw invalid(price, `quantity must be a non-negative number, got ${quantity}`, { quantity });
  if (price.billingModel === 'FLAT_FEE' || price.billingModel === 'MINIMUM_SPEND')
    return new Decimal(price.amount ?? 0);
  if (price.tiers)
    return price.tiersMode === 'GRADUATED'
      ? graduatedCharge(price.tiers, quantity)
      : volumeCharge(price.tiers, quantity);
  const units = price.blockSize === undefined ? quantity : Math.ceil(quantity / price.blockSize);
  return new Decimal(price.amount ?? 0).times(units);
}

/**
 * A PER_UNIT quantity as charged: a whole number, raised to `minUnitQuantity` when below it (the
 * minimum is a commitment the customer pays for), refused above `maxUnitQuantity` (a limit that
 * cannot be sold past).
 */
function chargedQuantity(price: Price, quantity: number | undefined): number {
  if (quantity === undefined) throw invalid(price, 'needs a quantity', {});
  if (!Number.isSafeInteger(quantity) || quantity < 0)
    throw invalid(price, `quantity must be a non-negative whole number, got ${quantity}`, { quantity });
  if (price.maxUnitQuantity !== undefined && quantity > price.maxUnitQuantity)
    throw invalid(price, `quantity ${quantity} exceeds the maximum of ${price.maxUnitQuantity}`, {
      quantity,
      maxUnitQuantity: price.maxUnitQuantity,
    });
  return Math.max(quantity, price.minUnitQuantity ?? 0);
}

/**
 * What `price` charges for one billing period given the customer's `quantity` of its feature
 * (PER_UNIT needs one; other models ignore it). Unrounded: round once, where the line is made.
 *
 * @example priceCharge({ billingPeriod: 'MONTHLY', billingModel: 'PER_UNIT', currency: 'USD',
 *   amount: '3', featureId: 'seats', minUnitQuantity: 5 }, 2) // { kind: 'UPFRONT', amount: 15, quantity: 5 }
 */
export function priceCharge(price: Price, quantity?: number): PriceCharge {
  switch (price.billingModel) {
    case 'FLAT_FEE':
      return { kind: 'UPFRONT', amount: new Decimal(price.amount ?? 0), quantity: undefined };
    case 'PER_UNIT': {
      const charged = chargedQuantity(price, quantity);
      return { kind: 'UPFRONT', amount: quantityCharge(price, charged), quantity: charged };
    }
    case 'MINIMUM_SPEND':
      return { kind: 'MINIMUM_SPEND', amount: new Decimal(0), minimum: new Decimal(price.amount ?? 0) };
    case 'USAGE_BASED':
    case 'CREDIT_BASED': {
      const unit = price.amount ?? price.tiers?.[0]?.unitPrice;
      return {
        kind: 'IN_ARREARS',
        amount: new Decimal(0),
        unitPrice: unit === undefined ? undefined : new Decimal(unit),
      };
    }
  }
}
