// Model-based properties of credits through the public client API, over every store: random
// sequences of grants, consumptions, voids and clock moves (with a subscription refilling MONTH
// recurring credits, optionally with a rollover cap) are replayed against a plain reference model
// of grants and balances, and every step is read back through getCreditLedger (all pages),
// getCreditGrants, getCreditEntitlement and the creditBalanceUpdated events. The model keeps every
// grant ever made; the engine's pools hold only live grants, keeping what used-up ones still count
// as totals, so each step also shows the two agree (a long history: credit-history.test.ts).
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  type Allot,
  AllotError,
  type CatalogInput,
  type ConsumeCreditsResult,
  type CreditBalanceUpdatedEvent,
  type CreditEntitlement,
  type CreditGrant,
  type CreditLedgerItem,
} from '../../src/index.js';
import { fc } from '../core/fc-setup.js';
import { AI_CREDITS, creditCatalog, monthlyCredits } from '../helpers/credit-fixtures.js';
import { type Harness, harness, propertyRuns, type StoreFixture, stores } from '../helpers/fixtures.js';

const CUSTOMER = 'acme';
const CURRENCY = AI_CREDITS;
/** The pools a run touches: the customer-wide one and two resource pools. */
const RESOURCES = [null, 'site-1', 'site-2'] as const;
type PoolIx = 0 | 1 | 2;
const POOLS: readonly PoolIx[] = [0, 1, 2];
const HOUR = 3_600_000;

// ───────────────────────────────────────── commands ─────────────────────────────────────────

interface GrantCmd {
  kind: 'grant';
  pool: PoolIx;
  amount: string;
  grantType: 'PAID' | 'PROMOTIONAL';
  priority: number;
  /**
   * effectiveAt relative to now (negative: already effective), 'start' for the run's first instant
   * (shared by grants made at different times, so createdAt decides), or none.
   */
  effectiveIn: number | 'start' | null;
  /**
   * expireAt relative to max(now, effectiveAt), 'fixed' for 30 days after the run's first instant
   * (shared by grants made at different times) when that is still ahead, or none.
   */
  expireIn: number | 'fixed' | null;
  key: string | null;
}
interface ConsumeCmd {
  kind: 'consume';
  pool: PoolIx;
  /** random: `amount`; part: `eighths`/8 of the balance; exact: all of it; over: the balance plus `amount`. */
  how: 'random' | 'part' | 'exact' | 'over';
  amount: string;
  eighths: number;
  /** A repeatable key, or null for a fresh one. */
  key: string | null;
}
interface VoidCmd {
  kind: 'void';
  /** Index into the grants made so far (modulo); -1 names a grant that does not exist. */
  pick: number;
}
interface AdvanceCmd {
  kind: 'advance';
  ms: number;
}
interface AdvanceToNextCmd {
  kind: 'advanceToNext';
  /** Lands on the model's next change (an expiry, a scheduled grant, a refill boundary) plus this. */
  delta: -1 | 0 | 1;
}
type Cmd = GrantCmd | ConsumeCmd | VoidCmd | AdvanceCmd | AdvanceToNextCmd;

interface Setup {
  /** The MONTH allowance of plan `pro` the customer subscribes to; null: no subscription. */
  allowance: string | null;
  rolloverCap: string | null;
  pageSize: number;
}

/** Positive multiples of 0.5 up to max / 2, as decimal strings. */
const halves = (max: number) => fc.integer({ min: 1, max }).map((n) => new Decimal(n).div(2).toFixed());
const poolArb = fc.constantFrom<PoolIx>(0, 0, 0, 1, 2);

const grantArb: fc.Arbitrary<Cmd> = fc.record({
  kind: fc.constant('grant' as const),
  pool: poolArb,
  amount: halves(80),
  grantType: fc.constantFrom('PAID' as const, 'PROMOTIONAL' as const),
  priority: fc.constantFrom(0, 0, 0, 1, 2, 3),
  effectiveIn: fc.option(
    fc.oneof(
      fc.integer({ min: -48, max: -1 }).map((h) => h * HOUR),
      fc.integer({ min: 1, max: 24 * 40 }).map((h) => h * HOUR),
      fc.constant('start' as const),
    ),
    { nil: null, freq: 2 },
  ),
  expireIn: fc.option(
    fc.oneof(
      fc.integer({ min: 1, max: 24 * 50 }).map((h) => h * HOUR),
      fc.constant('fixed' as const),
    ),
    { nil: null, freq: 2 },
  ),
  // Mostly unkeyed: a repeated key turns the grant into a replay.
  key: fc.oneof(
    { arbitrary: fc.constant(null), weight: 3 },
    { arbitrary: fc.constantFrom('g0', 'g1', 'g2'), weight: 1 },
  ),
});

const consumeArb: fc.Arbitrary<Cmd> = fc.record({
  kind: fc.constant('consume' as const),
  pool: poolArb,
  how: fc.constantFrom('random', 'random', 'part', 'part', 'part', 'exact', 'over'),
  amount: halves(100),
  eighths: fc.integer({ min: 1, max: 7 }),
  key: fc.option(fc.constantFrom('c0', 'c1'), { nil: null, freq: 2 }),
});

const voidArb: fc.Arbitrary<Cmd> = fc.record({
  kind: fc.constant('void' as const),
  pick: fc.integer({ min: -1, max: 40 }),
});

const MINUTE = 60_000;
/** A few minutes: grants made either side differ only in createdAt (and a default effectiveAt). */
const tickArb: fc.Arbitrary<Cmd> = fc.record({
  kind: fc.constant('advance' as const),
  ms: fc.integer({ min: 1, max: 59 }).map((m) => m * MINUTE),
});

