// Model-based test of recurring grants, pool resets and overage through the public API, on every
// store: random sequences of grants (recurring or not, with rollover rules), consumptions, usage
// that overdraws the pool, voids, resets by hand, reset schedules and clock moves, run against the
// reference model of test/helpers/credit-reset-model.ts (which shares no code with src/). After
// every command the balance and each grant's remainder must be the model's, a reset must report
// what the model's did, and the ledger (read now and then, which stores what time did) must sum to
// the balance.
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { AllotError, type CatalogInput } from '../../src/index.js';
import { fc } from '../core/fc-setup.js';
import { AI_CREDITS, creditCatalog } from '../helpers/credit-fixtures.js';
import { advanceArb, recurrenceArb, resetArb, ruleArb, scheduleArb } from '../helpers/credit-reset-arbitraries.js';
import {
  CreditPoolModel,
  type ModelOverage,
  type ModelRecurrence,
  type ModelRule,
} from '../helpers/credit-reset-model.js';
import { type Harness, harness, propertyRuns, START, stores } from '../helpers/fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const S = Date.parse(START);
const customerId = 'acme';
const pool = { customerId, currencyId: AI_CREDITS };

const catalog = creditCatalog({
  features: [
    {
      id: 'gpt-calls',
      featureType: 'NUMBER',
      meterType: 'Incremental',
      creditRate: { currencyId: AI_CREDITS, creditsPerUnit: 1 },
    },
  ],
  plans: [
    {
      id: 'ai-meter',
      productId: 'ai',
      entitlements: [{ featureId: 'gpt-calls', hasUnlimitedUsage: true, resetPeriod: 'MONTH' }],
    },
  ],
}) satisfies CatalogInput;

interface World {
  readonly model: CreditPoolModel;
  readonly ids: string[];
}
type Cmd = fc.AsyncCommand<World, Harness>;
/** Numbers the consumptions' idempotency keys, so none repeats. */
let consumptions = 0;

async function code(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'OK';
  } catch (e) {
    if (AllotError.is(e)) return e.code;
    throw e;
  }
}

async function check(model: CreditPoolModel, h: Harness, readLedger: boolean): Promise<void> {
  const entitlement = await h.allot.getCreditEntitlement(pool);
  expect(new Decimal(entitlement.currentBalance).toFixed(), 'balance').toBe(model.balance().toFixed());
  const grants = (await h.allot.getCreditGrants({ customerId, paging: { first: 1000 } })).data;
  for (const g of model.grants) {
    const shown = grants.find((x) => x.id === g.id);
    const left = shown?.status === 'ACTIVE' ? new Decimal(shown.amount).minus(shown.consumedAmount) : new Decimal(0);
    expect(left.toFixed(), `remainder of ${g.id}`).toBe(model.remainder(g).toFixed());
  }
  if (!readLedger) return;
  const { data } = await h.allot.getCreditLedger({ customerId, paging: { first: 1000 } });
  const sum = data.reduce((s, e) => s.plus(e.amount), new Decimal(0));
  expect(sum.toFixed(), 'the ledger sums to the balance').toBe(model.balance().toFixed());
}

/** Relative to the instant the command runs. */
const relativeRecurrence = recurrenceArb(0);
const shifted = (r: ModelRecurrence, now: number): ModelRecurrence => ({ ...r, anchor: r.anchor + now });
const amountArb = fc.integer({ min: 1, max: 200 }).map((n) => new Decimal(n).div(2));

class GrantCmd implements Cmd {
  constructor(
    readonly amount: Decimal,
    readonly grantType: 'PAID' | 'PROMOTIONAL',
    readonly priority: number,
    readonly effectiveIn: number,
    readonly expireIn: number | null,
    readonly recurrence: ModelRecurrence | null,
    readonly rollover: ModelRule | undefined,
    readonly readLedger: boolean,
  ) {}
  check = () => true;
  async run({ model, ids }: World, h: Harness): Promise<void> {
    const now = h.clock.now();
    const effectiveAt = now + this.effectiveIn;
    const expireAt = this.expireIn === null ? null : effectiveAt + this.expireIn;
    const recurrence = this.recurrence && shifted(this.recurrence, now);
    const grant = await h.allot.grantCredits({
      ...pool,
      amount: this.amount.toFixed(),
      displayName: 'g',
      grantType: this.grantType,
      priority: this.priority,
      effectiveAt: new Date(effectiveAt),
      ...(expireAt === null ? {} : { expireAt: new Date(expireAt) }),
      ...(recurrence ? { recurrence: { ...recurrence, anchor: new Date(recurrence.anchor) } } : {}),
      ...(this.rollover ? { rollover: this.rollover } : {}),
    });
    ids.push(grant.id);
    model.grant({
      id: grant.id,
      amount: this.amount,
      grantType: this.grantType,
      priority: this.priority,
      effectiveAt,
      expireAt,
      recurrence,
      rollover: this.rollover ?? null,
    });
    await check(model, h, this.readLedger);
  }
  toString = () =>
    `grant(${this.amount}, ${this.grantType}, p${this.priority}, +${this.effectiveIn}, ${this.expireIn}, ${JSON.stringify(this.recurrence)}, ${JSON.stringify(this.rollover)})`;
}

