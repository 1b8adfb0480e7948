import type { PriceTier } from '../catalog/price-schema.js';
import { AllotError } from '../errors.js';
import { Decimal } from '../money/money.js';

function checkWithinTiers(tiers: readonly PriceTier[], quantity: number): void {
  const top = tiers[tiers.length - 1]?.upTo;
  if (top !== undefined && quantity > top)
    throw new AllotError('INVALID_INPUT', `quantity ${quantity} exceeds the highest tier (up to ${top})`, {
      details: { quantity, upTo: top },
    });
}

/** A tier's charge for `units` of it; a tier with no unit in it is not reached and costs nothing. */
function tierCharge(tier: PriceTier, units: Decimal): Decimal {
  if (units.lte(0)) return new Decimal(0);
  return new Decimal(tier.unitPrice ?? 0).times(units).plus(tier.flatPrice ?? 0);
}

/**
 * VOLUME tiers: the whole quantity at the unit price of the tier it falls in, plus that tier's flat
 * price. Zero units reach no tier and cost nothing; a quantity above a bounded last tier throws
 * INVALID_INPUT. Unrounded.
 *
 * @example volumeCharge([{ upTo: 10, unitPrice: '5' }, { unitPrice: '4' }], 12) // 48
 */
export function volumeCharge(tiers: readonly PriceTier[], quantity: number): Decimal {
  checkWithinTiers(tiers, quantity);
  const tier = tiers.find((t) => t.upTo === undefined || quantity <= t.upTo);
  return tier ? tierCharge(tier, new Decimal(quantity)) : new Decimal(0);
}

/**
 * GRADUATED tiers: each tier's slice of the quantity at that tier's unit price, plus the flat price
 * of every tier reached. A quantity above a bounded last tier throws INVALID_INPUT. Unrounded.
 *
 * @example graduatedCharge([{ upTo: 10, unitPrice: '5' }, { unitPrice: '4' }], 12) // 58
 */
export function graduatedCharge(tiers: readonly PriceTier[], quantity: number): Decimal {
  checkWithinTiers(tiers, quantity);
  const q = new Decimal(quantity);
  let below = new Decimal(0);
  let total = new Decimal(0);
  for (const tier of tiers) {
    const top = tier.upTo === undefined ? q : Decimal.min(q, tier.upTo);
    total = total.plus(tierCharge(tier, top.minus(below)));
    if (tier.upTo === undefined || q.lte(tier.upTo)) break;
    below = new Decimal(tier.upTo);
  }
  return total;
}
