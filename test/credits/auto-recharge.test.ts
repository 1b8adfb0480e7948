import { describe, expect, it } from 'vitest';
import {
  type AutoRechargeInput,
  autoRecharge,
  autoRechargeGrants,
  calendarMonth,
  monthlyRechargeSpend,
} from '../../src/credits/auto-recharge.js';
import {
  type AutoRechargeConfigInput,
  type AutoRechargeRule,
  autoRechargeConfigSchema,
} from '../../src/credits/auto-recharge-schema.js';
import { balance, consumeCredits, grantCredits } from '../../src/credits/credit-pool.js';
import { Decimal, roundMoney } from '../../src/money/money.js';
import { at, DAY, decimalUpTo, expectAllotError, fc, nonNegativeDecimal, pool, T0 } from './helpers.js';

function config(extra: Partial<AutoRechargeConfigInput> = {}): AutoRechargeRule {
  return autoRechargeConfigSchema.parse({
    isEnabled: true,
    thresholdType: 'CREDIT_AMOUNT',
    thresholdValue: '500',
    targetBalance: '5000',
    ...extra,
  });
}

const USD_CENT = { amount: '0.01', currency: 'USD' };

function input(currentBalance: string, extra: Partial<AutoRechargeInput> = {}): AutoRechargeInput {
  return { currentBalance, unitCost: USD_CENT, monthlySpend: '0', now: T0, ...extra };
}

