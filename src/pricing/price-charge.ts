import type { Price } from '../catalog/price-schema.js';
import { AllotError } from '../errors.js';
import { Decimal, type DecimalValue, decimalOf } from '../money/money.js';
import { type PercentageCharge, percentageCharge } from './percentage-charge.js';
import { type TierSlice, tierSlices } from './tiers.js';

/** How a charge was made, for an estimate's lines. Amounts unrounded. */
export interface ChargeDetail {
  /** What the unit price multiplies: the quantity, or whole blocks for a package price. */
  readonly units: Decimal;
  /** The amount per unit or per block; absent for tiered and percentage prices. */
  readonly unitPrice: Decimal | undefined;
  /** The tiers reached, for a tiered price. */
  readonly tiers: readonly TierSlice[] | undefined;
  /** What `maximumAmount` took off the charge (0 when under it). */
  readonly aboveMaximum: Decimal;
  /** The terms' arithmetic, for a percentage price. */
  readonly percentage: PercentageCharge | undefined;
}

/**
 * What a price charges for one billing period, unrounded, by kind:
 * - `UPFRONT` (FLAT_FEE, PER_UNIT): `amount` is due at the start of the period, for `quantity`
 *   units (PER_UNIT, after raising it to the minimum) or none (FLAT_FEE);
 * - `IN_ARREARS` (USAGE_BASED, CREDIT_BASED): billed after the period from metered usage, so
 *   `amount` is zero unless the usage is given, and `unitPrice` (the amount, or the first tier's
 *   unit price) is for display;
 * - `MINIMUM_SPEND`: a floor on the period's spend; `amount` is zero until the floor is applied to
 *   the other charges (see `estimate`).
 */
export type PriceCharge =
  | {
      readonly kind: 'UPFRONT';
      readonly amount: Decimal;
      readonly quantity: number | undefined;
      readonly detail?: ChargeDetail;
    }
  | {
      readonly kind: 'IN_ARREARS';
      readonly amount: Decimal;
      readonly unitPrice: Decimal | undefined;
      /** The usage priced, when given (see `UsageInput`). */
      readonly usage?: Decimal;
      readonly detail?: ChargeDetail;
    }
  | { readonly kind: 'MINIMUM_SPEND'; readonly amount: Decimal; readonly minimum: Decimal };

/**
 * A period's usage of an in-arrears price: the net `quantity` (may be fractional, or negative
 * where the price says how to price it), or for a percentage price the `transactions`' amounts.
 */
export interface UsageInput {
  readonly quantity?: DecimalValue;
  readonly transactions?: readonly DecimalValue[];
}

function invalid(price: Price, message: string, details: Record<string, unknown>): AllotError {
  const of = price.featureId ? ` of feature "${price.featureId}"` : '';
  return new AllotError('INVALID_INPUT', `${price.billingModel} price${of}: ${message}`, {
    details: { featureId: price.featureId, ...details },
  });
}

function capped(price: Price, amount: Decimal): { amount: Decimal; aboveMaximum: Decimal } {
  if (price.maximumAmount === undefined || amount.lte(price.maximumAmount))
    return { amount, aboveMaximum: new Decimal(0) };
  return { amount: new Decimal(price.maximumAmount), aboveMaximum: amount.minus(price.maximumAmount) };
}

/** Whole blocks of a package price: units past `freeUnits`, divided by the block size, rounded as the price says. */
function blocks(price: Price & { blockSize: number }, quantity: Decimal): Decimal {
  const paid = Decimal.max(0, quantity.minus(price.freeUnits ?? 0)).div(price.blockSize);
  return price.blockRounding === 'DOWN' ? paid.floor() : paid.ceil();
}

/**
 * The charge for `quantity` units under a price's unit model, unrounded, with how it was made:
 * tiers by their mode; else the amount per block of `blockSize` units past `freeUnits` (a partial
 * block counts as a whole one, or as none with `blockRounding: 'DOWN'`); else the amount per unit;
 * then capped at `maximumAmount`. A FLAT_FEE or MINIMUM_SPEND price is its amount whatever the
 * quantity. The quantity may be fractional but not negative; quantities above a bounded last tier
 * throw INVALID_INPUT.
 *
 * @example unitCharge({ ...price, amount: '5', blockSize: 10 }, 11).amount // 10: two blocks
 */
export function unitCharge(price: Price, quantity: DecimalValue): ChargeDetail & { readonly amount: Decimal } {
  let q: Decimal | undefined;
  try {
    q = decimalOf(quantity, 'quantity');
  } catch {
    // reported below with the price it was for
  }
  if (!q || q.lt(0))
    throw invalid(price, `quantity must be a non-negative number, got ${String(quantity)}`, {
      quantity: String(quantity),
    });
  const none = { tiers: undefined, percentage: undefined, aboveMaximum: new Decimal(0) };
  if (price.billingModel === 'FLAT_FEE' || price.billingModel === 'MINIMUM_SPEND') {
    const amount = new Decimal(price.amount ?? 0);
    return { ...none, amount, units: new Decimal(1), unitPrice: amount };
  }
  if (price.tiers) {
    const tiers = tierSlices(price.tiers, price.tiersMode ?? 'VOLUME', q, price);
    const raw = tiers.reduce((sum, t) => sum.plus(t.amount), new Decimal(0));
    return { ...none, ...capped(price, raw), units: q, unitPrice: undefined, tiers };
  }
  const units = price.blockSize === undefined ? q : blocks({ ...price, blockSize: price.blockSize }, q);
  const unitPrice = new Decimal(price.amount ?? 0);
  return { ...none, ...capped(price, unitPrice.times(units)), units, unitPrice };
}