const advanceArb: fc.Arbitrary<Cmd> = fc.oneof(
  tickArb,
  fc.record({
    kind: fc.constant('advance' as const),
    ms: fc
      .oneof(
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 2, max: 45 }).map((d) => d * 24),
      )
      .map((h) => h * HOUR),
  }),
);

const advanceToNextArb: fc.Arbitrary<Cmd> = fc.record({
  kind: fc.constant('advanceToNext' as const),
  delta: fc.constantFrom(-1 as const, 0 as const, 1 as const),
});

const mixedArb = fc.array(
  fc.oneof(
    { arbitrary: grantArb, weight: 6 },
    { arbitrary: consumeArb, weight: 6 },
    { arbitrary: voidArb, weight: 2 },
    { arbitrary: advanceArb, weight: 3 },
    { arbitrary: advanceToNextArb, weight: 3 },
  ),
  { minLength: 4, maxLength: 20, size: 'max' },
);
/** A few grants first, so consumptions find balances to draw on, then anything. */
const commandsArb = fc
  .tuple(
    fc.array(fc.oneof({ arbitrary: grantArb, weight: 3 }, { arbitrary: tickArb, weight: 1 }), {
      minLength: 2,
      maxLength: 7,
    }),
    mixedArb,
  )
  .map(([grants, mixed]) => [...grants, ...mixed]);

/** Mostly the customer-wide pool and long clock jumps: refills, expiries and rollover across skipped periods. */
const recurringCommandsArb = fc.array(
  fc.oneof(
    { arbitrary: consumeArb.map((c) => (c.kind === 'consume' ? { ...c, pool: 0 as const } : c)), weight: 5 },
    {
      arbitrary: fc.record({
        kind: fc.constant('advance' as const),
        ms: fc.integer({ min: 1, max: 24 * 100 }).map((h) => h * HOUR),
      }),
      weight: 3,
    },
    { arbitrary: advanceToNextArb, weight: 2 },
    { arbitrary: grantArb, weight: 2 },
    { arbitrary: voidArb, weight: 1 },
  ),
  { minLength: 4, maxLength: 25, size: 'max' },
);

/**
 * One pool and little variety (priority 0 or 1, a shared effectiveAt or expireAt or none), with
 * minutes between grants: the later tie-breaks of the burn order (type, effectiveAt, createdAt,
 * id) decide which grant partial consumptions draw on.
 */
const tieBreakCommandsArb = fc.array(
  fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant('grant' as const),
        pool: fc.constant(0 as const),
        amount: halves(40),
        grantType: fc.constantFrom('PAID' as const, 'PROMOTIONAL' as const),
        priority: fc.constantFrom(0, 0, 1),
        effectiveIn: fc.constantFrom(null, 'start' as const),
        expireIn: fc.constantFrom(null, 'fixed' as const),
        key: fc.constant(null),
      }),
      weight: 4,
    },
    { arbitrary: tickArb, weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant('consume' as const),
        pool: fc.constant(0 as const),
        how: fc.constantFrom('part' as const, 'part' as const, 'random' as const),
        amount: halves(20),
        eighths: fc.integer({ min: 1, max: 7 }),
        key: fc.constant(null),
      }),
      weight: 3,
    },
  ),
  { minLength: 5, maxLength: 25, size: 'max' },
);

const noSubscriptionSetupArb: fc.Arbitrary<Setup> = fc.record({
  allowance: fc.constant(null),
  rolloverCap: fc.constant(null),
  pageSize: fc.integer({ min: 3, max: 40 }),
});

const recurringSetupArb: fc.Arbitrary<Setup> = fc.record({
  allowance: fc.constantFrom('100', '40.5'),
  rolloverCap: fc.option(fc.constantFrom('25', '60.5', '150'), { nil: null, freq: 4 }),
  pageSize: fc.integer({ min: 3, max: 40 }),
});

const setupArb: fc.Arbitrary<Setup> = fc.record({
  allowance: fc.option(fc.constantFrom('100', '40.5'), { nil: null, freq: 4 }),
  rolloverCap: fc.option(fc.constantFrom('25', '60.5', '150'), { nil: null, freq: 2 }),
  pageSize: fc.integer({ min: 3, max: 40 }),
});

function catalogFor(setup: Setup): CatalogInput {
  const { allowance, rolloverCap } = setup;
  return creditCatalog(
    allowance === null
      ? {}
      : { planChanges: { pro: { creditEntitlements: monthlyCredits(allowance, rolloverCap ?? undefined) } } },
  );
}

// ───────────────────────────────────────── reference model ─────────────────────────────────────────

const dec = (n: number | string) => new Decimal(n);
const str = (d: Decimal) => (d.isZero() ? '0' : d.toFixed());
const ZERO = new Decimal(0);

