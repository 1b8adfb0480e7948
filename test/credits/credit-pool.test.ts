import { describe, expect, it } from 'vitest';
import { burnOrder } from '../../src/credits/burn-order.js';
import {
  advancePool,
  balance,
  type CreditPool,
  type CreditPoolChange,
  compactPool,
  consumeCredits,
  creditPoolKey,
  expireGrants,
  grantCredits,
  grantRemaining,
  isHeldGrant,
  isLiveGrant,
  sumLedger,
  voidGrant,
} from '../../src/credits/credit-pool.js';
import { type CreditGrantRecord, type CreditLedgerEntry, grantStatus } from '../../src/credits/credit-records.js';
import { AllotError } from '../../src/errors.js';
import { Decimal } from '../../src/money/money.js';
import {
  DAY,
  decimalUpTo,
  expectAllotError,
  expectDecimal,
  fc,
  grant,
  pool,
  positiveDecimal,
  reasonOf,
  T0,
  withGrants,
} from './helpers.js';

/** Deep-freezes a value so any mutation by the code under test throws. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const amounts = (entries: readonly CreditLedgerEntry[]) =>
  entries.map((e) => [e.eventType, e.grantId, e.amount] as const);

describe('the issue example', () => {
  it('consuming 60 takes 20 from B and 40 from A and leaves C untouched', () => {
    const p = withGrants(
      pool(),
      T0,
      grant('A', '50', { priority: 1, grantType: 'PAID' }),
      grant('B', '20', { priority: 1, grantType: 'PROMOTIONAL' }),
      grant('C', '100', { priority: 2, grantType: 'PROMOTIONAL', expireAt: T0 + DAY }),
    );
    const { pool: after, entries } = consumeCredits(p, { id: 'use-1', amount: 60 }, T0 + 1);
    expect(amounts(entries)).toEqual([
      ['CREDITS_CONSUMED', 'B', '-20'],
      ['CREDITS_CONSUMED', 'A', '-40'],
    ]);
    expect(entries.map((e) => e.id)).toEqual(['use-1:B', 'use-1:A']);
    const byId = Object.fromEntries(after.grants.map((g) => [g.id, g.consumed]));
    expect(byId).toEqual({ A: '40', B: '20', C: '0' });
    expect(balance(after, T0 + 1)).toMatchObject({ currentBalance: '110', totalGranted: '170', totalConsumed: '60' });
  });
});

describe('grantCredits', () => {
  it('records CREDITS_GRANTED and fills the record from the pool and defaults', () => {
    const {
      pool: p,
      entries,
      grant: g,
    } = grantCredits(
      pool('ws-1'),
      grant('g1', '12.50', { cost: { amount: '1.2', currency: 'usd' }, metadata: { k: 'v' } }),
      T0,
    );
    expect(amounts(entries)).toEqual([['CREDITS_GRANTED', 'g1', '12.5']]);
    expect(entries[0]).toMatchObject({
      id: 'g1:granted',
      customerId: 'c1',
      currencyId: 'tokens',
      resourceId: 'ws-1',
      at: T0,
    });
    expect(g).toMatchObject({
      customerId: 'c1',
      resourceId: 'ws-1',
      amount: '12.5',
      consumed: '0',
      priority: 0,
      effectiveAt: T0,
      expireAt: null,
      cost: { amount: '1.2', currency: 'USD' },
      comment: null,
      metadata: { k: 'v' },
      source: null,
      activatedAt: T0,
      voidedAt: null,
    });
    expect(p.grants).toEqual([g]);
    expect(grantStatus(g, T0)).toBe('ACTIVE');
  });

  it('schedules a future grant: not in the balance, never consumed, granted when it takes effect', () => {
    const start = withGrants(pool(), T0, grant('now', '10'));
    const { pool: p, entries } = grantCredits(start, grant('later', '100', { effectiveAt: T0 + DAY }), T0);
    expect(entries).toEqual([]);
    expect(grantStatus(p.grants[1] as never, T0)).toBe('SCHEDULED');
    expect(balance(p, T0)).toMatchObject({ currentBalance: '10', scheduled: '100', nextChangeAt: T0 + DAY });
    expectAllotError(
      () => consumeCredits(p, { id: 'u', amount: 11 }, T0),
      'INSUFFICIENT_CREDITS',
      'INSUFFICIENT_CREDITS',
    );
    const later = advancePool(p, T0 + 2 * DAY);
    expect(amounts(later.entries)).toEqual([['CREDITS_GRANTED', 'later', '100']]);
    expect(later.entries[0]?.at).toBe(T0 + DAY);
    expect(balance(p, T0 + DAY).currentBalance).toBe('110');
  });

  it('settles debt first, with a DEBT_SETTLED pair that sums to zero', () => {
    const inDebt = consumeCredits(withGrants(pool(), T0, grant('a', '10')), { id: 'u', amount: 25 }, T0, {
      allowDebt: true,
    });
    expect(inDebt.debtCreated).toBe('15');
    const { pool: p, entries } = grantCredits(inDebt.pool, grant('b', '40'), T0 + 1);
    expect(amounts(entries)).toEqual([
      ['CREDITS_GRANTED', 'b', '40'],
      ['DEBT_SETTLED', 'b', '-15'],
      ['DEBT_SETTLED', null, '15'],
    ]);
    expect(entries[2]?.relatedGrantId).toBe('b');
    expect(p.debt).toBe('0');
    expect(p.grants[1]?.consumed).toBe('15');
    expect(balance(p, T0 + 1)).toMatchObject({ currentBalance: '25', totalGranted: '50', totalConsumed: '25' });
  });

  it('settles part of a debt larger than the grant and keeps the rest', () => {
    const inDebt = consumeCredits(pool(), { id: 'u', amount: '100' }, T0, { allowDebt: true }).pool;
    const { pool: p, entries } = grantCredits(inDebt, grant('b', '30'), T0);
    expect(amounts(entries).slice(1)).toEqual([
      ['DEBT_SETTLED', 'b', '-30'],
      ['DEBT_SETTLED', null, '30'],
    ]);
    expect(balance(p, T0)).toMatchObject({ currentBalance: '-70', debt: '70', totalConsumed: '100' });
  });

  it('refuses bad input and changes nothing', () => {
    const p = deepFreeze(withGrants(pool(), T0, grant('g1', '1')));
    for (const amount of [0, -1, '0', 'abc', Number.NaN, Number.POSITIVE_INFINITY])
      expectAllotError(() => grantCredits(p, grant('x', amount as string), T0), 'INVALID_INPUT');
    for (const priority of [-1, 1.5, Number.NaN])
      expectAllotError(() => grantCredits(p, grant('x', '1', { priority }), T0), 'INVALID_INPUT');
    expectAllotError(() => grantCredits(p, grant('x', '1', { effectiveAt: T0, expireAt: T0 }), T0), 'INVALID_INPUT');
    expectAllotError(
      () => grantCredits(p, grant('x', '1', { effectiveAt: T0 - 2 * DAY, expireAt: T0 - DAY }), T0),
      'INVALID_INPUT',
    );
    expectAllotError(() => grantCredits(p, grant('x', '1', { grantType: 'FREE' as never }), T0), 'INVALID_INPUT');
    expectAllotError(() => grantCredits(p, grant('', '1'), T0), 'INVALID_INPUT');
    expectAllotError(
      () => grantCredits(p, grant('x', '1', { cost: { amount: '-1', currency: 'USD' } }), T0),
      'INVALID_INPUT',
    );
    expectAllotError(
      () => grantCredits(p, grant('x', '1', { cost: { amount: '1', currency: 'dollars' } }), T0),
      'INVALID_INPUT',
    );
    expectAllotError(
      () => grantCredits(p, grant('g1', '1'), T0),
      'CREDIT_GRANT_ALREADY_EXISTS',
      'CREDIT_GRANT_ALREADY_EXISTS',
    );
  });
});

describe('consumeCredits', () => {
  it('refuses more than the balance with INSUFFICIENT_CREDITS, changing nothing', () => {
    const p = deepFreeze(withGrants(pool(), T0, grant('a', '10')));
    const e = expectAllotError(
      () => consumeCredits(p, { id: 'u', amount: '10.01' }, T0),
      'INSUFFICIENT_CREDITS',
      'INSUFFICIENT_CREDITS',
    );
    expect(e.details).toMatchObject({
      requested: '10.01',
      currentBalance: '10',
      customerId: 'c1',
      currencyId: 'tokens',
    });
    expect(consumeCredits(p, { id: 'u', amount: '10' }, T0).pool.grants[0]?.consumed).toBe('10');
  });

  it('with allowDebt, empties the grants and books the rest as DEBT_CREATED', () => {
    const p = withGrants(pool(), T0, grant('a', '10'));
    const { pool: after, entries } = consumeCredits(
      p,
      { id: 'u', amount: '12.5', featureId: 'gpt', dimensions: { model: 'x' }, idempotencyKey: 'k1' },
      T0,
      { allowDebt: true },
    );
    expect(amounts(entries)).toEqual([
      ['CREDITS_CONSUMED', 'a', '-10'],
      ['DEBT_CREATED', null, '-2.5'],
    ]);
    for (const e of entries)
      expect(e).toMatchObject({
        eventId: 'u',
        featureId: 'gpt',
        dimensions: { model: 'x' },
        idempotencyKey: 'k1',
        at: T0,
      });
    expect(balance(after, T0)).toMatchObject({ currentBalance: '-2.5', debt: '2.5' });
    expect(sumLedger([{ amount: '10' }, ...entries])).toBe('-2.5');
  });

  it('is exact: 0.1 + 0.2 credits cover a consumption of 0.3 to the last digit', () => {
    const p = withGrants(pool(), T0, grant('a', '0.1'), grant('b', '0.2'));
    const { pool: after } = consumeCredits(p, { id: 'u', amount: '0.3' }, T0);
    expect(balance(after, T0).currentBalance).toBe('0');
    const tiny = withGrants(pool(), T0, grant('a', '1e-30'));
    expect(balance(consumeCredits(tiny, { id: 'u', amount: '1e-30' }, T0).pool, T0).currentBalance).toBe('0');
  });

  it('never draws on an expired or a voided grant', () => {
    let p = withGrants(pool(), T0, grant('soon', '5', { expireAt: T0 + DAY }), grant('gone', '5'), grant('kept', '5'));
    p = voidGrant(p, 'gone', T0).pool;
    const { entries } = consumeCredits(p, { id: 'u', amount: 5 }, T0 + DAY);
    expect(amounts(entries)).toEqual([
      ['CREDITS_EXPIRED', 'soon', '-5'],
      ['CREDITS_CONSUMED', 'kept', '-5'],
    ]);
  });

  it('refuses a non-positive amount and an empty id', () => {
    const p = withGrants(pool(), T0, grant('a', '10'));
    for (const amount of [0, -1, '-0.5', 'x'])
      expectAllotError(() => consumeCredits(p, { id: 'u', amount }, T0), 'INVALID_INPUT');
    expectAllotError(() => consumeCredits(p, { id: '', amount: 1 }, T0), 'INVALID_INPUT');
  });

  it('leaves its input untouched', () => {
    const p = deepFreeze(withGrants(pool(), T0, grant('a', '10', { expireAt: T0 + DAY })));
    const snapshot = JSON.stringify(p);
    consumeCredits(p, { id: 'u', amount: 3 }, T0);
    consumeCredits(p, { id: 'u', amount: 30 }, T0 + 2 * DAY, { allowDebt: true });
    voidGrant(p, 'a', T0);
    expect(JSON.stringify(p)).toBe(snapshot);
  });
});

describe('voidGrant', () => {
  it('removes the remainder at once', () => {
    const p = consumeCredits(withGrants(pool(), T0, grant('a', '10')), { id: 'u', amount: 4 }, T0).pool;
    const { pool: after, entries, grant: g } = voidGrant(p, 'a', T0 + 1);
    expect(amounts(entries)).toEqual([['CREDITS_VOIDED', 'a', '-6']]);
    expect(entries[0]).toMatchObject({ id: 'a:voided', at: T0 + 1 });
    expect(g).toMatchObject({ voidedAt: T0 + 1, consumed: '4' });
    expect(grantStatus(g, T0 + 1)).toBe('VOIDED');
    expect(grantRemaining(g)).toBe('0');
    expect(balance(after, T0 + 1).currentBalance).toBe('0');
  });

  it('voids a scheduled grant with a zero entry, and it never takes effect', () => {
    const p = withGrants(pool(), T0, grant('later', '10', { effectiveAt: T0 + DAY }));
    const { pool: after, entries } = voidGrant(p, 'later', T0);
    expect(amounts(entries)).toEqual([['CREDITS_VOIDED', 'later', '0']]);
    expect(advancePool(after, T0 + 2 * DAY).entries).toEqual([]);
    expect(balance(after, T0 + 2 * DAY).currentBalance).toBe('0');
  });

  it('holds a voided RECURRING grant until its period ends, then closes it without an entry', () => {
    const p = withGrants(
      pool(),
      T0,
      grant('r', '10', { grantType: 'RECURRING', expireAt: T0 + DAY }),
      grant('paid', '5', { expireAt: T0 + DAY }),
    );
    const voided = voidGrant(voidGrant(p, 'r', T0).pool, 'paid', T0).pool;
    expect(voided.grants.filter(isHeldGrant).map((g) => g.id)).toEqual(['r']);
    const closed = advancePool(voided, T0 + DAY);
    expect(closed.entries).toEqual([]);
    expect(closed.pool.grants.find((g) => g.id === 'r')).toMatchObject({ voidedAt: T0, expiredAt: T0 + DAY });
    expect(closed.pool.grants.filter(isHeldGrant)).toEqual([]);
    expect(grantStatus(closed.pool.grants[0] as CreditGrantRecord, T0 + DAY)).toBe('VOIDED');
  });

  it('refuses an unknown, a voided or an expired grant', () => {
    const p = withGrants(pool(), T0, grant('a', '10', { expireAt: T0 + DAY }), grant('b', '1'));
    expectAllotError(() => voidGrant(p, 'nope', T0), 'CREDIT_GRANT_NOT_FOUND', 'CREDIT_GRANT_NOT_FOUND');
    const voided = voidGrant(p, 'b', T0).pool;
    expectAllotError(() => voidGrant(voided, 'b', T0), 'CREDIT_GRANT_VOIDED', 'CREDIT_GRANT_VOIDED');
    expectAllotError(() => voidGrant(p, 'a', T0 + DAY), 'CREDIT_GRANT_EXPIRED', 'CREDIT_GRANT_EXPIRED');
  });
});

describe('expireGrants', () => {
  it('books each expired remainder once, and nothing for a used-up grant', () => {
    let p = withGrants(
      pool(),
      T0,
      grant('a', '10', { expireAt: T0 + DAY }),
      grant('b', '3', { expireAt: T0 + 2 * DAY }),
    );
    p = consumeCredits(p, { id: 'u', amount: 3 }, T0).pool; // from a, which expires sooner
    expect(p.grants.map((g) => g.consumed)).toEqual(['3', '0']);
    p = consumeCredits(p, { id: 'u2', amount: 7 }, T0).pool;
    const first = expireGrants(p, T0 + 3 * DAY);
    expect(amounts(first.entries)).toEqual([['CREDITS_EXPIRED', 'b', '-3']]);
    expect(first.entries[0]?.at).toBe(T0 + 2 * DAY);
    expect(first.pool.grants.map((g) => g.expiredAt)).toEqual([T0 + DAY, T0 + 2 * DAY]);
    const again = expireGrants(first.pool, T0 + 3 * DAY);
    expect(again.entries).toEqual([]);
    expect(again.pool).toBe(first.pool);
  });

  it('is advancePool: a clock move books expiries and scheduled grants in time order', () => {
    const p = withGrants(
      pool(),
      T0,
      grant('old', '5', { expireAt: T0 + DAY }),
      grant('new', '8', { effectiveAt: T0 + DAY, expireAt: T0 + 2 * DAY }),
    );
    const { entries } = advancePool(p, T0 + 3 * DAY);
    expect(amounts(entries)).toEqual([
      ['CREDITS_EXPIRED', 'old', '-5'],
      ['CREDITS_GRANTED', 'new', '8'],
      ['CREDITS_EXPIRED', 'new', '-8'],
    ]);
    expect(entries.map((e) => e.at)).toEqual([T0 + DAY, T0 + DAY, T0 + 2 * DAY]);
  });
});

describe('balance', () => {
  it('reports totals, the debt and the next change, even on a pool that is behind', () => {
    const p = withGrants(
      pool(),
      T0,
      grant('a', '10', { expireAt: T0 + 5 * DAY }),
      grant('b', '20'),
      grant('c', '7', { effectiveAt: T0 + 2 * DAY }),
    );
    expect(balance(p, T0)).toEqual({
      currentBalance: '30',
      totalGranted: '30',
      totalConsumed: '0',
      debt: '0',
      scheduled: '7',
      nextChangeAt: T0 + 2 * DAY,
    });
    expect(balance(p, T0 + 6 * DAY)).toEqual({
      currentBalance: '27',
      totalGranted: '27',
      totalConsumed: '0',
      debt: '0',
      scheduled: '0',
      nextChangeAt: null,
    });
  });

  it('keys pools unambiguously, a resource pool apart from the global one', () => {
    expect(creditPoolKey(pool())).not.toBe(creditPoolKey(pool('ws')));
    expect(creditPoolKey({ customerId: 'a:b', currencyId: 'c', resourceId: null })).not.toBe(
      creditPoolKey({ customerId: 'a', currencyId: 'b:c', resourceId: null }),
    );
  });

  it('serialises to JSON and back unchanged', () => {
    let p = withGrants(
      pool('ws'),
      T0,
      grant('a', '0.1', { expireAt: T0 + DAY, cost: { amount: '2', currency: 'EUR' } }),
    );
    p = consumeCredits(p, { id: 'u', amount: '5', dimensions: { m: 1 } }, T0, { allowDebt: true }).pool;
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});

describe('compactPool', () => {
  /** A pool of grants a (expiring), b and c (not), each used up, and d with 5 of 10 left. */
  const usedUp = () => {
    const p = withGrants(
      pool(),
      T0,
      grant('a', '4', { expireAt: T0 + DAY }),
      grant('b', '6'),
      grant('c', '0.5', { grantType: 'PROMOTIONAL' }),
      grant('d', '10', { priority: 1 }),
    );
    return consumeCredits(p, { id: 'u', amount: '15.5' }, T0).pool;
  };

  it('lets spent grants go, keeping their amounts in the totals until they expire', () => {
    const full = usedUp();
    const compact = compactPool(full);
    expect(compact.grants.map((g) => [g.id, g.consumed])).toEqual([['d', '5']]);
    expect(compact.spent).toEqual({ total: '10.5', expiring: [{ at: T0 + DAY, amount: '4' }], revision: 0 });
    expect(balance(compact, T0)).toEqual(balance(full, T0));
    expect(balance(compact, T0)).toMatchObject({ totalGranted: '20.5', totalConsumed: '15.5', nextChangeAt: T0 + DAY });
    // At the expiry the expiring part leaves both totals, with no entry: nothing was left of it.
    expect(advancePool(compact, T0 + DAY).entries).toEqual([]);
    expect(balance(compact, T0 + DAY)).toEqual(balance(full, T0 + DAY));
    expect(advancePool(compact, T0 + DAY).pool.spent).toEqual({ total: '6.5', expiring: [], revision: 0 });
    expect(compactPool(compact)).toBe(compact);
  });

  it("drops closed grants and keeps a subscription's grant used up, and a voided RECURRING one, for their period", () => {
    const source = {
      kind: 'SUBSCRIPTION' as const,
      subscriptionId: 's',
      cadence: 'MONTH' as const,
      periodStart: T0,
      periodEnd: T0 + DAY,
      rolledOver: '0',
    };
    let p = withGrants(
      pool(),
      T0,
      grant('sub', '3', { grantType: 'RECURRING', expireAt: T0 + DAY, source }),
      grant('rec', '3', { grantType: 'RECURRING', expireAt: T0 + DAY }),
      grant('paid', '3', { expireAt: T0 + DAY / 2 }),
    );
    p = voidGrant(p, 'rec', T0).pool;
    p = consumeCredits(p, { id: 'u', amount: '3' }, T0).pool;
    expect(compactPool(advancePool(p, T0 + DAY / 2).pool).grants.map((g) => g.id)).toEqual(['sub', 'rec']);
  });

  it('voids a grant it let go from its stored record, which then leaves the totals', () => {
    const full = usedUp();
    const compact = compactPool(full);
    const stored = full.grants.find((g) => g.id === 'a') as CreditGrantRecord;
    expectAllotError(() => voidGrant(compact, 'a', T0), 'CREDIT_GRANT_NOT_FOUND');
    const voided = voidGrant(compact, 'a', T0, stored);
    expect(voided.entries.map((e) => [e.eventType, e.grantId, e.amount])).toEqual([['CREDITS_VOIDED', 'a', '0']]);
    expect(voided.pool.spent).toEqual({ total: '6.5', expiring: [], revision: 0 });
    expect(balance(voided.pool, T0)).toEqual(balance(voidGrant(full, 'a', T0).pool, T0));
    expect(compactPool(voided.pool).grants.map((g) => g.id)).toEqual(['d']);
    // Past its expiry it is expired, as it would be had the pool kept it.
    expectAllotError(() => voidGrant(compact, 'a', T0 + DAY, stored), 'CREDIT_GRANT_EXPIRED');
    expectAllotError(() => voidGrant(full, 'a', T0 + DAY), 'CREDIT_GRANT_EXPIRED');
  });
});