/**
 * The charge for `quantity` units under a price's unit model, unrounded (see `unitCharge`).
 *
 * @example quantityCharge({ ...price, amount: '5', blockSize: 10 }, 11) // 10: two blocks
 */
export function quantityCharge(price: Price, quantity: DecimalValue): Decimal {
  return unitCharge(price, quantity).amount;
}

/**
 * A PER_UNIT quantity as charged: a whole number (any non-negative number with
 * `fractionalQuantity`), raised to `minUnitQuantity` when below it (the minimum is a commitment the
 * customer pays for), refused above `maxUnitQuantity` (a limit that cannot be sold past).
 */
function chargedQuantity(price: Price, quantity: number | undefined): number {
  if (quantity === undefined) throw invalid(price, 'needs a quantity', {});
  const valid = price.fractionalQuantity ? Number.isFinite(quantity) : Number.isSafeInteger(quantity);
  if (!valid || quantity < 0)
    throw invalid(
      price,
      `quantity must be a non-negative ${price.fractionalQuantity ? 'number' : 'whole number'}, got ${quantity}`,
      { quantity },
    );
  if (price.maxUnitQuantity !== undefined && quantity > price.maxUnitQuantity)
    throw invalid(price, `quantity ${quantity} exceeds the maximum of ${price.maxUnitQuantity}`, {
      quantity,
      maxUnitQuantity: price.maxUnitQuantity,
    });
  return Math.max(quantity, price.minUnitQuantity ?? 0);
}

/**
 * A period's usage priced: a percentage price over its transactions; else the net quantity under
 * the unit model. A negative net quantity is refused unless the price says `negativeUsage`: a
 * `CREDIT` (the charge of the opposite quantity, negated, uncapped) or `FLOOR_AT_ZERO`.
 */
function usageCharge(price: Price, usage: UsageInput): { amount: Decimal; usage: Decimal; detail: ChargeDetail } {
  if ((usage.transactions !== undefined) !== (price.percentage !== undefined))
    throw invalid(
      price,
      price.percentage
        ? 'a percentage price is given the transactions, not a quantity'
        : 'takes a quantity, not transactions',
      {},
    );
  if (price.percentage) {
    const transactions = usage.transactions ?? [];
    const percentage = percentageCharge(price.percentage, transactions);
    const { amount, aboveMaximum } = capped(price, percentage.amount);
    const detail = { units: percentage.paidAmount, unitPrice: undefined, tiers: undefined, aboveMaximum, percentage };
    return { amount, usage: new Decimal(transactions.length), detail };
  }
  const quantity = decimalOf(usage.quantity ?? 0, 'usage');
  if (quantity.gte(0)) {
    const { amount, ...detail } = unitCharge(price, quantity);
    return { amount, usage: quantity, detail };
  }
  if (price.negativeUsage === 'FLOOR_AT_ZERO') {
    const { amount, ...detail } = unitCharge(price, 0);
    return { amount, usage: quantity, detail };
  }
  if (price.negativeUsage === 'CREDIT') {
    const { amount, ...detail } = unitCharge({ ...price, maximumAmount: undefined }, quantity.negated());
    return { amount: amount.negated(), usage: quantity, detail };
  }
  throw invalid(price, `negative usage (${quantity.toString()}) needs the price's negativeUsage`, {
    usage: quantity.toString(),
  });
}

/**
 * What `price` charges for one billing period given the customer's `quantity` of its feature
 * (PER_UNIT needs one; other models ignore it) and, for in-arrears prices, the period's `usage`
 * when known. Unrounded: round once, where the line is made.
 *
 * @example priceCharge({ billingPeriod: 'MONTHLY', billingModel: 'PER_UNIT', currency: 'USD',
 *   amount: '3', featureId: 'seats', minUnitQuantity: 5 }, 2) // { kind: 'UPFRONT', amount: 15, quantity: 5, ... }
 */
export function priceCharge(price: Price, quantity?: number, usage?: UsageInput): PriceCharge {
  switch (price.billingModel) {
    case 'FLAT_FEE':
      return { kind: 'UPFRONT', amount: new Decimal(price.amount ?? 0), quantity: undefined };
    case 'PER_UNIT': {
      const charged = chargedQuantity(price, quantity);
      const { amount, ...detail } = unitCharge(price, charged);
      return { kind: 'UPFRONT', amount, quantity: charged, detail };
    }
    case 'MINIMUM_SPEND':
      return { kind: 'MINIMUM_SPEND', amount: new Decimal(0), minimum: new Decimal(price.amount ?? 0) };
    case 'USAGE_BASED':
    case 'CREDIT_BASED': {
      const unit = price.amount ?? price.tiers?.[0]?.unitPrice;
      const unitPrice = unit === undefined ? undefined : new Decimal(unit);
      if (!usage) return { kind: 'IN_ARREARS', amount: new Decimal(0), unitPrice };
      return { kind: 'IN_ARREARS', unitPrice, ...usageCharge(price, usage) };
    }
  }
}