/** `ms` plus `n` calendar months in UTC, the day clamped to the target month's last day. */
function addMonths(ms: number, n: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + n;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(
    y,
    m,
    Math.min(d.getUTCDate(), last),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/** The MONTH period `[start, end)` counted from `anchor` (anchor + n months) that contains `t`. */
function periodOf(anchor: number, t: number): { start: number; end: number } {
  let n = 0;
  while (addMonths(anchor, n + 1) <= t) n++;
  return { start: addMonths(anchor, n), end: addMonths(anchor, n + 1) };
}

type GrantType = 'PAID' | 'PROMOTIONAL' | 'RECURRING';

interface MGrant {
  id: string;
  pool: PoolIx;
  grantType: GrantType;
  amount: Decimal;
  consumed: Decimal;
  priority: number;
  effectiveAt: number;
  expireAt: number | null;
  createdAt: number;
  voidedAt: number | null;
  /** RECURRING grants: the period they fund starts here. */
  periodStart: number | null;
}

const TYPE_RANK: Record<GrantType, number> = { PROMOTIONAL: 0, RECURRING: 1, PAID: 2 };
const cmp = (a: number, b: number) => (a < b ? -1 : a > b ? 1 : 0);

/** The burn order written out from the spec: priority, soonest expiry (none last), type, effectiveAt, createdAt, id. */
function burnCompare(
  a: Pick<MGrant, 'id' | 'priority' | 'expireAt' | 'grantType' | 'effectiveAt' | 'createdAt'>,
  b: Pick<MGrant, 'id' | 'priority' | 'expireAt' | 'grantType' | 'effectiveAt' | 'createdAt'>,
): number {
  return (
    cmp(a.priority, b.priority) ||
    cmp(a.expireAt ?? Number.POSITIVE_INFINITY, b.expireAt ?? Number.POSITIVE_INFINITY) ||
    cmp(TYPE_RANK[a.grantType], TYPE_RANK[b.grantType]) ||
    cmp(a.effectiveAt, b.effectiveAt) ||
    cmp(a.createdAt, b.createdAt) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

const isLive = (g: Pick<MGrant, 'voidedAt' | 'effectiveAt' | 'expireAt'>, t: number) =>
  g.voidedAt === null && g.effectiveAt <= t && (g.expireAt === null || t < g.expireAt);

class Model {
  /** Grants the store holds (recurring ones once a write materialised them). */
  grants: MGrant[] = [];
  readonly grantKeys = new Map<string, string>();
  readonly consumeKeys = new Map<string, ConsumeCreditsResult>();
  /** What each pool's ledger sums to: its balance at its last write. */
  readonly ledgerSum: Decimal[] = [ZERO, ZERO, ZERO];
  readonly lastWrite: number[];
  private readonly allowance: Decimal | null;
  private readonly cap: Decimal | null;

  constructor(
    setup: Setup,
    private readonly subscriptionId: string | null,
    private readonly anchor: number,
  ) {
    this.allowance = setup.allowance === null ? null : dec(setup.allowance);
    this.cap = setup.rolloverCap === null ? null : dec(setup.rolloverCap);
    this.lastWrite = [anchor, anchor, anchor];
  }

  /** The RECURRING grant a write to `pool` at `t` would add, if any. */
  dueRecurring(pool: PoolIx, t: number): MGrant | null {
    if (pool !== 0 || this.subscriptionId === null || this.allowance === null || t < this.anchor) return null;
    const { start, end } = periodOf(this.anchor, t);
    let previous: MGrant | undefined;
    for (const g of this.grants) {
      if (g.periodStart === null) continue;
      if (g.periodStart === start) return null;
      if (g.periodStart < start && (previous === undefined || g.periodStart > (previous.periodStart ?? 0)))
        previous = g;
    }
    let carried = ZERO;
    if (previous !== undefined && this.cap !== null) {
      // Left over from the last materialised period; a period nobody refilled counts as wholly unused.
      carried = previous.voidedAt === null ? previous.amount.minus(previous.consumed) : ZERO;
      let boundary = previous.expireAt ?? start;
      while (boundary < start) {
        carried = Decimal.min(this.cap, carried).plus(this.allowance);
        boundary = periodOf(this.anchor, boundary).end;
      }
      carried = Decimal.max(0, Decimal.min(this.cap, carried));
    }
    return {
      id: `recurring:${this.subscriptionId}:${CURRENCY}:${start}`,
      pool: 0,
      grantType: 'RECURRING',
      amount: this.allowance.plus(carried),
      consumed: ZERO,
      priority: 0,
      effectiveAt: start,
      expireAt: end,
      createdAt: t,
      voidedAt: null,
      periodStart: start,
    };
  }

  /** The pool's grants as a read at `t` sees them (a due refill included, not stored). */
  view(pool: PoolIx, t: number): MGrant[] {
    const due = this.dueRecurring(pool, t);
    const grants = this.grants.filter((g) => g.pool === pool);
    return due ? [...grants, due] : grants;
  }

  balance(pool: PoolIx, t: number): Decimal {
    return this.view(pool, t)
      .filter((g) => isLive(g, t))
      .reduce((sum, g) => sum.plus(g.amount.minus(g.consumed)), ZERO);
  }

  /** Live totals at `t`: [amounts, consumed]. */
  totals(pool: PoolIx, t: number): [Decimal, Decimal] {
    const live = this.view(pool, t).filter((g) => isLive(g, t));
    return [live.reduce((s, g) => s.plus(g.amount), ZERO), live.reduce((s, g) => s.plus(g.consumed), ZERO)];
  }

  /**
   * When the pool's balance or totals next change by themselves after `t`: a scheduled grant taking
   * effect, or a live grant expiring, used up or not (its amount leaves both totals).
   */
  nextReset(pool: PoolIx, t: number): number | null {
    const times = this.view(pool, t).flatMap((g) =>
      g.voidedAt !== null ? [] : g.effectiveAt > t ? [g.effectiveAt] : isLive(g, t) && g.expireAt ? [g.expireAt] : [],
    );
    return times.length === 0 ? null : Math.min(...times);
  }

  /** The draws a consumption of `amount` at `t` makes, in burn order; null when the balance cannot cover it. */
  draws(pool: PoolIx, t: number, amount: Decimal): { grant: MGrant; take: Decimal }[] | null {
    const live = this.view(pool, t)
      .filter((g) => isLive(g, t) && g.amount.gt(g.consumed))
      .sort(burnCompare);
    const available = live.reduce((s, g) => s.plus(g.amount.minus(g.consumed)), ZERO);
    if (amount.gt(available)) return null;
    const out: { grant: MGrant; take: Decimal }[] = [];
    let left = amount;
    for (const grant of live) {
      if (left.isZero()) break;
      const take = Decimal.min(left, grant.amount.minus(grant.consumed));
      left = left.minus(take);
      out.push({ grant, take });
    }
    return out;
  }

  /** A successful write to `pool` at `t` begins by storing the refill due. */
  materialise(pool: PoolIx, t: number): void {
    const due = this.dueRecurring(pool, t);
    if (due) this.grants.push(due);
  }

  /** ...and leaves the pool's ledger summing to its balance at `t`. */
  written(pool: PoolIx, t: number): void {
    this.ledgerSum[pool] = this.balance(pool, t);
    this.lastWrite[pool] = t;
  }

  /** A read of stored history first stores what time did to every pool (see getCreditLedger). */
  settle(t: number): void {
    for (const pool of POOLS) {
      this.materialise(pool, t);
      this.written(pool, t);
    }
  }

  /** The next instant after `t` the balance of some pool changes by itself. */
  nextChange(t: number): number | null {
    const times: number[] = [];
    for (const g of this.grants) {
      if (g.voidedAt !== null) continue;
      if (g.effectiveAt > t) times.push(g.effectiveAt);
      if (g.expireAt !== null && g.expireAt > t) times.push(g.expireAt);
    }
    if (this.subscriptionId !== null && this.allowance !== null) times.push(periodOf(this.anchor, t).end);
    return times.length === 0 ? null : Math.min(...times);
  }

  status(g: MGrant, t: number): CreditGrant['status'] {
    if (g.voidedAt !== null) return 'VOIDED';
    if (g.expireAt !== null && g.expireAt <= t) return 'EXPIRED';
    if (g.effectiveAt > t) return 'SCHEDULED';
    return 'ACTIVE';
  }
}

// ───────────────────────────────────────── reading everything back ─────────────────────────────────────────

interface Snapshot {
  now: number;
  ledger: CreditLedgerItem[];
  grants: CreditGrant[];
  byId: Map<string, CreditGrant>;
  balances: CreditEntitlement[];
}

async function readLedger(allot: Allot, pageSize: number): Promise<CreditLedgerItem[]> {
  const entries: CreditLedgerItem[] = [];
  let after: string | undefined;
  for (let pages = 0; ; pages++) {
    expect(pages).toBeLessThan(1000);
    const page = await allot.getCreditLedger({
      customerId: CUSTOMER,
      paging: { first: pageSize, ...(after === undefined ? {} : { after }) },
    });
    expect(page.data.length).toBeLessThanOrEqual(pageSize);
    entries.push(...page.data);
    if (!page.pageInfo.hasNextPage) break;
    expect(page.pageInfo.endCursor).not.toBeNull();
    after = page.pageInfo.endCursor ?? undefined;
  }
  return entries;
}

/** Every grant, page by page; each page's count and cursor checked against the whole list. */
async function readGrants(allot: Allot, pageSize: number): Promise<CreditGrant[]> {
  const grants: CreditGrant[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await allot.getCreditGrants({
      customerId: CUSTOMER,
      paging: { first: pageSize, ...(after === undefined ? {} : { after }) },
    });
    expect(page.data.length).toBeLessThanOrEqual(pageSize);
    grants.push(...page.data);
    expect(page.totalCount).toBeGreaterThanOrEqual(grants.length);
    if (!page.pageInfo.hasNextPage) {
      expect(page.totalCount).toBe(grants.length);
      return grants;
    }
    after = page.pageInfo.endCursor ?? undefined;
  }
}

async function snapshot(allot: Allot, now: number, pageSize: number): Promise<Snapshot> {
  const ledger = await readLedger(allot, pageSize);
  const grants = await readGrants(allot, pageSize);
  const balances: CreditEntitlement[] = [];
  for (const resourceId of RESOURCES)
    balances.push(
      await allot.getCreditEntitlement({
        customerId: CUSTOMER,
        currencyId: CURRENCY,
        ...(resourceId === null ? {} : { resourceId }),
      }),
    );
  return { now, ledger, grants, byId: new Map(grants.map((g) => [g.id, g])), balances };
}

const poolOf = (resourceId: string | null): PoolIx => {
  const ix = RESOURCES.indexOf(resourceId as (typeof RESOURCES)[number]);
  expect(ix, `unknown resource ${resourceId}`).toBeGreaterThanOrEqual(0);
  return ix as PoolIx;
};
const ledgerOf = (snap: Snapshot, pool: PoolIx) => snap.ledger.filter((e) => e.resourceId === RESOURCES[pool]);
const sumOf = (entries: readonly CreditLedgerItem[]) => entries.reduce((s, e) => s.plus(dec(e.amount)), ZERO);
const grantsOf = (snap: Snapshot, pool: PoolIx) => snap.grants.filter((g) => g.resourceId === RESOURCES[pool]);

/** Invariants 1, 2 and 5 from the API alone, plus the model's grants and balances. */
function checkState(model: Model, snap: Snapshot): void {
  const now = snap.now;

  // The grants the store holds are the model's, field by field.
  expect(snap.grants.map((g) => g.id).sort()).toEqual(model.grants.map((g) => g.id).sort());
  for (const m of model.grants) {
    const g = snap.byId.get(m.id);
    expect({
      id: g?.id,
      resourceId: g?.resourceId,
      currencyId: g?.currencyId,
      grantType: g?.grantType,
      status: g?.status,
      amount: g && str(dec(g.amount)),
      consumedAmount: g && str(dec(g.consumedAmount)),
      priority: g?.priority,
      effectiveAt: g?.effectiveAt.getTime(),
      expireAt: g?.expireAt?.getTime() ?? null,
      createdAt: g?.createdAt.getTime(),
      voidedAt: g?.voidedAt?.getTime() ?? null,
    }).toEqual({
      id: m.id,
      resourceId: RESOURCES[m.pool],
      currencyId: CURRENCY,
      grantType: m.grantType,
      status: model.status(m, now),
      amount: str(m.amount),
      consumedAmount: str(m.consumed),
      priority: m.priority,
      effectiveAt: m.effectiveAt,
      expireAt: m.expireAt,
      createdAt: m.createdAt,
      voidedAt: m.voidedAt,
    });
    expect(m.consumed.lte(m.amount)).toBe(true);
  }

  for (const pool of POOLS) {
    const entitlement = snap.balances[pool];
    const entries = ledgerOf(snap, pool);
    const ledgerSum = sumOf(entries);
    // The model's balance (a due refill included) is what the API shows ...
    expect(str(dec(entitlement?.currentBalance ?? Number.NaN)), `balance of pool ${pool}`).toBe(
      str(model.balance(pool, now)),
    );
    const [granted, consumed] = model.totals(pool, now);
    expect([entitlement?.totalGranted, entitlement?.totalConsumed]).toEqual([granted.toNumber(), consumed.toNumber()]);
    expect(entitlement?.nextResetDate?.getTime() ?? null, `next reset of pool ${pool}`).toBe(
      model.nextReset(pool, now),
    );
    // ... and the ledger, read at the same instant, sums to it (invariant 1) ...
    expect(str(ledgerSum), `ledger of pool ${pool}`).toBe(str(model.ledgerSum[pool] ?? ZERO));
    expect(str(ledgerSum), `ledger of pool ${pool} vs currentBalance`).toBe(
      str(dec(entitlement?.currentBalance ?? Number.NaN)),
    );
    // ... as each grant's entries sum to what is left of it while live, 0 otherwise.
    for (const g of grantsOf(snap, pool)) {
      const own = sumOf(entries.filter((e) => e.grantId === g.id));
      const left = g.status === 'ACTIVE' ? dec(g.amount).minus(dec(g.consumedAmount)) : ZERO;
      expect(str(own), `ledger of grant ${g.id}`).toBe(str(left));
    }
  }

  // Invariant 2 (and 5 at the ledger level): a consumption draws only on a grant of its own pool,
  // after the grant took effect, before it expired and not after it was voided.
  const firstAt = new Map<string, Map<string, number>>();
  snap.ledger.forEach((e, i) => {
    expect(e.currencyId).toBe(CURRENCY);
    poolOf(e.resourceId);
    expect(['CREDITS_GRANTED', 'CREDITS_CONSUMED', 'CREDITS_EXPIRED', 'CREDITS_VOIDED']).toContain(e.eventType);
    if (e.grantId === null) return;
    const seen = firstAt.get(e.grantId) ?? new Map<string, number>();
    firstAt.set(e.grantId, seen);
    if (e.eventType !== 'CREDITS_CONSUMED') {
      expect(seen.has(e.eventType), `${e.eventType} twice for ${e.grantId}`).toBe(false);
      seen.set(e.eventType, i);
    }
  });
  snap.ledger.forEach((e, i) => {
    if (e.grantId === null) return;
    const g = snap.byId.get(e.grantId);
    expect(g, `ledger entry on unknown grant ${e.grantId}`).toBeDefined();
    if (!g) return;
    expect(e.resourceId).toBe(g.resourceId);
    if (e.eventType !== 'CREDITS_CONSUMED') return;
    const t = e.timestamp.getTime();
    const seen = firstAt.get(g.id) ?? new Map<string, number>();
    expect(e.amount).toBeLessThan(0);
    expect(t).toBeGreaterThanOrEqual(g.effectiveAt.getTime());
    expect(t).toBeGreaterThanOrEqual(g.createdAt.getTime());
    if (g.expireAt) expect(t).toBeLessThan(g.expireAt.getTime());
    if (g.voidedAt) expect(t).toBeLessThanOrEqual(g.voidedAt.getTime());
    expect(seen.get('CREDITS_GRANTED') ?? Number.POSITIVE_INFINITY).toBeLessThan(i);
    expect(seen.get('CREDITS_VOIDED') ?? Number.POSITIVE_INFINITY).toBeGreaterThan(i);
    expect(seen.get('CREDITS_EXPIRED') ?? Number.POSITIVE_INFINITY).toBeGreaterThan(i);
  });
}

/** Nothing changed between two snapshots at the same instant. */
function expectUnchanged(before: Snapshot, after: Snapshot): void {
  expect(after.ledger).toEqual(before.ledger);
  expect(after.grants).toEqual(before.grants);
  expect(after.balances).toEqual(before.balances);
}

/** Invariant 5: a write to `target` (null: none) leaves every other pool's ledger and balance alone. */
function expectOthersUntouched(before: Snapshot, after: Snapshot, target: PoolIx | null): void {
  for (const pool of POOLS) {
    if (pool === target) continue;
    expect(ledgerOf(after, pool), `ledger of untouched pool ${pool}`).toEqual(ledgerOf(before, pool));
    expect(after.balances[pool], `balance of untouched pool ${pool}`).toEqual(before.balances[pool]);
    expect(grantsOf(after, pool)).toEqual(grantsOf(before, pool));
  }
}

/**
 * Invariant 3 from the API alone: the consumption's entries follow the burn order, and no grant
 * was drawn while a live grant earlier in the order kept a remainder.
 */
function expectBurnOrder(after: Snapshot, pool: PoolIx, entries: readonly CreditLedgerItem[]): void {
  const key = (g: CreditGrant) => ({
    id: g.id,
    priority: g.priority,
    expireAt: g.expireAt?.getTime() ?? null,
    grantType: g.grantType,
    effectiveAt: g.effectiveAt.getTime(),
    createdAt: g.createdAt.getTime(),
  });
  const live = grantsOf(after, pool)
    .filter((g) => g.status === 'ACTIVE')
    .sort((a, b) => burnCompare(key(a), key(b)));
  const position = new Map(live.map((g, i) => [g.id, i]));
  const drawn = entries.map((e) => position.get(e.grantId ?? '') ?? -1);
  expect(drawn.every((i) => i >= 0)).toBe(true);
  expect(drawn).toEqual([...drawn].sort((a, b) => a - b));
  const last = Math.max(-1, ...drawn);
  for (const g of live.slice(0, last))
    expect(str(dec(g.amount).minus(dec(g.consumedAmount))), `grant ${g.id} skipped in burn order`).toBe('0');
}

// ───────────────────────────────────────── the runner ─────────────────────────────────────────

async function errorOf(promise: Promise<unknown>): Promise<AllotError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AllotError);
    return error as AllotError;
  }
}

class Run {
  private step = 0;
  private readonly start: number;
  /** The balance events of the current command. */
  private readonly events: CreditBalanceUpdatedEvent[] = [];
  /** The pool the current command changed, if it changed one. */
  private changed: PoolIx | null = null;

  constructor(
    readonly h: Harness,
    readonly model: Model,
    readonly setup: Setup,
    public snap: Snapshot,
  ) {
    this.start = snap.now;
    h.allot.addListener('creditBalanceUpdated', (e) => this.events.push(e));
  }

  /**
   * Every balance event of the command shows the model's balance and totals at its instant (pools
   * hold only live grants, the model every grant ever made), and a command that changed a pool
   * announced it.
   */
  private checkEvents(): void {
    const now = this.h.clock.now();
    const announced = this.events.splice(0).map((e) => {
      const pool = poolOf(e.resourceId);
      const [granted, consumed] = this.model.totals(pool, now);
      expect([e.currentBalance, e.totalGranted, e.totalConsumed], `event of pool ${pool}`).toEqual([
        this.model.balance(pool, now).toNumber(),
        granted.toNumber(),
        consumed.toNumber(),
      ]);
      return pool;
    });
    if (this.changed !== null) expect(announced).toContain(this.changed);
    this.changed = null;
  }

  read(allot: Allot = this.h.allot): Promise<Snapshot> {
    this.model.settle(this.h.clock.now());
    return snapshot(allot, this.h.clock.now(), this.setup.pageSize);
  }

  async exec(cmd: Cmd): Promise<void> {
    this.step++;
    const before = this.snap;
    switch (cmd.kind) {
      case 'grant':
        await this.grant(cmd, before);
        break;
      case 'consume':
        await this.consume(cmd, before);
        break;
      case 'void':
        await this.voidGrant(cmd, before);
        break;
      case 'advance':
      case 'advanceToNext': {
        const now = this.h.clock.now();
        let ms = cmd.kind === 'advance' ? cmd.ms : HOUR;
        if (cmd.kind === 'advanceToNext') {
          const next = this.model.nextChange(now);
          if (next !== null && next + cmd.delta > now) ms = next + cmd.delta - now;
        }
        this.h.clock.advance(ms);
        this.snap = await this.read();
        // Time only appends what fell due: the ledger is append-only.
        expect(this.snap.ledger.slice(0, before.ledger.length)).toEqual(before.ledger);
        break;
      }
    }
    checkState(this.model, this.snap);
    this.checkEvents();
  }

  private async grant(cmd: GrantCmd, before: Snapshot): Promise<void> {
    const { model } = this;
    const now = this.h.clock.now();
    const resourceId = RESOURCES[cmd.pool];
    const effectiveAt =
      cmd.effectiveIn === null ? undefined : cmd.effectiveIn === 'start' ? this.start : now + cmd.effectiveIn;
    const base = Math.max(now, effectiveAt ?? now);
    const fixed = this.start + 30 * 24 * HOUR;
    const expireAt =
      cmd.expireIn === null
        ? undefined
        : cmd.expireIn === 'fixed'
          ? fixed > base
            ? fixed
            : base + HOUR
          : base + cmd.expireIn;
    const replayOf = cmd.key === null ? undefined : model.grantKeys.get(cmd.key);
    const grant = await this.h.allot.grantCredits({
      customerId: CUSTOMER,
      currencyId: CURRENCY,
      amount: cmd.amount,
      displayName: `grant ${this.step}`,
      grantType: cmd.grantType,
      priority: cmd.priority,
      ...(resourceId === null ? {} : { resourceId }),
      ...(effectiveAt === undefined ? {} : { effectiveAt }),
      ...(expireAt === undefined ? {} : { expireAt }),
      ...(cmd.key === null ? {} : { idempotencyKey: cmd.key }),
    });
    this.snap = await this.read();
    if (replayOf !== undefined) {
      // Invariant 4: the same grant again, and nothing changes (whatever the repeat asked for).
      expect(grant.id).toBe(replayOf);
      expect(grant).toEqual(this.snap.byId.get(replayOf));
      expectUnchanged(before, this.snap);
      return;
    }
    expect(model.grants.some((g) => g.id === grant.id)).toBe(false);
    model.materialise(cmd.pool, now);
    model.grants.push({
      id: grant.id,
      pool: cmd.pool,
      grantType: cmd.grantType,
      amount: dec(cmd.amount),
      consumed: ZERO,
      priority: cmd.priority,
      effectiveAt: effectiveAt ?? now,
      expireAt: expireAt ?? null,
      createdAt: now,
      voidedAt: null,
      periodStart: null,
    });
    model.written(cmd.pool, now);
    this.changed = cmd.pool;
    if (cmd.key !== null) model.grantKeys.set(cmd.key, grant.id);
    expect(grant).toEqual(this.snap.byId.get(grant.id));
    expectOthersUntouched(before, this.snap, cmd.pool);
  }

  private async consume(cmd: ConsumeCmd, before: Snapshot): Promise<void> {
    const { model } = this;
    const now = this.h.clock.now();
    const resourceId = RESOURCES[cmd.pool];
    const balance = model.balance(cmd.pool, now);
    const part = balance.times(cmd.eighths).div(8).times(2).floor().div(2); // rounded down to a half
    const amount =
      cmd.how === 'over'
        ? balance.plus(dec(cmd.amount))
        : cmd.how === 'exact' && balance.gt(0)
          ? balance
          : cmd.how === 'part' && part.gt(0)
            ? part
            : dec(cmd.amount);
    const key = cmd.key ?? `u${this.step}`;
    const prior = model.consumeKeys.get(key);
    const params = {
      customerId: CUSTOMER,
      currencyId: CURRENCY,
      amount: amount.toNumber(),
      idempotencyKey: key,
      ...(resourceId === null ? {} : { resourceId }),
    };
    let result: ConsumeCreditsResult | undefined;
    const error = await errorOf(
      this.h.allot.consumeCredits(params).then((r) => {
        result = r;
      }),
    );
    this.snap = await this.read();

    if (prior !== undefined) {
      // Invariant 4: a repeated key answers the first result and deducts nothing again.
      expect(error).toBeUndefined();
      if (prior.resourceId === resourceId) expect(result).toEqual(prior);
      else {
        // The key was first spent on another pool: the totals are the first consumption's; the
        // pool named in the answer echoes the repeat's own request.
        const { amount: a, timestamp: t, credit } = prior;
        expect(result).toMatchObject({ amount: a, timestamp: t, credit });
      }
      expectUnchanged(before, this.snap);
      return;
    }
    const draws = model.draws(cmd.pool, now, amount);
    if (draws === null) {
      expect(error?.code, `consume ${str(amount)} of ${str(balance)}`).toBe('INSUFFICIENT_CREDITS');
      expectUnchanged(before, this.snap);
      return;
    }
    expect(error).toBeUndefined();
    model.materialise(cmd.pool, now);
    for (const { grant, take } of draws) {
      // The draws name the view's grants; a due refill is the one just stored.
      const stored = model.grants.find((g) => g.id === grant.id);
      expect(stored).toBeDefined();
      if (stored) stored.consumed = stored.consumed.plus(take);
    }
    model.written(cmd.pool, now);
    this.changed = cmd.pool;
    const [granted, consumed] = model.totals(cmd.pool, now);
    expect(result).toEqual({
      customerId: CUSTOMER,
      currencyId: CURRENCY,
      resourceId,
      amount: amount.toNumber(),
      timestamp: new Date(now),
      credit: {
        currencyId: CURRENCY,
        currentUsage: consumed.toNumber(),
        usageLimit: granted.toNumber(),
        timestamp: new Date(now),
      },
    });
    if (result) model.consumeKeys.set(key, result);

    // Invariant 3: exactly the model's draws, in burn order, one entry per grant.
    const entries = this.snap.ledger.filter((e) => e.idempotencyKey === key && e.eventType === 'CREDITS_CONSUMED');
    expect(entries.map((e) => [e.grantId, str(dec(e.amount)), e.resourceId, e.timestamp.getTime()])).toEqual(
      draws.map((d) => [d.grant.id, str(d.take.neg()), resourceId, now]),
    );
    expectBurnOrder(this.snap, cmd.pool, entries);
    expectOthersUntouched(before, this.snap, cmd.pool);
  }

  private async voidGrant(cmd: VoidCmd, before: Snapshot): Promise<void> {
    const { model } = this;
    const now = this.h.clock.now();
    const candidates = model.grants;
    const target = cmd.pick < 0 || candidates.length === 0 ? undefined : candidates[cmd.pick % candidates.length];
    const id = target?.id ?? 'grant-does-not-exist';
    let voided: CreditGrant | undefined;
    const error = await errorOf(
      this.h.allot.voidCreditGrant({ id }).then((g) => {
        voided = g;
      }),
    );
    this.snap = await this.read();
    const expected =
      target === undefined
        ? 'CREDIT_GRANT_NOT_FOUND'
        : target.voidedAt !== null
          ? 'CREDIT_GRANT_VOIDED'
          : target.expireAt !== null && target.expireAt <= now
            ? 'CREDIT_GRANT_EXPIRED'
            : undefined;
    if (expected !== undefined || target === undefined) {
      expect(error?.code, `void ${id}`).toBe(expected);
      expectUnchanged(before, this.snap);
      return;
    }
    expect(error).toBeUndefined();
    const remainder = isLive(target, now) ? target.amount.minus(target.consumed) : ZERO;
    model.materialise(target.pool, now);
    target.voidedAt = now;
    model.written(target.pool, now);
    this.changed = target.pool;
    expect(voided).toEqual(this.snap.byId.get(id));
    expect(voided?.status).toBe('VOIDED');
    const entries = this.snap.ledger.filter((e) => e.grantId === id && e.eventType === 'CREDITS_VOIDED');
    expect(entries.map((e) => [str(dec(e.amount)), e.timestamp.getTime()])).toEqual([[str(remainder.neg()), now]]);
    expectOthersUntouched(before, this.snap, target.pool);
  }
}

async function runSequence(fixture: StoreFixture, setup: Setup, cmds: readonly Cmd[]): Promise<void> {
  const h = await harness(fixture, { catalog: catalogFor(setup) });
  try {
    await h.allot.provisionCustomer({ customerId: CUSTOMER });
    let subscriptionId: string | null = null;
    if (setup.allowance !== null) {
      const { subscription } = await h.allot.provisionSubscription({
        customerId: CUSTOMER,
        planId: 'pro',
        skipTrial: true,
      });
      subscriptionId = subscription.id;
    }
    const model = new Model(setup, subscriptionId, h.clock.now());
    model.settle(h.clock.now());
    const run = new Run(h, model, setup, await snapshot(h.allot, h.clock.now(), setup.pageSize));
    checkState(model, run.snap);
    for (const cmd of cmds) await run.exec(cmd);

    // Invariant 6: a fresh engine over the same data (a new process, for SQLite) sees the same.
    const reopened = await h.reopen();
    const again = await run.read(reopened);
    expect(again).toEqual(run.snap);
    checkState(model, again);
  } finally {
    await h.close();
  }
}

describe.each(stores)('credit properties ($name)', (fixture) => {
  it('random grants, consumptions, voids and clock moves match the reference model at every step', async () => {
    await fc.assert(
      fc.asyncProperty(setupArb, commandsArb, (setup, cmds) => runSequence(fixture, setup, cmds)),
      { numRuns: propertyRuns(fixture, 40) },
    );
  });

  it('partial consumptions follow every tie-break of the burn order', async () => {
    await fc.assert(
      fc.asyncProperty(noSubscriptionSetupArb, tieBreakCommandsArb, (setup, cmds) => runSequence(fixture, setup, cmds)),
      { numRuns: propertyRuns(fixture, 25) },
    );
  });

  it('recurring credits refill, expire and roll over as the model says across long clock jumps', async () => {
    await fc.assert(
      fc.asyncProperty(recurringSetupArb, recurringCommandsArb, (setup, cmds) => runSequence(fixture, setup, cmds)),
      { numRuns: propertyRuns(fixture, 25) },
    );
  });

  // Regressions, each kept to its smallest case.
  const pool = { customerId: CUSTOMER, currencyId: CURRENCY };

  it('voiding a RECURRING grant sticks: its period is not granted again, the next one is', async () => {
    const h = await harness(fixture, {
      catalog: catalogFor({ allowance: '100', rolloverCap: '50', pageSize: 100 }),
    });
    try {
      await h.allot.provisionCustomer({ customerId: CUSTOMER });
      await h.allot.provisionSubscription({ customerId: CUSTOMER, planId: 'pro', skipTrial: true });
      await h.allot.consumeCredits({ ...pool, amount: 1, idempotencyKey: 'a' }); // stores the period's grant
      const [recurring] = (await h.allot.getCreditGrants({ customerId: CUSTOMER })).data;
      expect(recurring?.grantType).toBe('RECURRING');
      await h.allot.voidCreditGrant({ id: recurring?.id ?? '' });
      expect((await h.allot.getCreditEntitlement(pool)).currentBalance).toBe(0);
      expect(await codeOf(h.allot.consumeCredits({ ...pool, amount: 1, idempotencyKey: 'b' }))).toBe(
        'INSUFFICIENT_CREDITS',
      );
      expect(await codeOf(h.allot.voidCreditGrant({ id: recurring?.id ?? '' }))).toBe('CREDIT_GRANT_VOIDED');
      // The next period refills in full, and a voided period rolls nothing over.
      h.clock.set(recurring?.expireAt ?? new Date(0));
      expect((await h.allot.getCreditEntitlement(pool)).currentBalance).toBe(100);
      await h.allot.consumeCredits({ ...pool, amount: 1, idempotencyKey: 'c' });
      const grants = (await h.allot.getCreditGrants({ customerId: CUSTOMER })).data;
      expect(grants.map((g) => [g.status, g.amount])).toEqual([
        ['VOIDED', 100],
        ['ACTIVE', 100],
      ]);
      const ledger = (await h.allot.getCreditLedger({ customerId: CUSTOMER })).data;
      expect(ledger.filter((e) => e.eventType === 'CREDITS_GRANTED')).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  it('idempotency keys are per operation: a grant and a consumption may share one', async () => {
    const h = await harness(fixture, { catalog: catalogFor({ allowance: null, rolloverCap: null, pageSize: 100 }) });
    try {
      await h.allot.provisionCustomer({ customerId: CUSTOMER });
      const first = await h.allot.grantCredits({ ...pool, amount: 10, displayName: 'x', idempotencyKey: 'k' });
      expect((await h.allot.consumeCredits({ ...pool, amount: 3, idempotencyKey: 'k' })).amount).toBe(3);
      // Each repeat answers its own first result and changes nothing.
      expect((await h.allot.grantCredits({ ...pool, amount: 99, displayName: 'y', idempotencyKey: 'k' })).id).toBe(
        first.id,
      );
      expect((await h.allot.consumeCredits({ ...pool, amount: 5, idempotencyKey: 'k' })).amount).toBe(3);
      expect((await h.allot.getCreditEntitlement(pool)).currentBalance).toBe(7);
    } finally {
      await h.close();
    }
  });
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return (await errorOf(promise))?.code;
}
