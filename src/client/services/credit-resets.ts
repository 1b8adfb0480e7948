// Credit pool resets, an allot extension: a reset by hand, and the schedule a pool resets on by
// itself (each write of the pool applies the resets due).
import { requireCustomerState } from '../../core/customer-records.js';
import { requireCreditCurrency } from '../../credits/credit-currency.js';
import { balance, type CreditPool } from '../../credits/credit-pool.js';
import { resetPool, schedulePoolResets } from '../../credits/pool-resets.js';
import { boundaryAfter } from '../../credits/recurrence.js';
import type { CreditResetSchedule as StoredSchedule } from '../../credits/rollover.js';
import { creditPoolSchema, resetCreditPoolSchema, saveCreditResetScheduleSchema } from '../credit-input-schemas.js';
import { type RecurrenceShape, type RolloverShape, recurrenceShape, rolloverShape } from '../credit-shapes.js';
import { type CreditIdempotency, changeCredits } from '../credit-writes.js';
import type { Engine } from '../engine/engine.js';
import { randomHex } from '../ids.js';
import { parse } from '../input-schemas.js';
import type { CreditPoolParams, ResetCreditPoolParams, SaveCreditResetScheduleParams } from '../params.js';

/** What `resetCreditPool` did, once durable: amounts as numbers. */
export interface CreditPoolReset {
  customerId: string;
  currencyId: string;
  resourceId: string | null;
  resetAt: Date;
  /** What the live grants kept. */
  rolledOver: number;
  /** What was taken from them. */
  forfeited: number;
  debtForgiven: number;
  /** The debt left, repaid first by the next grants and refills. */
  debt: number;
  currentBalance: number;
}

/** A pool's reset schedule: it resets at every boundary of the recurrence after it was saved. */
export interface CreditResetSchedule extends RecurrenceShape {
  customerId: string;
  currencyId: string;
  resourceId: string | null;
  /** For grants without a rule of their own; null: nothing of theirs rolls over. */
  rollover: RolloverShape | null;
  overage: 'CARRY' | 'FORGIVE';
  nextResetAt: Date;
}

/** What a reset stores for idempotent replays: amounts as decimal strings, the instant as epoch ms. */
interface ResetRecord {
  resetAt: number;
  rolledOver: string;
  forfeited: string;
  debtForgiven: string;
  debt: string;
  currentBalance: string;
}

export class CreditResets {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async reset(params: ResetCreditPoolParams): Promise<CreditPoolReset> {
    const p = parse(resetCreditPoolSchema, params, 'resetCreditPool');
    const key = { customerId: p.customerId, currencyId: p.currencyId, resourceId: p.resourceId ?? null };
    const idempotency: CreditIdempotency<ResetRecord> = {
      scope: 'credit-reset',
      key: p.idempotencyKey,
      replay: async (prior) => prior as ResetRecord,
    };
    const record = await changeCredits(
      this.#engine,
      key,
      (pool, now) => {
        const change = resetPool(
          pool,
          { id: `reset-${randomHex(16)}`, rollover: p.rollover, overage: p.overage, moveAnchor: p.moveAnchor },
          now,
        );
        const result: ResetRecord = {
          resetAt: now,
          ...change.summary,
          currentBalance: balance(change.pool, now).currentBalance,
        };
        return { ...change, result, record: result };
      },
      { idempotency },
    );
    return {
      ...key,
      resetAt: new Date(record.resetAt),
      rolledOver: Number(record.rolledOver),
      forfeited: Number(record.forfeited),
      debtForgiven: Number(record.debtForgiven),
      debt: Number(record.debt),
      currentBalance: Number(record.currentBalance),
    };
  }

  async saveSchedule(params: SaveCreditResetScheduleParams): Promise<CreditResetSchedule | null> {
    const p = parse(saveCreditResetScheduleSchema, params, 'saveCreditResetSchedule');
    const key = { customerId: p.customerId, currencyId: p.currencyId, resourceId: p.resourceId ?? null };
    const s = p.schedule;
    return changeCredits(this.#engine, key, (pool, now) => {
      const rules = s && {
        recurrence: { interval: s.interval, intervalCount: s.intervalCount, anchor: s.anchor ?? now },
        rollover: s.rollover ?? null,
        overage: s.overage,
      };
      const change = schedulePoolResets(pool, rules, now);
      return { ...change, result: scheduleShape(change.pool, now), record: null };
    });
  }

  /** The pool's schedule as it stands now, from the warm customer. */
  async schedule(params: CreditPoolParams): Promise<CreditResetSchedule | null> {
    const p = parse(creditPoolSchema, params, 'getCreditResetSchedule');
    const catalog = await this.#engine.ready();
    requireCreditCurrency(catalog, p.currencyId);
    const entry = await this.#engine.entry(p.customerId);
    requireCustomerState(entry.state, p.customerId);
    const now = this.#engine.clock.now();
    return scheduleShape(entry.creditPool(catalog, p.currencyId, p.resourceId ?? null, now).pool, now);
  }
}

function scheduleShape(pool: CreditPool, now: number): CreditResetSchedule | null {
  const s: StoredSchedule | null = pool.schedule;
  if (s === null) return null;
  return {
    customerId: pool.customerId,
    currencyId: pool.currencyId,
    resourceId: pool.resourceId,
    ...recurrenceShape(s.recurrence),
    rollover: rolloverShape(s.rollover),
    overage: s.overage,
    nextResetAt: new Date(boundaryAfter(s.recurrence, now)),
  };
}