// ---------------------------------------------------------------------------------------------

type Op =
  | {
      kind: 'grant';
      grantType: 'PAID' | 'PROMOTIONAL' | 'RECURRING';
      amount: string;
      priority: number;
      effectiveIn: number;
      lasts: number | null;
    }
  | { kind: 'consume'; amount: string; allowDebt: boolean }
  | { kind: 'void'; pick: number }
  | { kind: 'advance'; by: number }
  | { kind: 'expire' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      grantType: fc.constantFrom('PAID' as const, 'PROMOTIONAL' as const, 'RECURRING' as const),
      amount: fc.oneof(decimalUpTo(100), positiveDecimal),
      priority: fc.integer({ min: 0, max: 2 }),
      effectiveIn: fc.oneof(fc.constant(0), fc.integer({ min: -3 * DAY, max: 10 * DAY })),
      lasts: fc.option(fc.integer({ min: 1, max: 10 * DAY }), { nil: null }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('consume' as const), amount: decimalUpTo(60), allowDebt: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      by: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: DAY }), fc.integer({ min: 1, max: 4 * DAY })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
);

/**
 * One operation at `now` on `p` (a clock move changes nothing): `id` names what it makes, a void
 * picks among `voidable`, and `stored` gives a void the stored record of a grant `p` let go.
 */
