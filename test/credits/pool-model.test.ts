// Model-based test of one credit pool in the pure core: random sequences of grants (recurring or
// not, with or without rollover rules), consumptions (with or without debt), voids, resets by hand,
// reset schedules and clock moves run against the reference model of test/helpers/
// credit-reset-model.ts. After every command the balance, the debt and every grant's remainder
// must be the model's, the ledger must sum to the balance, and a reset must not create credits.
import { describe, expect, it } from 'vitest';
import {
  advancePool,
  balance,
  type CreditPool,
  compactPool,
  consumeCredits,
  grantCredits,
  grantRemaining,
  sumLedger,
  voidGrant,
} from '../../src/credits/credit-pool.js';
import type { CreditGrantRecord, CreditLedgerEntry } from '../../src/credits/credit-records.js';
import { resetPool, schedulePoolResets } from '../../src/credits/pool-resets.js';
import { AllotError } from '../../src/errors.js';
import { Decimal } from '../../src/money/money.js';
import { advanceArb, recurrenceArb, resetArb, ruleArb, scheduleArb } from '../helpers/credit-reset-arbitraries.js';
import {
  CreditPoolModel,
  type ModelOverage,
  type ModelRecurrence,
  type ModelRule,
} from '../helpers/credit-reset-model.js';
import { at, fc, pool } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = at('2025-01-31T10:00:00Z');

/** The engine side: a pool as a store would keep it, every ledger entry, and every grant record as last written. */
class Real {
  pool: CreditPool = pool();
  entries: CreditLedgerEntry[] = [];
  readonly records = new Map<string, CreditGrantRecord>();
  now = START;

  store(change: { pool: CreditPool; entries: readonly CreditLedgerEntry[] }): void {
    for (const g of change.pool.grants) this.records.set(g.id, g);
    this.pool = compactPool(change.pool);
    this.entries.push(...change.entries);
  }
}

interface World {
  readonly model: CreditPoolModel;
  readonly ids: string[];
}

function check(model: CreditPoolModel, real: Real): void {
  const b = balance(real.pool, real.now);
  expect(b.currentBalance, 'balance').toBe(model.balance().toFixed());
  expect(b.debt, 'debt').toBe(model.debt.toFixed());
  const advanced = advancePool(real.pool, real.now).pool;
  for (const g of model.grants) {
    const held = advanced.grants.find((x) => x.id === g.id);
    const left = held && held.activatedAt !== null ? grantRemaining(held) : '0';
    expect(left, `remainder of ${g.id}`).toBe(model.remainder(g).toFixed());
  }
  // The ledger, with what a write now would add for time's transitions, sums to the balance.
  const caughtUp = advancePool(real.pool, real.now);
  expect(sumLedger([...real.entries, ...caughtUp.entries]), 'ledger').toBe(b.currentBalance);
}

type Cmd = fc.Command<World, Real>;

const amountArb = fc.integer({ min: 1, max: 400 }).map((n) => new Decimal(n).div(4));

class GrantCmd implements Cmd {
  constructor(
    readonly amount: Decimal,
    readonly grantType: 'PAID' | 'PROMOTIONAL',
    readonly priority: number,
    readonly effectiveIn: number,
    readonly expireIn: number | null,
    readonly recurrence: ModelRecurrence | null,
    readonly rollover: ModelRule | undefined,
  ) {}
  check = () => true;
  run({ model, ids }: World, real: Real): void {
    const id = `g${ids.length}`;
    ids.push(id);
    const effectiveAt = real.now + this.effectiveIn;
    const expireAt = this.expireIn === null ? null : Math.max(effectiveAt, real.now) + this.expireIn;
    // The recurrence is anchored relative to the grant's own time.
    const recurrence = this.recurrence && { ...this.recurrence, anchor: this.recurrence.anchor + real.now - START };
    real.store(
      grantCredits(
        real.pool,
        {
          id,
          grantType: this.grantType,
          amount: this.amount.toFixed(),
          displayName: id,
          priority: this.priority,
          effectiveAt,
          expireAt,
          recurrence,
          ...(this.rollover ? { rollover: this.rollover } : {}),
        },
        real.now,
      ),
    );
    model.grant({
      id,
      amount: this.amount,
      grantType: this.grantType,
      priority: this.priority,
      effectiveAt,
      expireAt,
      recurrence,
      rollover: this.rollover ?? null,
    });
    check(model, real);
  }
  toString = () =>
    `grant(${this.amount}, ${this.grantType}, p${this.priority}, +${this.effectiveIn}, ${this.expireIn}, ${JSON.stringify(this.recurrence)}, ${JSON.stringify(this.rollover)})`;
}

class ConsumeCmd implements Cmd {
  constructor(
    readonly amount: Decimal,
    readonly allowDebt: boolean,
  ) {}
  check = () => true;
  run({ model }: World, real: Real): void {
    const ok = model.consume(this.amount, this.allowDebt);
    try {
      real.store(
        consumeCredits(real.pool, { id: `c${real.entries.length}`, amount: this.amount.toFixed() }, real.now, {
          allowDebt: this.allowDebt,
        }),
      );
      expect(ok, 'the model refused').toBe(true);
    } catch (e) {
      if (!AllotError.is(e)) throw e;
      expect(ok, 'the engine refused').toBe(false);
      expect(e.code).toBe('INSUFFICIENT_CREDITS');
    }
    check(model, real);
  }
  toString = () => `consume(${this.amount}, debt: ${this.allowDebt})`;
}