class ConsumeCmd implements Cmd {
  constructor(
    readonly amount: Decimal,
    /** Reported usage, which may overdraw the pool into debt; else consumeCredits, which may not. */
    readonly usage: boolean,
    readonly readLedger: boolean,
  ) {}
  check = () => true;
  async run({ model }: World, h: Harness): Promise<void> {
    const amount = this.usage ? this.amount.ceil() : this.amount;
    const expected = model.consume(amount, this.usage) ? 'OK' : 'INSUFFICIENT_CREDITS';
    const outcome = await code(() =>
      this.usage
        ? h.allot.reportUsage({ customerId, featureId: 'gpt-calls', value: amount.toNumber() })
        : h.allot.consumeCredits({ ...pool, amount: amount.toFixed(), idempotencyKey: `c${consumptions++}` }),
    );
    expect(outcome).toBe(expected);
    await check(model, h, this.readLedger);
  }
  toString = () => `${this.usage ? 'usage' : 'consume'}(${this.amount})`;
}

class VoidCmd implements Cmd {
  constructor(readonly pick: number) {}
  check = ({ ids }: Readonly<World>) => ids.length > 0;
  async run({ model, ids }: World, h: Harness): Promise<void> {
    const id = ids[this.pick % ids.length] as string;
    const expected = model.void(id);
    expect(await code(() => h.allot.voidCreditGrant({ id }))).toBe(expected);
    await check(model, h, false);
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
  async run({ model }: World, h: Harness): Promise<void> {
    const expected = model.reset({
      ...(this.rollover ? { rollover: this.rollover } : {}),
      ...(this.overage ? { overage: this.overage } : {}),
      moveAnchor: this.moveAnchor,
    });
    const reset = await h.allot.resetCreditPool({
      ...pool,
      ...(this.rollover ? { rollover: this.rollover } : {}),
      ...(this.overage ? { overage: this.overage } : {}),
      moveAnchor: this.moveAnchor,
    });
    expect([reset.rolledOver, reset.forfeited, reset.debtForgiven]).toEqual([
      expected.rolledOver.toNumber(),
      expected.forfeited.toNumber(),
      expected.debtForgiven.toNumber(),
    ]);
    expect(reset.currentBalance).toBe(model.balance().toNumber());
    await check(model, h, true);
  }
  toString = () => `reset(${JSON.stringify(this.rollover)}, ${this.overage}, move: ${this.moveAnchor})`;
}

class ScheduleCmd implements Cmd {
  constructor(
    readonly rules: { recurrence: ModelRecurrence; rollover: ModelRule | null; overage: ModelOverage } | null,
  ) {}
  check = () => true;
  async run({ model }: World, h: Harness): Promise<void> {
    const now = h.clock.now();
    const rules = this.rules && { ...this.rules, recurrence: shifted(this.rules.recurrence, now) };
    await h.allot.saveCreditResetSchedule({
      ...pool,
      schedule: rules && {
        ...rules.recurrence,
        anchor: new Date(rules.recurrence.anchor),
        overage: rules.overage,
        ...(rules.rollover ? { rollover: rules.rollover } : {}),
      },
    });
    model.setSchedule(rules);
    await check(model, h, false);
  }
  toString = () => `schedule(${JSON.stringify(this.rules)})`;
}

class AdvanceCmd implements Cmd {
  constructor(
    readonly ms: number,
    readonly readLedger: boolean,
  ) {}
  check = () => true;
  async run({ model }: World, h: Harness): Promise<void> {
    const to = h.clock.now() + this.ms;
    h.clock.set(new Date(to));
    model.advance(to);
    await check(model, h, this.readLedger);
  }
  toString = () => `advance(${this.ms / HOUR}h${this.readLedger ? ', ledger' : ''})`;
}

const commands = [
  fc
    .tuple(
      amountArb,
      fc.constantFrom('PAID' as const, 'PROMOTIONAL' as const),
      fc.integer({ min: 0, max: 2 }),
      fc.constantFrom(0, 0, 0, 5 * HOUR, 2 * DAY),
      fc.constantFrom(null, null, 30 * HOUR, 9 * DAY),
      fc.option(relativeRecurrence, { nil: null, freq: 2 }),
      ruleArb,
      fc.boolean(),
    )
    .map((args) => new GrantCmd(...args)),
  fc.tuple(amountArb, fc.boolean(), fc.boolean()).map(([a, u, l]) => new ConsumeCmd(a, u, l)),
  fc.nat(30).map((n) => new VoidCmd(n)),
  resetArb.map(([r, o, m]) => new ResetCmd(r, o, m)),
  scheduleArb(relativeRecurrence).map((rules) => new ScheduleCmd(rules)),
  advanceArb.map(([ms, l]) => new AdvanceCmd(ms, l)),
];

describe.each(stores)('recurring grants and resets against the reference model ($name)', (fixture) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('agree on balances and remainders, report the model’s resets, and keep the ledger summing to the balance', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25, size: 'max' }), async (cmds) => {
        await h?.close();
        h = await harness(fixture, { catalog });
        await h.allot.provisionCustomer({ customerId });
        await h.allot.provisionSubscription({ customerId, planId: 'ai-meter' });
        const world: World = { model: new CreditPoolModel(S), ids: [] };
        await fc.asyncModelRun(() => ({ model: world, real: h as Harness }), cmds);
      }),
      { numRuns: propertyRuns(fixture, 40) },
    );
  }, 240_000);
});