function applyOp(
  p: CreditPool,
  o: Op,
  now: number,
  id: string,
  voidable: readonly CreditGrantRecord[],
  stored?: (grantId: string) => CreditGrantRecord | undefined,
): CreditPoolChange {
  if (o.kind === 'grant') {
    const effectiveAt = now + o.effectiveIn;
    const expireAt = o.lasts === null ? null : effectiveAt + o.lasts;
    const { grantType, amount, priority } = o;
    return grantCredits(p, { id, grantType, amount, priority, effectiveAt, expireAt, displayName: 'g' }, now);
  }
  if (o.kind === 'consume') return consumeCredits(p, { id, amount: o.amount }, now, { allowDebt: o.allowDebt });
  if (o.kind === 'void') {
    const picked = voidable.length === 0 || o.pick % 5 === 4 ? undefined : voidable[o.pick % voidable.length];
    const grantId = picked?.id ?? 'unknown';
    return voidGrant(p, grantId, now, stored?.(grantId));
  }
  return o.kind === 'advance' ? { pool: p, entries: [] } : expireGrants(p, now);
}

/** Runs `ops` from an empty pool, calling `check` after every step with what it did. */
function run(
  ops: readonly Op[],
  check: (step: {
    op: Op;
    before: CreditPool;
    after: CreditPool;
    now: number;
    entries: readonly CreditLedgerEntry[];
    ledger: readonly CreditLedgerEntry[];
    error?: unknown;
  }) => void,
): void {
  let p = pool();
  let now = T0;
  const ledger: CreditLedgerEntry[] = [];
  let n = 0;
  for (const o of ops) {
    const before = p;
    let entries: readonly CreditLedgerEntry[] = [];
    let error: unknown;
    if (o.kind === 'advance') now += o.by;
    try {
      const r = applyOp(p, o, now, `${o.kind === 'grant' ? 'g' : 'u'}${n++}`, p.grants);
      p = r.pool;
      entries = r.entries;
    } catch (e) {
      if (!AllotError.is(e)) throw e;
      error = e;
    }
    ledger.push(...entries);
    check({ op: o, before, after: p, now, entries, ledger, error });
  }
}