class VoidCmd implements Cmd {
  constructor(readonly pick: number) {}
  check = ({ ids }: Readonly<World>) => ids.length > 0;
  run({ model, ids }: World, real: Real): void {
    const id = ids[this.pick % ids.length] as string;
    const expected = model.void(id);
    // As the service does: a grant recorded closed says so before the pool is asked.
    const stored = real.records.get(id);
    let outcome: string;
    if (stored?.voidedAt != null) outcome = 'CREDIT_GRANT_VOIDED';
    else if (stored?.expiredAt != null) outcome = 'CREDIT_GRANT_EXPIRED';
    else
      try {
        real.store(voidGrant(real.pool, id, real.now, stored));
        outcome = 'OK';
      } catch (e) {
        if (!AllotError.is(e)) throw e;
        outcome = e.code;
      }
    expect(outcome).toBe(expected);
    check(model, real);
  }
  toString = () => `void(#${this.pick})`;
}

class ResetCmd implements Cmd {
  constructor(
    readonly rollover: ModelRule | undefined,
    readonly overage: ModelOverage | undefined,
    readonly moveAnchor: boolean,
  ) {}
  check = () => true;
  run({ model }: World, real: Real): void {
    const before = balance(real.pool, real.now);
    const expected = model.reset({
      ...(this.rollover ? { rollover: this.rollover } : {}),
      ...(this.overage ? { overage: this.overage } : {}),
      moveAnchor: this.moveAnchor,
    });
    const change = resetPool(
      real.pool,
      { id: `r${real.entries.length}`, rollover: this.rollover, overage: this.overage, moveAnchor: this.moveAnchor },
      real.now,
    );
    real.store(change);
    expect(change.summary.rolledOver).toBe(expected.rolledOver.toFixed());
    expect(change.summary.forfeited).toBe(expected.forfeited.toFixed());
    expect(change.summary.debtForgiven).toBe(expected.debtForgiven.toFixed());
    // A reset never creates credits: the balance grows by the debt it forgave at most.
    const after = balance(real.pool, real.now);
    expect(
      new Decimal(after.currentBalance).lte(new Decimal(before.currentBalance).plus(change.summary.debtForgiven)),
    ).toBe(true);
    check(model, real);
  }
  toString = () => `reset(${JSON.stringify(this.rollover)}, ${this.overage}, move: ${this.moveAnchor})`;
}

class ScheduleCmd implements Cmd {
  constructor(
    readonly rules: { recurrence: ModelRecurrence; rollover: ModelRule | null; overage: ModelOverage } | null,
  ) {}
  check = () => true;
  run({ model }: World, real: Real): void {
    const rules = this.rules && {
      ...this.rules,
      recurrence: { ...this.rules.recurrence, anchor: this.rules.recurrence.anchor + real.now - START },
    };
    real.store(schedulePoolResets(real.pool, rules, real.now));
    model.setSchedule(rules);
    check(model, real);
  }
  toString = () => `schedule(${JSON.stringify(this.rules)})`;
}

class AdvanceCmd implements Cmd {
  constructor(
    readonly ms: number,
    /** Store what time did, as a write or a ledger read would; otherwise only read it. */
    readonly settle: boolean,
  ) {}
  check = () => true;
  run({ model }: World, real: Real): void {
    real.now += this.ms;
    model.advance(real.now);
    if (this.settle) real.store(advancePool(real.pool, real.now));
    check(model, real);
  }
  toString = () => `advance(${this.ms / HOUR}h, ${this.settle ? 'settle' : 'read'})`;
}

const commands = [
  fc
    .tuple(
      amountArb,
      fc.constantFrom('PAID' as const, 'PROMOTIONAL' as const),
      fc.integer({ min: 0, max: 2 }),
      fc.constantFrom(0, 0, 0, 5 * HOUR, 2 * DAY),
      fc.constantFrom(null, null, 30 * HOUR, 9 * DAY),
      fc.option(recurrenceArb(START), { nil: null, freq: 2 }),
      ruleArb,
    )
    .map((args) => new GrantCmd(...args)),
  fc.tuple(amountArb, fc.boolean()).map(([a, d]) => new ConsumeCmd(a, d)),
  fc.nat(30).map((n) => new VoidCmd(n)),
  resetArb.map(([r, o, m]) => new ResetCmd(r, o, m)),
  scheduleArb(recurrenceArb(START)).map((rules) => new ScheduleCmd(rules)),
  advanceArb.map(([ms, settle]) => new AdvanceCmd(ms, settle)),
];

describe('a credit pool against its reference model', () => {
  it('agrees on balances, debt and every remainder, and its ledger sums to the balance', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 40, size: 'max' }), (cmds) => {
        const real = new Real();
        fc.modelRun(() => ({ model: { model: new CreditPoolModel(START), ids: [] }, real }), cmds);
      }),
      { numRuns: 300 },
    );
  });
});