describe('autoRecharge', () => {
  it('tops a pool that fell below the threshold up to the target, priced at the unit cost', () => {
    expect(autoRecharge(config(), input('400'))).toEqual({
      grant: { amount: '4600', cost: { amount: '46', currency: 'USD' }, expireAt: null, grantType: 'PAID' },
    });
  });

  it('does nothing at or above the threshold, or when disabled', () => {
    expect(autoRecharge(config(), input('500'))).toBeNull();
    expect(autoRecharge(config(), input('501'))).toBeNull();
    expect(autoRecharge(config({ isEnabled: false }), input('0'))).toBeNull();
  });

  it('covers a debt too, so the pool lands on the target', () => {
    expect(autoRecharge(config(), input('-20.5'))).toMatchObject({ grant: { amount: '5020.5' } });
  });

  it('rounds the cost half-up to the currency minor unit', () => {
    const r = autoRecharge(config(), input('0.5', { unitCost: { amount: '0.0015', currency: 'usd' } }));
    // 4999.5 × 0.0015 = 7.49925
    expect(r).toMatchObject({ grant: { amount: '4999.5', cost: { amount: '7.5', currency: 'USD' } } });
    const yen = autoRecharge(config(), input('0', { unitCost: { amount: '0.15', currency: 'JPY' } }));
    expect(yen).toMatchObject({ grant: { cost: { amount: '750', currency: 'JPY' } } });
  });

  it('skips a recharge that would take the month past the spend limit, and makes one that reaches it', () => {
    const capped = config({ maxSpendLimit: '100' });
    expect(autoRecharge(capped, input('400', { monthlySpend: '54' }))).toMatchObject({ grant: { amount: '4600' } });
    expect(autoRecharge(capped, input('400', { monthlySpend: '54.01' }))).toEqual({
      skipped: 'SPEND_LIMIT',
      amount: '4600',
      cost: { amount: '46', currency: 'USD' },
      monthlySpend: '54.01',
      maxSpendLimit: '100',
    });
  });

  it('compares money with a DOLLAR_AMOUNT threshold', () => {
    const dollars = config({ thresholdType: 'DOLLAR_AMOUNT', thresholdValue: '5', targetBalance: '1000' });
    expect(autoRecharge(dollars, input('499'))).toMatchObject({ grant: { amount: '501', cost: { amount: '5.01' } } });
    expect(autoRecharge(dollars, input('500'))).toBeNull();
  });

  it('needs a unit cost for DOLLAR_AMOUNT or a spend limit, and prices nothing without one otherwise', () => {
    const dollars = config({ thresholdType: 'DOLLAR_AMOUNT', thresholdValue: '5', targetBalance: '1000' });
    expectAllotError(() => autoRecharge(dollars, input('0', { unitCost: null })), 'INVALID_INPUT');
    expectAllotError(
      () => autoRecharge(config({ maxSpendLimit: '1' }), input('0', { unitCost: null })),
      'INVALID_INPUT',
    );
    expect(autoRecharge(config(), input('0', { unitCost: null }))).toEqual({
      grant: { amount: '5000', cost: null, expireAt: null, grantType: 'PAID' },
    });
  });

  it('sets the recharge grant to expire one period later, month ends clamped', () => {
    const expiry = (grantExpirationPeriod: AutoRechargeConfigInput['grantExpirationPeriod']) =>
      autoRecharge(config({ grantExpirationPeriod }), input('0', { now: at('2025-01-31T10:00:00Z') }));
    expect(expiry('ONE_MONTH')).toMatchObject({ grant: { expireAt: at('2025-02-28T10:00:00Z') } });
    expect(expiry('THREE_MONTHS')).toMatchObject({ grant: { expireAt: at('2025-04-30T10:00:00Z') } });
    expect(expiry('SIX_MONTHS')).toMatchObject({ grant: { expireAt: at('2025-07-31T10:00:00Z') } });
    expect(expiry('ONE_YEAR')).toMatchObject({ grant: { expireAt: at('2026-01-31T10:00:00Z') } });
  });

  it('reads every documented spelling of the threshold type and the expiration period as allot’s', () => {
    const months = { ONE_MONTH: 'ONE_MONTH', OneMonth: 'ONE_MONTH', '1_MONTH': 'ONE_MONTH', MONTH: 'ONE_MONTH' };
    const years = { ONE_YEAR: 'ONE_YEAR', OneYear: 'ONE_YEAR', '1_YEAR': 'ONE_YEAR', YEAR: 'ONE_YEAR' };
    const others = { ThreeMonths: 'THREE_MONTHS', SixMonths: 'SIX_MONTHS' };
    for (const [spelling, value] of Object.entries({ ...months, ...years, ...others }))
      expect(config({ grantExpirationPeriod: spelling as never }).grantExpirationPeriod).toBe(value);
    expect(config({ thresholdType: 'CreditAmount' }).thresholdType).toBe('CREDIT_AMOUNT');
    const dollars = config({ thresholdType: 'DollarAmount', thresholdValue: '5', targetBalance: '1' });
    expect(dollars.thresholdType).toBe('DOLLAR_AMOUNT');
    expect(() => config({ grantExpirationPeriod: 'TWO_MONTHS' as never })).toThrow();
    expect(() => config({ thresholdType: 'credit_amount' as never })).toThrow();
  });

  it('validates the configuration', () => {
    expect(() => config({ targetBalance: '500' })).toThrow(/targetBalance/);
    expect(() => config({ thresholdValue: '-1' })).toThrow();
    expect(config().maxSpendLimit).toBeNull();
    expect(config().grantExpirationPeriod).toBeNull();
  });
});

describe('monthly spend', () => {
  it('is the UTC calendar month, whatever the local zone', () => {
    expect(calendarMonth(at('2025-02-14T10:00:00Z'))).toEqual({
      start: at('2025-02-01T00:00:00Z'),
      end: at('2025-03-01T00:00:00Z'),
    });
    expect(calendarMonth(at('2024-12-31T23:59:59.999Z')).end).toBe(at('2025-01-01T00:00:00Z'));
  });

  it('sums the costs of this month’s recharge grants only', () => {
    let p = pool();
    const buy = (id: string, amount: string, cost: string, now: number) => {
      const [recharge] = autoRechargeGrants(
        { grant: { amount, cost: { amount: cost, currency: 'USD' }, expireAt: null, grantType: 'PAID' } },
        () => id,
      );
      if (recharge) p = grantCredits(p, recharge, now).pool;
    };
    buy('r1', '100', '1.10', at('2025-01-31T23:00:00Z'));
    buy('r2', '100', '2.20', at('2025-02-01T00:00:00Z'));
    buy('r3', '100', '3.30', at('2025-02-27T00:00:00Z'));
    p = grantCredits(
      p,
      { id: 'manual', grantType: 'PAID', amount: '1', displayName: 'm', cost: { amount: '99', currency: 'USD' } },
      at('2025-02-02T00:00:00Z'),
    ).pool;
    expect(p.grants.find((g) => g.id === 'r2')).toMatchObject({ grantType: 'PAID', source: { kind: 'AUTO_RECHARGE' } });
    expect(monthlyRechargeSpend(p.grants, at('2025-02-15T00:00:00Z'), 'USD')).toBe('5.5');
    expect(monthlyRechargeSpend(p.grants, at('2025-01-15T00:00:00Z'), 'usd')).toBe('1.1');
    expectAllotError(() => monthlyRechargeSpend(p.grants, at('2025-02-15T00:00:00Z'), 'EUR'), 'INVALID_INPUT');
  });
});