const sequences = fc.array(op, { minLength: 3, maxLength: 40, size: 'large' });

describe('properties', () => {
  it('the ledger sums to the balance at every step, per grant and for the debt', () => {
    fc.assert(
      fc.property(sequences, (ops) =>
        run(ops, ({ after, now, ledger, op: o, error }) => {
          // A clock move (or a refused operation) writes nothing yet; the balance already reflects it.
          const settled = advancePool(after, now);
          if (o.kind !== 'advance' && error === undefined) expect(settled.entries).toEqual([]);
          const all = [...ledger, ...settled.entries];
          const b = balance(after, now);
          expectDecimal(sumLedger(all), b.currentBalance);
          expectDecimal(b.currentBalance, new Decimal(b.totalGranted).minus(b.totalConsumed).toFixed());
          for (const g of settled.pool.grants) {
            const own = all.filter((e) => e.grantId === g.id);
            expectDecimal(sumLedger(own), isLiveGrant(g) ? new Decimal(g.amount).minus(g.consumed).toFixed() : '0');
          }
          expectDecimal(
            sumLedger(all.filter((e) => e.grantId === null)),
            new Decimal(settled.pool.debt).neg().toFixed(),
          );
        }),
      ),
    );
  });

  it('consumes only active grants, in burn order, exactly the amount asked', () => {
    fc.assert(
      fc.property(sequences, (ops) =>
        run(ops, ({ op: o, before, now, entries, error }) => {
          if (o.kind !== 'consume') return;
          const ready = advancePool(before, now).pool;
          const candidates = burnOrder(
            ready.grants.filter((g) => isLiveGrant(g) && new Decimal(g.amount).gt(g.consumed)),
          );
          const available = candidates.reduce((s, g) => s.plus(g.amount).minus(g.consumed), new Decimal(0));
          if (error !== undefined) {
            expect(reasonOf(error)).toBe('INSUFFICIENT_CREDITS');
            expect(o.allowDebt).toBe(false);
            expect(new Decimal(o.amount).gt(available)).toBe(true);
            return;
          }
          const consumed = entries.filter((e) => e.eventType === 'CREDITS_CONSUMED');
          // A prefix of the burn order, every grant but the last emptied.
          expect(consumed.map((e) => e.grantId)).toEqual(candidates.slice(0, consumed.length).map((g) => g.id));
          consumed.forEach((e, i) => {
            const g = candidates[i];
            if (g === undefined) throw new Error('unreachable');
            expect(grantStatus(g, now)).toBe('ACTIVE');
            const remaining = new Decimal(g.amount).minus(g.consumed);
            if (i < consumed.length - 1) expectDecimal(e.amount, remaining.neg().toFixed());
            else expect(new Decimal(e.amount).neg().lte(remaining)).toBe(true);
          });
          const debt = entries.filter((e) => e.eventType === 'DEBT_CREATED');
          if (debt.length > 0) expect(consumed.length).toBe(candidates.length);
          expectDecimal(sumLedger([...consumed, ...debt]), new Decimal(o.amount).neg().toFixed());
        }),
      ),
    );
  });

  it('never touches a grant before it takes effect, once it expired, or once it was voided', () => {
    fc.assert(
      fc.property(sequences, (ops) =>
        run(ops, ({ after, ledger }) => {
          for (const e of ledger) {
            if (e.grantId === null || e.eventType === 'CREDITS_VOIDED') continue;
            const g = after.grants.find((x) => x.id === e.grantId);
            if (g === undefined) throw new Error(`entry for unknown grant ${e.grantId}`);
            if (e.eventType === 'CREDITS_EXPIRED') {
              expect(e.at).toBe(g.expireAt);
              continue;
            }
            expect(e.at).toBeGreaterThanOrEqual(g.effectiveAt);
            if (g.expireAt !== null) expect(e.at).toBeLessThan(g.expireAt);
            if (g.voidedAt !== null) expect(e.at).toBeLessThanOrEqual(g.voidedAt);
          }
          // Nothing is booked on a grant after its VOIDED or EXPIRED entry.
          const closed = new Set<string>();
          for (const e of ledger) {
            if (e.grantId === null) continue;
            expect(closed.has(e.grantId)).toBe(false);
            if (e.eventType === 'CREDITS_VOIDED' || e.eventType === 'CREDITS_EXPIRED') closed.add(e.grantId);
          }
        }),
      ),
    );
  });

  it('debt and credits never coexist: the next grant to take effect settles the debt first', () => {
    fc.assert(
      fc.property(sequences, (ops) =>
        run(ops, ({ before, after, entries }) => {
          const live = after.grants.filter((g) => isLiveGrant(g) && new Decimal(g.amount).gt(g.consumed));
          if (new Decimal(after.debt).gt(0)) expect(live).toEqual([]);
          // Grants taking effect pay the debt off before anything else: as much as they bring, up to the debt.
          const granted = entries.filter((e) => e.eventType === 'CREDITS_GRANTED');
          const settledDebt = entries.filter((e) => e.eventType === 'DEBT_SETTLED' && e.grantId === null);
          const grantedTotal = granted.reduce((t, e) => t.plus(e.amount), new Decimal(0));
          expectDecimal(sumLedger(settledDebt), Decimal.min(before.debt, grantedTotal).toFixed());
          entries.forEach((e, i) => {
            if (e.eventType !== 'DEBT_SETTLED' || e.grantId === null) return;
            expect(entries[i - 1]).toMatchObject({ eventType: 'CREDITS_GRANTED', grantId: e.grantId });
            expect(entries[i + 1]).toMatchObject({
              eventType: 'DEBT_SETTLED',
              grantId: null,
              relatedGrantId: e.grantId,
            });
          });
        }),
      ),
    );
  });

  it('a pool compacted after every step, as stores keep it, behaves as one that keeps every grant', () => {
    fc.assert(
      fc.property(sequences, (ops) => {
        let full = pool();
        let compact = full;
        let now = T0;
        // The records of the grants `compact` let go, as a store keeps them.
        const letGo = new Map<string, CreditGrantRecord>();
        ops.forEach((o, i) => {
          if (o.kind === 'advance') now += o.by;
          const outcome = (p: CreditPool, stored?: (id: string) => CreditGrantRecord | undefined) => {
            try {
              return applyOp(p, o, now, `x${i}`, full.grants, stored);
            } catch (e) {
              if (!AllotError.is(e)) throw e;
              return e;
            }
          };
          const kept = outcome(full);
          const held = outcome(compact, (id) => letGo.get(id));
          // A closed grant's void is refused either way (the service says why, from its record).
          if (kept instanceof AllotError) {
            expect(held).toBeInstanceOf(AllotError);
            return;
          }
          if (held instanceof AllotError) throw held;
          expect(held.entries).toEqual(kept.entries);
          full = kept.pool;
          compact = compactPool(held.pool);
          for (const g of held.pool.grants) if (!isHeldGrant(g)) letGo.set(g.id, g);
          const byId = (p: CreditPool) => ({ ...p, grants: [...p.grants].sort((a, b) => (a.id < b.id ? -1 : 1)) });
          expect(byId(compact)).toEqual(byId(compactPool(full)));
          expect(balance(compact, now)).toEqual(balance(full, now));
          expect(advancePool(compact, now).entries).toEqual(advancePool(full, now).entries);
        });
      }),
    );
  });

  it('expiring again at the same instant changes nothing, and the input is never mutated', () => {
    fc.assert(
      fc.property(sequences, (ops) =>
        run(ops, ({ after, now }) => {
          const once = expireGrants(after, now);
          const twice = expireGrants(once.pool, now);
          expect(twice.entries).toEqual([]);
          expect(twice.pool).toBe(once.pool);
          deepFreeze(after);
        }),
      ),
    );
  });
});
