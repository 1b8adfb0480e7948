// A pool's transitions in time order: grants taking effect and expiring, recurring grants
// refilling at their boundaries and the pool resetting at its scheduled ones, each written to the
// ledger as it happens. Pure: the input is never mutated.
import { dec, decimalString } from '../money/amount.js';
import { Decimal } from '../money/money.js';
import { compareBurnOrder } from './burn-order.js';
import type { CreditGrantRecord, CreditLedgerEntry } from './credit-records.js';
import { boundaryAfter, boundaryFrom, type Recurrence, recurrencePeriod } from './recurrence.js';
import { type CreditResetSchedule, keptAtReset, type OverageAtReset, type RolloverRule } from './rollover.js';

/** The pool fields every ledger entry carries. */
export type PoolKeyFields = Pick<CreditLedgerEntry, 'customerId' | 'currencyId' | 'resourceId'>;

type EntryFields = Omit<CreditLedgerEntry, 'customerId' | 'currencyId' | 'resourceId' | 'amount'> & {
  amount: Decimal;
};

/** A ledger entry of the pool `key`. */
export function ledgerEntry(key: PoolKeyFields, fields: EntryFields): CreditLedgerEntry {
  return {
    ...fields,
    customerId: key.customerId,
    currencyId: key.currencyId,
    resourceId: key.resourceId,
    amount: decimalString(fields.amount),
  };
}

/** What the timeline moves: the grants, the debt and the reset schedule. */
export interface PoolTimeline {
  readonly grants: readonly CreditGrantRecord[];
  /** Decimal string, 0 or more. */
  readonly debt: string;
  readonly schedule: CreditResetSchedule | null;
}

/** The kinds of transition, in the order they apply at one instant. */
export const EXPIRE = 0;
const RESET = 1;
/** Taking effect and refilling share a rank: between grants, the burn order decides. */
export const ACTIVATE = 2;
const REFILL = 2;

/** A grant's transition at a known instant: taking effect or expiring (refills are found as they come). */
export interface DueTransition {
  readonly at: number;
  readonly kind: typeof EXPIRE | typeof ACTIVATE;
  readonly index: number;
}

/** A reset of the pool: its id names its ledger entries. */
export interface PoolReset {
  readonly id: string;
  /** For grants without a rule of their own; null: nothing of theirs rolls over. */
  readonly rollover: RolloverRule | null;
  readonly overage: OverageAtReset;
}

/** What a reset did: the remainders kept and cut, and the debt forgiven and left. */
export interface ResetOutcome {
  readonly kept: Decimal;
  readonly cut: Decimal;
  readonly forgiven: Decimal;
}

/** The timeline after a run, and the ledger entries it wrote, in order. */
export interface TimelineChange extends PoolTimeline {
  readonly entries: readonly CreditLedgerEntry[];
}

/** True when a recurring grant is still refilled at `at`: it took effect before and has not expired by then. */
const refillsAt = (grant: CreditGrantRecord, at: number) =>
  grant.activatedAt !== null && grant.activatedAt < at && (grant.expireAt === null || at < grant.expireAt);

/** The timeline as it changes, copy on write, with the entries written so far. */
class Working {
  grants: CreditGrantRecord[];
  debt: Decimal;
  schedule: CreditResetSchedule | null;
  readonly entries: CreditLedgerEntry[] = [];
  #copied = false;
  changed = false;

  constructor(
    private readonly key: PoolKeyFields,
    state: PoolTimeline,
    private readonly now: number,
  ) {
    this.grants = state.grants as CreditGrantRecord[];
    this.debt = dec(state.debt);
    this.schedule = state.schedule;
  }

  grant(index: number): CreditGrantRecord {
    return this.grants[index] as CreditGrantRecord;
  }

  set(index: number, fields: Partial<CreditGrantRecord>): void {
    if (!this.#copied) {
      this.grants = [...this.grants];
      this.#copied = true;
    }
    this.grants[index] = { ...this.grant(index), ...fields, updatedAt: this.now };
    this.changed = true;
  }