describe('properties', () => {
  const scenario = fc.record({
    threshold: decimalUpTo(1000),
    extra: decimalUpTo(5000),
    current: fc.oneof(
      decimalUpTo(3000),
      decimalUpTo(100).map((d) => `-${d}`),
    ),
    unit: decimalUpTo(1),
    spent: nonNegativeDecimal,
    limit: fc.option(decimalUpTo(200), { nil: null }),
  });

  it('a recharge lands the balance on the target within the spend limit; a skip would have passed it', () => {
    fc.assert(
      fc.property(scenario, ({ threshold, extra, current, unit, spent, limit }) => {
        const target = new Decimal(threshold).plus(extra).toFixed();
        const cfg = config({ thresholdValue: threshold, targetBalance: target, maxSpendLimit: limit });
        const r = autoRecharge(
          cfg,
          input(current, { unitCost: { amount: unit, currency: 'USD' }, monthlySpend: spent }),
        );
        const below = new Decimal(current).lt(threshold);
        if (!below) {
          expect(r).toBeNull();
          return;
        }
        const amount = new Decimal(target).minus(current);
        const cost = roundMoney(amount.times(unit), 'USD');
        if (r === null) throw new Error('expected a decision below the threshold');
        if ('grant' in r) {
          expect(new Decimal(current).plus(r.grant.amount).eq(target)).toBe(true);
          expect(new Decimal(r.grant.cost?.amount ?? 'NaN').eq(cost)).toBe(true);
          if (limit !== null) expect(cost.plus(spent).lte(limit)).toBe(true);
        } else {
          expect(limit).not.toBeNull();
          expect(cost.plus(spent).gt(limit ?? 0)).toBe(true);
        }
      }),
    );
  });

  it('applying a recharge to the pool brings its balance to the target', () => {
    fc.assert(
      fc.property(decimalUpTo(500), decimalUpTo(900), (granted, used) => {
        let p = grantCredits(pool(), { id: 'g', grantType: 'PROMOTIONAL', amount: granted, displayName: 'g' }, T0).pool;
        p = consumeCredits(p, { id: 'u', amount: used }, T0, { allowDebt: true }).pool;
        const now = T0 + DAY;
        const r = autoRecharge(config(), input(balance(p, now).currentBalance, { now }));
        if (r === null || !('grant' in r)) return;
        for (const g of autoRechargeGrants(r, () => 'r')) p = grantCredits(p, g, now).pool;
        expect(balance(p, now).currentBalance).toBe('5000');
      }),
    );
  });

  it('a FIXED recharge buys whole quantities, the fewest that lift the balance (with its bonus) above the threshold', () => {
    fc.assert(
      fc.property(
        decimalUpTo(1000),
        decimalUpTo(300),
        fc.option(decimalUpTo(200), { nil: undefined }),
        decimalUpTo(2000),
        (threshold, quantity, bonus, below) => {
          const current = new Decimal(threshold).minus(below);
          const cfg = config({
            thresholdValue: threshold,
            rechargeMethod: 'FIXED',
            rechargeAmount: quantity,
            ...(bonus === undefined ? {} : { bonusCredits: bonus }),
          });
          const r = autoRecharge(cfg, input(current.toFixed()));
          if (r === null || !('grant' in r)) throw new Error('expected a recharge below the threshold');
          const bought = new Decimal(r.grant.amount);
          const after = current.plus(bought).plus(bonus ?? 0);
          const times = bought.div(quantity);
          expect(times.isInteger() && times.gte(1)).toBe(true);
          // Above the threshold, or a single quantity; one quantity fewer would not have been.
          if (times.gt(1)) {
            expect(after.gt(threshold)).toBe(true);
            expect(after.minus(quantity).gt(threshold)).toBe(false);
          }
          expect(r.bonus?.amount).toBe(bonus === undefined ? undefined : new Decimal(bonus).toFixed());
        },
      ),
    );
  });
});

