import type { PriceTier } from '../catalog/price-schema.js';
import { AllotError } from '../errors.js';
import type { TiersMode } from '../model/enums.js';
import { Decimal, type DecimalValue } from '../money/money.js';

/** One tier's part of a tiered charge, unrounded: its units at its unit price, plus its flat price. */
export interface TierSlice {
  /** The tier's position in the price's tiers, from 0. */
  readonly index: number;
  readonly upTo: number | undefined;
  readonly quantity: Decimal;
  readonly unitPrice: Decimal;
  readonly flatPrice: Decimal;
  readonly amount: Decimal;
}

/** How tiers treat a quantity of 0: `flatPriceAtZero` charges the first tier's flat price. */
export interface TierOptions {
  readonly flatPriceAtZero?: boolean | undefined;
}

function checkWithinTiers(tiers: readonly PriceTier[], quantity: Decimal): void {
  const top = tiers[tiers.length - 1]?.upTo;
  if (top !== undefined && quantity.gt(top))
    throw new AllotError('INVALID_INPUT', `quantity ${quantity.toString()} exceeds the highest tier (up to ${top})`, {
      details: { quantity: quantity.toNumber(), upTo: top },
    });
}

function slice(tiers: readonly PriceTier[], index: number, units: Decimal): TierSlice {
  const tier = tiers[index] as PriceTier;
  const unitPrice = new Decimal(tier.unitPrice ?? 0);
  const flatPrice = new Decimal(tier.flatPrice ?? 0);
  return {
    index,
    upTo: tier.upTo,
    quantity: units,
    unitPrice,
    flatPrice,
    amount: unitPrice.times(units).plus(flatPrice),
  };
}

/**
 * The tiers a quantity reaches, each with its units and charge; the charge is their sum. VOLUME:
 * the whole quantity in the tier it falls in. GRADUATED: each tier's slice of the quantity. A
 * quantity of 0 reaches no tier, unless `flatPriceAtZero` (then the first tier, for its flat
 * price). A negative quantity, or one above a bounded last tier, throws INVALID_INPUT. Unrounded.
 *
 * @example tierSlices([{ upTo: 10, unitPrice: '5' }, { unitPrice: '4' }], 'GRADUATED', 12)
 *   // [{ index: 0, quantity: 10, amount: 50, ... }, { index: 1, quantity: 2, amount: 8, ... }]
 */
export function tierSlices(
  tiers: readonly PriceTier[],
  mode: TiersMode,
  quantity: DecimalValue,
  options: TierOptions = {},
): TierSlice[] {
  const q = new Decimal(quantity);
  if (!q.isFinite() || q.lt(0))
    throw new AllotError('INVALID_INPUT', `quantity must be a non-negative number, got ${String(quantity)}`, {
      details: { quantity: String(quantity) },
    });
  checkWithinTiers(tiers, q);
  if (q.isZero()) return options.flatPriceAtZero && tiers.length > 0 ? [slice(tiers, 0, q)] : [];
  if (mode === 'VOLUME') {
    const index = tiers.findIndex((t) => t.upTo === undefined || q.lte(t.upTo));
    return [slice(tiers, index, q)];
  }
  const slices: TierSlice[] = [];
  let below = new Decimal(0);
  for (let index = 0; index < tiers.length && below.lt(q); index++) {
    const upTo = tiers[index]?.upTo;
    const top = upTo === undefined ? q : Decimal.min(q, upTo);
    slices.push(slice(tiers, index, top.minus(below)));
    below = top;
  }
  return slices;
}

const total = (slices: readonly TierSlice[]) => slices.reduce((sum, s) => sum.plus(s.amount), new Decimal(0));

/**
 * VOLUME tiers: the whole quantity at the unit price of the tier it falls in, plus that tier's flat
 * price. Zero units reach no tier and cost nothing unless `flatPriceAtZero`; a quantity above a
 * bounded last tier throws INVALID_INPUT. Unrounded.
 *
 * @example volumeCharge([{ upTo: 10, unitPrice: '5' }, { unitPrice: '4' }], 12) // 48
 */
export function volumeCharge(tiers: readonly PriceTier[], quantity: DecimalValue, options?: TierOptions): Decimal {
  return total(tierSlices(tiers, 'VOLUME', quantity, options));
}

/**
 * GRADUATED tiers: each tier's slice of the quantity at that tier's unit price, plus the flat price
 * of every tier reached. A quantity above a bounded last tier throws INVALID_INPUT. Unrounded.
 *
 * @example graduatedCharge([{ upTo: 10, unitPrice: '5' }, { unitPrice: '4' }], 12) // 58
 */
export function graduatedCharge(tiers: readonly PriceTier[], quantity: DecimalValue, options?: TierOptions): Decimal {
  return total(tierSlices(tiers, 'GRADUATED', quantity, options));
}