  entry(fields: EntryFields): void {
    this.entries.push(ledgerEntry(this.key, fields));
  }

  expire(index: number, at: number): void {
    const grant = this.grant(index);
    // A grant can only reach its expiry after taking effect (expireAt > effectiveAt, createdAt);
    // one that never took effect, or was voided, leaves no credits to remove.
    const remainder =
      grant.activatedAt === null || grant.voidedAt !== null ? new Decimal(0) : dec(grant.amount).minus(grant.consumed);
    if (remainder.gt(0))
      this.entry({
        id: `${grant.id}:expired`,
        grantId: grant.id,
        eventType: 'CREDITS_EXPIRED',
        amount: remainder.neg(),
        at,
      });
    this.set(index, { expiredAt: at });
  }

  activate(index: number, at: number): void {
    const grant = this.grant(index);
    this.entry({
      id: `${grant.id}:granted`,
      grantId: grant.id,
      eventType: 'CREDITS_GRANTED',
      amount: dec(grant.amount),
      at,
    });
    this.set(index, { activatedAt: at, consumed: this.settle(grant, dec(grant.consumed), at, '') });
  }

  /** Refills a recurring grant to its amount at its boundary `at`, which then pays debt first; true if it gave anything. */
  refill(index: number, at: number): boolean {
    const grant = this.grant(index);
    const given = dec(grant.consumed);
    if (given.gt(0))
      this.entry({
        id: `${grant.id}:refilled@${at}`,
        grantId: grant.id,
        eventType: 'CREDITS_REFILLED',
        amount: given,
        at,
      });
    this.set(index, { refilledAt: at, consumed: this.settle(grant, new Decimal(0), at, `@${at}`) });
    return given.gt(0);
  }

  /** A grant taking effect or refilled pays the debt off first: the `DEBT_SETTLED` pair; returns its new `consumed`. */
  private settle(grant: CreditGrantRecord, consumed: Decimal, at: number, suffix: string): string {
    const settled = Decimal.min(this.debt, dec(grant.amount).minus(consumed));
    if (!settled.gt(0)) return decimalString(consumed);
    this.debt = this.debt.minus(settled);
    const id = `${grant.id}:settled${suffix}`;
    this.entry({ id, grantId: grant.id, eventType: 'DEBT_SETTLED', amount: settled.neg(), at });
    this.entry({
      id: `${id}:debt`,
      grantId: null,
      eventType: 'DEBT_SETTLED',
      amount: settled,
      at,
      relatedGrantId: grant.id,
    });
    return decimalString(consumed.plus(settled));
  }

