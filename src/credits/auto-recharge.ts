// Automatic recharge: after a consumption, decide whether to buy a grant that brings the pool back
// to its target (or adds a fixed quantity), within the month's spend limit, and its bonus.
import { addMonthsUtc } from '../core/reset-period.js';
import { AllotError } from '../errors.js';
import { dec, decimalString } from '../money/amount.js';
import { Decimal, type DecimalValue, decimalOf, money, roundMoney, sumMoney } from '../money/money.js';
import { type AutoRechargeRule, GRANT_EXPIRATION_MONTHS } from './auto-recharge-schema.js';
import type { NewCreditGrant } from './credit-pool.js';
import type { CreditGrantRecord, CreditMoney } from './credit-records.js';

/** What {@link autoRecharge} needs besides the configuration. */
export interface AutoRechargeInput {
  /** The pool's balance after the consumption, in credits (negative in debt). */
  readonly currentBalance: DecimalValue;
  /** The price of one credit (the currency's `unitCost`); required for DOLLAR_AMOUNT and a spend limit. */
  readonly unitCost: { readonly amount: DecimalValue; readonly currency: string } | null;
  /** What recharges cost so far this UTC calendar month, in the unit cost's currency (see {@link monthlyRechargeSpend}). */
  readonly monthlySpend: DecimalValue;
  readonly now: number;
}

/** A recharge to make: `amount` credits of `grantType`, for `cost` (null without a unit cost, or when PROMOTIONAL). */
export interface AutoRechargeGrant {
  readonly amount: string;
  readonly cost: CreditMoney | null;
  readonly expireAt: number | null;
  readonly grantType: 'PAID' | 'PROMOTIONAL';
}

/**
 * The outcome: a grant to make (and its bonus, a PROMOTIONAL grant of its own), a recharge skipped
 * because it would take the month's spend past `maxSpendLimit` (for an event saying so), or null
 * when disabled or not below the threshold.
 */
export type AutoRechargeDecision =
  | {
      readonly grant: AutoRechargeGrant;
      readonly bonus?: { readonly amount: string; readonly expireAt: number | null };
    }
  | {
      readonly skipped: 'SPEND_LIMIT';
      readonly amount: string;
      readonly cost: CreditMoney;
      readonly monthlySpend: string;
      readonly maxSpendLimit: string;
    }
  | null;

function requireUnitCost(unitCost: AutoRechargeInput['unitCost'], why: string) {
  if (unitCost === null)
    throw new AllotError('INVALID_INPUT', `auto-recharge with ${why} needs the credit currency's unitCost`, {
      details: { unitCost: null },
    });
  return money(decimalOf(unitCost.amount, 'unitCost.amount'), unitCost.currency);
}

/**
 * Decides the recharge after a consumption left the pool at `currentBalance`. Below the threshold
 * (strictly; in credits for CREDIT_AMOUNT, in money at the unit cost for DOLLAR_AMOUNT) it returns
 * a grant of `targetBalance − currentBalance` credits (debt included, so the pool lands on the
 * target), or for FIXED `rechargeAmount` credits, as many times over as it takes to lift the
 * balance (with the bonus) above the threshold (Lago's rule). A PAID recharge buys at least
 * `minimumPurchase` and costs its credits times the unit cost, rounded half-up to the currency's
 * minor unit; it is skipped whole when `monthlySpend + cost` would exceed `maxSpendLimit`. A
 * PROMOTIONAL one is free. `bonusCredits` come as a PROMOTIONAL grant beside it.
 *
 * @example
 * autoRecharge(config, { currentBalance: '400', unitCost: { amount: '0.01', currency: 'USD' }, monthlySpend: '0', now })
 * // { grant: { amount: '4600', cost: { amount: '46', currency: 'USD' }, expireAt: null } } for a 5000 target
 */