describe('recharge variants', () => {
  it('buys a fixed quantity, or as many as clear the threshold', () => {
    // Lago, spec/models/recurring_transaction_rule_spec.rb "#compute_paid_credits": a fixed rule of
    // 50 paid credits with a threshold of 10 at an ongoing balance of -429.8 buys 450 (the gap
    // rounded up to a multiple of 50); at -50, 100 and at -100, 150 (past the threshold, not on it).
    const fixed = config({ thresholdValue: '10', rechargeMethod: 'FIXED', rechargeAmount: '50' });
    expect(autoRecharge(fixed, input('-429.8'))).toMatchObject({ grant: { amount: '450', grantType: 'PAID' } });
    expect(autoRecharge(fixed, input('-50'))).toMatchObject({ grant: { amount: '100' } });
    expect(autoRecharge(fixed, input('-100'))).toMatchObject({ grant: { amount: '150' } });
    expect(autoRecharge(fixed, input('9'))).toMatchObject({ grant: { amount: '50', cost: { amount: '0.5' } } });
    expect(autoRecharge(fixed, input('10'))).toBeNull();
    // No target needed for FIXED; TARGET still needs one.
    expect(() => config({ rechargeMethod: 'FIXED', targetBalance: undefined })).toThrow(/rechargeAmount/);
    expect(() => config({ targetBalance: undefined })).toThrow(/targetBalance/);
  });

  it('raises a paid recharge to the minimum purchase; a promotional one is free and ignores it', () => {
    // Lago, spec/scenarios/wallets/target_rule_granting_top_up_spec.rb: a target rule (threshold 5,
    // target 10) at a balance of 4 fills the gap of 6 as granted credits for free, bypassing the
    // wallet's paid minimum of 50; kept paid, the top-up is raised to 50 credits.
    const rule = { thresholdValue: '5', targetBalance: '10', minimumPurchase: '50' };
    expect(autoRecharge(config(rule), input('4'))).toMatchObject({
      grant: { amount: '50', grantType: 'PAID', cost: { amount: '0.5' } },
    });
    expect(autoRecharge(config({ ...rule, grantType: 'PROMOTIONAL' }), input('4'))).toEqual({
      grant: { amount: '6', grantType: 'PROMOTIONAL', cost: null, expireAt: null },
    });
    // A free recharge is never held back by the spend limit.
    expect(
      autoRecharge(
        config({ ...rule, grantType: 'PROMOTIONAL', maxSpendLimit: '0' }),
        input('4', { monthlySpend: '9' }),
      ),
    ).toMatchObject({ grant: { amount: '6' } });
  });

  it('adds a bonus as a promotional grant of its own, counted toward clearing the threshold', () => {
    // Lago, spec/models/recurring_transaction_rule_spec.rb "counts the granted credits towards the
    // gap": a fixed rule of 50 paid and 50 granted credits (threshold 10) at -429.8 buys 400; the
    // granted credits come as a transaction of their own (compute_granted_credits).
    const cfg = config({ thresholdValue: '10', rechargeMethod: 'FIXED', rechargeAmount: '50', bonusCredits: '50' });
    const r = autoRecharge(cfg, input('-429.8'));
    // The gap 10 + 429.8 - 50 = 389.8 takes 8 quantities: 400 bought, 450 in all.
    expect(r).toEqual({
      grant: { amount: '400', cost: { amount: '4', currency: 'USD' }, expireAt: null, grantType: 'PAID' },
      bonus: { amount: '50', expireAt: null },
    });
    if (r === null || !('grant' in r)) throw new Error('expected a recharge');
    let ids = 0;
    const grants = autoRechargeGrants(r, () => `r${ids++}`);
    expect(grants.map((g) => [g.id, g.grantType, g.amount, g.cost ?? null])).toEqual([
      ['r0', 'PAID', '400', { amount: '4', currency: 'USD' }],
      ['r1', 'PROMOTIONAL', '50', null],
    ]);
  });
});