  /**
   * Resets the pool at `at`: each live grant keeps what its rule (or the reset's) lets it keep, the
   * rest is cut (`CREDITS_RESET`), and forgiven debt is written off (`DEBT_FORGIVEN`). With
   * `refillsFollow`, a recurring grant refilled at this very instant is left alone: its refill,
   * which comes next, gives it its amount whatever the reset left. Returns the indexes it cut, and
   * whether it spared a grant that a reset at another instant would cut.
   */
  reset(
    reset: PoolReset,
    at: number,
    refillsFollow: boolean,
  ): ResetOutcome & { readonly cutIndexes: number[]; readonly spared: boolean } {
    let kept = new Decimal(0);
    let cut = new Decimal(0);
    let spared = false;
    const cutIndexes: number[] = [];
    const live = this.grants
      .map((grant, index) => ({ grant, index }))
      .filter(({ grant }) => grant.activatedAt !== null && grant.expiredAt === null && grant.voidedAt === null)
      .sort((a, b) => compareBurnOrder(a.grant, b.grant));
    for (const { grant, index } of live) {
      const remainder = dec(grant.amount).minus(grant.consumed);
      const keep = keptAtReset(grant.rollover ?? reset.rollover, grant.amount, remainder);
      const take = remainder.minus(keep);
      if (
        refillsFollow &&
        grant.recurrence !== null &&
        boundaryFrom(grant.recurrence, at) === at &&
        refillsAt(grant, at)
      ) {
        spared ||= take.gt(0);
        continue;
      }
      kept = kept.plus(keep);
      if (!take.gt(0)) continue;
      cut = cut.plus(take);
      cutIndexes.push(index);
      this.entry({
        id: `${grant.id}:${reset.id}`,
        grantId: grant.id,
        eventType: 'CREDITS_RESET',
        amount: take.neg(),
        at,
      });
      this.set(index, { consumed: decimalString(dec(grant.consumed).plus(take)) });
    }
    const forgiven = reset.overage === 'FORGIVE' ? this.debt : new Decimal(0);
    if (forgiven.gt(0)) {
      this.entry({ id: `${reset.id}:forgiven`, grantId: null, eventType: 'DEBT_FORGIVEN', amount: forgiven, at });
      this.debt = new Decimal(0);
      this.changed = true;
    }
    return { kept, cut, forgiven, cutIndexes, spared };
  }

  setSchedule(schedule: CreditResetSchedule): void {
    this.schedule = schedule;
    this.changed = true;
  }

  result(): TimelineChange {
    return { grants: this.grants, debt: decimalString(this.debt), schedule: this.schedule, entries: this.entries };
  }
}

/** The id of the scheduled reset of a pool at `at`, which names its ledger entries. */
function scheduledResetId(key: PoolKeyFields, at: number): string {
  return `reset@${at}:${key.currencyId}${key.resourceId === null ? '' : `:${key.resourceId}`}`;
}

/**
 * Runs the pool's timeline up to `now`: the `due` transitions (taking effect, expiring), and the
 * refills and scheduled resets they interleave with, in time order (at one instant: expiries, then
 * the reset, then grants taking effect and refills, in burn order). A refill or reset that would
 * change nothing is skipped, and a skipped one wakes again only once something it would change
 * has happened, so a run costs by what changed, not by the boundaries passed. At the end every
 * recurring grant and the schedule are marked through the last boundary passed, so a later run
 * never refills or resets again at an instant before what was written since. Null when nothing changed.
 */