export function autoRecharge(config: AutoRechargeRule, input: AutoRechargeInput): AutoRechargeDecision {
  if (!config.isEnabled) return null;
  const current = decimalOf(input.currentBalance, 'currentBalance');
  const unitCost =
    config.thresholdType === 'DOLLAR_AMOUNT' || config.maxSpendLimit !== null
      ? requireUnitCost(input.unitCost, config.thresholdType === 'DOLLAR_AMOUNT' ? 'DOLLAR_AMOUNT' : 'a spend limit')
      : input.unitCost === null
        ? null
        : money(decimalOf(input.unitCost.amount, 'unitCost.amount'), input.unitCost.currency);
  const dollars = config.thresholdType === 'DOLLAR_AMOUNT' && unitCost;
  const measured = dollars ? current.times(unitCost.amount) : current;
  if (!measured.lt(config.thresholdValue)) return null;
  const bonus = dec(config.bonusCredits ?? 0);
  let amount: Decimal;
  if (config.rechargeMethod === 'FIXED') {
    const quantity = dec(config.rechargeAmount ?? 0);
    const threshold = dollars ? dec(config.thresholdValue).div(unitCost.amount) : dec(config.thresholdValue);
    const gap = threshold.minus(current).minus(bonus);
    amount = gap.lt(quantity) ? quantity : quantity.times(gap.div(quantity).floor().plus(1));
  } else amount = dec(config.targetBalance ?? 0).minus(current);
  if (!amount.gt(0)) return null;
  const grantType = config.grantType ?? 'PAID';
  if (grantType === 'PAID' && config.minimumPurchase !== undefined)
    amount = Decimal.max(amount, config.minimumPurchase);
  const cost =
    unitCost === null || grantType === 'PROMOTIONAL'
      ? null
      : {
          amount: decimalString(roundMoney(amount.times(unitCost.amount), unitCost.currency)),
          currency: unitCost.currency,
        };
  if (config.maxSpendLimit !== null && cost !== null) {
    const spent = decimalOf(input.monthlySpend, 'monthlySpend');
    if (spent.plus(cost.amount).gt(config.maxSpendLimit))
      return {
        skipped: 'SPEND_LIMIT',
        amount: decimalString(amount),
        cost,
        monthlySpend: decimalString(spent),
        maxSpendLimit: config.maxSpendLimit,
      };
  }
  const period = config.grantExpirationPeriod;
  const expireAt = period === null ? null : addMonthsUtc(input.now, GRANT_EXPIRATION_MONTHS[period]);
  return {
    grant: { amount: decimalString(amount), cost, expireAt, grantType },
    ...(bonus.gt(0) ? { bonus: { amount: decimalString(bonus), expireAt } } : {}),
  };
}

/**
 * The UTC calendar month containing `now`, half-open `[start, end)`, the window of a spend limit.
 *
 * @example calendarMonth(Date.parse('2025-02-14T10:00:00Z')) // Feb 1 00:00Z .. Mar 1 00:00Z
 */
export function calendarMonth(now: number): { readonly start: number; readonly end: number } {
  const d = new Date(now);
  return {
    start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
}

/**
 * What automatic recharges bought in the UTC calendar month of `now`: the costs of the
 * AUTO_RECHARGE grants created in it (voided ones too: the money was spent), in `currency`.
 * A cost in another currency throws INVALID_INPUT.
 *
 * @example monthlyRechargeSpend(pool.grants, now, 'USD') // '46'
 */
export function monthlyRechargeSpend(grants: readonly CreditGrantRecord[], now: number, currency: string): string {
  const { start, end } = calendarMonth(now);
  const costs = grants.flatMap((g) =>
    g.source?.kind === 'AUTO_RECHARGE' && g.cost !== null && g.createdAt >= start && g.createdAt < end
      ? [money(g.cost.amount, g.cost.currency)]
      : [],
  );
  return decimalString(sumMoney(costs, currency).amount);
}

/**
 * The grants to add for a recharge decision: the recharge, and its bonus as a PROMOTIONAL grant of
 * its own (free, so never counted in the month's spend).
 *
 * @example autoRechargeGrants(decision, newId).reduce((p, g) => grantCredits(p, g, now).pool, pool)
 */
export function autoRechargeGrants(
  decision: {
    readonly grant: AutoRechargeGrant;
    readonly bonus?: { readonly amount: string; readonly expireAt: number | null };
  },
  newId: () => string,
): NewCreditGrant[] {
  const { grant, bonus } = decision;
  const source = { kind: 'AUTO_RECHARGE' } as const;
  const recharge: NewCreditGrant = {
    id: newId(),
    grantType: grant.grantType,
    amount: grant.amount,
    displayName: 'Automatic recharge',
    cost: grant.cost,
    expireAt: grant.expireAt,
    source,
  };
  if (bonus === undefined) return [recharge];
  const { amount, expireAt } = bonus;
  return [
    recharge,
    { id: newId(), grantType: 'PROMOTIONAL', amount, displayName: 'Automatic recharge bonus', expireAt, source },
  ];
}