export function runTimeline(
  key: PoolKeyFields,
  state: PoolTimeline,
  due: readonly DueTransition[],
  now: number,
): TimelineChange | null {
  const w = new Working(key, state, now);
  const live = (grant: CreditGrantRecord, at: number) =>
    grant.voidedAt === null && grant.expiredAt === null && refillsAt(grant, at);
  // Each recurring grant with credits given up refills at its next boundary; one with none waits.
  const refills = new Map<number, number>();
  const wake = (index: number, at: number, from: (r: Recurrence, t: number) => number) => {
    const grant = w.grant(index);
    const next = grant.recurrence !== null && dec(grant.consumed).gt(0) ? from(grant.recurrence, at) : null;
    if (next !== null && next <= now && live(grant, next)) refills.set(index, next);
    else refills.delete(index);
  };
  state.grants.forEach((grant, index) => {
    if (grant.recurrence !== null && grant.activatedAt !== null)
      wake(index, grant.refilledAt ?? grant.activatedAt, boundaryAfter);
  });
  const schedule = state.schedule;
  // The next scheduled reset to run; null while none is due or the last one changed nothing.
  let resetAt: number | null = null;
  const wakeReset = (after: number) => {
    resetAt = schedule === null ? null : boundaryAfter(schedule.recurrence, after);
    if (resetAt !== null && resetAt > now) resetAt = null;
  };
  if (schedule !== null) wakeReset(schedule.resetAfter);

  let next = 0;
  for (;;) {
    // The earliest transition: a due one, the reset, or a refill (by instant, kind, burn order).
    let pick: { at: number; kind: number; index: number; source: 'due' | 'reset' | 'refill' } | null = null;
    const better = (at: number, kind: number, index: number) =>
      pick === null ||
      at < pick.at ||
      (at === pick.at &&
        (kind < pick.kind || (kind === pick.kind && compareBurnOrder(w.grant(index), w.grant(pick.index)) < 0)));
    const d = due[next];
    if (d !== undefined) pick = { ...d, source: 'due' };
    if (resetAt !== null && better(resetAt, RESET, -1)) pick = { at: resetAt, kind: RESET, index: -1, source: 'reset' };
    for (const [index, at] of refills)
      if (better(at, REFILL, index)) pick = { at, kind: REFILL, index, source: 'refill' };
    if (pick === null) break;

    const { at, index } = pick;
    if (pick.source === 'due') {
      next++;
      const grant = w.grant(index);
      if (pick.kind === EXPIRE) {
        w.expire(index, at);
        refills.delete(index);
      } else if (grant.expiredAt === null) {
        w.activate(index, at);
        wake(index, at, boundaryAfter);
        if (schedule !== null && resetAt === null) wakeReset(at);
      }
    } else if (pick.source === 'refill') {
      const gave = w.refill(index, at);
      wake(index, at, boundaryAfter);
      if (gave && schedule !== null && resetAt === null) wakeReset(at);
    } else if (schedule !== null) {
      const reset = { id: scheduledResetId(key, at), rollover: schedule.rollover, overage: schedule.overage };
      const outcome = w.reset(reset, at, true);
      // A grant the reset cut refills at its next boundary, at this instant or later.
      for (const cut of outcome.cutIndexes) wake(cut, at, boundaryFrom);
      w.setSchedule({ ...schedule, resetAfter: at });
      // One that changed nothing, and spared nothing, waits for something it could change.
      if (outcome.cut.gt(0) || outcome.forgiven.gt(0) || outcome.spared) wakeReset(at);
      else resetAt = null;
    }
  }

  // Every boundary passed is done: mark it, so none is run again after later writes.
  w.grants.forEach((grant, index) => {
    if (grant.recurrence === null || grant.voidedAt !== null || grant.expiredAt !== null) return;
    const last = recurrencePeriod(grant.recurrence, now).start;
    if (refillsAt(grant, last) && last > (grant.refilledAt ?? Number.NEGATIVE_INFINITY))
      w.set(index, { refilledAt: last });
  });
  if (w.schedule !== null) {
    const last = recurrencePeriod(w.schedule.recurrence, now).start;
    if (last > w.schedule.resetAfter) w.setSchedule({ ...w.schedule, resetAfter: last });
  }
  return w.changed ? w.result() : null;
}

/**
 * True when the pool's scheduled reset at `at` would change it as it is now (cut a remainder or
 * forgive debt), for the next instant a pool changes by itself.
 */
export function scheduledResetChanges(key: PoolKeyFields & PoolTimeline, at: number): boolean {
  if (key.schedule === null) return false;
  const { rollover, overage } = key.schedule;
  const outcome = new Working(key, key, at).reset({ id: scheduledResetId(key, at), rollover, overage }, at, true);
  return outcome.cut.gt(0) || outcome.forgiven.gt(0);
}

/**
 * Resets a pool brought to `at` (by {@link runTimeline}) at `at`: see {@link Working.reset}.
 *
 * @example resetTimeline(key, pool, { id: 'reset-1', rollover: { maxAmount: '50' }, overage: 'CARRY' }, now)
 */
export function resetTimeline(
  key: PoolKeyFields,
  state: PoolTimeline,
  reset: PoolReset,
  at: number,
): TimelineChange & ResetOutcome {
  const w = new Working(key, state, at);
  const outcome = w.reset(reset, at, false);
  return { ...w.result(), kept: outcome.kept, cut: outcome.cut, forgiven: outcome.forgiven };
}
